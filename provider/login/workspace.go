package login

import (
	"context"

	"github.com/tokenim/tokenim-auth/storage"
)

// workspacePolicy is the policy of the workspace the flow f is for
// (storage.Flow.WorkspaceID), which its sign-in must meet
// (session.WorkspaceRequired, AllowsMethod); the zero policy when the flow
// names none or it cannot be read. The authorization endpoint applies the
// policy again once the user is signed in: these pages only ask for the
// right sign-in first.
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
