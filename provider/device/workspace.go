package device

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// A device request is for one workspace of the user's, as a browser
// sign-in is (provider/oauth workspace.go): the one its organization
// parameter named, of which the user must be an active member, else the
// user's only active workspace, else the one the user picks on the page.
// The user's role there caps what approving grants (consent.RoleScopes),
// and the workspace's policy decides whether the session may approve
// (meetsPolicy).

// workspaceField is the form field of the chosen workspace, and the query
// parameter that chooses it again when the page comes back from a
// sign-in.
const workspaceField = "workspace"

// errNotMember says the request named a workspace the user is not an
// active member of.
var errNotMember = errors.New("not an active member of the request's workspace")

// option is a workspace the user may approve a request for, with their
// membership (and role) there.
type option = workspace.Membership

// options are the workspaces the user may approve d for: the one it
// named (errNotMember if the user is no active member of it), else the
// workspaces offered to the user (workspace.Offered).
func (h *Handler) options(ctx context.Context, userID string, d storage.DeviceAuthorization) ([]option, error) {
	if d.WorkspaceID != "" {
		am, err := workspace.ActiveMember(ctx, h.cfg.Store, d.WorkspaceID, userID)
		switch {
		case workspace.NotActive(err):
			return nil, fmt.Errorf("workspace %s: %w", d.WorkspaceID, errNotMember)
		case err != nil:
			return nil, fmt.Errorf("read the membership of workspace %s: %w", d.WorkspaceID, err)
		}
		return []option{am}, nil
	}
	return workspace.Offered(ctx, h.cfg.Store, userID)
}

// place decides the workspace of the request p for the signed-in user,
// and what approving grants there, and returns p with both. chosen is the
// workspace the user picked (the form's on a POST, posted, or the query's
// when the page comes back from a sign-in). Otherwise it answers the
// browser and returns false:
//   - a named workspace the user is not an active member of, or no active
//     workspace at all: the request is denied and the page says why;
//   - several workspaces and no valid choice posted: the choice is shown
//     (400 with a reason for a missing or forged one);
//   - a session the workspace's policy does not accept: sign in again,
//     with the workspace in the address the sign-in comes back to (the
//     sign-in page reads it there to ask for what the policy takes);
//   - a role there that allows none of the IM scopes asked for: denied.
func (h *Handler) place(w http.ResponseWriter, r *http.Request, s session.Signed, p pending, chosen string, posted bool) (pending, bool) {
	ctx := r.Context()
	opts, err := h.options(ctx, s.User.ID, p.request)
	switch {
	case errors.Is(err, errNotMember):
		h.refuse(w, r, s, p, "not_a_member", web.MessagePage{Title: "message.title", Message: "workspace.not_member", MessageArg: h.workspaceName(ctx, p.request.WorkspaceID)})
		return p, false
	case err != nil:
		h.fail(w, r, "device: find the user's workspaces", err)
		return p, false
	case len(opts) == 0:
		h.refuse(w, r, s, p, "no_workspace", web.MessagePage{Title: "message.title", Message: "device.no_workspace"})
		return p, false
	}
	o := opts[0]
	if len(opts) > 1 {
		i := slices.IndexFunc(opts, func(o option) bool { return o.Workspace.ID == chosen })
		if !posted || i < 0 {
			status, problem := http.StatusOK, ""
			switch {
			case posted && chosen == "":
				status, problem = http.StatusBadRequest, "device.workspace_required"
			case posted:
				// Not one of the user's: forged, or a membership ended since.
				status, problem = http.StatusBadRequest, "workspace.choose_failed"
			}
			h.choose(w, r, status, s, p, opts, chosen, problem)
			return p, false
		}
		o = opts[i]
	}
	if !h.meetsPolicy(s, o.Workspace.Policy) {
		// The address names the workspace: the sign-in page asks for the
		// sign-in its policy takes (provider/login), and the page comes
		// back to it.
		signIn(w, r, p.code, o.Workspace.ID)
		return p, false
	}
	var refused []string
	p.workspace = o.Workspace
	allowed, err := h.roleScopes(ctx, s.User, o, p.client.ID)
	if err != nil {
		h.fail(w, r, "device: read the app's installation", err)
		return p, false
	}
	p.scopes, refused = consent.Narrow(p.request.Scopes, p.client.Scopes, allowed)
	if refused != nil {
		h.refuse(w, r, s, p, "role_does_not_allow", web.MessagePage{Title: "message.title", Message: "scope.not_allowed", MessageArg: strings.Join(refused, ", ")})
		return p, false
	}
	return p, true
}

// choose shows the request with the user's workspaces to choose from,
// each with what approving grants there; chosen, if one of them, is
// checked.
func (h *Handler) choose(w http.ResponseWriter, r *http.Request, status int, s session.Signed, p pending, opts []option, chosen, problem string) {
	page := h.page(r, s, p, problem)
	for _, o := range opts {
		allowed, err := h.roleScopes(r.Context(), s.User, o, p.client.ID)
		if err != nil {
			h.fail(w, r, "device: read the app's installation", err)
			return
		}
		kept, _ := consent.Narrow(p.request.Scopes, p.client.Scopes, allowed)
		page.Workspaces = append(page.Workspaces, web.DeviceWorkspace{
			WorkspaceChoice: web.WorkspaceChoice{ID: o.Workspace.ID, Name: o.Workspace.Name, Handle: o.Workspace.Handle},
			Scopes:          kept, Checked: o.Workspace.ID == chosen,
		})
	}
	h.render(w, r, status, page)
}

// roleScopes is what the user may grant the app clientID in the
// workspace of o (consent.RoleScopes, capped by the app's installation
// there: consent.InstalledScopes); a workspace role with no configured
// scopes is logged.
func (h *Handler) roleScopes(ctx context.Context, user storage.User, o option, clientID string) ([]string, error) {
	scopes, known := consent.RoleScopes(h.cfg.RoleScopes, user.Role, o.Member.Role)
	if !known {
		h.cfg.Logger.WarnContext(ctx, "workspace role has no configured scopes; granting sign-in scopes only",
			"workspace_id", o.Workspace.ID, "role", o.Member.Role, "subject", user.ID)
	}
	return consent.InstalledScopes(ctx, h.cfg.Store, o.Workspace.ID, clientID, scopes)
}

// workspaceName is what the page calls the workspace id: its handle, or
// the ID when it cannot be read.
func (h *Handler) workspaceName(ctx context.Context, id string) string {
	if ws, err := h.cfg.Store.GetWorkspace(ctx, id); err == nil {
		return ws.Handle
	}
	return id
}
