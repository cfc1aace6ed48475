package scim

import (
	"context"
	"errors"

	"github.com/tokenim/tokenim-auth/storage"
)

// Errors of Members and Groups beyond storage's sentinels
// (storage.ErrNotFound: no such member or group in the workspace;
// storage.ErrAlreadyExists: a member or group name taken).
var (
	// ErrLastOwner refuses to suspend or remove a workspace's last owner.
	ErrLastOwner = errors.New("the workspace's last owner cannot be suspended or removed")
	// ErrEmailFixed refuses a userName other than the account's email.
	ErrEmailFixed = errors.New("userName is the account's email, which provisioning does not change")
	// ErrNotMember refuses a group member who is not a member of the
	// workspace.
	ErrNotMember = errors.New("a group member must be a user of the workspace")
)

// Actor is who asks for a change: a SCIM token, or an operator's command.
type Actor struct {
	Type string
	ID   string
}

// Member is a member of a workspace as SCIM shows it: the account and the
// membership.
type Member struct {
	User       storage.User
	Membership storage.Member
}

// Profile is what a provisioning client says of a member.
type Profile struct {
	// Email is the account's email (SCIM userName).
	Email string
	// Name is the account's display name; empty leaves it as it is.
	Name       string
	ExternalID string
	Active     bool
}

// Members is what the Users endpoints do to a workspace's members. Every
// method works in workspaceID only: a member of another workspace is
// storage.ErrNotFound.
type Members interface {
	// Provision makes the account with p.Email a member of the workspace
	// (role member), creating the account when no account has that email
	// and attaching the existing one otherwise; p.Name is given only to
	// an account it creates. storage.ErrAlreadyExists if the account is a
	// member already.
	Provision(ctx context.Context, by Actor, workspaceID string, p Profile) (Member, error)
	// Member returns the workspace's member userID.
	Member(ctx context.Context, workspaceID, userID string) (Member, error)
	// MemberByEmail returns the workspace's member whose account has
	// email, in any letter case.
	MemberByEmail(ctx context.Context, workspaceID, email string) (Member, error)
	// List returns the workspace's members ordered by account ID, those
	// after after, at most limit.
	List(ctx context.Context, workspaceID, after string, limit int) ([]Member, error)
	// Update applies p to the member: its external ID and whether it is
	// active, and the account's name when p.Name is set and the account
	// is a member of no workspace but this one and the default one.
	// ErrEmailFixed if p.Email is not the account's email. Suspending
	// ends the account's sessions and revokes its tokens; ErrLastOwner
	// for the workspace's last owner.
	Update(ctx context.Context, by Actor, workspaceID, userID string, p Profile) (Member, error)
	// Remove ends the membership, ending the account's sessions and
	// revoking its tokens; the account stays. ErrLastOwner for the
	// workspace's last owner.
	Remove(ctx context.Context, by Actor, workspaceID, userID string) error
}

// Group is a workspace's group with its members' account IDs.
type Group struct {
	storage.SCIMGroup
	Members []string
}

// GroupChange is a change of a group; a nil field is left as it is.
type GroupChange struct {
	DisplayName *string
	ExternalID  *string
	// Members, when not nil, replaces the members; then Add and Remove
	// apply to it.
	Members *[]string
	Add     []string
	Remove  []string
	// RemoveAll empties the group before Add applies.
	RemoveAll bool
}

// Groups is what the Groups endpoints do to a workspace's groups, in
// workspaceID only.
type Groups interface {
	// CreateGroup stores a group of the given members.
	// storage.ErrAlreadyExists if the workspace has a group of that name;
	// ErrNotMember for a member not in the workspace.
	CreateGroup(ctx context.Context, by Actor, workspaceID string, g Group) (Group, error)
	Group(ctx context.Context, workspaceID, id string) (Group, error)
	// ListGroups returns the workspace's groups ordered by ID, those
	// after after, at most limit.
	ListGroups(ctx context.Context, workspaceID, after string, limit int) ([]Group, error)
	// ChangeGroup applies c. ErrNotMember for an added member not in the
	// workspace.
	ChangeGroup(ctx context.Context, by Actor, workspaceID, id string, c GroupChange) (Group, error)
	DeleteGroup(ctx context.Context, by Actor, workspaceID, id string) error
}

// Authenticator checks a presented SCIM token (Tokens).
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (storage.SCIMToken, error)
}
