package admin

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// The workspace routes. A platform-wide admin client sees and changes
// every workspace; one bound to a workspace sees only it: any other
// workspace's ID is a 404, as an unknown one, so that IDs cannot be
// probed. Creating and deleting workspaces, and adding an account as a
// member without its holder's acceptance, are the platform's (403 for a
// bound client, once the workspace is its own): a bound client invites.

// policy is a workspace policy as the API shows and takes it.
type policy struct {
	RequireMFA      bool     `json:"require_mfa"`
	SignInMethods   []string `json:"sign_in_methods"`
	SessionLifetime int64    `json:"session_lifetime_seconds"`
	Installs        string   `json:"installs"`
}

func policyOut(p storage.WorkspacePolicy) policy {
	m := p.SignInMethods
	if m == nil {
		m = []string{}
	}
	return policy{p.RequireMFA, m, int64(p.SessionLifetime / time.Second), p.Installs}
}

func (p policy) in() storage.WorkspacePolicy {
	return storage.WorkspacePolicy{RequireMFA: p.RequireMFA, SignInMethods: p.SignInMethods,
		SessionLifetime: time.Duration(min(max(p.SessionLifetime, -1), int64(workspace.MaxSessionLifetime/time.Second)+1)) * time.Second, Installs: p.Installs}
}

type workspaceView struct {
	ID        string    `json:"id"`
	Handle    string    `json:"handle"`
	Name      string    `json:"name"`
	Policy    policy    `json:"policy"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func workspaceOut(w storage.Workspace) workspaceView {
	return workspaceView{w.ID, w.Handle, w.Name, policyOut(w.Policy), w.CreatedAt, w.UpdatedAt}
}

type memberView struct {
	UserID   string    `json:"user_id"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

type invitationView struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	InvitedBy string    `json:"invited_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Expired   bool      `json:"expired"`
}

func (a *API) invitationOut(inv storage.Invitation) invitationView {
	return invitationView{inv.ID, inv.Email, inv.Role, inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt, !a.cfg.Now().Before(inv.ExpiresAt)}
}

// visible returns the workspace of the request's {id} when the caller
// may see it; otherwise it answers 404 and returns false.
func (a *API) visible(w http.ResponseWriter, r *http.Request) (storage.Workspace, bool) {
	id := r.PathValue("id")
	if b := bound(r); b != "" && b != id {
		writeError(w, http.StatusNotFound, "not_found", "No such workspace.")
		return storage.Workspace{}, false
	}
	ws, err := a.cfg.Store.GetWorkspace(r.Context(), id)
	if a.notFound(w, r, err, "workspace") {
		return ws, false
	}
	return ws, true
}

// workspaceRefused answers the service's refusals; it returns false for
// any other error.
func workspaceRefused(w http.ResponseWriter, err error) bool {
	var bad *workspace.FieldError
	switch {
	case errors.As(err, &bad):
		writeError(w, http.StatusBadRequest, "invalid_request", bad.Error()+".")
	case errors.Is(err, workspace.ErrLastOwner), errors.Is(err, workspace.ErrDefaultWorkspace), errors.Is(err, workspace.ErrAlreadyMember):
		writeError(w, http.StatusConflict, "conflict", err.Error()+".")
	case errors.Is(err, storage.ErrAlreadyExists):
		writeError(w, http.StatusConflict, "conflict", "handle: another workspace has it.")
	default:
		return false
	}
	return true
}

// answer ends a change: the service's refusal, a 404, a failure, or ok.
func (a *API) answer(w http.ResponseWriter, r *http.Request, err error, what string) bool {
	if err == nil {
		return true
	}
	if !workspaceRefused(w, err) {
		a.notFound(w, r, err, what)
	}
	return false
}

func (a *API) listWorkspaces(w http.ResponseWriter, r *http.Request, _ string) {
	out := []workspaceView{}
	if b := bound(r); b != "" {
		ws, err := a.cfg.Store.GetWorkspace(r.Context(), b)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			a.fail(w, r, "get workspace", err)
			return
		}
		if err == nil {
			out = append(out, workspaceOut(ws))
		}
		web.JSON(w, http.StatusOK, map[string]any{"workspaces": out})
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	list, err := a.cfg.Store.ListWorkspaces(r.Context(), storage.Page{After: storage.NormalHandle(r.URL.Query().Get("after")), Limit: min(max(limit, 0), 500)})
	if err != nil {
		a.fail(w, r, "list workspaces", err)
		return
	}
	for _, ws := range list {
		out = append(out, workspaceOut(ws))
	}
	web.JSON(w, http.StatusOK, map[string]any{"workspaces": out})
}

func (a *API) createWorkspace(w http.ResponseWriter, r *http.Request, caller string) {
	if bound(r) != "" {
		forbidden(w)
		return
	}
	var body struct {
		Handle string  `json:"handle"`
		Name   string  `json:"name"`
		Policy *policy `json:"policy"`
		Owner  string  `json:"owner"`
	}
	if !decode(w, r, &body) {
		return
	}
	st := workspace.Settings{Handle: body.Handle, Name: body.Name}
	if body.Policy != nil {
		st.Policy = body.Policy.in()
	}
	ws, err := a.cfg.Workspaces.Create(r.Context(), ByClient(caller), st, body.Owner)
	if errors.Is(err, storage.ErrNotFound) {
		writeError(w, http.StatusBadRequest, "invalid_request", "owner: no such user.")
		return
	}
	if !a.answer(w, r, err, "workspace") {
		return
	}
	web.JSON(w, http.StatusCreated, workspaceOut(ws))
}

func (a *API) getWorkspace(w http.ResponseWriter, r *http.Request, _ string) {
	if ws, ok := a.visible(w, r); ok {
		web.JSON(w, http.StatusOK, workspaceOut(ws))
	}
}

func (a *API) patchWorkspace(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	var body struct {
		Handle *string `json:"handle"`
		Name   *string `json:"name"`
		Policy *policy `json:"policy"`
	}
	if !decode(w, r, &body) {
		return
	}
	ch := workspace.Change{Handle: body.Handle, Name: body.Name}
	if body.Policy != nil {
		p := body.Policy.in()
		ch.Policy = &p
	}
	ws, err := a.cfg.Workspaces.Update(r.Context(), ByClient(caller), ws.ID, ch)
	if a.answer(w, r, err, "workspace") {
		web.JSON(w, http.StatusOK, workspaceOut(ws))
	}
}

func (a *API) deleteWorkspace(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	if bound(r) != "" {
		forbidden(w)
		return
	}
	if a.answer(w, r, a.cfg.Workspaces.Delete(r.Context(), ByClient(caller), ws.ID), "workspace") {
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *API) listMembers(w http.ResponseWriter, r *http.Request, _ string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	list, err := a.cfg.Store.ListMembers(r.Context(), ws.ID, storage.Page{After: r.URL.Query().Get("after"), Limit: min(max(limit, 0), 500)})
	if err != nil {
		a.fail(w, r, "list members", err)
		return
	}
	out := []memberView{}
	for _, m := range list {
		out = append(out, memberView{m.UserID, m.Role, m.JoinedAt})
	}
	web.JSON(w, http.StatusOK, map[string]any{"members": out})
}

func (a *API) addMember(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	if bound(r) != "" {
		forbidden(w)
		return
	}
	var body struct {
		UserID string `json:"user_id"`
		Role   string `json:"role"`
	}
	if !decode(w, r, &body) {
		return
	}
	m, err := a.cfg.Workspaces.AddMember(r.Context(), ByClient(caller), ws.ID, body.UserID, body.Role)
	if errors.Is(err, storage.ErrNotFound) {
		writeError(w, http.StatusBadRequest, "invalid_request", "user_id: no such user.")
		return
	}
	if a.answer(w, r, err, "member") {
		web.JSON(w, http.StatusCreated, memberView{m.UserID, m.Role, m.JoinedAt})
	}
}

func (a *API) patchMember(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	var body struct {
		Role string `json:"role"`
	}
	if !decode(w, r, &body) {
		return
	}
	m, err := a.cfg.Workspaces.ChangeRole(r.Context(), ByClient(caller), ws.ID, r.PathValue("user_id"), body.Role, nil)
	if a.answer(w, r, err, "member") {
		web.JSON(w, http.StatusOK, memberView{m.UserID, m.Role, m.JoinedAt})
	}
}

func (a *API) removeMember(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	if a.answer(w, r, a.cfg.Workspaces.RemoveMember(r.Context(), ByClient(caller), ws.ID, r.PathValue("user_id"), nil), "member") {
		w.WriteHeader(http.StatusNoContent)
	}
}

func (a *API) listInvitations(w http.ResponseWriter, r *http.Request, _ string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	list, err := a.cfg.Store.ListInvitations(r.Context(), ws.ID)
	if err != nil {
		a.fail(w, r, "list invitations", err)
		return
	}
	out := []invitationView{}
	for _, inv := range list {
		out = append(out, a.invitationOut(inv))
	}
	web.JSON(w, http.StatusOK, map[string]any{"invitations": out})
}

// invite makes an invitation: mailed when a mail server is configured,
// and its link in the answer either way, shown only there (the inviter
// may pass it on).
func (a *API) invite(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	var body struct {
		Email  string      `json:"email"`
		Role   string      `json:"role"`
		Locale mail.Locale `json:"locale"`
	}
	if !decode(w, r, &body) {
		return
	}
	switch body.Locale {
	case "":
		body.Locale = mail.English
	case mail.English, mail.Chinese:
	default:
		writeError(w, http.StatusBadRequest, "invalid_request", "locale: en or zh-CN.")
		return
	}
	if body.Role == "" {
		body.Role = storage.WorkspaceMember
	}
	sent, err := a.cfg.Workspaces.Invite(r.Context(), ByClient(caller), ws.ID, body.Email, body.Role, body.Locale, nil)
	if !a.answer(w, r, err, "workspace") {
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin invited to a workspace", "admin_client_id", caller, "workspace_id", ws.ID,
		"invitation_id", sent.Invitation.ID, "mailed", sent.Mailed)
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusCreated, map[string]any{
		"invitation": a.invitationOut(sent.Invitation), "link": sent.Link, "mailed": sent.Mailed,
	})
}

func (a *API) revokeInvitation(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	err := a.cfg.Workspaces.RevokeInvitation(r.Context(), ByClient(caller), ws.ID, strings.TrimSpace(r.PathValue("invitation")))
	if a.answer(w, r, err, "invitation") {
		w.WriteHeader(http.StatusNoContent)
	}
}
