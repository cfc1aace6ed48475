package chooser_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/chooser"
	"github.com/tokenim/tokenim-auth/provider/internal/routetest"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

// browser is who the session cookie says is signed in; CSRF is the real
// middleware's business, tested with it.
type browser struct {
	mu   sync.Mutex
	user *storage.User
}

func (b *browser) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.user == nil {
		return session.Signed{}, false, nil
	}
	return session.Signed{User: *b.user}, true, nil
}

func (*browser) Protect(h http.Handler) http.Handler { return h }

func (b *browser) signIn(u *storage.User) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.user = u
}

type harness struct {
	store   *memory.Store
	browser *browser
	mux     *http.ServeMux
	ann     storage.User
}

// newHarness is the chooser over the memory store and the real pages,
// with Ann signed in: a member of the default workspace, Acme and Beta;
// Other has no place for her.
func newHarness(t *testing.T) *harness {
	t.Helper()
	ctx := t.Context()
	store := memory.New()
	h := &harness{store: store, browser: &browser{}, mux: http.NewServeMux()}
	h.ann = storage.User{ID: "ann", Email: "ann@example.com", Status: storage.UserActive, Role: "member", CreatedAt: t0}
	if err := store.CreateUser(ctx, h.ann); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateClient(ctx, storage.Client{ID: "chat", Name: "TokenIM Web", Type: storage.ClientConfidential,
		RedirectURIs: []string{"https://chat.example/cb"}, GrantTypes: []string{"authorization_code"}, Scopes: []string{"openid"}}); err != nil {
		t.Fatal(err)
	}
	for _, ws := range []storage.Workspace{{ID: "w-acme", Handle: "acme", Name: "Acme Corp"}, {ID: "w-beta", Handle: "beta", Name: "Beta Club"}, {ID: "w-other", Handle: "other", Name: "Other"}} {
		if err := store.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"w-acme", "w-beta"} {
		if err := store.AddMember(ctx, storage.Member{WorkspaceID: id, UserID: "ann"}); err != nil {
			t.Fatal(err)
		}
	}
	h.browser.signIn(&h.ann)
	chooser.New(chooser.Config{Store: store, Sessions: h.browser, Pages: webtest.Pages(t), Now: func() time.Time { return t0 }}).Mount(h.mux)
	return h
}

// park stores a flow as the authorization endpoint does.
func (h *harness) park(t *testing.T, query string, change func(*storage.Flow)) string {
	t.Helper()
	f := storage.Flow{ID: "flow-1", ClientID: "chat", Query: query, CreatedAt: t0, ExpiresAt: t0.Add(15 * time.Minute)}
	if change != nil {
		change(&f)
	}
	if err := h.store.CreateFlow(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	return f.ID
}

func (h *harness) get(t *testing.T, target string) (*http.Response, string) {
	t.Helper()
	return h.serve(t, httptest.NewRequestWithContext(t.Context(), http.MethodGet, target, nil))
}

func (h *harness) post(t *testing.T, form url.Values) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, chooser.Path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return h.serve(t, req)
}

func (h *harness) serve(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.mux.ServeHTTP(rec, req)
	resp := rec.Result()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (h *harness) flow(t *testing.T, id string) storage.Flow {
	t.Helper()
	f, err := h.store.GetFlow(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDocListsRoutes(t *testing.T) {
	t.Parallel()
	routetest.Check(t, chooser.New(chooser.Config{Sessions: routetest.Sessions(t)}).Mount)
}

// The chooser lists the user's workspaces by name and handle, each a
// button of the form, in the request's language; the default workspace,
// which every account is a member of, is not offered beside them.
func TestChooserListsTheUsersWorkspaces(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ locales, heading string }{{"en", "Choose a workspace"}, {"zh-CN", "选择工作区"}} {
		t.Run(c.locales, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			id := h.park(t, "client_id=chat&ui_locales="+c.locales, nil)
			resp, body := h.get(t, chooser.Path+"?flow="+id)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			for _, want := range []string{c.heading, "Acme Corp", "acme", "Beta Club", "beta", `name="workspace" value="w-acme"`,
				`name="csrf_token"`, `action="/choose-workspace"`, "TokenIM Web"} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if strings.Contains(body, "w-other") {
				t.Error("page lists a workspace the user is not a member of")
			}
			if strings.Contains(body, `value="`+storage.DefaultWorkspaceID+`"`) {
				t.Error("page offers the default workspace beside the user's others")
			}
		})
	}
}

// A choice is recorded in the flow with who made it, and the browser
// resumes the authorization request.
func TestChoiceIsRecordedAndTheRequestResumes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.park(t, "client_id=chat", func(f *storage.Flow) { f.UserID, f.Decision = "someone-else", "allow" })
	resp, body := h.post(t, url.Values{"flow": {id}, "workspace": {"w-beta"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/oauth2/auth?flow="+id {
		t.Fatalf("got %d to %q: %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	f := h.flow(t, id)
	if f.WorkspaceID != "w-beta" || f.UserID != "ann" || f.Decision != "" {
		t.Fatalf("flow %+v, want w-beta chosen by ann, another user's decision dropped", f)
	}
}

// A workspace the user is not a member of, or none, or strange bytes,
// cannot be chosen (the attack of a forged form): the page says so and
// the flow is unchanged.
func TestForeignWorkspaceCannotBeChosen(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.park(t, "client_id=chat", nil)
	for _, ws := range []string{"w-other", "w-ghost", "", "w-\x00", "\xff"} {
		resp, body := h.post(t, url.Values{"flow": {id}, "workspace": {ws}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not one of yours") {
			t.Errorf("workspace %q: got %d, want 400 with the reason", ws, resp.StatusCode)
		}
	}
	if f := h.flow(t, id); f.WorkspaceID != "" || f.UserID != "" {
		t.Fatalf("flow changed: %+v", f)
	}
}

// Cancelling records the refusal, which the authorization endpoint answers
// with access_denied.
func TestCancelDenies(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.park(t, "client_id=chat", nil)
	resp, _ := h.post(t, url.Values{"flow": {id}, "decision": {"deny"}, "workspace": {"w-acme"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if f := h.flow(t, id); f.Decision != "deny" || f.UserID != "ann" || f.WorkspaceID != "" {
		t.Fatalf("flow %+v, want ann's refusal", f)
	}
}

// A user told they are not a member of the workspace the app asked for
// sees its handle and the way back to the app, and cannot choose another.
func TestNotAMemberIsTold(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.park(t, "client_id=chat&organization=other", func(f *storage.Flow) { f.Decision, f.WorkspaceID = "not_member", "w-other" })
	resp, body := h.get(t, chooser.Path+"?flow="+id)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "not a member of the workspace other") || !strings.Contains(body, "/oauth2/auth?flow="+id) {
		t.Fatalf("got %d: %s", resp.StatusCode, body)
	}
	resp, _ = h.post(t, url.Values{"flow": {id}, "workspace": {"w-acme"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if f := h.flow(t, id); f.WorkspaceID != "w-other" || f.Decision != "not_member" {
		t.Fatalf("a not-a-member flow was changed: %+v", f)
	}
}

// Nobody signed in goes to sign in first; an unknown, expired or
// malformed flow is a clear error, never a 500.
func TestChooserNeedsASignedInUserAndALiveFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	id := h.park(t, "client_id=chat", nil)
	h.browser.signIn(nil)
	resp, _ := h.get(t, chooser.Path+"?flow="+id)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?flow="+id {
		t.Fatalf("got %d to %q, want the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
	}
	h.browser.signIn(&h.ann)
	if err := h.store.CreateFlow(t.Context(), storage.Flow{ID: "old", ClientID: "chat", CreatedAt: t0.Add(-time.Hour), ExpiresAt: t0}); err != nil {
		t.Fatal(err)
	}
	for _, flow := range []string{"", "nope", "old", "a\x00b", "\xff"} {
		resp, _ := h.get(t, chooser.Path+"?"+url.Values{"flow": {flow}}.Encode())
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("flow %q: status %d, want 400", flow, resp.StatusCode)
		}
		resp, _ = h.post(t, url.Values{"flow": {flow}, "workspace": {"w-acme"}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("posted flow %q: status %d, want 400", flow, resp.StatusCode)
		}
	}
}
