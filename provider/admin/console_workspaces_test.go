package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/scim"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// wsConsole is the console with the workspace and SCIM token services,
// two workspaces, acme (owned by ann, a platform member) and globex, and
// u-admin signed in: as ann after asAnn.
type wsConsole struct {
	*consoleHarness
	acme, globex storage.Workspace
	tokens       *scim.Tokens
}

func newWorkspaceConsole(t *testing.T) *wsConsole {
	t.Helper()
	h := newConsole(t)
	a := h.api
	a.cfg.Workspaces = workspace.New(workspace.Config{
		Store: h.store, Roles: workspace.Roles{"admin", "member", "guest"}, Audit: a.cfg.Audit, Revoker: &revokedMembers{},
		Links: a.cfg.Links, Issuer: a.cfg.Issuer, Now: a.cfg.Now,
	})
	tokens := scim.NewTokens(scim.TokensConfig{Store: h.store, Hasher: a.cfg.Links, Audit: a.cfg.Audit, Now: a.cfg.Now})
	a.cfg.SCIMTokens = tokens
	by := ByUser("u-admin")
	acme, err := a.cfg.Workspaces.Create(t.Context(), by, workspace.Settings{Handle: "acme", Name: "Acme"}, "u-ann")
	if err != nil {
		t.Fatal(err)
	}
	globex, err := a.cfg.Workspaces.Create(t.Context(), by, workspace.Settings{Handle: "globex", Name: "Globex"}, "u-admin")
	if err != nil {
		t.Fatal(err)
	}
	return &wsConsole{consoleHarness: h, acme: acme, globex: globex, tokens: tokens}
}

// asAnn signs ann in, with a second factor: a platform member who owns
// acme.
func (h *wsConsole) asAnn(t *testing.T) {
	t.Helper()
	ann, err := h.store.GetUser(t.Context(), "u-ann")
	if err != nil {
		t.Fatal(err)
	}
	h.sessions.signed = session.Signed{User: ann, Session: storage.LoginSession{UserID: ann.ID, ACR: session.ACRTwoFactor}}
}

func TestConsoleWorkspaceAdminSeesOnlyTheirWorkspace(t *testing.T) {
	t.Parallel()
	h := newWorkspaceConsole(t)
	if _, _, err := h.api.cfg.SCIMTokens.Create(t.Context(), scim.Actor{Type: audit.ActorUser, ID: "u-admin"}, h.globex.ID, "Globex's Entra", 0); err != nil {
		t.Fatal(err)
	}
	globexToken, _ := h.api.cfg.SCIMTokens.List(t.Context(), h.globex.ID)
	sent, err := h.api.cfg.Workspaces.Invite(t.Context(), ByUser("u-admin"), h.globex.ID, "x@example.com", "member", "en", nil)
	if err != nil {
		t.Fatal(err)
	}
	h.asAnn(t)

	list := h.get(t, "/admin/workspaces")
	if list.Code != http.StatusOK || !strings.Contains(list.Body.String(), "Acme") || strings.Contains(list.Body.String(), "Globex") {
		t.Fatalf("ann's list of workspaces: %d, want acme only:\n%s", list.Code, list.Body)
	}
	if strings.Contains(list.Body.String(), `href="/admin/users"`) || strings.Contains(list.Body.String(), "/admin/workspaces/create") {
		t.Error("a workspace admin is offered the platform's sections or the creation of a workspace")
	}
	if w := h.get(t, "/admin/workspaces/"+h.acme.ID); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "ann@example.com") {
		t.Fatalf("ann's own workspace: %d", w.Code)
	}

	// Every page and change of another workspace is the not-found page
	// of an unknown one, and changes nothing.
	unknown := h.get(t, "/admin/workspaces/no-such-id")
	if unknown.Code != http.StatusNotFound {
		t.Fatalf("an unknown workspace: %d", unknown.Code)
	}
	g := "/admin/workspaces/" + h.globex.ID
	for _, path := range []string{g, g + "/settings?name=Mine&handle=mine", g + "/policy", g + "/delete", g + "/invite?email=me@example.com&role=owner",
		g + "/members/u-admin/role?role=guest", g + "/members/u-admin/remove", g + "/invitations/" + sent.Invitation.ID + "/revoke",
		g + "/scim-tokens/create?name=mine", g + "/scim-tokens/" + globexToken[0].ID + "/revoke"} {
		if w := h.get(t, path); w.Code != http.StatusNotFound || w.Body.String() != unknown.Body.String() {
			t.Errorf("GET %s by ann: %d, want the page of an unknown workspace", path, w.Code)
		}
	}
	for _, c := range []struct {
		path string
		form url.Values
	}{
		{g + "/settings", url.Values{"name": {"Mine"}, "handle": {"mine"}}},
		{g + "/policy", url.Values{"require_mfa": {"true"}}},
		{g + "/delete", url.Values{}},
		{g + "/invite", url.Values{"email": {"me@example.com"}, "role": {"owner"}}},
		{g + "/members/u-admin/role", url.Values{"role": {"guest"}}},
		{g + "/members/u-admin/remove", url.Values{}},
		{g + "/invitations/" + sent.Invitation.ID + "/revoke", url.Values{}},
		{g + "/scim-tokens/create", url.Values{"name": {"mine"}}},
		{g + "/scim-tokens/" + globexToken[0].ID + "/revoke", url.Values{}},
	} {
		if w := h.post(t, c.path, c.form); w.Code != http.StatusNotFound || w.Body.String() != unknown.Body.String() {
			t.Errorf("POST %s by ann: %d, want the page of an unknown workspace", c.path, w.Code)
		}
	}
	if ws, _ := h.store.GetWorkspace(t.Context(), h.globex.ID); ws.Name != "Globex" || ws.Policy.RequireMFA {
		t.Fatalf("globex after ann's attempts: %+v", ws)
	}
	if m, _ := h.store.GetMember(t.Context(), h.globex.ID, "u-admin"); m.Role != storage.WorkspaceOwner {
		t.Fatalf("globex's owner after ann's attempts: %+v", m)
	}
	if inv, _ := h.store.ListInvitations(t.Context(), h.globex.ID); len(inv) != 1 {
		t.Fatalf("globex's invitations after ann's attempts: %+v", inv)
	}
	if toks, _ := h.api.cfg.SCIMTokens.List(t.Context(), h.globex.ID); len(toks) != 1 || !toks[0].RevokedAt.IsZero() {
		t.Fatalf("globex's tokens after ann's attempts: %+v", toks)
	}

	// The platform's pages are refused, and so are creating and deleting
	// workspaces, even her own.
	for _, path := range []string{"/admin/users", "/admin/users/u-admin", "/admin/apps", "/admin/apps/ops-bot", "/admin/scopes?scope=openid",
		"/admin/users/u-admin/disable", "/admin/workspaces/create?handle=mine&name=Mine", "/admin/workspaces/" + h.acme.ID + "/delete"} {
		if w := h.get(t, path); w.Code != http.StatusForbidden {
			t.Errorf("GET %s by ann: %d, want 403", path, w.Code)
		}
	}
	for _, path := range []string{"/admin/users/u-admin/disable", "/admin/workspaces/create", "/admin/workspaces/" + h.acme.ID + "/delete"} {
		if w := h.post(t, path, url.Values{"handle": {"mine"}, "name": {"Mine"}}); w.Code != http.StatusForbidden {
			t.Errorf("POST %s by ann: %d, want 403", path, w.Code)
		}
	}
	if u, _ := h.store.GetUser(t.Context(), "u-admin"); u.Status != storage.UserActive {
		t.Fatal("ann disabled the administrator")
	}
	if _, err := h.store.GetWorkspaceByHandle(t.Context(), "mine"); err == nil {
		t.Fatal("ann created a workspace")
	}
	if _, err := h.store.GetWorkspace(t.Context(), h.acme.ID); err != nil {
		t.Fatalf("ann deleted acme: %v", err)
	}
}

func TestConsoleWorkspaceAdminRecordsAreTheirs(t *testing.T) {
	t.Parallel()
	h := newWorkspaceConsole(t)
	h.asAnn(t)
	// Both creations are recorded, each naming its workspace.
	w := h.get(t, "/admin/records")
	if w.Code != http.StatusOK {
		t.Fatalf("ann's records: %d", w.Code)
	}
	body := w.Body.String()
	if !strings.Contains(body, "acme") || strings.Contains(body, "globex</") || strings.Count(body, "<time") != 1 {
		t.Fatalf("ann's records: want acme's creation only:\n%s", body)
	}
	if w := h.get(t, "/admin/records?workspace="+h.acme.Handle+"&action=workspace.created"); w.Code != http.StatusOK || strings.Count(w.Body.String(), "<time") != 1 {
		t.Fatalf("ann's records of acme by handle: %d", w.Code)
	}
	for _, ref := range []string{"globex", h.globex.ID, "default", "no-such"} {
		if w := h.get(t, "/admin/records?workspace="+url.QueryEscape(ref)); w.Code != http.StatusNotFound {
			t.Errorf("ann's records of %s: %d, want 404", ref, w.Code)
		}
		if w := h.post(t, "/admin/records/export", url.Values{"format": {"jsonl"}, "workspace": {ref}}); w.Code != http.StatusNotFound {
			t.Errorf("ann's export of %s: %d, want 404", ref, w.Code)
		}
	}
	exp := h.post(t, "/admin/records/export", url.Values{"format": {"jsonl"}})
	// The export is recorded first, in acme's records.
	if exp.Code != http.StatusOK || strings.Count(exp.Body.String(), "\n") != 2 || strings.Contains(exp.Body.String(), h.globex.ID) {
		t.Fatalf("ann's export: %d, want acme's two records:\n%s", exp.Code, exp.Body)
	}
	// A platform administrator filters by any workspace, by handle or ID.
	h.sessions.signed.User.ID, h.sessions.signed.User.Role = "u-admin", "admin"
	for _, ref := range []string{"globex", h.globex.ID} {
		if w := h.get(t, "/admin/records?workspace="+ref); w.Code != http.StatusOK || strings.Count(w.Body.String(), "<time") != 1 {
			t.Errorf("the administrator's records of %s: %d", ref, w.Code)
		}
	}
	if w := h.get(t, "/admin/records?workspace=no-such"); w.Code != http.StatusOK || strings.Count(w.Body.String(), "<time") != 0 {
		t.Errorf("records of an unknown workspace: %d, want none", w.Code)
	}
}

func TestConsoleWorkspaceAccess(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		setup  func(t *testing.T, h *wsConsole)
		status int
		want   string
	}{
		{"an owner signed in with a second factor opens the console", func(*testing.T, *wsConsole) {}, http.StatusOK, "Acme"},
		{"an owner signed in with a password alone is told to use a second factor", func(_ *testing.T, h *wsConsole) {
			h.sessions.signed.Session.ACR = session.ACRPassword
		}, http.StatusForbidden, "two-step verification"},
		{"a plain member is refused", func(t *testing.T, h *wsConsole) {
			if _, err := h.api.cfg.Workspaces.AddMember(t.Context(), ByUser("u-admin"), h.globex.ID, "u-ann", "owner"); err != nil {
				t.Fatal(err)
			}
			if _, err := h.api.cfg.Workspaces.ChangeRole(t.Context(), ByUser("u-admin"), h.acme.ID, "u-ann", "member", nil); err == nil {
				t.Fatal("the last owner lost the role")
			}
			if err := h.api.cfg.Workspaces.Delete(t.Context(), ByUser("u-admin"), h.acme.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := h.api.cfg.Workspaces.ChangeRole(t.Context(), ByUser("u-admin"), h.globex.ID, "u-ann", "member", nil); err != nil {
				t.Fatal(err)
			}
		}, http.StatusForbidden, "for administrators only"},
		{"the default workspace's admin role opens nothing", func(t *testing.T, h *wsConsole) {
			if err := h.api.cfg.Workspaces.Delete(t.Context(), ByUser("u-admin"), h.acme.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := h.store.UpdateMember(t.Context(), storage.DefaultWorkspaceID, "u-ann", func(m storage.Member) (storage.Member, error) {
				m.Role = storage.WorkspaceAdmin
				return m, nil
			}); err != nil {
				t.Fatal(err)
			}
		}, http.StatusForbidden, "for administrators only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newWorkspaceConsole(t)
			h.asAnn(t)
			tc.setup(t, h)
			w := h.get(t, "/admin/workspaces")
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
				t.Fatalf("status %d, want %d with %q:\n%s", w.Code, tc.status, tc.want, w.Body)
			}
		})
	}
}

var scimTokenPattern = regexp.MustCompile(scim.TokenPrefix + `[A-Za-z0-9_-]+`)

func TestConsoleWorkspaceChanges(t *testing.T) {
	t.Parallel()
	h := newWorkspaceConsole(t)
	base := "/admin/workspaces/" + h.acme.ID

	// A platform administrator creates a workspace: confirmation, then
	// the POST with CSRF; without it nothing is made.
	if w := h.get(t, "/admin/workspaces/create?handle=initech&name=Initech&owner=ann@example.com"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Initech") {
		t.Fatalf("confirming a creation: %d", w.Code)
	}
	if w := h.post(t, "/admin/workspaces/create", url.Values{"csrf_token": {"forged"}, "handle": {"initech"}, "name": {"Initech"}}); w.Code != http.StatusForbidden {
		t.Fatalf("a creation without the CSRF token: %d", w.Code)
	}
	if _, err := h.store.GetWorkspaceByHandle(t.Context(), "initech"); err == nil {
		t.Fatal("created without the CSRF token")
	}
	w := h.post(t, "/admin/workspaces/create", url.Values{"handle": {"initech"}, "name": {"Initech"}, "owner": {"ann@example.com"}})
	initech, err := h.store.GetWorkspaceByHandle(t.Context(), "initech")
	if w.Code != http.StatusSeeOther || err != nil || w.Header().Get("Location") != "/admin/workspaces/"+initech.ID+"?done=ws-created" {
		t.Fatalf("creating: %d %s, %v", w.Code, w.Header().Get("Location"), err)
	}
	if m, err := h.store.GetMember(t.Context(), initech.ID, "u-ann"); err != nil || m.Role != storage.WorkspaceOwner {
		t.Fatalf("initech's owner: %+v, %v", m, err)
	}
	for _, q := range []string{"handle=x&name=X", "handle=ok-one&name=", "handle=ok-one&name=X&owner=nobody@example.com"} {
		if w := h.get(t, "/admin/workspaces/create?"+q); w.Code != http.StatusBadRequest && w.Code != http.StatusConflict {
			t.Errorf("creating %s: %d, want refused", q, w.Code)
		}
	}
	if w := h.post(t, "/admin/workspaces/create", url.Values{"handle": {"initech"}, "name": {"Again"}}); w.Code != http.StatusConflict {
		t.Errorf("a taken handle: %d", w.Code)
	}

	// Ann, acme's owner, changes its policy, invites, makes a SCIM token
	// shown once, and revokes it.
	h.asAnn(t)
	if w := h.get(t, base+"/policy?require_mfa=true&password=true&session_lifetime=8h&installs=approved"); w.Code != http.StatusOK {
		t.Fatalf("confirming the policy: %d", w.Code)
	}
	if w := h.get(t, base+"/policy?session_lifetime=1s"); w.Code != http.StatusBadRequest {
		t.Fatalf("a session lifetime of 1s: %d", w.Code)
	}
	if w := h.post(t, base+"/policy", url.Values{"require_mfa": {"true"}, "password": {"true"}, "session_lifetime": {"8h"}, "installs": {"approved"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("setting the policy: %d %s", w.Code, w.Body)
	}
	if ws, _ := h.store.GetWorkspace(t.Context(), h.acme.ID); !ws.Policy.RequireMFA || ws.Policy.Installs != "approved" || ws.Policy.SessionLifetime.Hours() != 8 {
		t.Fatalf("acme's policy: %+v", ws.Policy)
	}
	w = h.post(t, base+"/invite", url.Values{"email": {"bob@example.com"}, "role": {"admin"}, "locale": {"zh-CN"}})
	if w.Code != http.StatusCreated || !strings.Contains(w.Body.String(), "/invitations/") || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("inviting: %d", w.Code)
	}
	invs, _ := h.store.ListInvitations(t.Context(), h.acme.ID)
	if len(invs) != 1 || invs[0].InvitedBy != "u-ann" || invs[0].Role != "admin" {
		t.Fatalf("acme's invitations: %+v", invs)
	}
	w = h.post(t, base+"/scim-tokens/create", url.Values{"name": {"Entra ID"}})
	token := scimTokenPattern.FindString(w.Body.String())
	if w.Code != http.StatusCreated || token == "" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("creating a SCIM token: %d", w.Code)
	}
	rec, err := h.tokens.Authenticate(t.Context(), token)
	if err != nil || rec.WorkspaceID != h.acme.ID {
		t.Fatalf("the token shown: %+v, %v", rec, err)
	}
	if page := h.get(t, base); strings.Contains(page.Body.String(), token) || !strings.Contains(page.Body.String(), rec.Prefix) {
		t.Fatal("the workspace's page shows the token again, or not its prefix")
	}
	if w := h.post(t, base+"/scim-tokens/create", url.Values{"name": {" "}}); w.Code != http.StatusBadRequest {
		t.Fatalf("a token without a name: %d", w.Code)
	}
	if w := h.post(t, base+"/scim-tokens/"+rec.ID+"/revoke", url.Values{}); w.Code != http.StatusSeeOther {
		t.Fatalf("revoking the token: %d", w.Code)
	}
	if _, err := h.tokens.Authenticate(t.Context(), token); err == nil {
		t.Fatal("a revoked token still works")
	}

	// An admin who is not an owner neither gives nor takes the owner role.
	if _, err := h.api.cfg.Workspaces.AddMember(t.Context(), ByUser("u-admin"), h.acme.ID, "u-admin", "member"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.api.cfg.Workspaces.ChangeRole(t.Context(), ByUser("u-admin"), h.acme.ID, "u-ann", "admin", nil); err == nil {
		t.Fatal("the last owner lost the role")
	}
	if w := h.post(t, base+"/members/u-admin/role", url.Values{"role": {"owner"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("ann making the administrator owner: %d", w.Code)
	}
	if w := h.post(t, base+"/members/u-ann/role", url.Values{"role": {"admin"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("ann stepping down to admin: %d", w.Code)
	}
	if w := h.post(t, base+"/members/u-admin/remove", url.Values{}); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "Only an owner") {
		t.Fatalf("an admin removing an owner: %d", w.Code)
	}
	if w := h.get(t, base+"/members/u-admin/role?role=root"); w.Code != http.StatusBadRequest {
		t.Fatalf("an unknown role: %d", w.Code)
	}
	if w := h.get(t, base+"/members/nobody/remove"); w.Code != http.StatusNotFound {
		t.Fatalf("a member who is not one: %d", w.Code)
	}
	recs := records(t, h.store)
	for _, r := range recs[:2] {
		if r.WorkspaceID != h.acme.ID || r.ActorID != "u-ann" {
			t.Errorf("record %s: workspace %q by %q, want acme's by ann", r.Action, r.WorkspaceID, r.ActorID)
		}
	}
}

func TestConsoleInvitationsAreBounded(t *testing.T) {
	t.Parallel()
	h := newWorkspaceConsole(t)
	c := NewConsole(h.api, ConsoleConfig{Store: h.store, Sessions: h.sessions, Pages: webtest.Pages(t), AdminRole: "admin",
		Invitations: throttle.New(h.store, throttle.Policy{Free: 2, Base: time.Minute, Max: time.Hour}, h.api.cfg.Now)})
	h.mux = http.NewServeMux()
	c.Mount(h.mux)
	h.asAnn(t)
	base := "/admin/workspaces/" + h.acme.ID + "/invite"
	for i := range 2 {
		if w := h.post(t, base, url.Values{"email": {fmt.Sprintf("x%d@example.com", i)}}); w.Code != http.StatusCreated {
			t.Fatalf("invitation %d: %d", i, w.Code)
		}
	}
	if w := h.post(t, base, url.Values{"email": {"x9@example.com"}}); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("the third invitation at once: %d, want 429", w.Code)
	}
	if invs, _ := h.store.ListInvitations(t.Context(), h.acme.ID); len(invs) != 2 {
		t.Fatalf("%d invitations, want 2", len(invs))
	}
}
