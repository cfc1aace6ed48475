package admin

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/scim"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// The console's workspace pages. A platform administrator sees and
// changes every workspace; a workspace admin (console_access.go) only
// those they manage: any other workspace is the not-found page, as an
// unknown one, so that IDs cannot be probed. Creating and deleting
// workspaces is the platform's. Every change goes through the workspace
// service or the SCIM token service, recorded with the viewer as actor.

// workspacesPage and membersPage are how many workspaces and members a
// page shows at a time.
const (
	workspacesPage = 50
	membersPage    = 100
)

func adminWorkspace(ws storage.Workspace) web.AdminWorkspace {
	p := web.AdminPolicy{RequireMFA: ws.Policy.RequireMFA, Installs: ws.Policy.Installs}
	p.Password, p.Passkey, p.Connectors = web.AdminPolicyOf(ws.Policy.SignInMethods)
	if ws.Policy.SessionLifetime > 0 {
		p.SessionLifetime = ws.Policy.SessionLifetime.String()
	}
	return web.AdminWorkspace{ID: ws.ID, Handle: ws.Handle, Name: ws.Name, Policy: p, CreatedAt: ws.CreatedAt}
}

// workspaces lists the workspaces the viewer may see, a keyset page at a
// time (by handle), with the creation form for a platform administrator.
func (c *Console) workspaces(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	c.renderWorkspaces(w, r, http.StatusOK, v, notice(r), "")
}

func (c *Console) renderWorkspaces(w http.ResponseWriter, r *http.Request, status int, v viewer, notice, errKey string) {
	p := web.AdminWorkspacesPage{MayCreate: v.platform, Scoped: !v.platform, Notice: notice, Error: errKey}
	list := v.managed
	if v.platform {
		var err error
		list, err = c.cfg.Store.ListWorkspaces(r.Context(), storage.Page{After: storage.NormalHandle(r.URL.Query().Get("after")), Limit: workspacesPage + 1})
		if err != nil {
			c.fail(w, r, "list workspaces", err)
			return
		}
		if len(list) > workspacesPage {
			list = list[:workspacesPage]
			p.NextURL = consoleurl.Workspaces() + "?" + url.Values{"after": {list[len(list)-1].Handle}}.Encode()
		}
	}
	for _, ws := range list {
		p.Workspaces = append(p.Workspaces, adminWorkspace(ws))
	}
	c.rendered(w, r, "workspaces", c.cfg.Pages.AdminWorkspaces(w, r, status, p))
}

// workspaceFor returns the workspace of the request's {id} when the
// viewer manages it; otherwise it answers the not-found page.
func (c *Console) workspaceFor(w http.ResponseWriter, r *http.Request, v viewer) (storage.Workspace, bool) {
	id := r.PathValue("id")
	if !v.manages(id) {
		c.refuse(w, r, "load workspace", storage.ErrNotFound)
		return storage.Workspace{}, false
	}
	ws, err := c.cfg.Store.GetWorkspace(r.Context(), id)
	if err != nil {
		c.refuse(w, r, "load workspace", err)
		return ws, false
	}
	return ws, true
}

// workspace shows a workspace: settings, policy, members, invitations and
// SCIM tokens, each with what the viewer can change.
func (c *Console) workspace(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if ok {
		c.renderWorkspace(w, r, http.StatusOK, v, ws, web.AdminWorkspacePage{Notice: notice(r)})
	}
}

// renderWorkspace renders ws's page with p's notice, error and anything
// shown once.
func (c *Console) renderWorkspace(w http.ResponseWriter, r *http.Request, status int, v viewer, ws storage.Workspace, p web.AdminWorkspacePage) {
	ctx := r.Context()
	p.Workspace, p.Roles, p.MayDelete, p.Scoped = adminWorkspace(ws), c.api.cfg.Workspaces.Roles(), v.platform && ws.ID != storage.DefaultWorkspaceID, !v.platform
	members, err := c.cfg.Store.ListMembers(ctx, ws.ID, storage.Page{After: r.URL.Query().Get("after"), Limit: membersPage + 1})
	if err != nil {
		c.fail(w, r, "list members", err)
		return
	}
	if len(members) > membersPage {
		members = members[:membersPage]
		p.NextMembersURL = consoleurl.Workspace(ws.ID) + "?" + url.Values{"after": {members[len(members)-1].UserID}}.Encode() + "#members"
	}
	email := c.emails(r)
	for _, m := range members {
		p.Members = append(p.Members, web.AdminMember{UserID: m.UserID, Email: email(m.UserID), Role: m.Role, Suspended: m.Suspended, JoinedAt: m.JoinedAt})
	}
	invitations, err := c.cfg.Store.ListInvitations(ctx, ws.ID)
	if err != nil {
		c.fail(w, r, "list invitations", err)
		return
	}
	now := c.api.cfg.Now()
	for _, inv := range invitations {
		p.Invitations = append(p.Invitations, web.AdminInvitation{ID: inv.ID, Email: inv.Email, Role: inv.Role,
			CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt, Expired: !now.Before(inv.ExpiresAt)})
	}
	tokens, err := c.api.cfg.SCIMTokens.List(ctx, ws.ID)
	if err != nil {
		c.fail(w, r, "list scim tokens", err)
		return
	}
	for _, t := range tokens {
		p.Tokens = append(p.Tokens, web.AdminSCIMToken{ID: t.ID, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt,
			ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt})
	}
	if p.NewToken != "" || p.NewLink != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	c.rendered(w, r, "workspace", c.cfg.Pages.AdminWorkspace(w, r, status, p))
}

// workspaceProblem maps a refusal of the workspace or SCIM token service
// to the message key a page shows and its status; ok is false for any
// other error.
func workspaceProblem(err error) (status int, key string, ok bool) {
	var bad *workspace.FieldError
	switch {
	case errors.As(err, &bad):
		switch bad.Field {
		case "handle":
			return http.StatusBadRequest, "admin.error_ws_handle", true
		case "name":
			return http.StatusBadRequest, "admin.error_ws_name", true
		case "role":
			return http.StatusBadRequest, "admin.error_ws_role", true
		case "email":
			return http.StatusBadRequest, "admin.error_ws_email", true
		}
		return http.StatusBadRequest, "admin.error_ws_policy", true
	case errors.Is(err, scim.ErrTokenName):
		return http.StatusBadRequest, "admin.error_scim_name", true
	case errors.Is(err, storage.ErrAlreadyExists):
		return http.StatusConflict, "admin.error_ws_handle_taken", true
	case errors.Is(err, workspace.ErrLastOwner):
		return http.StatusConflict, "admin.error_ws_last_owner", true
	case errors.Is(err, workspace.ErrOwnersOnly):
		return http.StatusForbidden, "admin.error_ws_owners_only", true
	case errors.Is(err, workspace.ErrAlreadyMember):
		return http.StatusConflict, "admin.error_ws_already_member", true
	case errors.Is(err, workspace.ErrDefaultWorkspace):
		return http.StatusConflict, "admin.error_ws_default", true
	case errors.Is(err, storage.ErrInvalidInput):
		return http.StatusBadRequest, "admin.error_ws_name", true
	}
	return 0, "", false
}

// refuseWorkspace answers an error of a change to ws: its page with what
// is wrong, the not-found page, or the error page.
func (c *Console) refuseWorkspace(w http.ResponseWriter, r *http.Request, v viewer, ws storage.Workspace, what string, err error) {
	if status, key, ok := workspaceProblem(err); ok {
		c.renderWorkspace(w, r, status, v, ws, web.AdminWorkspacePage{Error: key})
		return
	}
	c.refuse(w, r, what, err)
}

// confirmWorkspace renders a confirmation step of a change to ws.
func (c *Console) confirmWorkspace(w http.ResponseWriter, r *http.Request, v viewer, ws storage.Workspace, p web.AdminConfirmPage) {
	p.CancelURL, p.Nav, p.Scoped = consoleurl.Workspace(ws.ID), "workspaces", !v.platform
	if p.Target == "" {
		p.Target = ws.Name
	}
	c.confirm(w, r, p)
}

// createForm reads a new workspace's handle, name and first owner (an
// email or a user ID).
func createForm(v url.Values) (handle, name, owner string) {
	return strings.TrimSpace(v.Get("handle")), strings.TrimSpace(v.Get("name")), strings.TrimSpace(v.Get("owner"))
}

// owner returns the ID of the account an email or ID names, "" for none
// given; storage.ErrNotFound if there is no such account.
func (c *Console) owner(r *http.Request, ref string) (string, error) {
	if ref == "" {
		return "", nil
	}
	u, err := c.cfg.Store.GetUser(r.Context(), ref)
	if errors.Is(err, storage.ErrNotFound) && strings.Contains(ref, "@") {
		u, err = c.cfg.Store.GetUserByEmail(r.Context(), ref)
	}
	return u.ID, err
}

func (c *Console) confirmCreateWorkspace(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	handle, name, owner := createForm(r.URL.Query())
	var err error
	if handle, err = workspace.Handle(handle); err == nil {
		name, err = workspace.Name(name)
	}
	if err != nil {
		c.refuseCreate(w, r, v, err)
		return
	}
	if _, err := c.owner(r, owner); err != nil {
		c.refuseCreate(w, r, v, err)
		return
	}
	items := []string{"handle: " + handle}
	if owner != "" {
		items = append(items, "owner: "+owner)
	}
	c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_ws_create_heading", Text: "admin.confirm_ws_create_text", Target: name,
		Items: items, Action: consoleurl.Workspaces() + "/create", Submit: "admin.submit_ws_create", CancelURL: consoleurl.Workspaces(), Nav: "workspaces",
		Fields: []web.Field{{Name: "handle", Value: handle}, {Name: "name", Value: name}, {Name: "owner", Value: owner}}})
}

// refuseCreate answers an error of a creation on the workspaces page.
func (c *Console) refuseCreate(w http.ResponseWriter, r *http.Request, v viewer, err error) {
	if errors.Is(err, storage.ErrNotFound) {
		c.renderWorkspaces(w, r, http.StatusBadRequest, v, "", "admin.error_ws_owner")
		return
	}
	if status, key, ok := workspaceProblem(err); ok {
		c.renderWorkspaces(w, r, status, v, "", key)
		return
	}
	c.fail(w, r, "create workspace", err)
}

func (c *Console) createWorkspace(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	handle, name, ref := createForm(r.PostForm)
	owner, err := c.owner(r, ref)
	if err != nil {
		c.refuseCreate(w, r, v, err)
		return
	}
	ws, err := c.api.cfg.Workspaces.Create(r.Context(), ByUser(s.User.ID), workspace.Settings{Handle: handle, Name: name}, owner)
	if err != nil {
		c.refuseCreate(w, r, v, err)
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin created a workspace", "admin_user_id", s.User.ID, "workspace_id", ws.ID)
	seeOther(w, r, consoleurl.Workspace(ws.ID), "ws-created")
}

// platformOnly runs f for a platform administrator; a workspace admin
// gets the refusal of the platform's pages.
func (c *Console) platformOnly(f consolePage) consolePage {
	return func(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
		if !v.platform {
			c.message(w, r, http.StatusForbidden, "admin.forbidden", "admin.nav_workspaces", consoleurl.Workspaces())
			return
		}
		f(w, r, s, v)
	}
}

// settingsForm reads a workspace's name and handle.
func settingsForm(v url.Values) workspace.Change {
	handle, name := strings.TrimSpace(v.Get("handle")), strings.TrimSpace(v.Get("name"))
	return workspace.Change{Handle: &handle, Name: &name}
}

// policyForm reads a workspace policy from the policy form.
func policyForm(v url.Values) (storage.WorkspacePolicy, error) {
	p := web.AdminPolicy{RequireMFA: v.Get("require_mfa") == "true", Password: v.Get("password") == "true", Passkey: v.Get("passkey") == "true",
		Connectors: v.Get("connectors"), Installs: v.Get("installs")}
	out := storage.WorkspacePolicy{RequireMFA: p.RequireMFA, SignInMethods: p.PolicyMethods(), Installs: p.Installs}
	if s := strings.TrimSpace(v.Get("session_lifetime")); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return out, &workspace.FieldError{Field: "session_lifetime", Problem: "not a duration"}
		}
		out.SessionLifetime = d
	}
	return workspace.Policy(out)
}

// policyFields are the policy form's fields that make p, for the
// confirmation to post, and its lines in words.
func policyFields(p storage.WorkspacePolicy) ([]web.Field, []string) {
	f := web.AdminPolicy{RequireMFA: p.RequireMFA, Installs: p.Installs}
	f.Password, f.Passkey, f.Connectors = web.AdminPolicyOf(p.SignInMethods)
	lifetime := ""
	if p.SessionLifetime > 0 {
		lifetime = p.SessionLifetime.String()
	}
	flag := func(b bool) string {
		if b {
			return "true"
		}
		return ""
	}
	fields := []web.Field{{Name: "require_mfa", Value: flag(f.RequireMFA)}, {Name: "password", Value: flag(f.Password)}, {Name: "passkey", Value: flag(f.Passkey)},
		{Name: "connectors", Value: f.Connectors}, {Name: "session_lifetime", Value: lifetime}, {Name: "installs", Value: f.Installs}}
	items := []string{"require_mfa: " + flag(f.RequireMFA), "sign_in_methods: " + strings.Join(p.SignInMethods, " "),
		"session_lifetime: " + lifetime, "installs: " + p.Installs}
	return fields, items
}

// workspaceAction is a change to a workspace as a whole.
type workspaceAction struct {
	heading, text, submit string
	danger                bool
}

func workspaceActions() map[string]workspaceAction {
	return map[string]workspaceAction{
		"settings": {"admin.confirm_ws_settings_heading", "admin.confirm_ws_settings_text", "admin.submit_ws_settings", false},
		"policy":   {"admin.confirm_ws_policy_heading", "admin.confirm_ws_policy_text", "admin.submit_ws_policy", false},
		"delete":   {"admin.confirm_ws_delete_heading", "admin.confirm_ws_delete_text", "admin.submit_ws_delete", true},
	}
}

func (c *Console) confirmWorkspaceChange(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	action := r.PathValue("action")
	act, ok := workspaceActions()[action]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	p := web.AdminConfirmPage{Heading: act.heading, Text: act.text, Submit: act.submit, Danger: act.danger,
		Action: consoleurl.Workspace(ws.ID) + "/" + action}
	switch action {
	case "settings":
		ch := settingsForm(r.URL.Query())
		if _, err := workspace.Handle(*ch.Handle); err != nil {
			c.refuseWorkspace(w, r, v, ws, "check handle", err)
			return
		}
		if _, err := workspace.Name(*ch.Name); err != nil {
			c.refuseWorkspace(w, r, v, ws, "check name", err)
			return
		}
		p.Items = []string{"name: " + *ch.Name, "handle: " + *ch.Handle}
		p.Fields = []web.Field{{Name: "name", Value: *ch.Name}, {Name: "handle", Value: *ch.Handle}}
	case "policy":
		pol, err := policyForm(r.URL.Query())
		if err != nil {
			c.refuseWorkspace(w, r, v, ws, "check policy", err)
			return
		}
		p.Fields, p.Items = policyFields(pol)
	case "delete":
		if !v.platform {
			c.message(w, r, http.StatusForbidden, "admin.forbidden", "admin.nav_workspaces", consoleurl.Workspaces())
			return
		}
	}
	c.confirmWorkspace(w, r, v, ws, p)
}

func (c *Console) changeWorkspace(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	action := r.PathValue("action")
	if _, ok := workspaceActions()[action]; !ok {
		http.NotFound(w, r)
		return
	}
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	ctx, by := r.Context(), ByUser(s.User.ID)
	var err error
	switch action {
	case "settings":
		_, err = c.api.cfg.Workspaces.Update(ctx, by, ws.ID, settingsForm(r.PostForm))
	case "policy":
		var pol storage.WorkspacePolicy
		if pol, err = policyForm(r.PostForm); err == nil {
			_, err = c.api.cfg.Workspaces.Update(ctx, by, ws.ID, workspace.Change{Policy: &pol})
		}
	case "delete":
		if !v.platform {
			c.message(w, r, http.StatusForbidden, "admin.forbidden", "admin.nav_workspaces", consoleurl.Workspaces())
			return
		}
		if err = c.api.cfg.Workspaces.Delete(ctx, by, ws.ID); err == nil {
			c.api.cfg.Logger.InfoContext(ctx, "admin deleted a workspace", "admin_user_id", s.User.ID, "workspace_id", ws.ID)
			seeOther(w, r, consoleurl.Workspaces(), "ws-deleted")
			return
		}
	}
	if err != nil {
		c.refuseWorkspace(w, r, v, ws, action+" workspace", err)
		return
	}
	c.api.cfg.Logger.InfoContext(ctx, "admin changed a workspace", "admin_user_id", s.User.ID, "workspace_id", ws.ID, "action", action)
	seeOther(w, r, consoleurl.Workspace(ws.ID), "ws-"+action)
}

// memberFor returns the workspace and the member of the request's {id}
// and {user}; otherwise it answers the not-found page.
func (c *Console) memberFor(w http.ResponseWriter, r *http.Request, v viewer) (storage.Workspace, storage.Member, bool) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return ws, storage.Member{}, false
	}
	m, err := c.cfg.Store.GetMember(r.Context(), ws.ID, r.PathValue("user"))
	if err != nil {
		c.refuse(w, r, "find member", err)
		return ws, m, false
	}
	return ws, m, true
}

func (c *Console) confirmMemberChange(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	ws, m, ok := c.memberFor(w, r, v)
	if !ok {
		return
	}
	target := cmp.Or(c.emails(r)(m.UserID), m.UserID)
	action := consoleurl.Workspace(ws.ID) + "/members/" + url.PathEscape(m.UserID) + "/" + r.PathValue("action")
	switch r.PathValue("action") {
	case "role":
		role := r.URL.Query().Get("role")
		if !slices.Contains(c.api.cfg.Workspaces.Roles(), role) {
			c.refuseWorkspace(w, r, v, ws, "check role", &workspace.FieldError{Field: "role", Problem: "unknown"})
			return
		}
		c.confirmWorkspace(w, r, v, ws, web.AdminConfirmPage{Heading: "admin.confirm_member_role_heading", Text: "admin.confirm_member_role_text",
			Target: target, Items: []string{role}, Fields: []web.Field{{Name: "role", Value: role}}, Action: action, Submit: "admin.submit_member_role"})
	case "remove":
		c.confirmWorkspace(w, r, v, ws, web.AdminConfirmPage{Heading: "admin.confirm_member_remove_heading", Text: "admin.confirm_member_remove_text",
			Target: target, Action: action, Submit: "admin.submit_member_remove", Danger: true})
	default:
		http.NotFound(w, r)
	}
}

func (c *Console) changeMember(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	ctx, by, user := r.Context(), ByUser(s.User.ID), r.PathValue("user")
	var err error
	done := ""
	switch r.PathValue("action") {
	case "role":
		role := r.PostFormValue("role")
		done = "member-role"
		_, err = c.api.cfg.Workspaces.ChangeRole(ctx, by, ws.ID, user, role, v.check(ws.ID, role))
	case "remove":
		done = "member-removed"
		err = c.api.cfg.Workspaces.RemoveMember(ctx, by, ws.ID, user, v.check(ws.ID, ""))
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		c.refuseWorkspace(w, r, v, ws, "change member", err)
		return
	}
	c.api.cfg.Logger.InfoContext(ctx, "admin changed a workspace member", "admin_user_id", s.User.ID, "workspace_id", ws.ID, "user_id", user, "action", done)
	seeOther(w, r, consoleurl.Workspace(ws.ID), done)
}

// inviteForm reads an invitation's email, role and mail language.
func inviteForm(v url.Values) (email, role string, loc mail.Locale) {
	email, role, loc = strings.TrimSpace(v.Get("email")), v.Get("role"), mail.Locale(v.Get("locale"))
	if role == "" {
		role = storage.WorkspaceMember
	}
	if loc != mail.Chinese {
		loc = mail.English
	}
	return email, role, loc
}

func (c *Console) confirmInvite(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	email, role, loc := inviteForm(r.URL.Query())
	if !slices.Contains(c.api.cfg.Workspaces.Roles(), role) {
		c.refuseWorkspace(w, r, v, ws, "check role", &workspace.FieldError{Field: "role", Problem: "unknown"})
		return
	}
	c.confirmWorkspace(w, r, v, ws, web.AdminConfirmPage{Heading: "admin.confirm_invite_heading", Text: "admin.confirm_invite_text", Target: email,
		Items: []string{role}, Action: consoleurl.Workspace(ws.ID) + "/invite", Submit: "admin.submit_invite",
		Fields: []web.Field{{Name: "email", Value: email}, {Name: "role", Value: role}, {Name: "locale", Value: string(loc)}}})
}

// invite makes an invitation and shows its link this once, saying
// whether it was mailed.
func (c *Console) invite(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	if c.invitationsWait(w, r, s) {
		return
	}
	email, role, loc := inviteForm(r.PostForm)
	sent, err := c.api.cfg.Workspaces.Invite(r.Context(), ByUser(s.User.ID), ws.ID, email, role, loc, v.check(ws.ID, role))
	if err != nil {
		c.refuseWorkspace(w, r, v, ws, "invite", err)
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin invited to a workspace", "admin_user_id", s.User.ID, "workspace_id", ws.ID,
		"invitation_id", sent.Invitation.ID, "mailed", sent.Mailed)
	c.renderWorkspace(w, r, http.StatusCreated, v, ws, web.AdminWorkspacePage{NewLink: sent.Link, Mailed: sent.Mailed, Notice: "admin.notice_invited"})
}

// invitationsWait counts an invitation the viewer is about to mail and,
// past the free ones, answers 429 and returns true: a workspace admin
// cannot use the console to mail any address without bound.
func (c *Console) invitationsWait(w http.ResponseWriter, r *http.Request, s session.Signed) bool {
	if c.cfg.Invitations == nil {
		return false
	}
	key := "console-invitation:" + s.User.ID
	wait, err := c.cfg.Invitations.Wait(r.Context(), key)
	if err == nil && wait <= 0 {
		_, err = c.cfg.Invitations.Fail(r.Context(), key)
	}
	if err != nil {
		c.fail(w, r, "count invitations", err)
		return true
	}
	if wait <= 0 {
		return false
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	web.ShowMessage(c.cfg.Pages, c.api.cfg.Logger, w, r, http.StatusTooManyRequests, web.MessagePage{Title: "ratelimit.title", Message: "ratelimit.wait",
		MessageArg: strconv.Itoa(int(wait.Seconds()) + 1), LinkText: "admin.nav_workspaces", LinkURL: consoleurl.Workspaces()})
	return true
}

func (c *Console) confirmRevokeInvitation(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	list, err := c.cfg.Store.ListInvitations(r.Context(), ws.ID)
	if err != nil {
		c.fail(w, r, "list invitations", err)
		return
	}
	i := slices.IndexFunc(list, func(inv storage.Invitation) bool { return inv.ID == r.PathValue("invitation") })
	if i < 0 {
		c.refuse(w, r, "find invitation", storage.ErrNotFound)
		return
	}
	c.confirmWorkspace(w, r, v, ws, web.AdminConfirmPage{Heading: "admin.confirm_revoke_invitation_heading", Text: "admin.confirm_revoke_invitation_text",
		Target: list[i].Email, Action: consoleurl.Workspace(ws.ID) + "/invitations/" + url.PathEscape(list[i].ID) + "/revoke",
		Submit: "admin.submit_revoke_invitation", Danger: true})
}

func (c *Console) revokeInvitation(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	if err := c.api.cfg.Workspaces.RevokeInvitation(r.Context(), ByUser(s.User.ID), ws.ID, r.PathValue("invitation")); err != nil {
		c.refuseWorkspace(w, r, v, ws, "revoke invitation", err)
		return
	}
	seeOther(w, r, consoleurl.Workspace(ws.ID), "invitation-revoked")
}

// scimActor is the console's viewer as the SCIM token service's actor.
func scimActor(s session.Signed) scim.Actor {
	by := ByUser(s.User.ID)
	return scim.Actor{Type: by.Type, ID: by.ID}
}

func (c *Console) confirmCreateToken(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	c.confirmWorkspace(w, r, v, ws, web.AdminConfirmPage{Heading: "admin.confirm_scim_create_heading", Text: "admin.confirm_scim_create_text",
		Target: name, Action: consoleurl.Workspace(ws.ID) + "/scim-tokens/create", Submit: "admin.submit_scim_create",
		Fields: []web.Field{{Name: "name", Value: name}}})
}

// createToken makes a SCIM token and shows it this once, as the answer
// to the POST: it never travels in an address.
func (c *Console) createToken(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	plain, rec, err := c.api.cfg.SCIMTokens.Create(r.Context(), scimActor(s), ws.ID, r.PostFormValue("name"), 0)
	if err != nil {
		c.refuseWorkspace(w, r, v, ws, "create scim token", err)
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin created a scim token", "admin_user_id", s.User.ID, "workspace_id", ws.ID, "token_id", rec.ID)
	c.renderWorkspace(w, r, http.StatusCreated, v, ws, web.AdminWorkspacePage{NewToken: plain, Notice: "admin.notice_scim_created"})
}

func (c *Console) confirmRevokeToken(w http.ResponseWriter, r *http.Request, _ session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	list, err := c.api.cfg.SCIMTokens.List(r.Context(), ws.ID)
	if err != nil {
		c.fail(w, r, "list scim tokens", err)
		return
	}
	i := slices.IndexFunc(list, func(t storage.SCIMToken) bool { return t.ID == r.PathValue("token") })
	if i < 0 {
		c.refuse(w, r, "find scim token", storage.ErrNotFound)
		return
	}
	c.confirmWorkspace(w, r, v, ws, web.AdminConfirmPage{Heading: "admin.confirm_scim_revoke_heading", Text: "admin.confirm_scim_revoke_text",
		Target: list[i].Name, Items: []string{list[i].Prefix}, Action: consoleurl.Workspace(ws.ID) + "/scim-tokens/" + url.PathEscape(list[i].ID) + "/revoke",
		Submit: "admin.submit_scim_revoke", Danger: true})
}

func (c *Console) revokeToken(w http.ResponseWriter, r *http.Request, s session.Signed, v viewer) {
	ws, ok := c.workspaceFor(w, r, v)
	if !ok {
		return
	}
	if err := c.api.cfg.SCIMTokens.Revoke(r.Context(), scimActor(s), ws.ID, r.PathValue("token")); err != nil {
		c.refuseWorkspace(w, r, v, ws, "revoke scim token", err)
		return
	}
	seeOther(w, r, consoleurl.Workspace(ws.ID), "scim-revoked")
}
