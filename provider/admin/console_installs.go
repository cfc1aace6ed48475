package admin

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// The console's page of a workspace's apps (GET
// /admin/workspaces/{id}/apps), for the workspace's admins and the
// platform's: the requests waiting for a decision and the installed
// apps' re-approvals, each approved (narrowed by unticking scopes) or
// denied with a reason the requester sees; the apps installed, each
// uninstalled with its tokens revoked at once; the apps approved
// beforehand, added or withdrawn. Every change is a confirmation page,
// then a POST through install.Service, recorded with the viewer as
// actor; another workspace's page or installation is the not-found page
// (workspaceFor).

// installActions are the changes to an installation, by route action.
func installActions() map[string]workspaceAction {
	return map[string]workspaceAction{
		"approve":   {"admin.confirm_install_approve_heading", "admin.confirm_install_approve_text", "admin.submit_install_approve", false},
		"deny":      {"admin.confirm_install_deny_heading", "admin.confirm_install_deny_text", "admin.submit_install_deny", true},
		"uninstall": {"admin.confirm_install_remove_heading", "admin.confirm_install_remove_text", "admin.submit_install_remove", true},
	}
}

// installDone are the notices of the changes, by route action.
var installDone = map[string]string{"approve": "install-approved", "deny": "install-denied", "uninstall": "uninstalled"}

// appName returns the name of the app clientID, or its ID.
func (c *Console) appName(r *http.Request, clientID string) string {
	cl, err := c.cfg.Store.GetClient(r.Context(), clientID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		c.api.cfg.Logger.WarnContext(r.Context(), "admin console: look up an installed app", "client_id", clientID, "err", err)
	}
	return cmp.Or(cl.Name, clientID)
}

func (c *Console) installs(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	if ws, ok := c.workspaceFor(w, r, v); ok {
		c.renderInstalls(w, r, http.StatusOK, v, ws, notice(r), "")
	}
}

// renderInstalls renders ws's apps with a notice or an error.
func (c *Console) renderInstalls(w http.ResponseWriter, r *http.Request, status int, v viewer, ws storage.Workspace, notice, errKey string) {
	ctx := r.Context()
	list, err := c.api.cfg.Installs.List(ctx, ws.ID, "")
	if err != nil {
		c.fail(w, r, "list installations", err)
		return
	}
	approved, err := c.api.cfg.Installs.Approved(ctx, ws.ID)
	if err != nil {
		c.fail(w, r, "list approved apps", err)
		return
	}
	email := c.emails(r)
	who := func(id string) string { return cmp.Or(email(id), id) }
	p := web.AdminInstallsPage{Workspace: adminWorkspace(ws), Scoped: !v.platform, Notice: notice, Error: errKey}
	for _, in := range list {
		p.Installations = append(p.Installations, web.AdminInstallation{ID: in.ID, ClientID: in.ClientID, App: c.appName(r, in.ClientID), Status: in.Status,
			Scopes: in.Scopes, Requested: in.Requested, RequestedBy: who(in.RequestedBy), DecidedBy: who(in.DecidedBy), Reason: in.Reason,
			CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt})
	}
	for _, a := range approved {
		p.Approved = append(p.Approved, web.AdminApprovedApp{ClientID: a.ClientID, App: c.appName(r, a.ClientID), ApprovedBy: who(a.ApprovedBy), ApprovedAt: a.ApprovedAt})
	}
	c.rendered(w, r, "installs", c.cfg.Pages.AdminInstalls(w, r, status, p))
}

// installProblem maps a refusal of the installation service to its
// status and the message key the console shows (the API's
// installRefused takes the status too); ok is false for any other error.
func installProblem(err error) (status int, key string, ok bool) {
	var bad *workspace.FieldError
	var scope *install.ScopeError
	switch {
	case errors.As(err, &bad):
		return http.StatusBadRequest, "admin.error_install_reason", true
	case errors.As(err, &scope), errors.Is(err, install.ErrNoScopes):
		return http.StatusBadRequest, "admin.error_install_scopes", true
	case errors.Is(err, install.ErrNotPending):
		return http.StatusConflict, "admin.error_install_not_pending", true
	case errors.Is(err, install.ErrAppUnavailable):
		return http.StatusBadRequest, "admin.error_install_app", true
	}
	return 0, "", false
}

// refuseInstall answers an error of a change to ws's apps: its page with
// what is wrong, the not-found page, or the error page.
func (c *Console) refuseInstall(w http.ResponseWriter, r *http.Request, v viewer, ws storage.Workspace, what string, err error) {
	if status, key, ok := installProblem(err); ok {
		c.renderInstalls(w, r, status, v, ws, "", key)
		return
	}
	c.refuse(w, r, what, err)
}

// confirmApps renders a confirmation step of a change to ws's apps.
func (c *Console) confirmApps(w http.ResponseWriter, r *http.Request, v viewer, ws storage.Workspace, p web.AdminConfirmPage) {
	p.CancelURL, p.Nav, p.Scoped = consoleurl.WorkspaceApps(ws.ID), "workspaces", !v.platform
	c.confirm(w, r, p)
}

// scopeFields are the hidden fields posting scopes.
func scopeFields(scopes []string) []web.Field {
	out := make([]web.Field, 0, len(scopes))
	for _, s := range scopes {
		out = append(out, web.Field{Name: "scope", Value: s})
	}
	return out
}

func (c *Console) confirmInstallChange(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	action := r.PathValue("action")
	act, ok := installActions()[action]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	in, err := c.api.cfg.Installs.Get(r.Context(), ws.ID, r.PathValue("iid"))
	if err != nil {
		c.refuse(w, r, "find installation", err)
		return
	}
	p := web.AdminConfirmPage{Heading: act.heading, Text: act.text, Submit: act.submit, Danger: act.danger, Target: c.appName(r, in.ClientID),
		Action: consoleurl.WorkspaceApps(ws.ID) + "/" + url.PathEscape(in.ID) + "/" + action}
	switch action {
	case "approve":
		scopes, err := install.Approval(in, append([]string{}, r.URL.Query()["scope"]...))
		if err != nil {
			c.refuseInstall(w, r, v, ws, "check approval", err)
			return
		}
		p.Items, p.Fields = scopes, scopeFields(scopes)
	case "deny":
		reason, err := install.Reason(r.URL.Query().Get("reason"))
		if err != nil {
			c.refuseInstall(w, r, v, ws, "check reason", err)
			return
		}
		p.Items, p.Fields = in.Requested, []web.Field{{Name: "reason", Value: reason}}
	case "uninstall":
		p.Items = in.Scopes
	}
	c.confirmApps(w, r, v, ws, p)
}

func (c *Console) changeInstall(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	action := r.PathValue("action")
	if _, ok := installActions()[action]; !ok {
		http.NotFound(w, r)
		return
	}
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	ctx, by, id := r.Context(), ByUser(s.User.ID), r.PathValue("iid")
	var err error
	switch action {
	case "approve":
		// Never nil: a form with no scope ticked approves none, not all.
		_, err = c.api.cfg.Installs.Approve(ctx, by, ws.ID, id, append([]string{}, r.PostForm["scope"]...))
	case "deny":
		_, err = c.api.cfg.Installs.Deny(ctx, by, ws.ID, id, r.PostFormValue("reason"))
	case "uninstall":
		err = c.api.cfg.Installs.Uninstall(ctx, by, ws.ID, id)
	}
	if err != nil {
		c.refuseInstall(w, r, v, ws, action+" installation", err)
		return
	}
	c.api.cfg.Logger.InfoContext(ctx, "admin changed an installation", "admin_user_id", s.User.ID, "workspace_id", ws.ID, "installation_id", id, "action", action)
	seeOther(w, r, consoleurl.WorkspaceApps(ws.ID), installDone[action])
}

func (c *Console) confirmPreapprove(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	clientID := strings.TrimSpace(r.URL.Query().Get("client_id"))
	cl, err := c.cfg.Store.GetClient(r.Context(), clientID)
	switch {
	case errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) || err == nil && cl.Disabled:
		c.refuseInstall(w, r, v, ws, "find app", install.ErrAppUnavailable)
		return
	case err != nil:
		c.fail(w, r, "find app", err)
		return
	}
	c.confirmApps(w, r, v, ws, web.AdminConfirmPage{Heading: "admin.confirm_preapprove_heading", Text: "admin.confirm_preapprove_text",
		Target: cmp.Or(cl.Name, cl.ID), Items: []string{cl.ID}, Action: consoleurl.Workspace(ws.ID) + "/approved-apps/add",
		Submit: "admin.submit_preapprove", Fields: []web.Field{{Name: "client_id", Value: cl.ID}}})
}

func (c *Console) preapprove(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	if err := c.api.cfg.Installs.Preapprove(r.Context(), ByUser(s.User.ID), ws.ID, r.PostFormValue("client_id"), true); err != nil {
		c.refuseInstall(w, r, v, ws, "approve app", err)
		return
	}
	seeOther(w, r, consoleurl.WorkspaceApps(ws.ID), "preapproved")
}

func (c *Console) confirmUnapprove(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	list, err := c.api.cfg.Installs.Approved(r.Context(), ws.ID)
	if err != nil {
		c.fail(w, r, "list approved apps", err)
		return
	}
	clientID := r.PathValue("client")
	if !slices.ContainsFunc(list, func(a storage.ApprovedApp) bool { return a.ClientID == clientID }) {
		c.refuse(w, r, "find approved app", storage.ErrNotFound)
		return
	}
	c.confirmApps(w, r, v, ws, web.AdminConfirmPage{Heading: "admin.confirm_unapprove_heading", Text: "admin.confirm_unapprove_text",
		Target: c.appName(r, clientID), Items: []string{clientID}, Action: consoleurl.Workspace(ws.ID) + "/approved-apps/" + url.PathEscape(clientID) + "/remove",
		Submit: "admin.submit_unapprove", Danger: true})
}

func (c *Console) unapprove(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	if err := c.api.cfg.Installs.Preapprove(r.Context(), ByUser(s.User.ID), ws.ID, r.PathValue("client"), false); err != nil {
		c.refuseInstall(w, r, v, ws, "withdraw app approval", err)
		return
	}
	seeOther(w, r, consoleurl.WorkspaceApps(ws.ID), "unapproved")
}
