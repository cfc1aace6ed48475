package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// revokedMembers records the members whose tokens of a workspace were
// revoked (the seam the signin slice's storage fills).
type revokedMembers struct {
	mu    sync.Mutex
	calls []string
}

func (r *revokedMembers) RevokeMember(_ context.Context, workspaceID, userID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, workspaceID+"/"+userID)
	return nil
}

// workspaceFixture is fixture with a workspace service, and the tokens
// "platform" (ops-bot, platform-wide) and "acme" (acme-bot, bound to the
// workspace acme once wsFixture made it).
func workspaceFixture(t *testing.T) (*API, *memory.Store, *revokedMembers) {
	t.Helper()
	a, store := fixture(t)
	rev := &revokedMembers{}
	a.cfg.Workspaces = workspace.New(workspace.Config{
		Store: store, Roles: workspace.Roles{"admin", "member", "guest"}, Audit: a.cfg.Audit, Revoker: rev,
		Links: a.cfg.Links, Issuer: a.cfg.Issuer, Now: a.cfg.Now,
	})
	a.cfg.Authenticate = func(_ context.Context, token string) (string, string, []string, error) {
		if token == "acme" {
			return "acme-bot", "", []string{"admin"}, nil
		}
		return "ops-bot", "", []string{"admin"}, nil
	}
	return a, store, rev
}

func callAs(t *testing.T, a *API, token, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	a.Mount(mux)
	req := httptest.NewRequestWithContext(t.Context(), method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	return w
}

func decodeBody[T any](t *testing.T, w *httptest.ResponseRecorder, want int) T {
	t.Helper()
	var v T
	if w.Code != want {
		t.Fatalf("status %d %s, want %d", w.Code, w.Body, want)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s: %v", w.Body, err)
	}
	return v
}

// twoWorkspaces creates acme (owned by u-admin) and globex through the
// API, and binds acme-bot to acme.
func twoWorkspaces(t *testing.T, a *API, store *memory.Store) (acme, globex workspaceView) {
	t.Helper()
	acme = decodeBody[workspaceView](t, callAs(t, a, "platform", "POST", "/admin/api/v1/workspaces", `{"handle":"acme","name":"Acme","owner":"u-admin"}`), http.StatusCreated)
	globex = decodeBody[workspaceView](t, callAs(t, a, "platform", "POST", "/admin/api/v1/workspaces", `{"handle":"globex","name":"Globex","policy":{"require_mfa":true,"session_lifetime_seconds":3600}}`), http.StatusCreated)
	if globex.Policy.SessionLifetime != 3600 || !globex.Policy.RequireMFA {
		t.Fatalf("globex's policy %+v", globex.Policy)
	}
	if err := store.CreateClient(t.Context(), storage.Client{ID: "acme-bot", Scopes: []string{"admin"}, WorkspaceID: acme.ID}); err != nil {
		t.Fatal(err)
	}
	return acme, globex
}

func TestWorkspaceBoundAdminClientSeesOnlyItsWorkspace(t *testing.T) {
	t.Parallel()
	a, store, _ := workspaceFixture(t)
	acme, globex := twoWorkspaces(t, a, store)
	sent := decodeBody[struct {
		Link string `json:"link"`
	}](t, callAs(t, a, "platform", "POST", "/admin/api/v1/workspaces/"+globex.ID+"/invitations", `{"email":"x@example.com"}`), http.StatusCreated)
	globexInvitation := decodeBody[struct {
		Invitations []invitationView `json:"invitations"`
	}](t, callAs(t, a, "platform", "GET", "/admin/api/v1/workspaces/"+globex.ID+"/invitations", ""), http.StatusOK).Invitations[0].ID
	if sent.Link == "" {
		t.Fatal("no link")
	}

	list := decodeBody[struct {
		Workspaces []workspaceView `json:"workspaces"`
	}](t, callAs(t, a, "acme", "GET", "/admin/api/v1/workspaces", ""), http.StatusOK)
	if len(list.Workspaces) != 1 || list.Workspaces[0].ID != acme.ID {
		t.Fatalf("the bound client lists %+v, want acme only", list.Workspaces)
	}
	// Another workspace answers as an unknown one: 404, same body.
	unknown := callAs(t, a, "acme", "GET", "/admin/api/v1/workspaces/no-such-id", "")
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/admin/api/v1/workspaces/" + globex.ID, ""},
		{"PATCH", "/admin/api/v1/workspaces/" + globex.ID, `{"name":"Mine"}`},
		{"DELETE", "/admin/api/v1/workspaces/" + globex.ID, ""},
		{"GET", "/admin/api/v1/workspaces/" + globex.ID + "/members", ""},
		{"POST", "/admin/api/v1/workspaces/" + globex.ID + "/members", `{"user_id":"u-ann","role":"owner"}`},
		{"PATCH", "/admin/api/v1/workspaces/" + globex.ID + "/members/u-admin", `{"role":"guest"}`},
		{"DELETE", "/admin/api/v1/workspaces/" + globex.ID + "/members/u-admin", ""},
		{"GET", "/admin/api/v1/workspaces/" + globex.ID + "/invitations", ""},
		{"POST", "/admin/api/v1/workspaces/" + globex.ID + "/invitations", `{"email":"me@example.com","role":"owner"}`},
		{"DELETE", "/admin/api/v1/workspaces/" + globex.ID + "/invitations/" + globexInvitation, ""},
	} {
		w := callAs(t, a, "acme", c.method, c.path, c.body)
		if w.Code != http.StatusNotFound || w.Body.String() != unknown.Body.String() {
			t.Errorf("%s %s by acme's client: %d %s, want the 404 of an unknown workspace %s", c.method, c.path, w.Code, w.Body, unknown.Body)
		}
	}
	// The platform's routes, and the platform's changes of its own
	// workspace, are refused.
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/admin/api/v1/users", ""},
		{"GET", "/admin/api/v1/users/u-ann", ""},
		{"GET", "/admin/api/v1/apps", ""},
		{"GET", "/admin/api/v1/roles", ""},
		{"GET", "/admin/api/v1/grants?user=u-ann", ""},
		{"POST", "/admin/api/v1/workspaces", `{"handle":"mine","name":"Mine"}`},
		{"DELETE", "/admin/api/v1/workspaces/" + acme.ID, ""},
		{"POST", "/admin/api/v1/workspaces/" + acme.ID + "/members", `{"user_id":"u-ann","role":"member"}`},
	} {
		if w := callAs(t, a, "acme", c.method, c.path, c.body); w.Code != http.StatusForbidden {
			t.Errorf("%s %s by acme's client: %d %s, want 403", c.method, c.path, w.Code, w.Body)
		}
	}
	// Nothing of globex changed.
	if w, err := store.GetWorkspace(t.Context(), globex.ID); err != nil || w.Name != "Globex" {
		t.Fatalf("globex after the attempts: %+v, %v", w, err)
	}
	if m, err := store.ListMembers(t.Context(), globex.ID, storage.Page{}); err != nil || len(m) != 0 {
		t.Fatalf("globex's members after the attempts: %+v, %v", m, err)
	}
	if inv, _ := store.ListInvitations(t.Context(), globex.ID); len(inv) != 1 {
		t.Fatalf("globex's invitations after the attempts: %+v", inv)
	}
	// Its own workspace it manages.
	if w := callAs(t, a, "acme", "PATCH", "/admin/api/v1/workspaces/"+acme.ID, `{"name":"Acme Corp"}`); w.Code != http.StatusOK {
		t.Fatalf("acme's client renaming acme: %d %s", w.Code, w.Body)
	}
	if w := callAs(t, a, "acme", "POST", "/admin/api/v1/workspaces/"+acme.ID+"/invitations", `{"email":"ann@example.com","role":"admin","locale":"zh-CN"}`); w.Code != http.StatusCreated {
		t.Fatalf("acme's client inviting: %d %s", w.Code, w.Body)
	}
	recs := records(t, store)
	if last := recs[0]; last.WorkspaceID != acme.ID || last.ActorID != "acme-bot" {
		t.Fatalf("the last record %+v: want acme's, by acme-bot", last)
	}
}

func TestWorkspaceAPIMembersAndRefusals(t *testing.T) {
	t.Parallel()
	a, store, rev := workspaceFixture(t)
	acme, _ := twoWorkspaces(t, a, store)
	base := "/admin/api/v1/workspaces/" + acme.ID
	for _, c := range []struct{ body, field string }{
		{`{"handle":"a","name":"X"}`, "handle"},
		{`{"handle":"default","name":"X"}`, "handle"},
		{`{"handle":"ok-handle","name":""}`, "name"},
		{`{"handle":"ok-handle","name":"X","policy":{"installs":"anyone"}}`, "installs"},
		{`{"handle":"ok-handle","name":"X","policy":{"session_lifetime_seconds":-5}}`, "session_lifetime"},
		{`{"handle":"ok-handle","name":"X","policy":{"session_lifetime_seconds":9223372036854775807}}`, "session_lifetime"},
		{`{"handle":"ok-handle","name":"X","policy":{"sign_in_methods":["sms"]}}`, "sign_in_methods"},
		{`{"handle":"ok-handle","name":"X","owner":"nobody"}`, "owner"},
	} {
		wantRefused(t, callAs(t, a, "platform", "POST", "/admin/api/v1/workspaces", c.body), c.field)
	}
	if w := callAs(t, a, "platform", "POST", "/admin/api/v1/workspaces", `{"handle":"ACME","name":"Again"}`); w.Code != http.StatusConflict {
		t.Fatalf("a taken handle: %d %s", w.Code, w.Body)
	}
	if w := callAs(t, a, "platform", "DELETE", "/admin/api/v1/workspaces/default", ""); w.Code != http.StatusConflict {
		t.Fatalf("deleting the default workspace: %d %s", w.Code, w.Body)
	}
	wantRefused(t, callAs(t, a, "platform", "POST", base+"/members", `{"user_id":"u-ann","role":"root"}`), "role")
	wantRefused(t, callAs(t, a, "platform", "POST", base+"/invitations", `{"email":"not an address"}`), "email")
	wantRefused(t, callAs(t, a, "platform", "POST", base+"/invitations", `{"email":"a@example.com","locale":"fr"}`), "locale")
	if w := callAs(t, a, "platform", "POST", base+"/members", `{"user_id":"u-ann","role":"member"}`); w.Code != http.StatusCreated {
		t.Fatalf("adding ann: %d %s", w.Code, w.Body)
	}
	if w := callAs(t, a, "platform", "POST", base+"/members", `{"user_id":"u-ann","role":"member"}`); w.Code != http.StatusConflict {
		t.Fatalf("adding ann twice: %d %s", w.Code, w.Body)
	}
	// The last owner keeps the role, and stays.
	if w := callAs(t, a, "acme", "PATCH", base+"/members/u-admin", `{"role":"member"}`); w.Code != http.StatusConflict {
		t.Fatalf("demoting the last owner: %d %s", w.Code, w.Body)
	}
	if w := callAs(t, a, "acme", "DELETE", base+"/members/u-admin", ""); w.Code != http.StatusConflict {
		t.Fatalf("removing the last owner: %d %s", w.Code, w.Body)
	}
	if w := callAs(t, a, "acme", "PATCH", base+"/members/u-ann", `{"role":"admin"}`); w.Code != http.StatusOK {
		t.Fatalf("making ann admin: %d %s", w.Code, w.Body)
	}
	if w := callAs(t, a, "acme", "DELETE", base+"/members/u-ann", ""); w.Code != http.StatusNoContent {
		t.Fatalf("removing ann: %d %s", w.Code, w.Body)
	}
	// Her new role, then her removal, each revoked her tokens of acme.
	if want := []string{acme.ID + "/u-ann", acme.ID + "/u-ann"}; !slices.Equal(rev.calls, want) {
		t.Fatalf("revoked %v, want ann's tokens of acme twice", rev.calls)
	}
	if w := callAs(t, a, "acme", "DELETE", base+"/members/u-ann", ""); w.Code != http.StatusNotFound {
		t.Fatalf("removing ann again: %d %s", w.Code, w.Body)
	}
	members := decodeBody[struct {
		Members []memberView `json:"members"`
	}](t, callAs(t, a, "acme", "GET", base+"/members", ""), http.StatusOK)
	if len(members.Members) != 1 || members.Members[0].UserID != "u-admin" || members.Members[0].Role != "owner" {
		t.Fatalf("members %+v", members.Members)
	}
	if w := callAs(t, a, "acme", "PATCH", base, `{"handle":"a\u0000b"}`); w.Code != http.StatusBadRequest {
		t.Fatalf("a NUL in a handle: %d %s", w.Code, w.Body)
	}
}
