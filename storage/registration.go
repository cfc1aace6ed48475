package storage

import (
	"context"
	"slices"
	"time"
)

// ClientRegistration is what the provider keeps of a client that
// registered itself through the dynamic client registration endpoint
// (RFC 7591), beyond the metadata every client has: when, with which
// initial access token, the hash of its registration access token (RFC
// 7592 section 1), and the metadata only such a client states.
type ClientRegistration struct {
	// At is when the client registered itself; zero for every client an
	// administrator, the configuration or the portal made.
	At time.Time
	// AccessTokenHash is the keyed hash of the client's registration
	// access token, which reads, updates and deletes its registration;
	// the token itself is never stored.
	AccessTokenHash []byte
	// InitialTokenID is the ID of the initial access token the
	// registration presented; empty for an open registration.
	InitialTokenID string
	// ClientURI, PolicyURI and TOSURI are client_uri, policy_uri and
	// tos_uri (RFC 7591 section 2).
	ClientURI string
	PolicyURI string
	TOSURI    string
	// Contacts are the addresses of the people responsible for the
	// client (contacts).
	Contacts []string
	// SoftwareID and SoftwareVersion name the software the client runs
	// (software_id, software_version).
	SoftwareID      string
	SoftwareVersion string
}

// SelfRegistered reports whether c registered itself (RFC 7591).
func (c Client) SelfRegistered() bool { return !c.Registration.At.IsZero() }

// Clone returns a deep copy of r.
func (r ClientRegistration) Clone() ClientRegistration {
	r.AccessTokenHash = slices.Clone(r.AccessTokenHash)
	r.Contacts = slices.Clone(r.Contacts)
	return r
}

// RegistrationToken is an initial access token (RFC 7591 section 3): an
// administrator issues it so that a client may register itself when
// registration is not open. It expires and is good for MaxUses
// registrations. Only a keyed hash of the token is stored; the token is
// shown once, when it is made.
type RegistrationToken struct {
	// ID names the token; the token itself starts with it, so a presented
	// token is found by its ID and then compared in constant time with
	// Hash.
	ID string
	// Name says what the token is for ("the chat bot's CI").
	Name string
	// Prefix is the start of the token, kept in clear to tell tokens
	// apart in a list.
	Prefix string
	// Hash is the keyed hash of the whole token.
	Hash []byte
	// CreatedBy says who made it ("cli", a user ID, a client ID).
	CreatedBy string
	CreatedAt time.Time
	// ExpiresAt is when it stops working; zero for never.
	ExpiresAt time.Time
	// MaxUses is how many registrations it is good for (1: single use).
	MaxUses int
	// Uses is how many registrations it was used for.
	Uses int
	// LastUsedAt is when it was last used; zero if never.
	LastUsedAt time.Time
	// RevokedAt is when it was revoked; zero while it is not.
	RevokedAt time.Time
}

// UsesLeft is how many more registrations t is good for, ignoring its
// expiry and revocation.
func (t RegistrationToken) UsesLeft() int { return max(t.MaxUses-t.Uses, 0) }

// Usable reports whether t may be used at now: not revoked, not expired,
// not used up.
func (t RegistrationToken) Usable(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt)) && t.UsesLeft() > 0
}

// EndedAt is when t stopped being usable for good: the earliest of its
// expiry, its revocation and, once used up, its last use; zero while
// none has happened (the janitor purges it once EndedAt has passed,
// PurgeRegistrationTokens). Postgres keeps the same as a generated column
// (migration 00032).
func (t RegistrationToken) EndedAt() time.Time {
	var end time.Time
	ends := []time.Time{t.ExpiresAt, t.RevokedAt}
	if t.UsesLeft() == 0 {
		ends = append(ends, t.LastUsedAt)
	}
	for _, e := range ends {
		if !e.IsZero() && (end.IsZero() || e.Before(end)) {
			end = e
		}
	}
	return end
}

// Clone returns a deep copy of t.
func (t RegistrationToken) Clone() RegistrationToken {
	t.Hash = slices.Clone(t.Hash)
	return t
}

// RegistrationTokens stores the initial access tokens of dynamic client
// registration.
//
// Text a backend cannot hold (not UTF-8, a NUL) in any field is
// ErrInvalidInput there (see errors.go).
type RegistrationTokens interface {
	// CreateRegistrationToken stores t. ErrAlreadyExists if t.ID exists.
	CreateRegistrationToken(ctx context.Context, t RegistrationToken) error
	// GetRegistrationToken returns the token id, revoked, expired and
	// used up ones too (the caller checks). ErrNotFound if absent.
	GetRegistrationToken(ctx context.Context, id string) (RegistrationToken, error)
	// ListRegistrationTokens returns every token, revoked ones too,
	// newest first.
	ListRegistrationTokens(ctx context.Context) ([]RegistrationToken, error)
	// UseRegistrationToken counts one use of the token at now, atomically,
	// if it is Usable at now, and returns it as stored after the use:
	// however many callers race, a token is never used more than MaxUses
	// times. ErrNotFound if absent; ErrConflict if it is revoked, expired
	// or used up, and then nothing changes.
	UseRegistrationToken(ctx context.Context, id string, now time.Time) (RegistrationToken, error)
	// RevokeRegistrationToken marks the token revoked at at; a token
	// revoked already keeps its first time. ErrNotFound if absent.
	RevokeRegistrationToken(ctx context.Context, id string, at time.Time) error
}
