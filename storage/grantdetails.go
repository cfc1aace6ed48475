package storage

import (
	"context"
	"slices"
	"time"
)

// DetailGrant is a remembered grant of actions in one conversation or
// channel: one location of an RFC 9396 authorization detail the user
// allowed an app (provider/authzdetails). It belongs to the user's
// remembered consent to the app (Consent).
type DetailGrant struct {
	UserID   string
	ClientID string
	// Type is the detail type (im_conversation, im_channel).
	Type string
	// Location is the conversation or channel ("conv:123").
	Location string
	// Actions are what the app may do there (messages.read, ...).
	Actions   []string
	GrantedAt time.Time
}

// Clone returns g with its own Actions.
func (g DetailGrant) Clone() DetailGrant {
	g.Actions = slices.Clone(g.Actions)
	return g
}

// DetailGrants stores the per-conversation grants remembered with a
// consent.
type DetailGrants interface {
	// SaveDetailGrants replaces what userID remembered granting clientID
	// per conversation with grants (whose UserID and ClientID are
	// ignored; at most one per type and location; none deletes them
	// all). They belong to the user's remembered consent to the client:
	// ErrNotFound when there is none; deleting the consent (or the user,
	// or the client) deletes them, replacing it with SaveConsent keeps
	// them.
	SaveDetailGrants(ctx context.Context, userID, clientID string, grants []DetailGrant) error
	// ListDetailGrants returns userID's detail grants, to clientID only
	// when clientID is not empty, ordered by client ID, type and location.
	ListDetailGrants(ctx context.Context, userID, clientID string) ([]DetailGrant, error)
	// DeleteDetailGrant withdraws the grant of one location. ErrNotFound
	// if absent.
	DeleteDetailGrant(ctx context.Context, userID, clientID, typ, location string) error
}
