package login

import (
	"context"
	"net/url"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// The sign-in pages ask for the sign-in the workspace an authorization
// is for will take (session.WorkspaceRequired, AllowsMethod): the one a
// flow names, or the one the device page names in the address it sends
// the browser back to (next, /device?user_code=…&workspace=ID) when the
// workspace's policy did not accept the sign-in. The authorization
// endpoint and the device page apply the policy again once the user is
// signed in: these pages only ask for the right sign-in first.

// workspacePolicy is the policy of the workspace the flow f is for
// (storage.Flow.WorkspaceID); the zero policy when the flow names none or
// it cannot be read.
func (h *Handler) workspacePolicy(ctx context.Context, f *storage.Flow) storage.WorkspacePolicy {
	if f == nil || f.WorkspaceID == "" {
		return storage.WorkspacePolicy{}
	}
	ws, err := h.cfg.Store.GetWorkspace(ctx, f.WorkspaceID)
	if err != nil {
		h.cfg.Logger.WarnContext(ctx, "login: read the flow's workspace policy", "workspace_id", f.WorkspaceID, "err", err)
		return storage.WorkspacePolicy{}
	}
	return ws.Policy
}

// deviceWorkspace is the workspace the device page's address next names
// (its workspace parameter), empty for any other address. next has been
// through safeNext.
func deviceWorkspace(next string) string {
	path, query, ok := strings.Cut(next, "?")
	if !ok || path != "/device" {
		return ""
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return ""
	}
	return q.Get("workspace")
}

// policy is the policy the sign-in for t must meet when the user with
// userID signs in: the flow's workspace's (workspacePolicy), or that of
// the workspace the device page names, only when userID is an active
// member of it. Any other workspace, unknown or not the user's, counts
// as none, so that the page tells nobody which workspaces exist or what
// they ask.
func (h *Handler) policy(ctx context.Context, t target, userID string) storage.WorkspacePolicy {
	if t.flow != nil {
		return h.workspacePolicy(ctx, t.flow)
	}
	id := deviceWorkspace(t.next)
	if id == "" || userID == "" {
		return storage.WorkspacePolicy{}
	}
	m, err := workspace.ActiveMember(ctx, h.cfg.Store, id, userID)
	if err != nil {
		if !workspace.NotActive(err) {
			h.cfg.Logger.WarnContext(ctx, "login: read the device request's workspace policy", "workspace_id", id, "err", err)
		}
		return storage.WorkspacePolicy{}
	}
	return m.Workspace.Policy
}
