package login

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

const (
	totpSecret   = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	recoveryCode = "BCDFG-HJKLM"
)

// totpCode is the authenticator's code at the harness's time.
func (h *harness) totpCode(t *testing.T) string {
	t.Helper()
	h.mu.Lock()
	now := h.now
	h.mu.Unlock()
	code, err := totp.GenerateCode(totpSecret, now)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// passwordStep signs Ann in with her password, leaving the second step
// pending.
func (h *harness) passwordStep(t *testing.T, form url.Values) {
	t.Helper()
	form.Set("email", "ann@example.com")
	form.Set("password", annPassword)
	if w := h.post(t, "/login", form); w.Code != http.StatusSeeOther {
		t.Fatalf("the password: status %d\n%s", w.Code, w.Body)
	}
}

func TestSecondStepPage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.addUser(t, "ann@example.com", annPassword, h.withTOTP(totpSecret, recoveryCode))
	t.Run("without a password first, back to sign in", func(t *testing.T) {
		wantRedirect(t, h.get(t, "/login/mfa?next=%2Fadmin"), "/login?next=%2Fadmin")
		wantRedirect(t, h.get(t, "/login/mfa?flow=f-1"), "/login?flow=f-1")
		wantRedirect(t, h.post(t, "/login/mfa", url.Values{"flow": {"f-1"}, "code": {h.totpCode(t)}}), "/login?flow=f-1")
		wantRedirect(t, h.post(t, "/login/mfa", url.Values{"next": {"https://evil.example/"}, "code": {h.totpCode(t)}}), "/login?")
	})
	h.passwordStep(t, url.Values{"next": {"/admin"}})
	t.Run("asks for the code, or a recovery code", func(t *testing.T) {
		wantPage(t, h.get(t, "/login/mfa?next=%2Fadmin"), http.StatusOK, "Enter the 6-digit code from your authenticator app.",
			`name="code"`, `name="next" value="/admin"`, "Use a recovery code instead")
		wantPage(t, h.get(t, "/login/mfa?next=%2Fadmin&recovery=1"), http.StatusOK, "Enter one of the recovery codes", `name="recovery_code"`,
			"Use your authenticator app instead")
		wantPage(t, h.get(t, "/login/mfa", "Accept-Language", "zh-CN"), http.StatusOK, "请输入身份验证器应用中显示的 6 位验证码。")
		zh := h.addFlow(t, "ui_locales", "zh-CN")
		wantPage(t, h.get(t, "/login/mfa?flow="+zh), http.StatusOK, "两步验证", `name="flow" value="`+zh+`"`)
	})
}

func TestSecondStep(t *testing.T) {
	t.Parallel()
	t.Run("the authenticator's code, once", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ann := h.addUser(t, "ann@example.com", annPassword, h.withTOTP(totpSecret, recoveryCode))
		flow := h.addFlow(t)
		h.passwordStep(t, url.Values{"flow": {flow}})
		code := h.totpCode(t)
		wantRedirect(t, h.post(t, "/login/mfa", url.Values{"flow": {flow}, "code": {code}}), "/oauth2/auth?flow="+flow)
		if f, _ := h.store.GetFlow(t.Context(), flow); f.UserID != ann.ID || !slices.Equal(f.AMR, []string{"pwd", "otp", "mfa"}) {
			t.Fatalf("the flow after the second step: %+v", f)
		}
		recs := h.records(t, audit.SignIn)
		if len(recs) != 1 || recs[0].Outcome != audit.Success || recs[0].Detail["acr"] != session.ACRTwoFactor || recs[0].Detail["amr"] != "pwd otp mfa" {
			t.Fatalf("sign-in records %+v, want one two-factor success", recs)
		}
		// The same code again, after the password again: already used.
		h.passwordStep(t, url.Values{"next": {"/account"}})
		wantPage(t, h.post(t, "/login/mfa", url.Values{"next": {"/account"}, "code": {code}}), http.StatusUnauthorized,
			"That code is not right, or it was already used.", `name="code"`)
		wantPage(t, h.post(t, "/login/mfa", url.Values{"code": {"000000"}}, "Accept-Language", "zh-CN"), http.StatusUnauthorized, "验证码错误或已被使用")
		if who := h.whoIsSignedIn(t); who != "" {
			t.Fatalf("a used code signed in %s", who)
		}
		if recs := h.records(t, audit.SignIn); recs[0].Reason != ReasonWrongTOTP || recs[0].Subject != ann.ID {
			t.Fatalf("the last sign-in record %+v, want %s", recs[0], ReasonWrongTOTP)
		}
	})
	t.Run("a recovery code, once", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ann := h.addUser(t, "ann@example.com", annPassword, h.withTOTP(totpSecret, recoveryCode))
		h.passwordStep(t, url.Values{"next": {"/account"}})
		form := url.Values{"next": {"/account"}, "recovery_code": {recoveryCode}}
		wantRedirect(t, h.post(t, "/login/mfa", form), "/account")
		if u, _ := h.store.GetUser(t.Context(), ann.ID); len(u.RecoveryCodes) != 0 {
			t.Fatalf("%d recovery codes left, want the used one gone", len(u.RecoveryCodes))
		}
		h.passwordStep(t, url.Values{"next": {"/account"}})
		wantPage(t, h.post(t, "/login/mfa", form), http.StatusUnauthorized, "That recovery code is not right, or it was already used.", `name="recovery_code"`)
		wantPage(t, h.post(t, "/login/mfa", form, "Accept-Language", "zh-CN"), http.StatusUnauthorized, "恢复码错误或已被使用。")
		if recs := h.records(t, audit.SignIn); recs[0].Reason != ReasonWrongRecoveryCode {
			t.Fatalf("the last sign-in record %+v, want %s", recs[0], ReasonWrongRecoveryCode)
		}
	})
	t.Run("an account whose second factor was turned off meanwhile", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		ann := h.addUser(t, "ann@example.com", annPassword, h.withTOTP(totpSecret, recoveryCode))
		h.passwordStep(t, url.Values{"next": {"/account"}})
		if _, err := h.store.UpdateUser(t.Context(), ann.ID, func(u storage.User) (storage.User, error) { u.TOTPEnabled = false; return u, nil }); err != nil {
			t.Fatal(err)
		}
		// No code is asked for any more: the page says what to set up,
		// and a code posted anyway signs nobody in.
		wantPage(t, h.post(t, "/login/mfa", url.Values{"code": {h.totpCode(t)}}), http.StatusBadRequest, "Set it up on your account page")
		wantPage(t, h.post(t, "/login/mfa", url.Values{"recovery_code": {recoveryCode}}), http.StatusBadRequest, "Set it up on your account page")
		if who := h.whoIsSignedIn(t); who != "" {
			t.Fatalf("a code of a second factor turned off signed in %s", who)
		}
	})
}
