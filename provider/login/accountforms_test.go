package login

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// mailedLink checks that the mail sent since the last look is one mail to
// to, and returns the token of its link to path.
func (h *harness) mailedLink(t *testing.T, to, path string) string {
	t.Helper()
	sent := h.mail.take()
	if len(sent) != 1 || sent[0].To != to {
		t.Fatalf("mail %+v, want one to %s", sent, to)
	}
	return tokenOf(t, sent[0], path)
}

func TestRegisterPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	wantPage(t, h.get(t, "/register"), http.StatusOK, "Create your TokenIM account", `name="email"`, `name="name"`, `name="password"`, `name="csrf_token"`)
	wantPage(t, h.get(t, "/register", "Accept-Language", "zh-CN"), http.StatusOK, "创建您的 TokenIM 账号")
	flow := h.addFlow(t, "ui_locales", "zh-CN")
	wantPage(t, h.get(t, "/register?flow="+flow), http.StatusOK, "创建您的 TokenIM 账号", `name="flow" value="`+flow+`"`)

	closed := newHarness(t, func(c *Config) { c.Registration = false })
	wantPage(t, closed.get(t, "/register"), http.StatusForbidden, "Registration is closed. Ask your administrator for an invitation.")
	wantPage(t, closed.get(t, "/register", "Accept-Language", "zh-CN"), http.StatusForbidden, "暂不开放注册，请联系管理员获取邀请。")
	wantPage(t, closed.post(t, "/register", registration("bob@example.com", "amber-lantern-77")), http.StatusForbidden, "Registration is closed.")
	if _, err := closed.store.GetUserByEmail(t.Context(), "bob@example.com"); err == nil {
		t.Fatal("closed registration created an account")
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.Registrations = c.IPs })
	flow := h.addFlow(t)
	form := registration(" bob@example.com ", "amber-lantern-77")
	form.Set("flow", flow)
	wantPage(t, h.post(t, "/register", form), http.StatusOK, "We sent an activation link to bob@example.com. Open it to activate your account. It expires in 24 hours.",
		`action="/activate/resend"`)
	bob, err := h.store.GetUserByEmail(t.Context(), "bob@example.com")
	if err != nil || bob.Status != storage.UserPending || bob.EmailVerified || bob.Name != "Someone" {
		t.Fatalf("the new account %+v (%v), want pending and not verified", bob, err)
	}
	if recs := h.records(t, audit.UserCreated); len(recs) != 1 || recs[0].Subject != bob.ID || recs[0].Reason != "registered" {
		t.Fatalf("user.created records %+v", recs)
	}
	// The mailed link activates the account and leads back to the app.
	token := h.mailedLink(t, bob.Email, "/activate")
	wantPage(t, h.post(t, "/activate", url.Values{"token": {token}, "flow": {flow}}), http.StatusOK, "Your account is active.",
		`href="`+html.EscapeString("/login?flow="+flow)+`"`)
	if recs := h.records(t, audit.UserActivated); len(recs) != 1 || recs[0].Subject != bob.ID {
		t.Fatalf("user.activated records %+v", recs)
	}
	wantRedirect(t, h.post(t, "/login", signInForm("email", bob.Email, "password", "amber-lantern-77")), "/account")
}

func TestRegisterRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *Config) { c.Registrations = c.IPs })
	for _, tc := range []struct {
		name, email, password, en, zh string
	}{
		{"not an address", "bob.example.com", "amber-lantern-77", "Enter a valid email address, such as name@example.com.", "请输入有效的邮箱地址"},
		{"an address with a display name", "Bob <bob@example.com>", "amber-lantern-77", "Enter a valid email address", "请输入有效的邮箱地址"},
		{"no address", "", "amber-lantern-77", "Enter a valid email address", "请输入有效的邮箱地址"},
		{"a short password", "bob@example.com", "short", "Use at least 8 characters for your password.", "密码至少需要 8 个字符。"},
		{"a long password", "bob@example.com", strings.Repeat("x7", 65), "Use at most 128 characters for your password.", "密码不能超过 128 个字符。"},
		{"a common password", "bob@example.com", "password123", "This password is too common and easy to guess.", "该密码过于常见"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := registration(tc.email, tc.password)
			form.Set("name", "Bob <b>")
			wantPage(t, h.post(t, "/register", form), http.StatusBadRequest, tc.en, `value="Bob &lt;b&gt;"`)
			wantPage(t, h.post(t, "/register", form, "Accept-Language", "zh-CN"), http.StatusBadRequest, tc.zh)
		})
	}
	if n := h.hasher.hashes.Load(); n != 0 || len(h.mail.take()) != 0 || len(h.records(t, audit.UserCreated)) != 0 {
		t.Fatalf("refused forms hashed %d passwords, or mailed, or created accounts", n)
	}
}

func TestForgotPassword(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ann := h.addUser(t, "ann@example.com", annPassword)
	h.addUser(t, "dis@example.com", annPassword, func(u *storage.User) { u.Status = storage.UserDisabled })
	wantPage(t, h.get(t, "/password/forgot"), http.StatusOK, "Reset your password", `action="/password/forgot"`, `name="csrf_token"`)
	wantPage(t, h.get(t, "/password/forgot", "Accept-Language", "zh-CN"), http.StatusOK, "重置密码", "发送重置链接")
	wantPage(t, h.post(t, "/password/forgot", url.Values{"email": {" "}}), http.StatusBadRequest, "Enter a valid email address")

	// Every address gets the same answer; only an active account's owner
	// gets mail.
	for _, email := range []string{ann.Email, "nobody@example.com", "dis@example.com"} {
		wantPage(t, h.post(t, "/password/forgot", url.Values{"email": {email}}), http.StatusOK,
			"If an account exists for "+email+", we sent a link to reset its password. It expires in 30 minutes.")
	}
	token := h.mailedLink(t, ann.Email, "/password/reset")
	wantPage(t, h.post(t, "/password/forgot", url.Values{"email": {ann.Email}}, "Accept-Language", "zh-CN"), http.StatusOK, "如果 ann@example.com 已注册 TokenIM 账号")
	// A newer link replaces the older one.
	newer := h.mailedLink(t, ann.Email, "/password/reset")
	wantPage(t, h.get(t, "/password/reset?"+url.Values{"token": {token}}.Encode()), http.StatusBadRequest, "This reset link has expired")
	wantPage(t, h.get(t, "/password/reset?"+url.Values{"token": {newer}}.Encode()), http.StatusOK, `name="password"`)
	// The address's mail is limited: past the free ones, nothing more.
	for range accountPolicy.Free {
		wantPage(t, h.post(t, "/password/forgot", url.Values{"email": {ann.Email}}), http.StatusOK, "If an account exists")
	}
	if n := len(h.mail.take()); n != accountPolicy.Free-2 {
		t.Fatalf("%d more mails, want %d", n, accountPolicy.Free-2)
	}

	noMail := newHarness(t, func(c *Config) { c.Mail = nil })
	wantPage(t, noMail.get(t, "/password/forgot"), http.StatusOK, "Password reset by email is not available here. Ask your administrator to reset your password.")
	wantPage(t, noMail.post(t, "/password/forgot", url.Values{"email": {ann.Email}}), http.StatusOK, "Password reset by email is not available here.")
	wantPage(t, noMail.get(t, "/password/forgot", "Accept-Language", "zh-CN"), http.StatusOK, "此处不支持通过邮件重置密码")
}

func TestResetSignsOutEverywhere(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ann := h.addUser(t, "ann@example.com", annPassword)
	// Signed in on a phone and a laptop.
	for range 2 {
		if err := h.store.CreateLoginSession(t.Context(), storage.LoginSession{ID: uuid.NewString(), UserID: ann.ID, CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	token := h.addLink(t, ann.ID, storage.LinkPasswordReset)
	wantPage(t, h.post(t, "/password/reset", resetForm(token, "new-secret-pass-1"), "Accept-Language", "zh-CN"), http.StatusOK, "密码已修改，您的其他设备已退出登录。")
	recs := h.records(t, audit.PasswordReset)
	if len(recs) != 1 || recs[0].Subject != ann.ID || recs[0].Detail["sessions_ended"] != "2" {
		t.Fatalf("password reset records %+v, want one ending 2 sessions", recs)
	}
	wantRedirect(t, h.post(t, "/login", signInForm("email", ann.Email, "password", "new-secret-pass-1")), "/account")
}

func TestResendActivation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pat := h.addUser(t, "pat@example.com", annPassword, func(u *storage.User) { u.Status, u.EmailVerified = storage.UserPending, false })
	h.addUser(t, "ann@example.com", annPassword)
	for _, email := range []string{pat.Email, "ann@example.com", "nobody@example.com"} {
		wantPage(t, h.post(t, "/activate/resend", url.Values{"email": {email}}), http.StatusOK, "We sent an activation link to "+email)
	}
	first := h.mailedLink(t, pat.Email, "/activate")
	wantPage(t, h.post(t, "/activate/resend", url.Values{"email": {pat.Email}}, "Accept-Language", "zh-CN"), http.StatusOK, "我们已向 pat@example.com 发送激活链接")
	// The new link replaces the old one.
	second := h.mailedLink(t, pat.Email, "/activate")
	wantPage(t, h.get(t, "/activate?"+url.Values{"token": {first}}.Encode()), http.StatusBadRequest, expiredActivation)
	wantPage(t, h.post(t, "/activate", url.Values{"token": {second}}), http.StatusOK, "Your account is active.")
}

// Behind the real CSRF check, a sign-in form posted without the page's
// token signs nobody in.
func TestSignInKeepsCSRF(t *testing.T) {
	t.Parallel()
	h := newHarness(t, realCSRF(t))
	h.addUser(t, "ann@example.com", annPassword)
	form := signInForm("email", "ann@example.com", "password", annPassword, "next", "/account")
	wantPage(t, h.post(t, "/login", form, "Origin", testIssuer), http.StatusForbidden)
	if who := h.whoIsSignedIn(t); who != "" {
		t.Fatalf("a forged sign-in signed in %s", who)
	}
	page := h.get(t, "/login")
	m := csrfInput.FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no CSRF token on the page:\n%s", page.Body)
	}
	form.Set(session.CSRFField, html.UnescapeString(m[1]))
	send := func(origin string) *httptest.ResponseRecorder {
		req := postRequest(t, "/login", form)
		for _, c := range page.Result().Cookies() {
			req.AddCookie(c)
		}
		return h.serve(t, req, "Origin", origin)
	}
	// The page's token from another site is refused too.
	if w := send(evilSite); w.Code != http.StatusForbidden || h.whoIsSignedIn(t) != "" {
		t.Fatalf("a cross-site post with the token: status %d, signed in as %q", w.Code, h.whoIsSignedIn(t))
	}
	wantRedirect(t, send(testIssuer), "/account")
}
