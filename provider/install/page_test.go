package install_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
)

// browser is the signed-in user (none when user is empty), behind the
// real CSRF check.
type browser struct {
	m    *session.Manager
	user string
}

func (b *browser) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	if b.user == "" {
		return session.Signed{}, false, nil
	}
	return session.Signed{User: storage.User{ID: b.user, Email: b.user + "@example.com"}}, true, nil
}

func (b *browser) Protect(h http.Handler) http.Handler { return b.m.Protect(h) }

type pageHarness struct {
	fixture
	mux     *http.ServeMux
	browser *browser
}

func newPageHarness(t *testing.T, policy string) *pageHarness {
	t.Helper()
	m, err := session.New(session.Config{Issuer: "https://auth.example.com", OnForgery: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden)
	})})
	if err != nil {
		t.Fatal(err)
	}
	h := &pageHarness{fixture: newFixture(t, policy), mux: http.NewServeMux(), browser: &browser{m: m}}
	install.NewPage(install.PageConfig{Service: h.svc, Sessions: h.browser, Pages: webtest.Pages(t)}).Mount(h.mux)
	return h
}

const botPage = "/workspaces/acme/apps/bot/install"

func (h *pageHarness) serve(t *testing.T, req *http.Request, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return webtest.Serve(h.mux, req.WithContext(reqctx.With(req.Context(), "req-1", "203.0.113.9", "test")), header...)
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// submit opens the page, expecting button, and posts the scopes ticked.
func (h *pageHarness) submit(t *testing.T, button string, scopes ...string) *httptest.ResponseRecorder {
	t.Helper()
	page := h.serve(t, webtest.Get(t, botPage))
	webtest.WantPage(t, page, http.StatusOK, button)
	m := csrfInput.FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no CSRF token:\n%s", page.Body)
	}
	req := webtest.Post(t, botPage, url.Values{session.CSRFField: {html.UnescapeString(m[1])}, "scope": scopes})
	for _, c := range page.Result().Cookies() {
		req.AddCookie(c)
	}
	return h.serve(t, req, "Origin", "https://auth.example.com")
}

func TestInstallPageAdminInstallsWithTheScopesTicked(t *testing.T) {
	t.Parallel()
	h := newPageHarness(t, storage.InstallsAdmins)
	h.browser.user = "admin"
	page := h.serve(t, webtest.Get(t, botPage))
	webtest.WantPage(t, page, http.StatusOK, "Install Bot in Acme", "im:messages.read", "im:messages.send", `<label for="scope-0">`, ">Install<")
	if regexp.MustCompile(`value="openid"`).MatchString(page.Body.String()) {
		t.Error("the page offers a sign-in scope")
	}
	post := h.submit(t, ">Install<", "im:messages.read")
	if post.Code != http.StatusSeeOther || post.Header().Get("Location") != botPage {
		t.Fatalf("post: %d to %q", post.Code, post.Header().Get("Location"))
	}
	in, err := h.store.GetWorkspaceInstallation(t.Context(), "w1", "bot")
	if err != nil || in.Status != storage.InstallActive || !slices.Equal(in.Scopes, []string{"im:messages.read"}) {
		t.Fatalf("installation %+v, %v", in, err)
	}
	webtest.WantPage(t, h.serve(t, webtest.Get(t, botPage)), http.StatusOK, "The app is installed in this workspace.")
}

func TestInstallPageMemberRequestsAndSeesTheDenial(t *testing.T) {
	t.Parallel()
	h := newPageHarness(t, storage.InstallsAdmins)
	h.browser.user = "member"
	if post := h.submit(t, "Ask an admin to install", "im:messages.read", "im:messages.send"); post.Code != http.StatusSeeOther {
		t.Fatalf("post: %d %s", post.Code, post.Body)
	}
	webtest.WantPage(t, h.serve(t, webtest.Get(t, botPage)), http.StatusOK, "Your request waits for an admin")
	in, err := h.store.GetWorkspaceInstallation(t.Context(), "w1", "bot")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Deny(t.Context(), adminActor, "w1", in.ID, "Use the <b>other</b> bot"); err != nil {
		t.Fatal(err)
	}
	webtest.WantPage(t, h.serve(t, webtest.Get(t, botPage)), http.StatusOK, "An admin denied the installation.", "Use the &lt;b&gt;other&lt;/b&gt; bot")
}

func TestInstallPageRefusals(t *testing.T) {
	t.Parallel()
	h := newPageHarness(t, storage.InstallsMembers)

	// Not signed in: to sign in and back.
	got := h.serve(t, webtest.Get(t, botPage))
	if got.Code != http.StatusSeeOther || got.Header().Get("Location") != "/login?next="+url.QueryEscape(botPage) {
		t.Fatalf("not signed in: %d %q", got.Code, got.Header().Get("Location"))
	}
	// A non-member sees nothing of the workspace's apps.
	h.browser.user = "outsider"
	webtest.WantPage(t, h.serve(t, webtest.Get(t, botPage)), http.StatusForbidden, "Only members of the workspace")
	// Unknown workspace or app, strange bytes.
	h.browser.user = "member"
	for _, p := range []string{"/workspaces/nope/apps/bot/install", "/workspaces/acme/apps/nope/install", "/workspaces/%00/apps/bot/install", "/workspaces/acme/apps/%ff/install"} {
		webtest.WantPage(t, h.serve(t, webtest.Get(t, p)), http.StatusNotFound, "There is no such workspace or app.")
	}
	// A forged post installs nothing.
	forged := h.serve(t, webtest.Post(t, botPage, url.Values{session.CSRFField: {"bm90IG91ciB0b2tlbg=="}, "scope": {"im:messages.read"}}), "Origin", "https://evil.example")
	if forged.Code != http.StatusForbidden {
		t.Fatalf("a forged post: %d", forged.Code)
	}
	// Nothing ticked, or a scope the app does not ask for: the form again.
	webtest.WantPage(t, h.submit(t, ">Install<"), http.StatusBadRequest, "Choose at least one permission.")
	webtest.WantPage(t, h.submit(t, ">Install<", "im:admin"), http.StatusBadRequest, "The app does not ask for that permission.")
	webtest.WantPage(t, h.submit(t, ">Install<", "openid"), http.StatusBadRequest, "The app does not ask for that permission.")
	if _, err := h.store.GetWorkspaceInstallation(t.Context(), "w1", "bot"); err == nil {
		t.Fatal("a refused post installed the app")
	}
}
