package login

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
)

// signInBrowser signs u in in the harness's browser, with a password.
func (h *harness) signInBrowser(u storage.User) {
	h.browser.mu.Lock()
	defer h.browser.mu.Unlock()
	h.browser.current = storage.LoginSession{ID: "s-" + u.ID, UserID: u.ID, AMR: []string{"pwd"}, ACR: "1", AuthTime: t0}
}

// startLink starts linking the connector to u from the account page, as
// account's handler does, and returns the redirect and state cookie.
func (h *upstreamHarness) startLink(t *testing.T, u storage.User) (*httptest.ResponseRecorder, *http.Cookie) {
	t.Helper()
	w := httptest.NewRecorder()
	h.handler.StartLink(w, webtest.Post(t, "/account/links/corp", url.Values{}), "corp", u)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("start link: status %d:\n%s", w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == "__Host-tokenim_upstream" && c.MaxAge > 0 {
			return w, c
		}
	}
	t.Fatal("start link set no state cookie")
	return nil, nil
}

func TestUpstreamLinkFromTheAccountPage(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	ann := h.addUser(t, "ann@tokenim.example", annPassword)
	h.signInBrowser(ann)
	if got := h.handler.Linkable(t.Context()); len(got) != 1 || got[0].ID != "corp" || got[0].Name != "Corp SSO" {
		t.Fatalf("linkable %+v: want Corp SSO", got)
	}
	w, c := h.startLink(t, ann)
	wantRedirect(t, h.callback(t, atUpstream(t, w.Header().Get("Location")), c), "/account?linked=corp")
	link, err := h.store.GetLinkedIdentity(t.Context(), "corp", corpUser.Subject)
	if err != nil || link.UserID != ann.ID || link.Email != corpUser.Email {
		t.Fatalf("link %+v (%v): want Bo's upstream identity linked to Ann's account, whatever its email", link, err)
	}
	if got := h.records(t); !slices.Equal(got, []string{"upstream.linked success"}) {
		t.Fatalf("records %q", got)
	}
	if got := h.steps.take(); !slices.Equal(got, []string{"corp redirected", "corp linked"}) {
		t.Fatalf("observed %q", got)
	}
	// Linking it again says so.
	w, c = h.startLink(t, ann)
	wantPage(t, h.callback(t, atUpstream(t, w.Header().Get("Location")), c), http.StatusConflict, "linked to your account already")
}

func TestUpstreamLinkRefusedWhenTheBrowserIsNoLongerThatAccount(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	ann := h.addUser(t, "ann@tokenim.example", annPassword)
	eve := h.addUser(t, "eve@tokenim.example", annPassword)
	// Ann starts a link; the browser is Eve's when the answer comes back.
	h.signInBrowser(ann)
	w, c := h.startLink(t, ann)
	h.signInBrowser(eve)
	wantPage(t, h.callback(t, atUpstream(t, w.Header().Get("Location")), c), http.StatusForbidden, "no longer signed in as the account that asked")
	if _, err := h.store.GetLinkedIdentity(t.Context(), "corp", corpUser.Subject); err == nil {
		t.Fatal("linked")
	}
	if got := h.records(t); !slices.Equal(got, []string{"upstream.linked failure session_changed"}) {
		t.Fatalf("records %q", got)
	}
}

func TestUpstreamLinkRefusedForAnIdentityOfAnotherAccount(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	bo := h.addUser(t, "bo@tokenim.example", annPassword)
	h.link(t, bo)
	eve := h.addUser(t, "eve@tokenim.example", annPassword)
	h.signInBrowser(eve)
	w, c := h.startLink(t, eve)
	wantPage(t, h.callback(t, atUpstream(t, w.Header().Get("Location")), c), http.StatusConflict, "linked to another account")
	if link, _ := h.store.GetLinkedIdentity(t.Context(), "corp", corpUser.Subject); link.UserID != bo.ID {
		t.Fatalf("link %+v: want it left Bo's", link)
	}
}

func TestUpstreamFormPostCallbackIsPostedAgainFromThisSite(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser, func(u *Upstream) { u.FormPost = true })
	bo := h.addUser(t, "bo@tokenim.example", annPassword)
	h.link(t, bo)
	w, c := h.start(t, url.Values{"next": {"/account"}})
	back, err := url.Parse(atUpstream(t, w.Header().Get("Location")))
	if err != nil {
		t.Fatal(err)
	}
	// The upstream's page posts cross-site: no cookie comes with it.
	first := h.post(t, back.Path, back.Query())
	wantPage(t, first, http.StatusOK, `<form method="post" action="`+testIssuer+back.Path+`">`, `name="tokenim_resent" value="1"`, `name="state" value="`+back.Query().Get("state")+`"`)
	if csp := first.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action "+testIssuer) {
		t.Fatalf("CSP %q: want the form's action limited to the provider", csp)
	}
	if h.whoIsSignedIn(t) != "" {
		t.Fatal("signed in by the cross-site post")
	}
	// Our page posts it again, same-site: the cookie comes along.
	again := back.Query()
	again.Set("tokenim_resent", "1")
	req := webtest.Post(t, back.Path, again)
	req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	wantRedirect(t, h.serve(t, req), "/account")
	if h.whoIsSignedIn(t) != "bo@tokenim.example" {
		t.Fatal("not signed in")
	}
	// Posted again without the cookie (another browser): refused, not a
	// loop.
	wantPage(t, h.post(t, back.Path, again), http.StatusBadRequest, "This sign-in could not be finished")
	// A post past what an IdP's Response can be: refused unread.
	wantPage(t, h.post(t, back.Path, url.Values{"SAMLResponse": {strings.Repeat("x", 400<<10)}}), http.StatusRequestEntityTooLarge)
}

func TestHomeRealmDiscoverySendsAWorkEmailToItsConnector(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser, func(u *Upstream) { u.Domains = []string{"corp.example"} })
	flow := h.addFlow(t)
	wantPage(t, h.get(t, "/login?flow="+flow), http.StatusOK, `name="sso" value="1" formnovalidate`, "Use single sign-on")
	wantPage(t, h.get(t, "/login?flow="+flow, "Accept-Language", "zh-CN"), http.StatusOK, "使用单点登录")
	w := h.post(t, "/login", url.Values{"flow": {flow}, "email": {"Bo@Corp.Example"}, "sso": {"1"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), h.op.Issuer) {
		t.Fatalf("sso: status %d to %q, want the OP", w.Code, w.Header().Get("Location"))
	}
	auth, _ := url.Parse(w.Header().Get("Location"))
	if auth.Query().Get("login_hint") != "Bo@Corp.Example" {
		t.Fatalf("login_hint %q: want the email typed", auth.Query().Get("login_hint"))
	}
	wantPage(t, h.post(t, "/login", url.Values{"flow": {flow}, "email": {"ann@elsewhere.example"}, "sso": {"1"}}), http.StatusBadRequest, "No single sign-on is set up for elsewhere.example")
	wantPage(t, h.post(t, "/login", url.Values{"flow": {flow}, "sso": {"1"}}), http.StatusBadRequest, "Enter your work email address")
	// Not the only way in: a password for the domain is checked as usual.
	h.addUser(t, "cy@corp.example", annPassword)
	wantRedirect(t, h.post(t, "/login", url.Values{"flow": {flow}, "email": {"cy@corp.example"}, "password": {annPassword}}), "/oauth2/auth?flow="+flow)
}

func TestOnlyWayConnectorNeverLooksAtAPassword(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser, func(u *Upstream) { u.Domains, u.OnlyWay = []string{"corp.example"}, true })
	h.addUser(t, "cy@corp.example", annPassword)
	flow := h.addFlow(t)
	for _, pw := range []string{annPassword, "wrong"} {
		w := h.post(t, "/login", url.Values{"flow": {flow}, "email": {"cy@corp.example"}, "password": {pw}})
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), h.op.Issuer) {
			t.Fatalf("password %q: status %d to %q, want the OP", pw, w.Code, w.Header().Get("Location"))
		}
	}
	if h.whoIsSignedIn(t) != "" || h.hasher.verifies.Load() != 0 {
		t.Fatalf("signed in, or %d passwords checked: the domain's passwords are never looked at", h.hasher.verifies.Load())
	}
}

func TestRoleMappingDecidesTheRoleAtEverySignIn(t *testing.T) {
	t.Parallel()
	admins := corpUser
	admins.Groups = []string{"staff", "im-admins"}
	mapping := func(u *Upstream) {
		u.JIT, u.DefaultRole = true, "guest"
		u.RoleMapping = []storage.RoleMapping{{Claim: "groups", Value: "im-admins", Role: "admin"}, {Claim: "groups", Value: "staff", Role: "user"}}
	}
	h := newUpstreamHarness(t, admins, mapping)
	wantRedirect(t, h.signIn(t, url.Values{"next": {"/account"}}), "/account")
	bo, err := h.store.GetUserByEmail(t.Context(), corpUser.Email)
	if err != nil || bo.Role != "admin" {
		t.Fatalf("account %+v (%v): want the role of the first mapping matched", bo, err)
	}
	// Signed in again with a role set by hand: the mapping decides.
	if _, err := h.store.UpdateUser(t.Context(), bo.ID, func(u storage.User) (storage.User, error) { u.Role = "guest"; return u, nil }); err != nil {
		t.Fatal(err)
	}
	h.browser.End(t.Context(), nil, nil)
	wantRedirect(t, h.signIn(t, url.Values{"next": {"/account"}}), "/account")
	if bo, _ = h.store.GetUser(t.Context(), bo.ID); bo.Role != "admin" {
		t.Fatalf("role %q after the second sign-in, want admin", bo.Role)
	}

	// Out of every mapped group: the default role.
	none := corpUser
	none.Groups = []string{"contractors"}
	h2 := newUpstreamHarness(t, none, mapping)
	wantRedirect(t, h2.signIn(t, url.Values{"next": {"/account"}}), "/account")
	if u, _ := h2.store.GetUserByEmail(t.Context(), corpUser.Email); u.Role != "guest" {
		t.Fatalf("role %q, want the default guest", u.Role)
	}
}

// TestRoleMappingRevokesTokensBeyondTheNewRole: a user the upstream's
// groups now map to a smaller role loses the tokens that role does not
// allow, as with any role change, and keeps the others.
func TestRoleMappingRevokesTokensBeyondTheNewRole(t *testing.T) {
	t.Parallel()
	staff := corpUser
	staff.Groups = []string{"staff"}
	h := newUpstreamHarness(t, staff, func(u *Upstream) {
		u.DefaultRole = "guest"
		u.RoleMapping = []storage.RoleMapping{{Claim: "groups", Value: "im-admins", Role: "admin"}}
	})
	h.handler.cfg.RoleScopes = map[string][]string{"guest": {"openid", "im:messages.read"}, "admin": {"openid", "im:messages.read", "im:admin"}}
	bo := h.addUser(t, "bo@tokenim.example", annPassword, func(u *storage.User) { u.Role = "admin" })
	h.link(t, bo)
	h.addFlow(t) // the app Chat, which the tokens are of
	for sig, scopes := range map[string][]string{"kept": {"openid", "im:messages.read"}, "beyond": {"openid", "im:admin"}} {
		if err := h.store.CreateToken(t.Context(), storage.Token{Kind: storage.KindAccessToken, Signature: sig, RequestID: sig, ClientID: "chat",
			Subject: bo.ID, Scopes: scopes, Active: true, RequestedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	wantRedirect(t, h.signIn(t, url.Values{"next": {"/account"}}), "/account")
	if u, _ := h.store.GetUser(t.Context(), bo.ID); u.Role != "guest" {
		t.Fatalf("role %q, want guest: out of the admins' group", u.Role)
	}
	for sig, active := range map[string]bool{"kept": true, "beyond": false} {
		if tok, err := h.store.GetToken(t.Context(), storage.KindAccessToken, sig); err != nil || tok.Active != active {
			t.Fatalf("token %s: active %v (%v), want %v", sig, tok.Active, err, active)
		}
	}
}

func TestUpstreamRoleReadsClaims(t *testing.T) {
	t.Parallel()
	u := Upstream{DefaultRole: "guest", RoleMapping: []storage.RoleMapping{{Claim: "department", Value: "ops", Role: "admin"}}}
	for _, c := range []struct {
		id   upstream.Identity
		want string
	}{
		{upstream.Identity{Claims: map[string][]string{"department": {"ops"}}}, "admin"},
		{upstream.Identity{Claims: map[string][]string{"department": {"sales"}}}, "guest"},
		{upstream.Identity{Groups: []string{"ops"}}, "guest"},
	} {
		if got, ok := upstreamRole(u, c.id); !ok || got != c.want {
			t.Fatalf("role of %+v: %q (%v), want %q", c.id, got, ok, c.want)
		}
	}
	if _, ok := upstreamRole(Upstream{DefaultRole: "guest"}, upstream.Identity{}); ok {
		t.Fatal("a connector without a mapping decided a role")
	}
}

// directory is a directory connector with one account.
type directory struct {
	mu    sync.Mutex
	calls int
	down  bool
}

func (d *directory) Login(_ context.Context, username, password string) (upstream.Identity, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	switch {
	case d.down:
		return upstream.Identity{}, fmt.Errorf("%w: dial", upstream.ErrUnavailable)
	case username != "dee" || password != "directory-pw":
		return upstream.Identity{}, fmt.Errorf("%w: wrong user name or password", upstream.ErrRefused)
	}
	return upstream.Identity{Connector: "dir", Subject: "uuid-dee", Email: "dee@corp.example", EmailVerified: true, Name: "Dee", Username: "dee"}, nil
}

func newDirectoryHarness(t *testing.T, d *directory, change ...func(*Upstream)) *harness {
	t.Helper()
	u := Upstream{ID: "dir", Name: "Corp Directory", NameZH: "公司目录", JIT: true, Domains: []string{"corp.example"}, Directory: d}
	for _, f := range change {
		f(&u)
	}
	return newHarness(t, func(cfg *Config) {
		sealer := newUpstreamStateSealer(t)
		cfg.Upstreams, cfg.UpstreamSealer = UpstreamList{u}, sealer
	})
}

func TestDirectorySignIn(t *testing.T) {
	t.Parallel()
	d := &directory{}
	h := newDirectoryHarness(t, d)
	flow := h.addFlow(t)
	// The sign-in page's button, and a routed email, lead to the
	// directory's own page.
	wantRedirect(t, h.post(t, "/login/upstream/dir", url.Values{"flow": {flow}}), directoryPath+"dir?flow="+flow)
	wantRedirect(t, h.post(t, "/login", url.Values{"flow": {flow}, "email": {"dee@corp.example"}, "sso": {"1"}}), directoryPath+"dir?flow="+flow+"&username=dee%40corp.example")
	wantPage(t, h.get(t, directoryPath+"dir?flow="+flow+"&username=dee"), http.StatusOK, "Sign in with Corp Directory", `name="username" value="dee"`, `action="/login/directory/dir"`)
	wantPage(t, h.get(t, directoryPath+"dir?flow="+flow, "Accept-Language", "zh-CN"), http.StatusOK, "使用 公司目录 登录")
	wantPage(t, h.post(t, directoryPath+"dir", url.Values{"flow": {flow}, "username": {"dee"}, "password": {"nope"}}), http.StatusUnauthorized, "Wrong user name or password")
	wantPage(t, h.post(t, directoryPath+"dir", url.Values{"flow": {flow}, "username": {"dee"}}), http.StatusBadRequest, "Enter your user name and password")
	wantRedirect(t, h.post(t, directoryPath+"dir", url.Values{"flow": {flow}, "username": {"dee"}, "password": {"directory-pw"}}), "/oauth2/auth?flow="+flow)
	if h.whoIsSignedIn(t) != "dee@corp.example" {
		t.Fatal("the directory's account is not signed in")
	}
	if link, err := h.store.GetLinkedIdentity(t.Context(), "dir", "uuid-dee"); err != nil || link.Email != "dee@corp.example" {
		t.Fatalf("link %+v (%v)", link, err)
	}
	wantPage(t, h.get(t, directoryPath+"nobody"), http.StatusNotFound)
}

func TestDirectorySignInIsThrottledAndSaysWhenDown(t *testing.T) {
	t.Parallel()
	d := &directory{}
	h := newDirectoryHarness(t, d)
	for range 3 {
		wantPage(t, h.post(t, directoryPath+"dir", url.Values{"username": {"dee"}, "password": {"guess"}}), http.StatusUnauthorized)
	}
	calls := d.calls
	// Now the user name must wait: even the right password is not tried.
	wantPage(t, h.post(t, directoryPath+"dir", url.Values{"username": {"dee"}, "password": {"directory-pw"}}), http.StatusTooManyRequests)
	if d.calls != calls {
		t.Fatal("the directory was asked during the wait")
	}
	d.down = true
	wantPage(t, h.post(t, directoryPath+"dir", url.Values{"username": {"cy"}, "password": {"x"}}), http.StatusServiceUnavailable, "Corp Directory could not be reached")
}

func TestDirectoryLinkFromTheAccountPage(t *testing.T) {
	t.Parallel()
	d := &directory{}
	h := newDirectoryHarness(t, d)
	ann := h.addUser(t, "ann@tokenim.example", annPassword)
	h.signInBrowser(ann)
	w := httptest.NewRecorder()
	h.handler.StartLink(w, webtest.Post(t, "/account/links/dir", url.Values{}), "dir", ann)
	wantRedirect(t, w, directoryPath+"dir?link=1")
	wantPage(t, h.get(t, directoryPath+"dir?link=1"), http.StatusOK, "Link your Corp Directory account", `name="link" value="1"`)
	wantRedirect(t, h.post(t, directoryPath+"dir", url.Values{"link": {"1"}, "username": {"dee"}, "password": {"directory-pw"}}), "/account?linked=dir")
	if link, err := h.store.GetLinkedIdentity(t.Context(), "dir", "uuid-dee"); err != nil || link.UserID != ann.ID {
		t.Fatalf("link %+v (%v): want the directory account linked to Ann's", link, err)
	}
	if h.whoIsSignedIn(t) != "ann@tokenim.example" {
		t.Fatal("linking changed who is signed in")
	}
}
