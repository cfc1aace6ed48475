package consent_test

import (
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

func TestShow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	flow := h.flow(t, "scope", "openid im:messages.read")
	w := h.show(t, flow)
	wantPage(t, w, http.StatusOK, "TokenIM Web wants to access your TokenIM account", "App ID: chat-web", "This will allow TokenIM Web to:",
		"<li>openid</li>", "<li>im:messages.read</li>", `name="remember" value="1" checked`, `name="csrf_token"`, `name="flow" value="`+flow+`"`,
		"Signed in as ann@example.com.", html.EscapeString("/login?flow="+flow+"&switch=1"))
	t.Run("in Chinese, from the browser or from the app's ui_locales", func(t *testing.T) {
		wantPage(t, h.show(t, flow, "Accept-Language", "zh-CN"), http.StatusOK, "TokenIM Web 申请访问您的 TokenIM 账号", "记住我的选择", "当前账号：ann@example.com")
		zh := h.flow(t, "scope", "openid", "ui_locales", "zh-CN")
		wantPage(t, h.show(t, zh), http.StatusOK, "TokenIM Web 申请访问您的 TokenIM 账号")
	})
	t.Run("only sign-in scopes", func(t *testing.T) {
		wantPage(t, h.show(t, h.flow(t)), http.StatusOK, "Know that you are signed in to TokenIM")
	})
}

func TestScopesOutsideTheRoleOrTheAppAreNotOffered(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.browser.signIn(h.gus)
	flow := h.flow(t, "scope", "openid profile im:messages.read im:calls.read im:contacts.read")
	w := h.show(t, flow)
	wantPage(t, w, http.StatusOK, "<li>openid</li>", "<li>im:messages.read</li>", "Signed in as gus@example.com.")
	for _, s := range []string{"profile", "im:calls.read", "im:contacts.read"} {
		if strings.Contains(w.Body.String(), s) {
			t.Fatalf("a guest is offered %s:\n%s", s, w.Body)
		}
	}
	wantResume(t, h.post(t, decide(flow, "allow", true)), flow)
	want := []string{"openid", "im:messages.read"}
	if f := h.stored(t, flow); !slices.Equal(f.GrantedScopes, want) {
		t.Fatalf("granted %q, want %q", f.GrantedScopes, want)
	}
	if c, err := h.store.GetConsent(t.Context(), h.gus.ID, chat); err != nil || !slices.Equal(c.Scopes, want) {
		t.Fatalf("remembered %+v (%v), want %q", c, err, want)
	}
	if recs := h.records(t); len(recs) != 1 || !slices.Equal(recs[0].Scopes, want) {
		t.Fatalf("records %+v, want one granting %q", recs, want)
	}
}

func TestAllow(t *testing.T) {
	t.Parallel()
	t.Run("remembered", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		// A grant remembered earlier is kept alongside the new one.
		if err := h.store.SaveConsent(t.Context(), storage.Consent{UserID: h.ann.ID, ClientID: chat, Scopes: []string{"openid", "profile"}, GrantedAt: t0.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
		flow := h.flow(t, "scope", "openid im:messages.read")
		wantResume(t, h.post(t, decide(flow, "allow", true)), flow)
		want := []string{"openid", "im:messages.read"}
		if f := h.stored(t, flow); f.UserID != h.ann.ID || f.Decision != "allow" || !slices.Equal(f.GrantedScopes, want) {
			t.Fatalf("the flow after allowing: %+v", f)
		}
		c, err := h.store.GetConsent(t.Context(), h.ann.ID, chat)
		if err != nil || !slices.Equal(c.Scopes, []string{"openid", "im:messages.read", "profile"}) || !c.GrantedAt.Equal(t0) || !c.ExpiresAt.Equal(t0.Add(lifespan)) {
			t.Fatalf("remembered %+v (%v)", c, err)
		}
		recs := h.records(t)
		if len(recs) != 1 || recs[0].Outcome != audit.Success || recs[0].ActorID != h.ann.ID || recs[0].Subject != h.ann.ID || recs[0].ClientID != chat ||
			!slices.Equal(recs[0].Scopes, want) || recs[0].Detail["remembered"] != "true" {
			t.Fatalf("records %+v, want one remembered success by Ann", recs)
		}
	})
	t.Run("for this sign-in only", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		flow := h.flow(t, "scope", "openid im:messages.read")
		wantResume(t, h.post(t, decide(flow, "allow", false)), flow)
		if f := h.stored(t, flow); f.Decision != "allow" || !slices.Equal(f.GrantedScopes, []string{"openid", "im:messages.read"}) {
			t.Fatalf("the flow after allowing: %+v", f)
		}
		if _, err := h.store.GetConsent(t.Context(), h.ann.ID, chat); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("a decision not to remember was remembered: %v", err)
		}
		if recs := h.records(t); len(recs) != 1 || recs[0].Outcome != audit.Success || recs[0].Detail["remembered"] != "false" {
			t.Fatalf("records %+v, want one success not remembered", recs)
		}
	})
	t.Run("until withdrawn", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, func(c *consent.Config) { c.Lifespan = 0 })
		flow := h.flow(t, "scope", "openid im:messages.read")
		wantResume(t, h.post(t, decide(flow, "allow", true)), flow)
		if c, err := h.store.GetConsent(t.Context(), h.ann.ID, chat); err != nil || !c.ExpiresAt.IsZero() {
			t.Fatalf("remembered %+v (%v), want no end", c, err)
		}
	})
}

func TestDeny(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	flow := h.flow(t, "scope", "openid im:messages.read")
	// A ticked box does not remember a denial.
	wantResume(t, h.post(t, decide(flow, "deny", true)), flow)
	if f := h.stored(t, flow); f.UserID != h.ann.ID || f.Decision != "deny" || f.GrantedScopes != nil {
		t.Fatalf("the flow after denying: %+v", f)
	}
	if _, err := h.store.GetConsent(t.Context(), h.ann.ID, chat); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a denial was remembered: %v", err)
	}
	recs := h.records(t)
	if len(recs) != 1 || recs[0].Outcome != audit.Failure || recs[0].Reason != "denied_by_user" || recs[0].ActorID != h.ann.ID || recs[0].Detail["remembered"] != "false" {
		t.Fatalf("records %+v, want one failure denied_by_user", recs)
	}
}

func TestNoDecisionAsksAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	flow := h.flow(t, "scope", "openid im:messages.read")
	for _, decision := range []string{"", "yes"} {
		wantPage(t, h.post(t, decide(flow, decision, true)), http.StatusBadRequest, "We could not save your decision. Please try again.",
			"TokenIM Web wants to access your TokenIM account", `name="flow" value="`+flow+`"`)
	}
	wantPage(t, h.post(t, decide(flow, "", true), "Accept-Language", "zh-CN"), http.StatusBadRequest, "未能保存您的选择，请重试。")
	if f := h.stored(t, flow); f.Decision != "" || len(h.records(t)) != 0 {
		t.Fatalf("a form without a decision decided: %+v", f)
	}
}

func TestUnknownExpiredOrMissingFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	expired := h.flow(t, "scope", "openid")
	h.now = t0.Add(10 * time.Minute)
	for name, tc := range map[string]struct {
		flow, en, zh string
	}{
		"unknown":  {"no-such-flow", "This sign-in took too long. Go back to the app and try again.", "登录已超时，请返回应用重新登录。"},
		"expired":  {expired, "This sign-in took too long. Go back to the app and try again.", "登录已超时，请返回应用重新登录。"},
		"not text": {"\xff\xfe", "This sign-in took too long.", "登录已超时"},
		"missing":  {"", "This sign-in link is not valid. Go back to the app and start again.", "此登录链接无效，请返回应用重新登录。"},
	} {
		t.Run(name, func(t *testing.T) {
			wantPage(t, h.show(t, tc.flow), http.StatusBadRequest, "Something went wrong", tc.en)
			wantPage(t, h.post(t, decide(tc.flow, "allow", true)), http.StatusBadRequest, tc.en)
			wantPage(t, h.show(t, tc.flow, "Accept-Language", "zh-CN"), http.StatusBadRequest, tc.zh)
		})
	}
	if f := h.stored(t, expired); f.Decision != "" || len(h.records(t)) != 0 {
		t.Fatalf("an expired flow was decided: %+v", f)
	}
}

func TestNotSignedInIsSentToSignIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.browser.mu.Lock()
	h.browser.user = nil
	h.browser.mu.Unlock()
	flow := h.flow(t, "scope", "openid im:messages.read")
	want := "/login?" + url.Values{"flow": {flow}}.Encode()
	for _, w := range []*httptest.ResponseRecorder{h.show(t, flow), h.post(t, decide(flow, "allow", true))} {
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != want {
			t.Fatalf("status %d to %q, want 303 to %q", w.Code, w.Header().Get("Location"), want)
		}
	}
	if f := h.stored(t, flow); f.Decision != "" {
		t.Fatalf("nobody decided: %+v", f)
	}
}

// A flow Ann signed in to, decided in a browser where Gus is signed in now
// ("Not you?"), is Gus's decision: it grants nothing for Ann.
func TestFlowOfAnotherUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	flow := h.flow(t, "scope", "openid im:messages.read")
	h.browser.signIn(h.gus)
	wantPage(t, h.show(t, flow), http.StatusOK, "Signed in as gus@example.com.")
	wantResume(t, h.post(t, decide(flow, "allow", true)), flow)
	if f := h.stored(t, flow); f.UserID != h.gus.ID || f.Decision != "allow" {
		t.Fatalf("the flow after Gus allowed: %+v", f)
	}
	if _, err := h.store.GetConsent(t.Context(), h.ann.ID, chat); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Gus's decision was remembered for Ann: %v", err)
	}
	if recs := h.records(t); len(recs) != 1 || recs[0].ActorID != h.gus.ID || recs[0].Subject != h.gus.ID {
		t.Fatalf("records %+v, want one by and about Gus", recs)
	}
}

// A flow the authorization endpoint stopped because the role allows none
// of the app's IM scopes only explains; the way back tells the app.
func TestRoleRefusalIsExplained(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.browser.signIn(h.gus)
	flow := h.flow(t, "scope", "openid im:calls.read")
	if _, err := h.store.UpdateFlow(t.Context(), flow, func(f storage.Flow) (storage.Flow, error) {
		f.Decision, f.GrantedScopes = "role", []string{"im:calls.read"}
		return f, nil
	}); err != nil {
		t.Fatal(err)
	}
	wantPage(t, h.show(t, flow), http.StatusForbidden, "Your role does not allow you to give this app: im:calls.read.",
		`href="/oauth2/auth?flow=`+flow+`"`, "Back to the app")
	wantPage(t, h.show(t, flow, "Accept-Language", "zh-CN"), http.StatusForbidden, "您的角色不允许向该应用授予以下权限：im:calls.read。", "返回应用")
	wantResume(t, h.post(t, decide(flow, "allow", true)), flow)
	if f := h.stored(t, flow); f.Decision != "role" || len(h.records(t)) != 0 {
		t.Fatalf("a refused flow was decided: %+v", f)
	}
}

// TestCSRF uses the real session middleware: a decision posted without
// the page's token is refused and decides nothing.
func TestCSRF(t *testing.T) {
	t.Parallel()
	const issuer = "https://auth.tokenim.example"
	var m *session.Manager
	h := newHarness(t, func(c *consent.Config) {
		var err error
		m, err = session.New(session.Config{Store: c.Store.(session.Store), Issuer: issuer, Secure: true, Lifespan: time.Hour, Now: c.Now,
			OnForgery: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "forged", http.StatusForbidden) })})
		if err != nil {
			t.Fatal(err)
		}
		c.Sessions = m
	})
	flow := h.flow(t, "scope", "openid im:messages.read")
	started := httptest.NewRecorder()
	if _, err := m.Start(t.Context(), started, httptest.NewRequest(http.MethodGet, issuer+"/login", nil), h.ann, []string{"pwd"}, session.ACRPassword); err != nil {
		t.Fatal(err)
	}
	jar := started.Result().Cookies()
	open := func(method, path string, form url.Values) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), method, issuer+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", issuer)
		for _, c := range jar {
			req.AddCookie(c)
		}
		return h.serve(req)
	}
	shown := open(http.MethodGet, "/consent?flow="+flow, nil)
	wantPage(t, shown, http.StatusOK, "Signed in as ann@example.com.")
	jar = append(jar, shown.Result().Cookies()...)
	token := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(shown.Body.String())
	if token == nil {
		t.Fatalf("no CSRF token in the form:\n%s", shown.Body)
	}
	wantPage(t, open(http.MethodPost, "/consent", decide(flow, "allow", true)), http.StatusForbidden, "forged")
	if f := h.stored(t, flow); f.Decision != "" || len(h.records(t)) != 0 {
		t.Fatalf("a forged post decided: %+v", f)
	}
	form := decide(flow, "allow", true)
	form.Set(session.CSRFField, html.UnescapeString(token[1]))
	wantResume(t, open(http.MethodPost, "/consent", form), flow)
}
