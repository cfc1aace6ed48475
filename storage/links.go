package storage

import (
	"context"
	"time"
)

// LinkPurpose says what a one-time link does.
type LinkPurpose string

// Link purposes.
const (
	// LinkActivate activates a pending account (its email is confirmed).
	LinkActivate LinkPurpose = "activate"
	// LinkPasswordReset lets the user choose a new password.
	LinkPasswordReset LinkPurpose = "password_reset"
)

// OneTimeLink is a link sent by email. Only a keyed hash of its token is
// stored, so a database reader cannot use one.
type OneTimeLink struct {
	// Hash identifies the link: the keyed hash of the token in the URL.
	Hash      string
	Purpose   LinkPurpose
	UserID    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Links stores one-time links.
type Links interface {
	// CreateLink stores l. ErrAlreadyExists if l.Hash exists; ErrNotFound
	// if the user does not exist.
	CreateLink(ctx context.Context, l OneTimeLink) error
	// ConsumeLink removes and returns the link with hash and purpose,
	// exactly once: of two concurrent calls one gets the link and the
	// other ErrNotFound, as does a call for an unknown link, a link of
	// another purpose, or one expired at now.
	ConsumeLink(ctx context.Context, purpose LinkPurpose, hash string, now time.Time) (OneTimeLink, error)
	// GetLink returns the link with hash and purpose without using it up:
	// a page checks the link before it does costly work, and only a
	// successful ConsumeLink spends it. ErrNotFound for an unknown link, a
	// link of another purpose, or one expired at now.
	GetLink(ctx context.Context, purpose LinkPurpose, hash string, now time.Time) (OneTimeLink, error)
	// DeleteUserLinks removes the user's links of purpose (a new link
	// replaces the old ones) and returns how many there were.
	DeleteUserLinks(ctx context.Context, userID string, purpose LinkPurpose) (int, error)
}

// Counter counts failed attempts (passwords, codes) for a key such as an
// account or a client IP.
type Counter struct {
	Key         string
	Failures    int
	LastFailure time.Time
}

// Counters stores failure counters for brute-force protection.
type Counters interface {
	// AddFailure records a failure for key at now and returns the counter
	// after it, atomically (concurrent failures all count). A counter
	// whose last failure is older than forgetAfter starts again at one.
	AddFailure(ctx context.Context, key string, now time.Time, forgetAfter time.Duration) (Counter, error)
	// GetCounter returns the counter for key; a key never counted is a
	// zero Counter (with Key set), not an error.
	GetCounter(ctx context.Context, key string) (Counter, error)
	// ClearCounter forgets key's failures (after a success). Clearing an
	// unknown key is not an error.
	ClearCounter(ctx context.Context, key string) error
}
