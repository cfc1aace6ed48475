package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenim/tokenim-auth/storage"
)

// workspaceByHandle returns the workspace a --workspace flag names, by
// handle, or says there is none.
func workspaceByHandle(ctx context.Context, store interface {
	GetWorkspaceByHandle(ctx context.Context, handle string) (storage.Workspace, error)
}, handle string) (storage.Workspace, error) {
	w, err := store.GetWorkspaceByHandle(ctx, handle)
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) {
		return w, fmt.Errorf("no workspace with handle %q", handle)
	}
	return w, err
}
