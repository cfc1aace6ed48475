package workspace_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// browser is the signed-in user (none when user is empty), behind the
// real CSRF check.
type browser struct {
	m    *session.Manager
	user storage.User
}

func (b *browser) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	if b.user.ID == "" {
		return session.Signed{}, false, nil
	}
	return session.Signed{User: b.user}, true, nil
}

func (b *browser) Protect(h http.Handler) http.Handler { return b.m.Protect(h) }

type pageHarness struct {
	*fixture
	mux     *http.ServeMux
	browser *browser
}

func newPageHarness(t testing.TB) *pageHarness {
	t.Helper()
	f := newFixture(t, memory.New())
	m, err := session.New(session.Config{Issuer: "https://auth.example.com", OnForgery: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	})})
	if err != nil {
		t.Fatal(err)
	}
	h := &pageHarness{fixture: f, mux: http.NewServeMux(), browser: &browser{m: m}}
	ips := throttle.New(f.store.(*memory.Store), throttle.Policy{Free: 4, Base: time.Minute, Max: time.Hour, ForgetAfter: time.Hour}, f.clock.now)
	workspace.NewPage(workspace.PageConfig{Service: f.svc, Sessions: h.browser, Pages: webtest.Pages(t), IPs: ips}).Mount(h.mux)
	return h
}

func (h *pageHarness) serve(t *testing.T, req *http.Request, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return webtest.Serve(h.mux, req.WithContext(reqctx.With(req.Context(), "req-1", "203.0.113.9", "test")), header...)
}

// invite returns the path of a new invitation to acme as admin.
func (h *pageHarness) invite(t *testing.T) (storage.Workspace, string) {
	t.Helper()
	w := h.create(t)
	sent, err := h.svc.Invite(t.Context(), admin, w.ID, "bob@example.com", "admin", mail.English, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w, strings.TrimPrefix(sent.Link, "https://auth.example.com")
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// join opens the page and presses its button.
func (h *pageHarness) join(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	page := h.serve(t, webtest.Get(t, path))
	webtest.WantPage(t, page, http.StatusOK, "Join the workspace")
	m := csrfInput.FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no CSRF token:\n%s", page.Body)
	}
	req := webtest.Post(t, path, url.Values{session.CSRFField: {html.UnescapeString(m[1])}})
	for _, c := range page.Result().Cookies() {
		req.AddCookie(c)
	}
	return h.serve(t, req, "Origin", "https://auth.example.com")
}

func TestInvitationPageShowsTheInvitationAndJoins(t *testing.T) {
	t.Parallel()
	h := newPageHarness(t)
	w, path := h.invite(t)

	// Not signed in: the page offers to sign in and come back; opening
	// it changes nothing.
	page := h.serve(t, webtest.Get(t, path))
	webtest.WantPage(t, page, http.StatusOK, "Join Acme Inc.", "as admin", "bob@example.com", `href="/login?next=%2finvitations%2f`+strings.TrimPrefix(path, "/invitations/")+`"`, "Sign in to join")
	if page.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Fatal("the page's address holds the token: want Referrer-Policy no-referrer")
	}

	// Signed in as cat (another address than the invited one): a forged
	// post joins nothing; the page's own button joins.
	h.browser.user = storage.User{ID: "cat", Email: "cat@example.com"}
	forged := h.serve(t, webtest.Post(t, path, url.Values{session.CSRFField: {"bm90IG91ciB0b2tlbg=="}}), "Origin", "https://evil.example")
	if forged.Code != http.StatusForbidden {
		t.Fatalf("a forged post: %d", forged.Code)
	}
	if _, err := h.store.GetMember(t.Context(), w.ID, "cat"); err == nil {
		t.Fatal("a forged post made cat a member")
	}
	webtest.WantPage(t, h.join(t, path), http.StatusOK, "You joined the workspace.")
	if m, err := h.store.GetMember(t.Context(), w.ID, "cat"); err != nil || m.Role != "admin" {
		t.Fatalf("cat's membership: %+v, %v", m, err)
	}
	// The link is used: a dead link's page.
	webtest.WantPage(t, h.serve(t, webtest.Get(t, path)), http.StatusNotFound, "This invitation has expired, was already used or was withdrawn.")
}

func TestInvitationPageSignInComesBack(t *testing.T) {
	t.Parallel()
	h := newPageHarness(t)
	w, path := h.invite(t)
	// The browser got the page's form signed in, then signed out: its
	// post goes to sign in, and back to the page.
	h.browser.user = storage.User{ID: "cat", Email: "cat@example.com"}
	page := h.serve(t, webtest.Get(t, path))
	m := csrfInput.FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no CSRF token:\n%s", page.Body)
	}
	h.browser.user = storage.User{}
	req := webtest.Post(t, path, url.Values{session.CSRFField: {html.UnescapeString(m[1])}})
	for _, c := range page.Result().Cookies() {
		req.AddCookie(c)
	}
	post := h.serve(t, req, "Origin", "https://auth.example.com")
	if post.Code != http.StatusSeeOther || post.Header().Get("Location") != "/login?next="+url.QueryEscape(path) {
		t.Fatalf("a post not signed in: %d to %q, want 303 to sign in and back", post.Code, post.Header().Get("Location"))
	}
	if _, err := h.store.GetMember(t.Context(), w.ID, "cat"); err == nil {
		t.Fatal("a post not signed in made a member")
	}
}

func TestInvitationPageDeadLinksAndThrottle(t *testing.T) {
	t.Parallel()
	h := newPageHarness(t)
	_, path := h.invite(t)
	for _, dead := range []string{"/invitations/nope", "/invitations/%00", "/invitations/%ff%fe", "/invitations/" + strings.Repeat("a", 2000)} {
		webtest.WantPage(t, h.serve(t, webtest.Get(t, dead)), http.StatusNotFound, "This invitation has expired")
	}
	// Past the free failures the address waits, whatever the token: a
	// good one too.
	w := h.serve(t, webtest.Get(t, path))
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("after 4 dead tokens: %d %q, want 429 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
	webtest.WantPage(t, w, http.StatusTooManyRequests, "Too many invitation links were tried")
	// An hour later it works again.
	h.clock.set(t0.Add(2 * time.Hour))
	webtest.WantPage(t, h.serve(t, webtest.Get(t, path)), http.StatusOK, "Join Acme Inc.")
}

func TestInvitationPageAlreadyMember(t *testing.T) {
	t.Parallel()
	h := newPageHarness(t)
	w, path := h.invite(t)
	h.browser.user = storage.User{ID: "ann", Email: "ann@example.com"}
	webtest.WantPage(t, h.join(t, path), http.StatusConflict, "You are a member of this workspace already.")
	if list, _ := h.store.ListInvitations(t.Context(), w.ID); len(list) != 1 {
		t.Fatalf("the invitation after a member's attempt: %+v", list)
	}
}
