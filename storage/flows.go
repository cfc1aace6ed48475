package storage

import (
	"context"
	"time"
)

// Flow is an authorization request waiting for the user: to sign in, to
// pass a second factor, or to consent. The browser carries only its ID.
type Flow struct {
	ID       string
	ClientID string
	// Query is the authorization request's parameters, URL-encoded; the
	// provider re-validates them when the flow resumes.
	Query string
	// UserID is set once the user has signed in during this flow.
	UserID string
	// AuthTime and AMR record that sign-in (OpenID Connect auth_time, amr).
	AuthTime time.Time
	AMR      []string
	// Decision is the user's answer on the consent page: "allow",
	// "deny", or empty while undecided. It counts only for UserID.
	Decision string
	// GrantedScopes are the scopes the user allowed in this flow.
	GrantedScopes []string
	// WorkspaceID is the workspace picked for the request (from its
	// organization parameter or on the chooser page); empty until one is.
	// It counts only for UserID.
	WorkspaceID string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// FlowNotMember is the Decision of a flow stopped because the signed-in
// user is not a member of the workspace the request named (WorkspaceID):
// the page that tells the user so and the authorization endpoint, which
// then answers the app with access_denied, read it.
const FlowNotMember = "not_member"

// Flows stores pending authorization requests.
type Flows interface {
	// CreateFlow stores f. ErrAlreadyExists if f.ID exists; ErrNotFound if
	// the client does not exist.
	CreateFlow(ctx context.Context, f Flow) error
	// GetFlow returns the flow, expired or not. ErrNotFound if absent.
	GetFlow(ctx context.Context, id string) (Flow, error)
	// UpdateFlow reads, updates and stores the flow atomically (see
	// Clients.UpdateClient). ErrNotFound if absent.
	UpdateFlow(ctx context.Context, id string, update func(Flow) (Flow, error)) (Flow, error)
	// DeleteFlow removes the flow. ErrNotFound if absent, so that of two
	// requests finishing one flow only one succeeds.
	DeleteFlow(ctx context.Context, id string) error
}
