package workspace

import (
	"context"

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
