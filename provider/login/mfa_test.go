package login

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/storage"
)

// withTOTP turns two-step verification on for a user, with secret and
// one recovery code.
func (h *harness) withTOTP(secret, recovery string) func(*storage.User) {
	hasher := h.handler.cfg.RecoveryHasher
	return func(u *storage.User) {
		u.TOTPEnabled, u.TOTPSecret = true, mfa.SealSecret(h.sealer, u.ID, secret)
		u.RecoveryCodes = [][]byte{mfa.HashRecoveryCode(hasher, recovery)}
	}
}

func TestSecondFactorGuessesAreNotClearedByThePassword(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	for _, tc := range []struct {
		name  string
		wrong url.Values
	}{
		{"authenticator codes", url.Values{"next": {"/account"}, "code": {"000000"}}},
		{"recovery codes", url.Values{"next": {"/account"}, "recovery_code": {"AAAAA-AAAAA"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			ann := h.addUser(t, "ann@example.com", "violet-harbour-42", h.withTOTP(secret, "BCDFG-HJKLM"))
			password := func() {
				t.Helper()
				w := h.post(t, "/login", url.Values{"next": {"/account"}, "email": {ann.Email}, "password": {"violet-harbour-42"}})
				if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login/mfa?") {
					t.Fatalf("the right password: %d %s", w.Code, w.Header().Get("Location"))
				}
			}
			// Each wrong code after the right password: the password
			// again each time does not start the count again.
			for range accountPolicy.Free {
				password()
				wantPage(t, h.post(t, "/login/mfa", tc.wrong), http.StatusUnauthorized)
			}
			password()
			wantPage(t, h.post(t, "/login/mfa", tc.wrong), http.StatusTooManyRequests, "Too many attempts. Try again in 30 seconds.")

			right, err := totp.GenerateCode(secret, h.handler.cfg.Now())
			if err != nil {
				t.Fatal(err)
			}
			code := url.Values{"next": {"/account"}, "code": {right}}
			password()
			wantPage(t, h.post(t, "/login/mfa", code), http.StatusTooManyRequests, "Too many attempts.")
			if cur, ok, _ := h.browser.Current(t.Context(), nil); ok {
				t.Fatalf("signed in during the wait as %s", cur.User.Email)
			}

			h.advance(30 * time.Second)
			right, _ = totp.GenerateCode(secret, h.handler.cfg.Now())
			code.Set("code", right)
			if w := h.post(t, "/login/mfa", code); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/account" {
				t.Fatalf("the right code after the wait: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body)
			}
			// The right code clears the count: one wrong code costs no wait.
			password()
			wantPage(t, h.post(t, "/login/mfa", tc.wrong), http.StatusUnauthorized)
		})
	}
}
