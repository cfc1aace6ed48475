package storage

import (
	"context"
	"time"
)

// ConsentCursor is where a page of grants ends: the next page starts
// after the grant of this user to this client, in (UserID, ClientID)
// order. The zero cursor starts at the first grant.
type ConsentCursor struct {
	UserID   string
	ClientID string
}

// ScopeGrants answers "who holds this permission": the administrator's
// view of a scope across every user and app.
type ScopeGrants interface {
	// ListScopeConsents returns the live consents (ExpiresAt zero or after
	// now) whose scopes include scope, ordered by user ID then client ID,
	// those after the cursor, at most limit of them (DefaultPageLimit when
	// limit <= 0). LastUsedAt is not filled.
	ListScopeConsents(ctx context.Context, scope string, now time.Time, after ConsentCursor, limit int) ([]Consent, error)
}
