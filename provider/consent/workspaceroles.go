package consent

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tokenim/tokenim-auth/storage"
)

// ownerCap is the configured role whose scopes cap a workspace's owner.
const ownerCap = "admin"

// workspaceOwner is the workspace role storage.WorkspaceOwner.
const workspaceOwner = "owner"

// RoleScopes is what a user may grant apps (Narrow's roleScopes): the
// scopes their global role allows (roles[globalRole]), and, for a request
// of a workspace (workspaceRole not empty), only those their workspace
// role allows too. A workspace role is "owner", capped as the configured
// admin role, or a configured role name. A workspace role with no
// configured scopes allows sign-in scopes only (SignInScope), never an IM
// scope: known is false then, for the caller to log, since it means the
// configuration and the workspace disagree.
func RoleScopes(roles map[string][]string, globalRole, workspaceRole string) (scopes []string, known bool) {
	global := roles[globalRole]
	if workspaceRole == "" {
		return global, true
	}
	name := workspaceRole
	if name == workspaceOwner {
		name = ownerCap
	}
	capped, known := roles[name]
	var out []string
	for _, s := range global {
		if known && slices.Contains(capped, s) || !known && SignInScope(s) {
			out = append(out, s)
		}
	}
	return out, known
}

// InstallationReader reads an app's installation in a workspace
// (storage.Installations).
type InstallationReader interface {
	GetWorkspaceInstallation(ctx context.Context, workspaceID, clientID string) (storage.Installation, error)
}

// InstalledScopes caps scopes, what a user may grant an app in a
// workspace (RoleScopes), by the app's installation there: a user's token
// for the workspace never carries more than the workspace's admins
// installed. An active installation keeps the sign-in scopes and the
// installed ones; one an admin denied keeps the sign-in scopes only; an
// app with no installation there, or one waiting for approval, is not
// capped (no admin has decided on it: the user's roles decide). With no
// workspace (empty workspaceID) scopes is returned as it is.
func InstalledScopes(ctx context.Context, r InstallationReader, workspaceID, clientID string, scopes []string) ([]string, error) {
	if workspaceID == "" {
		return scopes, nil
	}
	in, err := r.GetWorkspaceInstallation(ctx, workspaceID, clientID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return scopes, nil
	case err != nil:
		return nil, fmt.Errorf("read the app's installation in workspace %s: %w", workspaceID, err)
	case in.Status == storage.InstallPending:
		return scopes, nil
	}
	return slices.DeleteFunc(slices.Clone(scopes), func(s string) bool {
		return !SignInScope(s) && (in.Status != storage.InstallActive || !slices.Contains(in.Scopes, s))
	}), nil
}
