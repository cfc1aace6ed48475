package storage

import (
	"context"
	"time"
)

// Consent is a user's remembered decision to let a client act for them
// with some scopes: the grant store.
type Consent struct {
	UserID    string
	ClientID  string
	Scopes    []string
	GrantedAt time.Time
	// ExpiresAt is when the decision must be asked again; zero means never.
	ExpiresAt time.Time
	// LastUsedAt is when the client last got an access token for the
	// user; filled by ListConsents (zero when never), ignored on save.
	LastUsedAt time.Time
}

// Consents stores remembered consent decisions, one per user and client.
type Consents interface {
	// SaveConsent creates or replaces the consent of c.UserID for
	// c.ClientID. ErrNotFound if the user or the client does not exist.
	SaveConsent(ctx context.Context, c Consent) error
	// GetConsent returns the consent, expired or not. ErrNotFound if absent.
	GetConsent(ctx context.Context, userID, clientID string) (Consent, error)
	// ListConsents returns the user's consents, most recently granted
	// first, each with its LastUsedAt.
	ListConsents(ctx context.Context, userID string) ([]Consent, error)
	// ListClientConsents returns the consents given to a client, most
	// recently granted first (an administrator's view of an app's grants).
	ListClientConsents(ctx context.Context, clientID string) ([]Consent, error)
	// DeleteConsent withdraws the consent. ErrNotFound if absent.
	DeleteConsent(ctx context.Context, userID, clientID string) error
}
