package account

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
	"github.com/tokenim/tokenim-auth/storage"
)

// get fetches path, with header's name and value pairs.
func (h *harness) get(t *testing.T, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return webtest.Serve(h.mux, webtest.Get(t, path), header...)
}

// stored returns Ann as stored.
func (h *harness) stored(t *testing.T) storage.User {
	t.Helper()
	u, err := h.store.GetUser(t.Context(), h.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// turnOff stores Ann with two-step verification off and no secret.
func (h *harness) turnOff(t *testing.T) {
	t.Helper()
	if _, err := h.store.UpdateUser(t.Context(), h.user.ID, func(u storage.User) (storage.User, error) {
		u.TOTPEnabled, u.TOTPSecret = false, nil
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
}

// records returns the authorization records of action.
func (h *harness) records(t *testing.T, action string) []storage.AuditRecord {
	t.Helper()
	recs, err := h.store.ListAudit(t.Context(), storage.AuditFilter{Actions: []string{action}}, storage.AuditCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// says fails the test unless w has status and its body every text
// (webtest.WantPage).
var says = webtest.WantPage

// annsCode is the TOTP code of Ann's secret at t0.
func annsCode(t *testing.T) string {
	t.Helper()
	code, err := totp.GenerateCode(totpSecret, t0)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

func TestShow(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	ctx := t.Context()
	for _, ls := range []storage.LoginSession{
		{ID: "session-0123456789", UserAgent: "Firefox on this laptop", IP: "192.0.2.1", ExpiresAt: t0.Add(time.Hour)},
		{ID: "session-other-phone", UserAgent: "Safari on the phone", IP: "192.0.2.2", ExpiresAt: t0.Add(time.Hour)},
		{ID: "session-pending-mfa", UserAgent: "Half signed in", IP: "192.0.2.3", ACR: "pending", ExpiresAt: t0.Add(time.Hour)},
		{ID: "session-expired-one", UserAgent: "Long gone", IP: "192.0.2.4", ExpiresAt: t0.Add(-time.Second)},
	} {
		ls.UserID, ls.AuthTime, ls.CreatedAt = h.user.ID, t0.Add(-time.Hour), t0.Add(-time.Hour)
		if err := h.store.CreateLoginSession(ctx, ls); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.store.CreateClient(ctx, storage.Client{ID: "chat-web", Name: "TokenIM Chat Web", Scopes: []string{"openid"}}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.SaveConsent(ctx, storage.Consent{UserID: h.user.ID, ClientID: "chat-web", Scopes: []string{"openid"}, GrantedAt: t0.Add(-24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}

	w := h.get(t, "/account")
	says(t, w, http.StatusOK, "Your account", "ann@example.com", "Two-step verification is on.", "Turn off two-step verification",
		"TokenIM Chat Web", "Revoke access", "Firefox on this laptop", "This device", "Safari on the phone")
	for _, hidden := range []string{"Half signed in", "Long gone", `href="/apps"`} {
		if strings.Contains(w.Body.String(), hidden) {
			t.Errorf("the page shows %s:\n%s", hidden, w.Body)
		}
	}

	t.Run("in Chinese", func(t *testing.T) {
		t.Parallel()
		says(t, h.get(t, "/account", "Accept-Language", "zh-CN"), http.StatusOK, "账号与安全", "两步验证已开启。", "撤销授权", "当前设备")
	})
	t.Run("a developer is shown the way to the portal", func(t *testing.T) {
		t.Parallel()
		dev := newHarness(t, password.NewPool(1, 1), func(c *Config) { c.Developers = []string{"member"} })
		says(t, dev.get(t, "/account"), http.StatusOK, `<a href="/apps">`)
	})
}

func TestShowAsksForASecondFactorWhenRequired(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	h.turnOff(t)
	says(t, h.get(t, "/account?setup=mfa"), http.StatusOK, "This app requires two-step verification.", `role="alert"`, "Set up two-step verification")
	says(t, h.get(t, "/account?setup=mfa", "Accept-Language", "zh-CN"), http.StatusOK, "该应用要求开启两步验证。")
	if w := h.get(t, "/account"); strings.Contains(w.Body.String(), `class="alert" role="alert"`) {
		t.Fatalf("the plain account page shows an alert:\n%s", w.Body)
	}
}

// Every route sends a browser nobody is signed in on to sign in, and back
// to the account page after.
func TestNotSignedIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1), linking(&recordingUpstreams{}), func(c *Config) { c.Sessions = nobody{} })
	for _, route := range []string{"POST /account/links/github", "POST /account/links/wecom/remove", "GET /account", "POST /account/mfa/enrol", "POST /account/mfa/confirm", "POST /account/mfa/disable",
		"POST /account/mfa/recovery", "POST /account/sessions/signout", "POST /account/sessions/signout-all", "POST /account/apps/revoke", "POST /account/apps/conversations/revoke",
		"POST /account/password", "POST /account/passkeys/" + annsRef + "/rename", "POST /account/passkeys/" + annsRef + "/remove",
		"GET /account/passkeys/" + annsRef + "/remove"} {
		method, path, _ := strings.Cut(route, " ")
		want := "/login?next=/account"
		if method == http.MethodGet && path != "/account" {
			// The removal step: back to it after signing in.
			want = "/login?next=" + url.QueryEscape(path)
		}
		w := httptest.NewRecorder()
		h.mux.ServeHTTP(w, httptest.NewRequestWithContext(t.Context(), method, path, nil))
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != want {
			t.Errorf("%s: status %d, Location %q; want 303 to %s", route, w.Code, w.Header().Get("Location"), want)
		}
	}
	if !h.enabled(t) {
		t.Fatal("a request nobody signed in changed the account")
	}
}

func TestSessionThatCannotBeLoaded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1), func(c *Config) { c.Sessions = broken{} })
	says(t, h.get(t, "/account"), http.StatusInternalServerError, "We could not complete this request.")
}

func TestEnrolAndConfirm(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	h.turnOff(t)
	says(t, h.get(t, "/account"), http.StatusOK, "Two-step verification is off.", "Set up two-step verification")

	w := h.post(t, "/account/mfa/enrol", nil)
	says(t, w, http.StatusOK, "Scan this QR code with your authenticator app.", `src="data:image/png;base64,`, "6-digit code from the app")
	m := regexp.MustCompile(`<p class="secret"><code>([A-Z2-7 ]+)</code>`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no secret shown:\n%s", w.Body)
	}
	shown := strings.ReplaceAll(m[1], " ", "")
	if u := h.stored(t); u.TOTPEnabled || u.TOTPSecret == nil {
		t.Fatalf("after enrolling: on %v, secret stored %v; want a secret, not yet on", u.TOTPEnabled, u.TOTPSecret != nil)
	} else if sec, err := mfa.OpenSecret(h.sealer, u.ID, u.TOTPSecret); err != nil || sec != shown {
		t.Fatalf("the stored secret %q (%v) is not the one shown, %q", sec, err, shown)
	}

	t.Run("a wrong code shows the same enrolment again", func(t *testing.T) {
		w := h.post(t, "/account/mfa/confirm", url.Values{"code": {"000000"}})
		says(t, w, http.StatusUnauthorized, "That code is not right, or it was already used.", m[0])
		says(t, h.post(t, "/account/mfa/confirm", url.Values{"code": {"000000"}}, "Accept-Language", "zh-CN"), http.StatusUnauthorized, "验证码错误或已被使用")
		if h.enabled(t) {
			t.Fatal("a wrong code turned two-step verification on")
		}
	})
	t.Run("the right code turns it on and shows ten recovery codes once", func(t *testing.T) {
		code, err := totp.GenerateCode(shown, t0)
		if err != nil {
			t.Fatal(err)
		}
		w := h.post(t, "/account/mfa/confirm", url.Values{"code": {code}})
		says(t, w, http.StatusOK, "Two-step verification is on.", "Save these codes somewhere safe.")
		codes := regexp.MustCompile(`<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})</code></li>`).FindAllStringSubmatch(w.Body.String(), -1)
		u := h.stored(t)
		if len(codes) != mfa.RecoveryCodeCount || !u.TOTPEnabled || len(u.RecoveryCodes) != mfa.RecoveryCodeCount || u.TOTPLastStep != mfa.Step(t0) {
			t.Fatalf("%d codes shown; stored: on %v, %d recovery codes, last step %d", len(codes), u.TOTPEnabled, len(u.RecoveryCodes), u.TOTPLastStep)
		}
		if mfa.MatchRecoveryCode(h.recovery, u.RecoveryCodes, codes[3][1]) < 0 {
			t.Fatal("a code shown is not one stored")
		}
		if again := h.get(t, "/account"); strings.Contains(again.Body.String(), codes[0][1]) {
			t.Fatal("the recovery codes are shown a second time")
		}
		if recs := h.records(t, audit.MFAEnrolled); len(recs) != 1 || recs[0].Subject != h.user.ID || recs[0].ActorID != h.user.ID {
			t.Fatalf("mfa.enrolled records %+v", recs)
		}
	})
	t.Run("enrolling again once it is on changes nothing", func(t *testing.T) {
		before := h.stored(t)
		w := h.post(t, "/account/mfa/enrol", nil)
		says(t, w, http.StatusOK, "Two-step verification is on.")
		if strings.Contains(w.Body.String(), `class="secret"`) || string(h.stored(t).TOTPSecret) != string(before.TOTPSecret) {
			t.Fatal("a second enrolment replaced the secret")
		}
	})
}

func TestConfirmWithoutEnrolment(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	h.turnOff(t)
	w := h.post(t, "/account/mfa/confirm", url.Values{"code": {annsCode(t)}})
	says(t, w, http.StatusOK, "Two-step verification is off.", "Set up two-step verification")
	if h.enabled(t) || len(h.records(t, audit.MFAEnrolled)) != 0 {
		t.Fatal("a confirmation without an enrolment turned two-step verification on")
	}
}

func TestDisable(t *testing.T) {
	t.Parallel()
	t.Run("with the password and a code", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		w := h.post(t, "/account/mfa/disable", url.Values{"password": {annPassword}, "code": {annsCode(t)}})
		says(t, w, http.StatusOK, "Two-step verification is off.", "Set up two-step verification")
		if u := h.stored(t); u.TOTPEnabled || u.TOTPSecret != nil || u.RecoveryCodes != nil {
			t.Fatalf("stored after turning off: %+v", u)
		}
		if recs := h.records(t, audit.MFADisabled); len(recs) != 1 || recs[0].Subject != h.user.ID {
			t.Fatalf("mfa.disabled records %+v", recs)
		}
	})
	t.Run("with the password and a recovery code", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		if _, err := h.store.UpdateUser(t.Context(), h.user.ID, func(u storage.User) (storage.User, error) {
			u.RecoveryCodes = [][]byte{mfa.HashRecoveryCode(h.recovery, "ABCDE-FGHJK")}
			return u, nil
		}); err != nil {
			t.Fatal(err)
		}
		says(t, h.post(t, "/account/mfa/disable", url.Values{"password": {annPassword}, "code": {"abcde-fghjk"}}), http.StatusOK, "Two-step verification is off.")
		if h.enabled(t) {
			t.Fatal("a recovery code did not turn two-step verification off")
		}
	})
	t.Run("a wrong password", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		says(t, h.post(t, "/account/mfa/disable", url.Values{"password": {"wrong"}, "code": {annsCode(t)}}), http.StatusUnauthorized, "Incorrect password.")
		says(t, h.post(t, "/account/mfa/disable", url.Values{"password": {"wrong"}, "code": {annsCode(t)}}, "Accept-Language", "zh-CN"), http.StatusUnauthorized, "密码错误。")
		if !h.enabled(t) || len(h.records(t, audit.MFADisabled)) != 0 {
			t.Fatal("a wrong password turned two-step verification off")
		}
		if u := h.stored(t); u.TOTPLastStep != 0 {
			t.Fatal("the code was used up though the password was wrong")
		}
	})
	t.Run("a wrong code", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		says(t, h.post(t, "/account/mfa/disable", url.Values{"password": {annPassword}, "code": {"000000"}}), http.StatusUnauthorized, "That code is not right")
		if !h.enabled(t) {
			t.Fatal("a wrong code turned two-step verification off")
		}
	})
	t.Run("when it is off already", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		h.turnOff(t)
		says(t, h.post(t, "/account/mfa/disable", url.Values{"password": {annPassword}, "code": {annsCode(t)}}), http.StatusOK, "Two-step verification is off.")
		if len(h.records(t, audit.MFADisabled)) != 0 {
			t.Fatal("turning off what was off was recorded")
		}
	})
	t.Run("wrong passwords wait, on the account's email key", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		for range policy.Free {
			h.post(t, "/account/mfa/disable", url.Values{"password": {"wrong"}, "code": {annsCode(t)}})
		}
		right := url.Values{"password": {annPassword}, "code": {annsCode(t)}}
		says(t, h.post(t, "/account/mfa/disable", right), http.StatusTooManyRequests, "Too many attempts. Wait a few minutes, then try again.")
		says(t, h.post(t, "/account/mfa/disable", right, "Accept-Language", "zh-CN"), http.StatusTooManyRequests, "尝试次数过多，请等待几分钟后重试。")
		if !h.enabled(t) {
			t.Fatal("turned off during the wait")
		}
	})
	t.Run("in Chinese when the password pool is full", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, fullPool{})
		w := h.post(t, "/account/mfa/disable", url.Values{"password": {annPassword}, "code": {annsCode(t)}}, "Accept-Language", "zh-CN")
		says(t, w, http.StatusServiceUnavailable, "当前登录或修改密码的人数过多")
		if w.Header().Get("Retry-After") != "2" {
			t.Fatalf("Retry-After %q", w.Header().Get("Retry-After"))
		}
	})
}

func TestSignOutEverywhere(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	for _, id := range []string{"session-0123456789", "session-other-phone"} {
		if err := h.store.CreateLoginSession(t.Context(), storage.LoginSession{ID: id, UserID: h.user.ID, UserAgent: id, AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	w := h.post(t, "/account/sessions/signout-all", nil)
	says(t, w, http.StatusOK, "You were signed out everywhere else.")
	if left, _ := h.store.ListLoginSessions(t.Context(), h.user.ID); len(left) != 0 {
		t.Fatalf("%d sessions left", len(left))
	}
	if recs := h.records(t, audit.SignOutEverywhere); len(recs) != 1 || recs[0].Detail["sessions_ended"] != "2" {
		t.Fatalf("signout.all records %+v", recs)
	}
	says(t, h.post(t, "/account/sessions/signout-all", nil, "Accept-Language", "zh-CN"), http.StatusOK, "您已在其他所有设备上退出登录。")
}

func TestRevokeApp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1))
	ctx := t.Context()
	for _, c := range []string{"chat-web", "chat-desktop"} {
		if err := h.store.CreateClient(ctx, storage.Client{ID: c, Name: c, Scopes: []string{"openid"}}); err != nil {
			t.Fatal(err)
		}
		if err := h.store.SaveConsent(ctx, storage.Consent{UserID: h.user.ID, ClientID: c, Scopes: []string{"openid"}, GrantedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := h.store.CreateToken(ctx, storage.Token{Kind: storage.KindAccessToken, Signature: "at-" + c, RequestID: "r-" + c, ClientID: c,
			Subject: h.user.ID, Active: true, RequestedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	active := func(c string) bool {
		tok, err := h.store.GetToken(ctx, storage.KindAccessToken, "at-"+c)
		return err == nil && tok.Active
	}

	w := h.post(t, "/account/apps/revoke", url.Values{"client_id": {"chat-web"}})
	says(t, w, http.StatusOK, "Access revoked: the app's tokens stopped working at once.", "chat-desktop")
	if _, err := h.store.GetConsent(ctx, h.user.ID, "chat-web"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the grant is still there: %v", err)
	}
	if active("chat-web") || !active("chat-desktop") {
		t.Fatalf("tokens active: chat-web %v (want false), chat-desktop %v (want true)", active("chat-web"), active("chat-desktop"))
	}
	if recs := h.records(t, audit.ConsentWithdrawn); len(recs) != 1 || recs[0].ClientID != "chat-web" || recs[0].Reason != "by_user" {
		t.Fatalf("consent.withdrawn records %+v", recs)
	}

	t.Run("an app without a grant", func(t *testing.T) {
		// Nothing to withdraw, still answered as done: the page does not
		// tell which apps exist, and the record says there was no grant.
		says(t, h.post(t, "/account/apps/revoke", url.Values{"client_id": {"no-such-app"}}, "Accept-Language", "zh-CN"), http.StatusOK, "已撤销授权")
		recs := h.records(t, audit.ConsentWithdrawn)
		if len(recs) != 2 || recs[0].ClientID != "no-such-app" || recs[0].Reason != "no_grant_remembered" {
			t.Fatalf("consent.withdrawn records %+v", recs)
		}
		if !active("chat-desktop") {
			t.Fatal("another app's token was revoked")
		}
	})
}

// The routes are behind the real CSRF check: a form posted without its
// token is refused and changes nothing.
func TestCSRF(t *testing.T) {
	t.Parallel()
	h := newHarness(t, password.NewPool(1, 1), func(c *Config) {
		m, err := session.New(session.Config{Store: c.Store.(session.Store), Issuer: "https://id.example"})
		if err != nil {
			t.Fatal(err)
		}
		c.Sessions = protected{c.Sessions.(signedIn), m}
	})
	w := h.post(t, "/account/mfa/disable", url.Values{"password": {annPassword}, "code": {annsCode(t)}}, "Origin", "https://id.example")
	if w.Code != http.StatusBadRequest || !h.enabled(t) {
		t.Fatalf("a form without its token: status %d, two-step verification on %v", w.Code, h.enabled(t))
	}
	h.withPasskeys(t, annsPhone)
	h.withLinks(t, annsWeCom)
	h.withElsewhere(t)
	for path, form := range map[string]url.Values{
		"/account/links/wecom/remove":              {"subject": {annsWeCom.Subject}},
		"/account/password":                        change(annPassword, newPassword, newPassword),
		"/account/passkeys/" + annsRef + "/rename": {"name": {"Stolen"}},
		"/account/passkeys/" + annsRef + "/remove": nil,
	} {
		if w := h.post(t, path, form, "Origin", "https://id.example"); w.Code != http.StatusBadRequest {
			t.Errorf("%s without its token: status %d, want 400", path, w.Code)
		}
	}
	h.unchanged(t)
	if h.passkeyNamed(t, annsPhone.ID) != annsPhone.Name {
		t.Fatal("a form without its token renamed or removed a passkey")
	}
	if !h.linked(t, annsWeCom) {
		t.Fatal("a form without its token unlinked an identity")
	}
	// The same form with the token the page gave, and its cookie, passes.
	page := h.get(t, "/account")
	token := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(page.Body.String())
	if token == nil {
		t.Fatalf("no token on the page:\n%s", page.Body)
	}
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/account/mfa/disable",
		strings.NewReader(url.Values{"password": {annPassword}, "code": {annsCode(t)}, session.CSRFField: {html.UnescapeString(token[1])}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://id.example")
	for _, c := range page.Result().Cookies() {
		req.AddCookie(c)
	}
	w = httptest.NewRecorder()
	h.mux.ServeHTTP(w, req)
	says(t, w, http.StatusOK, "Two-step verification is off.")
}

// protected is the fake session with the real CSRF check.
type protected struct {
	signedIn
	m *session.Manager
}

func (p protected) Protect(h http.Handler) http.Handler { return p.m.Protect(h) }

// nobody is signed in.
type nobody struct{ signedIn }

func (nobody) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	return session.Signed{}, false, nil
}

// broken cannot tell who is signed in.
type broken struct{ signedIn }

func (broken) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	return session.Signed{}, false, errors.New("postgres: connection refused")
}

// withRecoveryCodes stores Ann with recovery codes, hashed as the page
// hashes them.
func (h *harness) withRecoveryCodes(t *testing.T, codes ...string) {
	t.Helper()
	if _, err := h.store.UpdateUser(t.Context(), h.user.ID, func(u storage.User) (storage.User, error) {
		u.RecoveryCodes = nil
		for _, c := range codes {
			u.RecoveryCodes = append(u.RecoveryCodes, mfa.HashRecoveryCode(h.recovery, c))
		}
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestRenewRecoveryCodes(t *testing.T) {
	t.Parallel()
	t.Run("the page says how many are left", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		h.withRecoveryCodes(t, "ABCDE-FGHJK", "BCDEF-GHJKL")
		says(t, h.get(t, "/account"), http.StatusOK, "You have 2 unused recovery codes left.", `action="/account/mfa/recovery"`)
		says(t, h.get(t, "/account", "Accept-Language", "zh-CN"), http.StatusOK, "您还有 2 个未使用的恢复码。")
	})
	t.Run("a current code makes a new set, shown once; the old codes stop working", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		h.withRecoveryCodes(t, "ABCDE-FGHJK")
		w := h.post(t, "/account/mfa/recovery", url.Values{"code": {annsCode(t)}})
		says(t, w, http.StatusOK, "New recovery codes are ready: the old ones no longer work.")
		shown := regexp.MustCompile(`<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})</code></li>`).FindAllStringSubmatch(w.Body.String(), -1)
		if len(shown) != mfa.RecoveryCodeCount {
			t.Fatalf("%d codes shown, want %d:\n%s", len(shown), mfa.RecoveryCodeCount, w.Body)
		}
		u := h.stored(t)
		if len(u.RecoveryCodes) != mfa.RecoveryCodeCount || mfa.MatchRecoveryCode(h.recovery, u.RecoveryCodes, "ABCDE-FGHJK") >= 0 {
			t.Fatalf("stored %d codes; the old one still matches: %v", len(u.RecoveryCodes), mfa.MatchRecoveryCode(h.recovery, u.RecoveryCodes, "ABCDE-FGHJK") >= 0)
		}
		for _, c := range shown {
			if mfa.MatchRecoveryCode(h.recovery, u.RecoveryCodes, c[1]) < 0 {
				t.Fatalf("shown code %s is not stored", c[1])
			}
		}
		if u.TOTPLastStep == 0 {
			t.Fatal("the authenticator code was not used up")
		}
		if recs := h.records(t, audit.MFARecoveryRenewed); len(recs) != 1 || recs[0].Subject != h.user.ID || recs[0].ActorID != h.user.ID {
			t.Fatalf("mfa.recovery_renewed records %+v", recs)
		}
		if again := h.get(t, "/account"); strings.Contains(again.Body.String(), shown[0][1]) {
			t.Fatal("the new codes are shown a second time")
		}
	})
	t.Run("a wrong code, or a recovery code, changes nothing and counts as a failure", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		h.withRecoveryCodes(t, "ABCDE-FGHJK")
		before := h.stored(t)
		says(t, h.post(t, "/account/mfa/recovery", url.Values{"code": {"000000"}}), http.StatusUnauthorized, "That code is not right")
		says(t, h.post(t, "/account/mfa/recovery", url.Values{"code": {"abcde-fghjk"}}, "Accept-Language", "zh-CN"), http.StatusUnauthorized, "验证码错误或已被使用")
		after := h.stored(t)
		if len(after.RecoveryCodes) != 1 || mfa.MatchRecoveryCode(h.recovery, after.RecoveryCodes, "ABCDE-FGHJK") != 0 || after.TOTPLastStep != before.TOTPLastStep {
			t.Fatalf("a refused renewal changed the account: %+v", after)
		}
		if c, err := h.store.GetCounter(t.Context(), throttle.SecondFactorKey(h.user.ID)); err != nil || c.Failures != 2 {
			t.Fatalf("second-factor failures %+v, %v; want 2", c, err)
		}
		if len(h.records(t, audit.MFARecoveryRenewed)) != 0 {
			t.Fatal("a refused renewal was recorded")
		}
	})
	t.Run("wrong codes wait, on the second-factor key", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		for range policy.Free {
			h.post(t, "/account/mfa/recovery", url.Values{"code": {"000000"}})
		}
		says(t, h.post(t, "/account/mfa/recovery", url.Values{"code": {annsCode(t)}}), http.StatusTooManyRequests, "Too many attempts.")
		if len(h.records(t, audit.MFARecoveryRenewed)) != 0 {
			t.Fatal("renewed during the wait")
		}
	})
	t.Run("with two-step verification off there is nothing to renew", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		h.turnOff(t)
		w := h.post(t, "/account/mfa/recovery", url.Values{"code": {annsCode(t)}})
		says(t, w, http.StatusOK, "Set up two-step verification")
		if strings.Contains(w.Body.String(), `action="/account/mfa/recovery"`) || len(h.records(t, audit.MFARecoveryRenewed)) != 0 || h.stored(t).RecoveryCodes != nil {
			t.Fatal("recovery codes renewed with two-step verification off")
		}
	})
}

func TestSignOutOneSession(t *testing.T) {
	t.Parallel()
	// This browser's session ("session-0123456789", see signedIn), a
	// phone's, and another account's.
	seed := func(t *testing.T, h *harness) {
		t.Helper()
		if err := h.store.CreateUser(t.Context(), storage.User{ID: "u-bob", Email: "bob@example.com", Status: storage.UserActive, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		for _, ls := range []storage.LoginSession{
			{ID: "session-0123456789", UserID: h.user.ID, UserAgent: "Firefox on Linux"},
			{ID: "session-phone-abcdef", UserID: h.user.ID, UserAgent: "TokenIM on iPhone"},
			{ID: "session-bobs-laptop", UserID: "u-bob", UserAgent: "Bob's laptop"},
		} {
			ls.AuthTime, ls.CreatedAt, ls.ExpiresAt = t0, t0, t0.Add(time.Hour)
			if err := h.store.CreateLoginSession(t.Context(), ls); err != nil {
				t.Fatal(err)
			}
		}
	}
	live := func(t *testing.T, h *harness, id string) bool {
		t.Helper()
		_, err := h.store.GetLoginSession(t.Context(), id)
		return err == nil
	}
	t.Run("another device of the account, from its row", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		seed(t, h)
		page := h.get(t, "/account").Body.String()
		if !strings.Contains(page, `name="session" value="session-phon"`) || strings.Contains(page, `name="session" value="session-0123"`) {
			t.Fatalf("want a sign-out for the phone and none for this browser:\n%s", page)
		}
		w := h.post(t, "/account/sessions/signout", url.Values{"session": {"session-phon"}})
		says(t, w, http.StatusOK, "That device is signed out.")
		if strings.Contains(w.Body.String(), "TokenIM on iPhone") {
			t.Fatal("the signed-out device is still listed")
		}
		if live(t, h, "session-phone-abcdef") || !live(t, h, "session-0123456789") || !live(t, h, "session-bobs-laptop") {
			t.Fatal("want only the phone's session ended")
		}
		recs := h.records(t, audit.SignOut)
		if len(recs) != 1 || recs[0].Subject != h.user.ID || recs[0].Reason != "by_user_elsewhere" || recs[0].Detail["session"] != storage.Ref("session-phone-abcdef") {
			t.Fatalf("signout records %+v", recs)
		}
	})
	t.Run("in Chinese", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		seed(t, h)
		says(t, h.post(t, "/account/sessions/signout", url.Values{"session": {"session-phon"}}, "Accept-Language", "zh-CN"), http.StatusOK, "该设备已退出登录。")
	})
	t.Run("never this browser's, another account's, or one that ended", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		seed(t, h)
		for _, ref := range []string{"session-0123", "session-bobs", "session-gone", ""} {
			says(t, h.post(t, "/account/sessions/signout", url.Values{"session": {ref}}), http.StatusNotFound, "That sign-in has already ended.")
		}
		says(t, h.post(t, "/account/sessions/signout", url.Values{"session": {"session-bobs"}}, "Accept-Language", "zh-CN"), http.StatusNotFound, "该登录已结束。")
		for _, id := range []string{"session-0123456789", "session-phone-abcdef", "session-bobs-laptop"} {
			if !live(t, h, id) {
				t.Fatalf("session %s ended", id)
			}
		}
		if len(h.records(t, audit.SignOut)) != 0 {
			t.Fatal("a refused sign-out was recorded")
		}
	})
}
