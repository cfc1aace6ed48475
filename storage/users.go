package storage

import (
	"context"
	"time"
)

// UserStatus is an account's state.
type UserStatus string

// Account states.
const (
	// UserActive may sign in.
	UserActive UserStatus = "active"
	// UserPending has registered but not yet activated the account.
	UserPending UserStatus = "pending"
	// UserDisabled was switched off by an administrator.
	UserDisabled UserStatus = "disabled"
)

// User is an account that signs in to the provider.
type User struct {
	ID string
	// Email is unique without regard to case.
	Email         string
	EmailVerified bool
	Name          string
	// PasswordHash is an argon2id PHC string; never the password.
	PasswordHash string
	Status       UserStatus
	// Role names the user's role (admin, developer, member, guest, or one
	// from the configuration); it bounds what the user may delegate and
	// whether a second factor is required. CreateUser and UpdateUser store
	// an empty role as "member".
	Role string
	// TOTPSecret is the user's TOTP secret, sealed with the system
	// secret; nil when none. While TOTPEnabled is false it is an enrolment
	// waiting for its first code.
	TOTPSecret  []byte
	TOTPEnabled bool
	// TOTPLastStep is the time step of the last code accepted, so that no
	// code is accepted twice.
	TOTPLastStep int64
	// RecoveryCodes are keyed hashes of the unused recovery codes.
	RecoveryCodes [][]byte
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// MaxUserName bounds a user's display name, in characters: registration
// cuts a longer one, the admin API refuses it.
const MaxUserName = 100

// Users stores accounts.
type Users interface {
	// CreateUser stores u and, in the same write, makes it a member of the
	// default workspace with the role DefaultRole gives its global role,
	// joined at u.CreatedAt (as the migration did for the accounts it
	// found). ErrAlreadyExists if u.ID exists or another user has the same
	// email in any letter case.
	CreateUser(ctx context.Context, u User) error
	// GetUser returns the user with id. ErrNotFound if absent.
	GetUser(ctx context.Context, id string) (User, error)
	// GetUserByEmail finds a user by email, ignoring letter case.
	// ErrNotFound if absent.
	GetUserByEmail(ctx context.Context, email string) (User, error)
	// ListUsers returns users ordered by lower-cased email, those after
	// p.After (a lower-cased email), at most p.EffectiveLimit() of them.
	ListUsers(ctx context.Context, p Page) ([]User, error)
	// UpdateUser reads the user, passes it to update and stores the result,
	// atomically (see Clients.UpdateClient). ErrAlreadyExists if the new
	// email belongs to another user; ErrNotFound if absent.
	UpdateUser(ctx context.Context, id string, update func(User) (User, error)) (User, error)
}

// LoginSession is a browser's signed-in session. Its ID is a hash of the
// session cookie's value, so a database leak yields no usable cookie.
type LoginSession struct {
	ID     string
	UserID string
	// AuthTime is when the user last authenticated (OpenID Connect auth_time).
	AuthTime time.Time
	// AMR lists the authentication methods used (pwd, otp, ...).
	AMR       []string
	ACR       string
	UserAgent string
	IP        string
	CreatedAt time.Time
	ExpiresAt time.Time
	// Upstream is the ID of the connector (upstream identity provider)
	// the user signed in through; empty for a sign-in of our own
	// (password, passkey). UpstreamSubject is the user's subject there
	// and UpstreamSID the upstream's session (its ID token's sid), when
	// it sent one: an upstream's back-channel logout names the session
	// by them (see ListUpstreamSessions).
	Upstream        string
	UpstreamSubject string
	UpstreamSID     string
	// UpstreamAMR is how the upstream says the user signed in there (its
	// ID token's amr claim), when it said so. It is shown to apps in the
	// amr of our tokens (session.TokenAMR) and never counts as one of
	// our methods: ACR, step-up and the workspace's policy read AMR
	// alone.
	UpstreamAMR []string
}

// LoginSessions stores browser sessions.
type LoginSessions interface {
	// CreateLoginSession stores s. ErrAlreadyExists if s.ID exists;
	// ErrNotFound if the user does not exist.
	CreateLoginSession(ctx context.Context, s LoginSession) error
	// GetLoginSession returns the session, expired or not (the caller
	// checks ExpiresAt). ErrNotFound if absent.
	GetLoginSession(ctx context.Context, id string) (LoginSession, error)
	// ListLoginSessions returns the user's sessions, newest first.
	ListLoginSessions(ctx context.Context, userID string) ([]LoginSession, error)
	// ListUpstreamSessions returns the sessions signed in through the
	// connector that an upstream's logout names, newest first, as
	// OpenID Connect Back-Channel Logout 1.0 section 2.7 says: with a
	// sid, the sessions of that upstream session (and of that subject,
	// when subject is given too); with a subject alone, every session
	// of that subject through the connector. With neither, or an empty
	// connector, nothing matches: nil. Like GetLoginSession it returns
	// sessions expired or not (the caller checks ExpiresAt, or ends
	// them all).
	ListUpstreamSessions(ctx context.Context, connector, subject, sid string) ([]LoginSession, error)
	// DeleteLoginSession removes one session and queues a logout
	// delivery to each client it signed in to that takes them (see
	// BackchannelLogouts). ErrNotFound if absent.
	DeleteLoginSession(ctx context.Context, id string) error
	// DeleteUserLoginSessions removes every session of the user ("sign out
	// everywhere") and returns how many there were, queuing the logout
	// deliveries of each as DeleteLoginSession does.
	DeleteUserLoginSessions(ctx context.Context, userID string) (int, error)
}
