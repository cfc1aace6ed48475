package login

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc/oidctest"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
)

const corpLoggedOut = testIssuer + UpstreamLoggedOutPath + "corp"

// endingUpstream is a connector that ends the upstream's session at our
// logout.
func endingUpstream(u *Upstream) {
	u.Logout, u.EndUpstreamSession = u.Connector.(*oidc.Connector), true
}

// withApp stores the app chat-web, which may be returned to after logout.
func (h *upstreamHarness) withApp(t *testing.T) {
	t.Helper()
	c := storage.Client{ID: "chat-web", Name: "Acme Chat", Type: storage.ClientPublic, PostLogoutRedirectURIs: []string{chatBye}, CreatedAt: t0, UpdatedAt: t0}
	if err := h.store.CreateClient(t.Context(), c); err != nil {
		t.Fatal(err)
	}
}

// signedInThrough signs the browser in as a new account whose session
// came through the connector (or our own sign-in, for "").
func (h *upstreamHarness) signedInThrough(t *testing.T, connector string) {
	t.Helper()
	bo := h.addUser(t, "bo@tokenim.example", annPassword)
	h.browser.current = storage.LoginSession{ID: "s1", UserID: bo.ID, AMR: []string{"fed"}, ACR: "1", AuthTime: t0,
		Upstream: connector, UpstreamSubject: corpUser.Subject, UpstreamSID: "op-sid-1"}
}

// confirmLogout posts our logout page's confirmation of form.
func (h *upstreamHarness) confirmLogout(t *testing.T, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	confirmed := maps.Clone(form)
	confirmed.Set(session.CSRFField, "")
	return h.post(t, "/oauth2/logout", confirmed)
}

// toUpstreamEndSession checks that w sends the browser to the OP's
// end-session endpoint as RP-Initiated Logout asks, without the app's
// address or state in the clear, and returns the state sent.
func (h *upstreamHarness) toUpstreamEndSession(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, h.op.EndSession+"?") {
		t.Fatalf("status %d to %q, want 303 to the OP's end-session endpoint %s:\n%s", w.Code, loc, h.op.EndSession, w.Body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("client_id") != "tokenim" || q.Get("post_logout_redirect_uri") != corpLoggedOut || q.Get("state") == "" || q.Has("id_token_hint") {
		t.Fatalf("end-session request %v: want client_id tokenim, post_logout_redirect_uri %s, a state, no id_token_hint", q, corpLoggedOut)
	}
	if strings.Contains(loc, "st-42") || strings.Contains(loc, "chat.example.com") {
		t.Fatalf("the app's address or state is readable in %q", loc)
	}
	return q.Get("state")
}

// backFromUpstream is the OP sending the browser back to our logged-out
// route of connector id with state.
func (h *upstreamHarness) backFromUpstream(t *testing.T, id, state string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return h.get(t, UpstreamLoggedOutPath+id+"?"+url.Values{"state": {state}}.Encode(), header...)
}

func TestLogoutEndsTheUpstreamSessionThenReturnsToTheApp(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser, endingUpstream)
	h.withApp(t)
	bo := h.addUser(t, "bo@tokenim.example", annPassword)
	h.link(t, bo)
	wantRedirect(t, h.signIn(t, url.Values{"next": {"/account"}}), "/account")

	state := h.toUpstreamEndSession(t, h.confirmLogout(t, logoutForm("en")))
	if h.signedIn(t) {
		t.Fatal("still signed in here before the upstream is asked")
	}
	wantRedirect(t, h.backFromUpstream(t, "corp", state), chatBye+"?state=st-42")
	want := []string{"signin success", "signout success", "upstream.end_session success", "upstream.signin success"}
	if got := h.records(t); !slices.Equal(got, want) {
		t.Fatalf("records %q, want %q", got, want)
	}
}

func TestLogoutEndsTheUpstreamSessionThenShowsOurPage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ locale, heading string }{
		{"en", "You have signed out"},
		{"zh-CN", "您已退出登录"},
	} {
		t.Run(tc.locale, func(t *testing.T) {
			t.Parallel()
			h := newUpstreamHarness(t, corpUser, endingUpstream)
			h.signedInThrough(t, "corp")
			// From the account page's sign-out: no app to return to.
			state := h.toUpstreamEndSession(t, h.confirmLogout(t, url.Values{"ui_locales": {tc.locale}}))
			w := h.backFromUpstream(t, "corp", state)
			wantPage(t, w, http.StatusOK, tc.heading)
			if loc := w.Header().Get("Location"); loc != "" {
				t.Fatalf("sent on to %q", loc)
			}
		})
	}
}

// Whenever the upstream is not to be or cannot be asked, our logout is
// what it was: the session ends, the browser returns to the app.
func TestLogoutWithoutTheUpstreamIsAsBefore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		change    func(t *testing.T, u *Upstream)
		connector string
		down      bool
		records   []string
	}{
		{name: "a connector without the setting", connector: "corp",
			change: func(_ *testing.T, u *Upstream) { u.Logout = u.Connector.(*oidc.Connector) }},
		{name: "a connector that ends no sessions", connector: "corp",
			change: func(_ *testing.T, u *Upstream) { u.EndUpstreamSession = true }},
		{name: "an upstream without an end-session endpoint", connector: "corp",
			change: func(t *testing.T, u *Upstream) {
				op := oidctest.Start(t, oidctest.Options{ClientID: "tokenim", ClientSecret: "s3cret", RedirectURI: corpCallback, User: corpUser, NoEndSession: true})
				c, err := oidc.New(oidc.Config{ID: "corp", Issuer: op.Issuer, ClientID: "tokenim", ClientSecret: "s3cret", RedirectURL: corpCallback,
					HTTPClient: &http.Client{Timeout: 5 * time.Second}})
				if err != nil {
					t.Fatal(err)
				}
				u.Connector, u.Logout, u.EndUpstreamSession = c, c, true
			}},
		{name: "a password session", connector: "", change: func(t *testing.T, u *Upstream) { endingUpstream(u) }},
		{name: "a connector no longer in use", connector: "gone", change: func(t *testing.T, u *Upstream) { endingUpstream(u) }},
		{name: "an upstream out of reach", connector: "corp", down: true, change: func(t *testing.T, u *Upstream) { endingUpstream(u) },
			records: []string{"upstream.end_session failure upstream_unavailable"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newUpstreamHarness(t, corpUser, func(u *Upstream) { tc.change(t, u) })
			h.withApp(t)
			h.signedInThrough(t, tc.connector)
			h.op.SetDown(tc.down)
			wantRedirect(t, h.confirmLogout(t, logoutForm("en")), chatBye+"?state=st-42")
			if h.signedIn(t) {
				t.Fatal("still signed in")
			}
			want := append([]string{"signout success"}, tc.records...)
			if got := h.records(t); !slices.Equal(got, want) {
				t.Fatalf("records %q, want %q", got, want)
			}
		})
	}
}

// An app's state too long to seal into the upstream's URL: our logout
// finishes as without the upstream.
func TestLogoutWithAnOverlongAppStateSkipsTheUpstream(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser, endingUpstream)
	h.withApp(t)
	h.signedInThrough(t, "corp")
	form := logoutForm("en")
	long := strings.Repeat("s", maxEndSessionState)
	form.Set("state", long)
	wantRedirect(t, h.confirmLogout(t, form), chatBye+"?state="+long)
	if got := h.records(t); !slices.Equal(got, []string{"signout success", "upstream.end_session failure state_too_long"}) {
		t.Fatalf("records %q", got)
	}
}

func TestUpstreamLoggedOutRefusesAStateNotSealedForIt(t *testing.T) {
	t.Parallel()
	h := newUpstreamHarness(t, corpUser, endingUpstream)
	h.withApp(t)
	h.signedInThrough(t, "corp")
	state := h.toUpstreamEndSession(t, h.confirmLogout(t, logoutForm("en")))
	// The same destination sealed as an upstream sign-in's state.
	b, err := json.Marshal(endSessionState{Connector: "corp", RedirectURI: chatBye, Until: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	otherUse := base64.RawURLEncoding.EncodeToString(h.handler.cfg.UpstreamSealer.Seal(b, upstreamLabel))
	otherKey, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	otherSealer := base64.RawURLEncoding.EncodeToString(otherKey.Seal(b, endSessionLabel))

	refused := func(t *testing.T, w *httptest.ResponseRecorder, texts ...string) {
		t.Helper()
		wantPage(t, w, http.StatusBadRequest, texts...)
		if loc := w.Header().Get("Location"); loc != "" {
			t.Fatalf("sent on to %q", loc)
		}
	}
	for _, tc := range []struct{ name, id, state string }{
		{"altered", "corp", state[:len(state)-2] + "AA"},
		{"another connector's", "other", state},
		{"sealed for another use", "corp", otherUse},
		{"sealed with another key", "corp", otherSealer},
		{"not sealed", "corp", base64.RawURLEncoding.EncodeToString(b)},
		{"not base64", "corp", "%%%"},
		{"none", "corp", ""},
		{"too long", "corp", strings.Repeat("A", maxEndSessionState+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refused(t, h.backFromUpstream(t, tc.id, tc.state), "Could not return you to the app", "Open the app you were using again.")
		})
	}
	refused(t, h.backFromUpstream(t, "corp", "forged", "Accept-Language", "zh-CN"), "无法返回应用", "请重新打开您之前使用的应用。")

	// Good until it expires.
	wantRedirect(t, h.backFromUpstream(t, "corp", state), chatBye+"?state=st-42")
	h.advance(endSessionTTL)
	refused(t, h.backFromUpstream(t, "corp", state), "Could not return you to the app")
}

// FuzzUpstreamLoggedOut: whatever state a browser brings back to the
// logged-out route, the answer is the 400 page, or, for a state we
// sealed, the destination sealed: never a server error, never a redirect
// anywhere else.
func FuzzUpstreamLoggedOut(f *testing.F) {
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		f.Fatal(err)
	}
	sealed := func(st endSessionState) string {
		b, err := json.Marshal(st)
		if err != nil {
			f.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(sealer.Seal(b, endSessionLabel))
	}
	live := t0.Add(endSessionTTL)
	f.Add("corp", sealed(endSessionState{Connector: "corp", RedirectURI: chatBye, State: "st-42", Until: live}))
	f.Add("corp", sealed(endSessionState{Connector: "corp", Until: live}))
	f.Add("other", sealed(endSessionState{Connector: "corp", RedirectURI: chatBye, Until: live}))
	f.Add("corp", sealed(endSessionState{Connector: "corp", RedirectURI: chatBye, Until: t0}))
	f.Add("corp", "")
	f.Add("corp", "eyJjIjoiY29ycCJ9")
	f.Add("corp", "\x00\xff%")
	// The route reads nothing but the state and the clock: one handler
	// serves every input.
	mux := http.NewServeMux()
	New(Config{Sessions: &browser{}, Pages: webtest.Pages(f), Issuer: testIssuer,
		Upstreams: UpstreamList{{ID: "corp", Name: "Corp SSO"}}, UpstreamSealer: sealer, Now: func() time.Time { return t0 }}).Mount(mux)
	f.Fuzz(func(t *testing.T, id, state string) {
		if !validPathSegment(id) {
			return
		}
		w := webtest.Serve(mux, webtest.Get(t, UpstreamLoggedOutPath+url.PathEscape(id)+"?"+url.Values{"state": {state}}.Encode()))
		switch loc := w.Header().Get("Location"); w.Code {
		case http.StatusBadRequest, http.StatusOK:
			if loc != "" {
				t.Fatalf("status %d sent on to %q", w.Code, loc)
			}
		case http.StatusSeeOther:
			if loc != chatBye && !strings.HasPrefix(loc, chatBye+"?state=") {
				t.Fatalf("sent on to %q, not the sealed destination", loc)
			}
		default:
			t.Fatalf("status %d:\n%s", w.Code, w.Body)
		}
	})
}
