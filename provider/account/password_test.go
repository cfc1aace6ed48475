package account

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/storage"
)

const newPassword = "copper-lantern-88"

// withElsewhere stores a sign-in of Ann's on her phone and an access
// token of hers.
func (h *harness) withElsewhere(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	if err := h.store.CreateLoginSession(ctx, storage.LoginSession{ID: "session-other-phone", UserID: h.user.ID, UserAgent: "TokenIM on iPhone",
		AuthTime: t0.Add(-time.Hour), CreatedAt: t0.Add(-time.Hour), ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.CreateClient(ctx, storage.Client{ID: "chat-web", Name: "TokenIM Chat Web", Scopes: []string{"openid"}}); err != nil {
		t.Fatal(err)
	}
	if err := h.store.CreateToken(ctx, storage.Token{Kind: storage.KindAccessToken, Signature: "at-chat-web", RequestID: "r-chat-web", ClientID: "chat-web",
		Subject: h.user.ID, Active: true, RequestedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

// verifies reports whether pw is Ann's stored password.
func (h *harness) verifies(t *testing.T, pw string) bool {
	t.Helper()
	ok, err := password.Verify(pw, h.stored(t).PasswordHash)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// unchanged fails the test unless Ann's password, her phone's session
// and her token are as they were, and no change was recorded.
func (h *harness) unchanged(t *testing.T) {
	t.Helper()
	if !h.verifies(t, annPassword) {
		t.Fatal("the password changed")
	}
	if _, err := h.store.GetLoginSession(t.Context(), "session-other-phone"); err != nil {
		t.Fatalf("the phone's session ended: %v", err)
	}
	if tok, err := h.store.GetToken(t.Context(), storage.KindAccessToken, "at-chat-web"); err != nil || !tok.Active {
		t.Fatalf("the token was revoked: %v", err)
	}
	if n := len(h.records(t, audit.PasswordChanged)); n != 0 {
		t.Fatalf("%d user.password_changed records", n)
	}
}

func change(current, pw, confirm string) url.Values {
	return url.Values{"current_password": {current}, "new_password": {pw}, "confirm": {confirm}}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	for name, open := range stores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			t.Run("with the current password: other devices and apps are signed out", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1), signedInWith(staleTwoFactor))
				h.withElsewhere(t)
				says(t, h.get(t, "/account"), http.StatusOK, `name="current_password"`)
				w := h.post(t, "/account/password", change(annPassword, newPassword, newPassword))
				says(t, w, http.StatusOK, "Password changed. Your other devices and apps were signed out.")
				if h.verifies(t, annPassword) || !h.verifies(t, newPassword) {
					t.Fatal("want the new password stored and the old one refused")
				}
				if _, err := h.store.GetLoginSession(t.Context(), "session-other-phone"); err == nil {
					t.Fatal("the phone is still signed in")
				}
				if tok, err := h.store.GetToken(t.Context(), storage.KindAccessToken, "at-chat-web"); err != nil || tok.Active {
					t.Fatalf("the app's token is still active (%v)", err)
				}
				recs := h.records(t, audit.PasswordChanged)
				if len(recs) != 1 || recs[0].Subject != h.user.ID || recs[0].ActorID != h.user.ID ||
					recs[0].Detail["sessions_ended"] != "1" || recs[0].Detail["tokens_revoked"] != "1" {
					t.Fatalf("user.password_changed records %+v", recs)
				}
				// This browser stays signed in as it was: no fresher.
				if !strings.Contains(w.Body.String(), `name="current_password"`) {
					t.Fatal("after the change the page no longer asks for the current password")
				}
			})
			t.Run("a wrong current password is refused and counted, as at sign-in", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1))
				h.withElsewhere(t)
				says(t, h.post(t, "/account/password", change("wrong-password", newPassword, newPassword)), http.StatusUnauthorized, "Incorrect password.")
				says(t, h.post(t, "/account/password", change("", newPassword, newPassword), "Accept-Language", "zh-CN"), http.StatusUnauthorized, "密码错误。")
				if c, err := h.store.GetCounter(t.Context(), throttle.EmailKey(h.user.Email)); err != nil || c.Failures != 2 {
					t.Fatalf("failures on the email key %+v, %v; want 2", c, err)
				}
				h.unchanged(t)
			})
			t.Run("the new password twice, and by the policy of registration and reset", func(t *testing.T) {
				t.Parallel()
				h := newHarnessOn(t, open(t), password.NewPool(1, 1))
				h.withElsewhere(t)
				for _, tc := range []struct{ pw, confirm, lang, want string }{
					{newPassword, newPassword + "x", "en", "The two passwords do not match."},
					{"short", "short", "en", "Use at least 8 characters for your password."},
					{strings.Repeat("x", 129), strings.Repeat("x", 129), "en", "Use at most 128 characters for your password."},
					{"password123", "password123", "en", "This password is too common"},
					{"password123", "password123", "zh-CN", "该密码过于常见"},
					{newPassword, "", "zh-CN", "两次输入的密码不一致。"},
				} {
					says(t, h.post(t, "/account/password", change(annPassword, tc.pw, tc.confirm), "Accept-Language", tc.lang), http.StatusBadRequest, tc.want)
				}
				h.unchanged(t)
			})
		})
	}
	t.Run("wrong current passwords wait, on the account's email key, shared with sign-in", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1))
		h.withElsewhere(t)
		for range policy.Free {
			h.post(t, "/account/password", change("wrong-password", newPassword, newPassword))
		}
		w := h.post(t, "/account/password", change(annPassword, newPassword, newPassword))
		says(t, w, http.StatusTooManyRequests, "Too many attempts. Try again in 30 seconds.")
		if w.Header().Get("Retry-After") != "30" {
			t.Fatalf("Retry-After %q", w.Header().Get("Retry-After"))
		}
		says(t, h.post(t, "/account/password", change(annPassword, newPassword, newPassword), "Accept-Language", "zh-CN"), http.StatusTooManyRequests, "尝试次数过多，请在 30 秒后重试。")
		h.unchanged(t)
		h.mu.Lock()
		h.now = h.now.Add(30 * time.Second)
		h.mu.Unlock()
		says(t, h.post(t, "/account/password", change(annPassword, newPassword, newPassword)), http.StatusOK, "Password changed.")
		if wait, _ := h.throttle.Wait(t.Context(), throttle.EmailKey(h.user.Email)); wait != 0 {
			t.Fatal("the right password did not clear the count")
		}
	})
	t.Run("a fresh two-factor sign-in stands in for the current password", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1), signedInWith(freshTwoFactor))
		h.withElsewhere(t)
		w := h.get(t, "/account")
		says(t, w, http.StatusOK, "You signed in with a second factor a moment ago, so your current password is not needed.")
		if strings.Contains(w.Body.String(), `name="current_password"`) {
			t.Fatal("the form asks for the current password")
		}
		says(t, h.post(t, "/account/password", url.Values{"new_password": {newPassword}, "confirm": {newPassword}}), http.StatusOK, "Password changed.")
		if !h.verifies(t, newPassword) {
			t.Fatal("the new password was not stored")
		}
	})
	t.Run("a stale two-factor sign-in, or a fresh one-factor one, still needs the current password", func(t *testing.T) {
		t.Parallel()
		for _, ls := range []storage.LoginSession{staleTwoFactor, freshPassword} {
			h := newHarness(t, password.NewPool(1, 1), signedInWith(ls))
			h.withElsewhere(t)
			says(t, h.get(t, "/account"), http.StatusOK, `name="current_password"`)
			says(t, h.post(t, "/account/password", url.Values{"new_password": {newPassword}, "confirm": {newPassword}}), http.StatusUnauthorized, "Incorrect password.")
			h.unchanged(t)
		}
	})
	t.Run("signing out everywhere does not make a stale sign-in fresh", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, password.NewPool(1, 1), signedInWith(staleTwoFactor))
		says(t, h.post(t, "/account/sessions/signout-all", nil), http.StatusOK, "You were signed out everywhere else.", `name="current_password"`)
	})
	t.Run("a full password pool answers 503, checking or hashing", func(t *testing.T) {
		t.Parallel()
		for _, ls := range []storage.LoginSession{staleTwoFactor, freshTwoFactor} {
			h := newHarness(t, fullPool{}, signedInWith(ls))
			h.withElsewhere(t)
			w := h.post(t, "/account/password", change(annPassword, newPassword, newPassword), "Accept-Language", "zh-CN")
			says(t, w, http.StatusServiceUnavailable, "当前登录或修改密码的人数过多")
			if w.Header().Get("Retry-After") != "2" {
				t.Fatalf("Retry-After %q", w.Header().Get("Retry-After"))
			}
			h.unchanged(t)
			if wait, _ := h.throttle.Wait(t.Context(), throttle.EmailKey(h.user.Email)); wait != 0 {
				t.Fatal("a refused check counted as a wrong password")
			}
		}
	})
}
