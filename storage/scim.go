package storage

import (
	"context"
	"time"
)

// SCIMToken is a bearer token a workspace's provisioning client (Entra ID,
// Okta) presents to the SCIM endpoints: it names the workspace, so one
// "tenant URL" serves every workspace. Only a keyed hash of the token is
// stored; the token is shown once, when it is made.
type SCIMToken struct {
	// ID names the token; the token itself starts with it (Prefix), so
	// a presented token is found by its ID and then compared in constant
	// time with Hash.
	ID          string
	WorkspaceID string
	// Name says what the token is for ("Entra ID provisioning").
	Name string
	// Prefix is the start of the token, kept in clear to tell tokens
	// apart in a list.
	Prefix string
	// Hash is the keyed hash of the whole token.
	Hash []byte
	// CreatedBy says who made it ("cli", a user ID).
	CreatedBy string
	CreatedAt time.Time
	// ExpiresAt is when it stops working; zero for never.
	ExpiresAt time.Time
	// LastUsedAt is when it last authenticated a request; zero if never.
	LastUsedAt time.Time
	// RevokedAt is when it was revoked; zero while it is not.
	RevokedAt time.Time
}

// SCIMGroup is a group a provisioning client keeps in a workspace (SCIM
// Groups). Its members are members of the workspace: ending a membership
// takes the account out of the workspace's groups.
type SCIMGroup struct {
	ID          string
	WorkspaceID string
	// DisplayName is unique in the workspace, in this exact spelling.
	DisplayName string
	// ExternalID is the group's identifier at the provisioning client;
	// empty when none gave one.
	ExternalID string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// SCIM stores the SCIM tokens and groups of workspaces. A workspace's
// tokens and groups go with it.
//
// Text a backend cannot hold (not UTF-8, a NUL) in any field is
// ErrInvalidInput there (see errors.go).
type SCIM interface {
	// CreateSCIMToken stores t. ErrNotFound if the workspace does not
	// exist; ErrAlreadyExists if t.ID exists.
	CreateSCIMToken(ctx context.Context, t SCIMToken) error
	// GetSCIMToken returns the token id, revoked and expired ones too
	// (the caller checks). ErrNotFound if absent.
	GetSCIMToken(ctx context.Context, id string) (SCIMToken, error)
	// ListSCIMTokens returns the workspace's tokens, revoked ones too,
	// newest first.
	ListSCIMTokens(ctx context.Context, workspaceID string) ([]SCIMToken, error)
	// TouchSCIMToken sets the token's LastUsedAt to at. ErrNotFound if
	// absent.
	TouchSCIMToken(ctx context.Context, id string, at time.Time) error
	// RevokeSCIMToken marks the workspace's token id revoked at at; a
	// token revoked already keeps its first time. ErrNotFound if the
	// workspace has no such token (another workspace's is not revoked).
	RevokeSCIMToken(ctx context.Context, workspaceID, id string, at time.Time) error

	// CreateSCIMGroup stores g. ErrNotFound if the workspace does not
	// exist; ErrAlreadyExists if g.ID exists or the workspace has a
	// group with the same display name.
	CreateSCIMGroup(ctx context.Context, g SCIMGroup) error
	// GetSCIMGroup returns the workspace's group id. ErrNotFound if the
	// workspace has no such group.
	GetSCIMGroup(ctx context.Context, workspaceID, id string) (SCIMGroup, error)
	// ListSCIMGroups returns the workspace's groups ordered by ID (byte
	// order), those after p.After, at most p.EffectiveLimit() of them.
	ListSCIMGroups(ctx context.Context, workspaceID string, p Page) ([]SCIMGroup, error)
	// UpdateSCIMGroup reads the group, passes it to update and stores the
	// result, atomically, and returns what was stored. An error of update
	// is returned as it is, and nothing changes; an update that changes
	// the ID or the workspace is refused. ErrAlreadyExists if the new
	// display name is another group's; ErrNotFound if absent.
	UpdateSCIMGroup(ctx context.Context, workspaceID, id string, update func(SCIMGroup) (SCIMGroup, error)) (SCIMGroup, error)
	// DeleteSCIMGroup removes the group with its memberships.
	// ErrNotFound if the workspace has no such group.
	DeleteSCIMGroup(ctx context.Context, workspaceID, id string) error
	// AddSCIMGroupMember puts the user in the group; a user in it already
	// stays, and that is no error. ErrNotFound if the workspace has no
	// such group or the user is not a member of the workspace.
	AddSCIMGroupMember(ctx context.Context, workspaceID, groupID, userID string) error
	// RemoveSCIMGroupMember takes the user out of the group; a user not
	// in it is no error. ErrNotFound if the workspace has no such group.
	RemoveSCIMGroupMember(ctx context.Context, workspaceID, groupID, userID string) error
	// ListSCIMGroupMembers returns the IDs of the group's members in byte
	// order. ErrNotFound if the workspace has no such group.
	ListSCIMGroupMembers(ctx context.Context, workspaceID, groupID string) ([]string, error)
}
