package storage

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultWorkspaceID is the workspace every store starts with: the
// migration that brought workspaces made it ({ID "default", handle
// "default", name "Default", the provider's policy}) and every account
// that existed then a member of it, so a deployment that ran before
// workspaces keeps working as one. It cannot be deleted.
const DefaultWorkspaceID = "default"

// The workspace roles the store itself hands out (DefaultRole): the
// migration gave an account whose global role was admin the role admin,
// guest guest, and any other member, and CreateUser does the same for a
// new account. Which roles exist and what each may do is the
// application's to decide (custom roles included); the store keeps any
// non-empty name.
const (
	WorkspaceOwner  = "owner"
	WorkspaceAdmin  = "admin"
	WorkspaceMember = "member"
	WorkspaceGuest  = "guest"
)

// DefaultRole is the role in the default workspace of an account with the
// global role globalRole: the mapping the migration applied to the
// accounts it found, and CreateUser applies to new ones.
func DefaultRole(globalRole string) string {
	switch globalRole {
	case "admin":
		return WorkspaceAdmin
	case "guest":
		return WorkspaceGuest
	default:
		return WorkspaceMember
	}
}

// Who may install apps into a workspace (WorkspacePolicy.Installs).
const (
	// InstallsAdmins: only the workspace's admins install apps.
	InstallsAdmins = "admins"
	// InstallsApproved: members install the apps an admin approved
	// beforehand; other requests wait for an admin.
	InstallsApproved = "approved"
	// InstallsMembers: any member installs any app.
	InstallsMembers = "members"
)

// Workspace is an organization: a company or community with its own
// members, admins and policy (Slack workspaces, Feishu and DingTalk
// tenants).
type Workspace struct {
	// ID names the workspace in every other record (a UUID in text, or
	// DefaultWorkspaceID); it never changes.
	ID string
	// Handle is the workspace's unique short name, in addresses and the
	// organization parameter. Unique without regard to case: the store
	// keeps it lower-cased (NormalHandle). Its syntax is the
	// application's to check.
	Handle string
	Name   string
	Policy WorkspacePolicy
	// CreatedAt and UpdatedAt are the caller's; the default workspace's
	// are zero.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WorkspacePolicy is what a workspace requires of its members' sign-ins
// and apps. Its zero value, and each zero field, means the provider's
// default.
type WorkspacePolicy struct {
	// RequireMFA asks a second factor of every member's sign-in, whatever
	// their global role says.
	RequireMFA bool
	// SignInMethods lists the ways a member may sign in: "password",
	// "passkey", "connector:ID"; empty allows any.
	SignInMethods []string
	// SessionLifetime bounds a member's browser session; 0 is the
	// provider's.
	SessionLifetime time.Duration
	// Installs says who may install apps: InstallsAdmins,
	// InstallsApproved or InstallsMembers; empty is the provider's
	// default.
	Installs string
}

// Clone returns a deep copy of w.
func (w Workspace) Clone() Workspace {
	w.Policy.SignInMethods = slices.Clone(w.Policy.SignInMethods)
	return w
}

// Member is an account's membership of a workspace.
type Member struct {
	WorkspaceID string
	UserID      string
	// Role is the member's workspace role (WorkspaceOwner, ..., or a
	// custom one); AddMember and UpdateMember store an empty role as
	// WorkspaceMember.
	Role     string
	JoinedAt time.Time
	// ExternalID is the member's identifier at the workspace's
	// provisioning client (SCIM externalId, such as an Entra ID object
	// ID); empty when none gave one.
	ExternalID string
	// Suspended switches the membership off without ending it (SCIM
	// active=false): the member keeps their place, role and groups, but
	// may not sign in to the workspace or get its tokens. The zero value
	// is an active membership.
	Suspended bool
}

// Invitation asks someone, by email, to join a workspace with a role.
// Only a keyed hash of the token in the emailed link is stored, as for
// one-time links, so a database reader cannot accept one.
type Invitation struct {
	ID          string
	WorkspaceID string
	Email       string
	// Role is the role the invitee joins with; empty is WorkspaceMember.
	Role string
	// TokenHash is the keyed hash of the link's token: unique.
	TokenHash string
	// InvitedBy is the ID of the account that sent it (empty for the
	// provider itself).
	InvitedBy string
	CreatedAt time.Time
	ExpiresAt time.Time
	// AcceptedAt is when it was accepted, and AcceptedBy by which
	// account; zero and empty while it is pending.
	AcceptedAt time.Time
	AcceptedBy string
}

// NormalHandle returns a workspace handle as the store keeps and compares
// it: lower-cased. Text that is not UTF-8 is returned as it is, for the
// backend to refuse (ErrInvalidInput) rather than hold an altered handle.
func NormalHandle(handle string) string {
	if !utf8.ValidString(handle) {
		return handle
	}
	return strings.ToLower(handle)
}

// Workspaces stores workspaces, their members and the invitations to join
// them. A workspace's members and invitations go with it; an account's
// memberships go with the account.
//
// Text a backend cannot hold (not UTF-8, a NUL) in any field is
// ErrInvalidInput there (see errors.go).
type Workspaces interface {
	// CreateWorkspace stores w with its handle lower-cased.
	// ErrAlreadyExists if w.ID exists or another workspace has the
	// handle in any letter case.
	CreateWorkspace(ctx context.Context, w Workspace) error
	// GetWorkspace returns the workspace with id. ErrNotFound if absent.
	GetWorkspace(ctx context.Context, id string) (Workspace, error)
	// GetWorkspaceByHandle returns the workspace with handle, in any
	// letter case. ErrNotFound if absent.
	GetWorkspaceByHandle(ctx context.Context, handle string) (Workspace, error)
	// ListWorkspaces returns workspaces ordered by handle (byte order),
	// those after p.After (a handle as stored, lower-cased), at most
	// p.EffectiveLimit() of them.
	ListWorkspaces(ctx context.Context, p Page) ([]Workspace, error)
	// UpdateWorkspace reads the workspace, passes it to update and stores
	// the result with its handle lower-cased, atomically, and returns
	// what was stored. An error of update is returned as it is, and
	// nothing changes; an update that changes the ID is refused.
	// ErrAlreadyExists if the new handle is another workspace's;
	// ErrNotFound if absent.
	UpdateWorkspace(ctx context.Context, id string, update func(Workspace) (Workspace, error)) (Workspace, error)
	// DeleteWorkspace removes the workspace with its members and
	// invitations. ErrConflict for DefaultWorkspaceID, which stays;
	// ErrNotFound if absent.
	DeleteWorkspace(ctx context.Context, id string) error

	// AddMember stores m (an empty role as WorkspaceMember).
	// ErrNotFound if the workspace or the user does not exist;
	// ErrAlreadyExists if the user is a member already.
	AddMember(ctx context.Context, m Member) error
	// GetMember returns the user's membership of the workspace.
	// ErrNotFound if the user is not a member.
	GetMember(ctx context.Context, workspaceID, userID string) (Member, error)
	// UpdateMember reads the membership, passes it to update and stores
	// the result (an empty role as WorkspaceMember), atomically, and
	// returns what was stored. An error of update is returned as it is,
	// and nothing changes; an update that changes the workspace or the
	// user is refused. ErrNotFound if the user is not a member.
	UpdateMember(ctx context.Context, workspaceID, userID string, update func(Member) (Member, error)) (Member, error)
	// RemoveMember ends the user's membership of the workspace.
	// ErrNotFound if the user is not a member.
	RemoveMember(ctx context.Context, workspaceID, userID string) error
	// ListMembers returns the workspace's members ordered by user ID
	// (byte order), those after p.After (a user ID), at most
	// p.EffectiveLimit() of them. An unknown workspace has none.
	ListMembers(ctx context.Context, workspaceID string, p Page) ([]Member, error)
	// ListUserWorkspaces returns the user's memberships, ordered by their
	// workspaces' handles. None is an empty list.
	ListUserWorkspaces(ctx context.Context, userID string) ([]Member, error)
	// CountMembers returns how many active (not suspended) members of
	// the workspace have role, or how many it has when role is empty ("is
	// this its last owner?": a suspended owner cannot act as one). An
	// unknown workspace has none. Counting and then changing
	// a membership are two calls: to keep a last owner under concurrent
	// changes, make them in one transaction (InTx) that first locks the
	// workspace with an UpdateWorkspace that changes nothing; such
	// transactions then run one after another.
	CountMembers(ctx context.Context, workspaceID, role string) (int, error)

	// CreateInvitation stores inv (an empty role as WorkspaceMember).
	// ErrNotFound if the workspace does not exist; ErrAlreadyExists if
	// inv.ID or inv.TokenHash exists.
	CreateInvitation(ctx context.Context, inv Invitation) error
	// GetInvitation returns the pending invitation whose token hashes to
	// tokenHash without accepting it, for a page to show before the
	// invitee accepts. ErrNotFound for an unknown token, or an
	// invitation expired at now or accepted.
	GetInvitation(ctx context.Context, tokenHash string, now time.Time) (Invitation, error)
	// AcceptInvitation, in one atomic step, marks the pending invitation
	// whose token hashes to tokenHash accepted by userID at now and makes
	// the user a member of its workspace with its role, joined at now;
	// it returns the membership. Of two concurrent calls with one token
	// one succeeds and the other gets ErrNotFound. ErrNotFound for an
	// unknown token, an invitation expired at now or already accepted,
	// or an unknown user; ErrAlreadyExists if the user is a member
	// already, and then the invitation stays pending.
	AcceptInvitation(ctx context.Context, tokenHash, userID string, now time.Time) (Member, error)
	// ListInvitations returns the workspace's invitations not yet
	// accepted, newest first, expired ones included until the janitor
	// purges them (the caller compares ExpiresAt with its clock).
	ListInvitations(ctx context.Context, workspaceID string) ([]Invitation, error)
	// DeleteInvitation removes the workspace's invitation id, pending or
	// accepted. ErrNotFound if the workspace has no such invitation
	// (another workspace's is not removed).
	DeleteInvitation(ctx context.Context, workspaceID, id string) error
}
