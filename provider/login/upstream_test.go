package login

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc/oidctest"
	"github.com/tokenim/tokenim-auth/storage"
)

const corpCallback = testIssuer + UpstreamCallbackPath + "corp"

// corpUser is who the upstream OP signs in.
var corpUser = oidctest.User{Subject: "corp-42", Email: "bo@corp.example", EmailVerified: true, Name: "Bo"}

// upstreamHarness is the sign-in handler with one OpenID Connect
// connector, "corp" (Corp SSO), in front of a real OP on loopback.
type upstreamHarness struct {
	*harness
	op    *oidctest.OP
	steps *steps
}

// steps keeps what the upstream observer is told.
type steps struct {
	mu  sync.Mutex
	got []string
}

func (s *steps) UpstreamRequest(connector, result string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, connector+" "+result)
}

func (s *steps) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.got
	s.got = nil
	return out
}

func newUpstreamHarness(t *testing.T, user oidctest.User, change ...func(*Upstream)) *upstreamHarness {
	t.Helper()
	op := oidctest.Start(t, oidctest.Options{ClientID: "tokenim", ClientSecret: "s3cret", RedirectURI: corpCallback, User: user, AMR: []string{"pwd"}})
	c, err := oidc.New(oidc.Config{ID: "corp", Issuer: op.Issuer, ClientID: "tokenim", ClientSecret: "s3cret", RedirectURL: corpCallback,
		HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	sealer := newUpstreamStateSealer(t)
	u := Upstream{ID: "corp", Name: "Corp SSO", NameZH: "公司单点登录", Connector: c}
	for _, f := range change {
		f(&u)
	}
	st := &steps{}
	h := newHarness(t, func(cfg *Config) {
		cfg.Upstreams, cfg.UpstreamSealer, cfg.UpstreamObserver = UpstreamList{u}, sealer, st
	})
	return &upstreamHarness{harness: h, op: op, steps: st}
}

// newUpstreamStateSealer is a sealer for upstream sign-in states.
func newUpstreamStateSealer(t *testing.T) secret.Sealer {
	t.Helper()
	ring, err := secret.NewKeyring(strings.Repeat("u", 32))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := ring.Sealer(secret.PurposeUpstreamState)
	if err != nil {
		t.Fatal(err)
	}
	return sealer
}

// start posts the sign-in page's Corp SSO button and returns the
// answer (a redirect to the OP) and the state cookie it set.
func (h *upstreamHarness) start(t *testing.T, form url.Values) (*httptest.ResponseRecorder, *http.Cookie) {
	t.Helper()
	w := h.post(t, "/login/upstream/corp", form)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("start: status %d:\n%s", w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == "__Host-tokenim_upstream" && c.MaxAge > 0 {
			if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
				t.Fatalf("state cookie %+v: want HttpOnly, Secure, SameSite=Lax, Path=/", c)
			}
			return w, c
		}
	}
	t.Fatalf("start set no state cookie: %v", w.Result().Cookies())
	return nil, nil
}

// atUpstream follows the OP's (auto-approving) sign-in and returns the
// callback's path and query, where the OP sends the browser back.
func atUpstream(t *testing.T, authURL string) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &http.Client{Jar: jar, Timeout: 5 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), testIssuer) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := b.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, corpCallback+"?") {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("the OP answered %d to %q: %s", resp.StatusCode, loc, body)
	}
	return strings.TrimPrefix(loc, testIssuer)
}

// callback serves the callback with the state cookie, if any.
func (h *upstreamHarness) callback(t *testing.T, path string, cookie *http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
	if cookie != nil {
		req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	}
	return h.serve(t, req)
}

// signIn runs a whole upstream sign-in for form's target.
func (h *upstreamHarness) signIn(t *testing.T, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	w, c := h.start(t, form)
	return h.callback(t, atUpstream(t, w.Header().Get("Location")), c)
}

func (h *upstreamHarness) link(t *testing.T, user storage.User) {
	t.Helper()
	if err := h.store.LinkIdentity(t.Context(), storage.LinkedIdentity{ConnectorID: "corp", Subject: corpUser.Subject, UserID: user.ID, Email: user.Email, CreatedAt: t0, LastUsedAt: t0}); err != nil {
		t.Fatal(err)
	}
}

// records returns the actions recorded, with their outcome and reason.
func (h *upstreamHarness) records(t *testing.T) []string {
	t.Helper()
	recs, err := h.store.ListAudit(t.Context(), storage.AuditFilter{}, storage.AuditCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, strings.TrimSuffix(r.Action+" "+r.Outcome+" "+r.Reason, " "))
	}
	slices.Sort(out)
	return out
}

func TestUpstreamSignInButtonOnTheSignInPage(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	flow := h.addFlow(t)
	wantPage(t, h.get(t, "/login?flow="+flow), http.StatusOK,
		`<form method="post" action="/login/upstream/corp">`, `name="flow" value="`+flow+`"`, "Sign in with Corp SSO")
	wantPage(t, h.get(t, "/login?flow="+flow, "Accept-Language", "zh-CN"), http.StatusOK, "使用 公司单点登录 登录")
}

func TestUpstreamSignInOfALinkedIdentity(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	bo := h.addUser(t, "bo@tokenim.example", annPassword)
	h.link(t, bo)
	flow := h.addFlow(t, "login_hint", "bo@corp.example")
	w, c := h.start(t, url.Values{"flow": {flow}})
	auth, err := url.Parse(w.Header().Get("Location"))
	if err != nil || !strings.HasPrefix(auth.String(), h.op.Issuer) {
		t.Fatalf("sent to %q, want the OP", auth)
	}
	q := auth.Query()
	if q.Get("login_hint") != "bo@corp.example" || q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("authorization request %v: want the flow's login_hint, S256 PKCE, a nonce and a state", q)
	}
	wantRedirect(t, h.callback(t, atUpstream(t, auth.String()), c), "/oauth2/auth?flow="+flow)
	s, ok, _ := h.browser.Current(t.Context(), nil)
	if !ok || s.User.ID != bo.ID || !slices.Equal(s.Session.AMR, []string{"fed"}) || s.Session.ACR != "1" {
		t.Fatalf("signed in %+v (ok %v), want Bo with amr [fed], acr 1", s, ok)
	}
	if s.Session.Upstream != "corp" || s.Session.UpstreamSubject != corpUser.Subject {
		t.Fatalf("session %+v: want it to remember Corp SSO's subject", s.Session)
	}
	f, err := h.store.GetFlow(t.Context(), flow)
	if err != nil || f.UserID != bo.ID || !slices.Equal(f.AMR, []string{"fed"}) {
		t.Fatalf("flow %+v: want Bo's sign-in with amr fed", f)
	}
	links, err := h.store.ListUserIdentities(t.Context(), bo.ID)
	if err != nil || len(links) != 1 || !links[0].LastUsedAt.Equal(t0) {
		t.Fatalf("links %+v: want the link marked used now", links)
	}
	if got := h.records(t); !slices.Equal(got, []string{"signin success", "upstream.signin success"}) {
		t.Fatalf("records %q", got)
	}
	if got := h.steps.take(); !slices.Equal(got, []string{"corp redirected", "corp signed_in"}) {
		t.Fatalf("observed %q", got)
	}
}

func TestUpstreamSignInCreatesAnAccountWhenTheConnectorDoes(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser, func(u *Upstream) { u.JIT, u.DefaultRole = true, "guest" })
	wantRedirect(t, h.signIn(t, url.Values{"next": {"/account"}}), "/account")
	bo, err := h.store.GetUserByEmail(t.Context(), corpUser.Email)
	if err != nil || bo.Role != "guest" || bo.Status != storage.UserActive || !bo.EmailVerified || bo.PasswordHash != "" || bo.Name != "Bo" {
		t.Fatalf("account %+v (%v): want an active guest with the verified email, no password", bo, err)
	}
	link, err := h.store.GetLinkedIdentity(t.Context(), "corp", corpUser.Subject)
	if err != nil || link.UserID != bo.ID {
		t.Fatalf("link %+v (%v): want the identity linked to the new account", link, err)
	}
	if h.whoIsSignedIn(t) != corpUser.Email {
		t.Fatal("the new account is not signed in")
	}
	want := []string{"signin success", "upstream.jit_created success", "upstream.linked success", "upstream.signin success"}
	if got := h.records(t); !slices.Equal(got, want) {
		t.Fatalf("records %q, want %q", got, want)
	}
	// The second sign-in finds the link.
	h.browser.End(t.Context(), nil, nil)
	wantRedirect(t, h.signIn(t, url.Values{"next": {"/account"}}), "/account")
	if h.whoIsSignedIn(t) != corpUser.Email {
		t.Fatal("the linked account is not signed in the second time")
	}
}

func TestUpstreamSignInNeverCreatesWithAnUnverifiedEmailOrWithoutJIT(t *testing.T) {
	t.Parallel()
	unverified := corpUser
	unverified.EmailVerified = false
	h := newUpstreamHarness(t, unverified, func(u *Upstream) { u.JIT = true })
	wantPage(t, h.signIn(t, url.Values{}), http.StatusForbidden, "Corp SSO did not confirm your email address")
	closed := newUpstreamHarness(t, corpUser)
	wantPage(t, closed.signIn(t, url.Values{}), http.StatusForbidden, "No account is linked to your Corp SSO identity")
	for _, h := range []*upstreamHarness{h, closed} {
		if _, err := h.store.GetUserByEmail(t.Context(), corpUser.Email); err == nil {
			t.Fatal("an account was created")
		}
		if h.whoIsSignedIn(t) != "" {
			t.Fatal("signed in")
		}
	}
}

func TestUpstreamSignInLinksTheAccountOfAVerifiedEmail(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	bo := h.addUser(t, corpUser.Email, annPassword)
	wantRedirect(t, h.signIn(t, url.Values{"next": {"/account"}}), "/account")
	if h.whoIsSignedIn(t) != corpUser.Email {
		t.Fatal("the account with the verified email is not signed in")
	}
	link, err := h.store.GetLinkedIdentity(t.Context(), "corp", corpUser.Subject)
	if err != nil || link.UserID != bo.ID {
		t.Fatalf("link %+v (%v): want the identity linked to the account with its email", link, err)
	}
	want := []string{"signin success", "upstream.linked success", "upstream.signin success"}
	if got := h.records(t); !slices.Equal(got, want) {
		t.Fatalf("records %q, want %q", got, want)
	}
}

func TestUpstreamSignInNeverLinksAnUnverifiedEmailUnlessTheConnectorSays(t *testing.T) {
	t.Parallel()
	unverified := corpUser
	unverified.EmailVerified = false
	h := newUpstreamHarness(t, unverified, func(u *Upstream) { u.JIT = true })
	h.addUser(t, corpUser.Email, annPassword)
	wantPage(t, h.signIn(t, url.Values{}), http.StatusConflict, "An account with the email address bo@corp.example already exists", "link it from your account page")
	if h.whoIsSignedIn(t) != "" {
		t.Fatal("signed in to the existing account")
	}
	if _, err := h.store.GetLinkedIdentity(t.Context(), "corp", corpUser.Subject); err == nil {
		t.Fatal("the identity was linked")
	}
	if got := h.records(t); !slices.Equal(got, []string{"upstream.signin failure email_taken"}) {
		t.Fatalf("records %q", got)
	}

	trusting := newUpstreamHarness(t, unverified, func(u *Upstream) { u.LinkUnverifiedEmail = true })
	bo := trusting.addUser(t, corpUser.Email, annPassword)
	wantRedirect(t, trusting.signIn(t, url.Values{"next": {"/account"}}), "/account")
	if link, err := trusting.store.GetLinkedIdentity(t.Context(), "corp", corpUser.Subject); err != nil || link.UserID != bo.ID {
		t.Fatalf("link %+v (%v): a connector trusted with unverified emails links them", link, err)
	}
}

func TestUpstreamSignInNeverReplacesAnotherLinkOfTheConnector(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	bo := h.addUser(t, corpUser.Email, annPassword)
	if err := h.store.LinkIdentity(t.Context(), storage.LinkedIdentity{ConnectorID: "corp", Subject: "corp-other", UserID: bo.ID, CreatedAt: t0, LastUsedAt: t0}); err != nil {
		t.Fatal(err)
	}
	wantPage(t, h.signIn(t, url.Values{}), http.StatusConflict, "already exists")
	if h.whoIsSignedIn(t) != "" {
		t.Fatal("signed in")
	}
	if got := h.records(t); !slices.Equal(got, []string{"upstream.signin failure linked_elsewhere"}) {
		t.Fatalf("records %q", got)
	}
}

func TestUpstreamCallbackRefusesAnotherSignInsState(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	bo := h.addUser(t, "bo@tokenim.example", annPassword)
	h.link(t, bo)
	// The attacker's own sign-in, its callback sent to the victim's
	// browser, which started one of its own (login CSRF).
	attacker, _ := h.start(t, url.Values{})
	attackerCallback := atUpstream(t, attacker.Header().Get("Location"))
	_, victimCookie := h.start(t, url.Values{})
	wantPage(t, h.callback(t, attackerCallback, victimCookie), http.StatusBadRequest, "This sign-in could not be finished")
	// Without a cookie at all.
	wantPage(t, h.callback(t, attackerCallback, nil), http.StatusBadRequest, "This sign-in could not be finished")
	// A cookie altered.
	w, c := h.start(t, url.Values{})
	c.Value = c.Value[:len(c.Value)-2] + "AA"
	wantPage(t, h.callback(t, atUpstream(t, w.Header().Get("Location")), c), http.StatusBadRequest, "This sign-in could not be finished")
	// A cookie too old.
	w, c = h.start(t, url.Values{})
	h.advance(11 * time.Minute)
	wantPage(t, h.callback(t, atUpstream(t, w.Header().Get("Location")), c), http.StatusBadRequest, "This sign-in could not be finished")
	if h.whoIsSignedIn(t) != "" {
		t.Fatal("signed in")
	}
	want := []string{"upstream.signin failure state_lost", "upstream.signin failure state_lost", "upstream.signin failure state_lost", "upstream.signin failure state_mismatch"}
	if got := h.records(t); !slices.Equal(got, want) {
		t.Fatalf("records %q, want %q", got, want)
	}
}

func TestUpstreamCallbackRefusesTheCookieOfAnotherConnector(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	bo := h.addUser(t, "bo@tokenim.example", annPassword)
	h.link(t, bo)
	w, c := h.start(t, url.Values{})
	path := atUpstream(t, w.Header().Get("Location"))
	// The same answer brought to another connector's callback (mix-up).
	other := strings.Replace(path, UpstreamCallbackPath+"corp", UpstreamCallbackPath+"other", 1)
	wantPage(t, h.callback(t, other, c), http.StatusBadRequest, "This sign-in could not be finished")
	// And the cookie is spent: the right callback now fails too.
	wantPage(t, h.callback(t, path, &http.Cookie{Name: c.Name, Value: ""}), http.StatusBadRequest, "This sign-in could not be finished")
	if h.whoIsSignedIn(t) != "" {
		t.Fatal("signed in")
	}
}

func TestUpstreamDownIsAPageNamingIt(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	h.op.SetDown(true)
	wantPage(t, h.post(t, "/login/upstream/corp", url.Values{}), http.StatusServiceUnavailable, "Corp SSO could not be reached")
	wantPage(t, h.post(t, "/login/upstream/corp", url.Values{}, "Accept-Language", "zh-CN"), http.StatusServiceUnavailable, "暂时无法连接 公司单点登录")
	wantPage(t, h.post(t, "/login/upstream/nobody", url.Values{}), http.StatusNotFound)
	if got := h.steps.take(); !slices.Equal(got, []string{"corp unavailable", "corp unavailable"}) {
		t.Fatalf("observed %q: want each unavailable, nothing for an unknown connector", got)
	}
}

func TestUpstreamRefusalIsAPageNamingIt(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	w, c := h.start(t, url.Values{})
	auth, _ := url.Parse(w.Header().Get("Location"))
	q := url.Values{"state": {auth.Query().Get("state")}, "error": {"access_denied"}, "iss": {h.op.Issuer}}
	wantPage(t, h.callback(t, UpstreamCallbackPath+"corp?"+q.Encode(), c), http.StatusForbidden, "Corp SSO did not confirm who you are")
	if got := h.records(t); !slices.Equal(got, []string{"upstream.signin failure upstream_refused"}) {
		t.Fatalf("records %q", got)
	}
}

func TestUpstreamSignInOfADisabledAccountIsRefused(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	bo := h.addUser(t, "bo@tokenim.example", annPassword, func(u *storage.User) { u.Status = storage.UserDisabled })
	h.link(t, bo)
	wantPage(t, h.signIn(t, url.Values{}), http.StatusForbidden, "This account has been disabled")
	if h.whoIsSignedIn(t) != "" {
		t.Fatal("signed in")
	}
}

func TestUpstreamSignInStillAsksForTheSecondFactor(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser)
	bo := h.addUser(t, "bo@tokenim.example", annPassword, h.withTOTP(totpSecret, recoveryCode))
	h.link(t, bo)
	flow := h.addFlow(t)
	wantRedirect(t, h.signIn(t, url.Values{"flow": {flow}}), "/login/mfa?flow="+flow)
	if h.whoIsSignedIn(t) != "" {
		t.Fatal("signed in before the second factor")
	}
	pending, ok, _ := h.browser.Pending(t.Context(), nil)
	if !ok || !slices.Equal(pending.Session.AMR, []string{"fed"}) {
		t.Fatalf("pending %+v: want Bo's upstream sign-in", pending)
	}
	wantRedirect(t, h.post(t, "/login/mfa", url.Values{"flow": {flow}, "code": {h.totpCode(t)}}), "/oauth2/auth?flow="+flow)
	s, ok, _ := h.browser.Current(t.Context(), nil)
	if !ok || s.User.ID != bo.ID || !slices.Equal(s.Session.AMR, []string{"fed", "otp", "mfa"}) || s.Session.ACR != "2" {
		t.Fatalf("signed in %+v: want amr fed otp mfa, acr 2", s.Session)
	}
	if s.Session.Upstream != "corp" || s.Session.UpstreamSubject != corpUser.Subject {
		t.Fatalf("session %+v: the second factor lost the upstream it was signed in through", s.Session)
	}
}
