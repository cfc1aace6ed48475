package consent

import "slices"

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
