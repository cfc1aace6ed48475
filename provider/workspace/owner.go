package workspace

import (
	"context"
	"fmt"

	"github.com/tokenim/tokenim-auth/storage"
)

// OwnerCounter counts a workspace's active members of a role
// (storage.Workspaces.CountMembers).
type OwnerCounter interface {
	CountMembers(ctx context.Context, workspaceID, role string) (int, error)
}

// Lock locks the workspace until the transaction ctx carries ends, so
// that changes of its owners run one after another (the recipe of
// storage.Workspaces.CountMembers). storage.ErrNotFound if it does not
// exist.
func Lock(ctx context.Context, store storage.Workspaces, workspaceID string) (storage.Workspace, error) {
	return store.UpdateWorkspace(ctx, workspaceID, func(w storage.Workspace) (storage.Workspace, error) { return w, nil })
}

// KeepOwner is the rule that a workspace keeps an active owner: it
// refuses (ErrLastOwner) to take m out of the workspace's active owners
// (a change of role, a removal, a suspension) when m is the last of
// them. A suspended owner is no active owner already, and may go. Call it
// in a transaction that has locked the workspace (Lock).
func KeepOwner(ctx context.Context, store OwnerCounter, m storage.Member) error {
	if m.Role != storage.WorkspaceOwner || m.Suspended {
		return nil
	}
	owners, err := store.CountMembers(ctx, m.WorkspaceID, storage.WorkspaceOwner)
	if err != nil {
		return err
	}
	if owners <= 1 {
		return ErrLastOwner
	}
	return nil
}

// TokenRevoker is the Revoker over the token store: it marks inactive the
// tokens issued for the user in the workspace, on every node at once
// (the Redis cache drops them). Resource servers learn of it from the
// revocation stream, which reads the change's record (provider/revocations,
// kind "workspace").
type TokenRevoker struct {
	Tokens interface {
		RevokeSubjectWorkspace(ctx context.Context, subject, workspaceID string) (int, error)
	}
}

// RevokeMember implements Revoker.
func (r TokenRevoker) RevokeMember(ctx context.Context, workspaceID, userID string) error {
	if _, err := r.Tokens.RevokeSubjectWorkspace(ctx, userID, workspaceID); err != nil {
		return fmt.Errorf("revoke a member's tokens of workspace %s: %w", workspaceID, err)
	}
	return nil
}
