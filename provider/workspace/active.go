package workspace

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tokenim/tokenim-auth/storage"
)

// A user's active workspaces: the rule every page and endpoint that signs
// a user in to a workspace applies. A suspended membership (the
// workspace's directory deactivated the account there, storage.Member's
// Suspended) keeps its place but is no workspace to sign in to, to choose
// or to get tokens of; a workspace deleted since its membership was read
// is none either.

// MemberReader reads one membership and its workspace.
type MemberReader interface {
	GetWorkspace(ctx context.Context, id string) (storage.Workspace, error)
	GetMember(ctx context.Context, workspaceID, userID string) (storage.Member, error)
}

// MemberLister also lists a user's memberships.
type MemberLister interface {
	MemberReader
	ListUserWorkspaces(ctx context.Context, userID string) ([]storage.Member, error)
}

// Membership is a workspace and a user's membership of it.
type Membership struct {
	Workspace storage.Workspace
	Member    storage.Member
}

// ActiveMember is the user's membership of workspace workspaceID, with
// the workspace, when it is active. storage.ErrNotFound (wrapped) when
// the user is no member, a suspended one, or the workspace is gone; an ID
// that is not text names none either (storage.ErrInvalidInput, kept so
// that callers may tell a forged value).
func ActiveMember(ctx context.Context, store MemberReader, workspaceID, userID string) (Membership, error) {
	m, err := store.GetMember(ctx, workspaceID, userID)
	if err == nil && m.Suspended {
		err = fmt.Errorf("membership suspended: %w", storage.ErrNotFound)
	}
	var ws storage.Workspace
	if err == nil {
		ws, err = store.GetWorkspace(ctx, workspaceID)
	}
	if err != nil {
		return Membership{}, fmt.Errorf("active membership of workspace %s: %w", workspaceID, err)
	}
	return Membership{Workspace: ws, Member: m}, nil
}

// NotActive reports whether err, from ActiveMember, says the user is no
// active member of the workspace (rather than that it could not be read).
func NotActive(err error) bool {
	return errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput)
}

// ActiveWorkspaces are the workspaces the user is an active member of,
// in the order ListUserWorkspaces gives them, each with the membership.
func ActiveWorkspaces(ctx context.Context, store MemberLister, userID string) ([]Membership, error) {
	mine, err := store.ListUserWorkspaces(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("list the user's workspaces: %w", err)
	}
	var out []Membership
	for _, m := range mine {
		if m.Suspended {
			continue
		}
		ws, err := store.GetWorkspace(ctx, m.WorkspaceID)
		if errors.Is(err, storage.ErrNotFound) {
			continue // deleted since it was listed
		}
		if err != nil {
			return nil, fmt.Errorf("read workspace %s: %w", m.WorkspaceID, err)
		}
		out = append(out, Membership{Workspace: ws, Member: m})
	}
	return out, nil
}

// Offered are the workspaces a sign-in that names none picks from or
// offers the user: the user's active workspaces (ActiveWorkspaces) other
// than the default one, which a platform of several workspaces makes
// every account a member of; the default one alone when it is the only
// one. So a single-workspace deployment signs everyone in to the default
// workspace without asking, and a member of acme on a platform of many
// is signed in to acme, not asked to choose between it and the default.
// An app that wants the default workspace there names it
// (organization=default).
func Offered(ctx context.Context, store MemberLister, userID string) ([]Membership, error) {
	mine, err := ActiveWorkspaces(ctx, store, userID)
	if err != nil {
		return nil, err
	}
	others := slices.DeleteFunc(slices.Clone(mine), func(m Membership) bool { return m.Workspace.ID == storage.DefaultWorkspaceID })
	if len(others) == 0 {
		return mine, nil
	}
	return others, nil
}
