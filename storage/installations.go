package storage

import (
	"context"
	"slices"
	"time"
)

// The states of an installation (Installation.Status).
const (
	// InstallPending: asked for, waiting for a workspace admin.
	InstallPending = "pending"
	// InstallActive: installed; the app gets bot tokens for the
	// workspace, with its installed scopes.
	InstallActive = "active"
	// InstallDenied: an admin refused the request (Reason says why).
	InstallDenied = "denied"
)

// Installation is an app (a client) installed into a workspace, or asked
// to be: the workspace's consent to the app, as Slack's app
// installations. The app then acts in the workspace as itself, a bot
// whose tokens have the installation's ID as their subject.
type Installation struct {
	ID          string
	WorkspaceID string
	ClientID    string
	// Scopes are the scopes installed: approved by the workspace.
	Scopes []string
	// Requested are the scopes asked for and not yet approved: a first
	// request's, or those a new version of the app added (the
	// installation then needs re-approval while it stays active with
	// Scopes).
	Requested []string
	// Declined are scopes the app asks for that the workspace chose not
	// to install: left out by the requester, narrowed away or refused by
	// an admin. They are not asked again until a member asks for them.
	Declined []string
	// Status is InstallPending, InstallActive or InstallDenied.
	Status string
	// RequestedBy is the account that asked for (or installed) the app;
	// DecidedBy the one that approved or denied it last (empty when
	// installed at once).
	RequestedBy string
	DecidedBy   string
	// Reason is a denial's reason, which the requester sees.
	Reason    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Clone returns a deep copy of in.
func (in Installation) Clone() Installation {
	in.Scopes = slices.Clone(in.Scopes)
	in.Requested = slices.Clone(in.Requested)
	in.Declined = slices.Clone(in.Declined)
	return in
}

// ApprovedApp is an app a workspace's admin approved beforehand: under
// the policy InstallsApproved, its members install it without waiting.
type ApprovedApp struct {
	WorkspaceID string
	ClientID    string
	ApprovedBy  string
	ApprovedAt  time.Time
}

// Installations stores the apps installed into workspaces and the apps
// their admins approved beforehand. A workspace's installations and
// approvals go with it, and an app's with the app.
//
// Text a backend cannot hold (not UTF-8, a NUL) in any field is
// ErrInvalidInput there (see errors.go).
type Installations interface {
	// CreateInstallation stores in. ErrAlreadyExists if in.ID exists or
	// the workspace has an installation of the client already;
	// ErrNotFound if the workspace or the client does not exist.
	CreateInstallation(ctx context.Context, in Installation) error
	// GetInstallation returns the installation with id. ErrNotFound if
	// absent.
	GetInstallation(ctx context.Context, id string) (Installation, error)
	// GetWorkspaceInstallation returns the workspace's installation of
	// the client. ErrNotFound if it has none.
	GetWorkspaceInstallation(ctx context.Context, workspaceID, clientID string) (Installation, error)
	// UpdateInstallation reads the installation, passes it to update and
	// stores the result, atomically, and returns what was stored. An
	// error of update is returned as it is, and nothing changes; an
	// update that changes the ID, the workspace or the client is refused.
	// ErrNotFound if absent.
	UpdateInstallation(ctx context.Context, id string, update func(Installation) (Installation, error)) (Installation, error)
	// DeleteInstallation removes the installation. ErrNotFound if absent.
	DeleteInstallation(ctx context.Context, id string) error
	// ListInstallations returns the workspace's installations with
	// status (any when empty), oldest first (then by ID). An unknown
	// workspace has none.
	ListInstallations(ctx context.Context, workspaceID, status string) ([]Installation, error)
	// ListClientInstallations returns the client's installations in
	// every workspace, oldest first (then by ID).
	ListClientInstallations(ctx context.Context, clientID string) ([]Installation, error)

	// ApproveApp marks the client approved for the workspace's members
	// to install, replacing an earlier approval. ErrNotFound if the
	// workspace or the client does not exist.
	ApproveApp(ctx context.Context, a ApprovedApp) error
	// GetApprovedApp returns the workspace's approval of the client.
	// ErrNotFound if it has none.
	GetApprovedApp(ctx context.Context, workspaceID, clientID string) (ApprovedApp, error)
	// ListApprovedApps returns the workspace's approved apps ordered by
	// client ID.
	ListApprovedApps(ctx context.Context, workspaceID string) ([]ApprovedApp, error)
	// UnapproveApp withdraws the approval (installations made under it
	// stay). ErrNotFound if there is none.
	UnapproveApp(ctx context.Context, workspaceID, clientID string) error
}
