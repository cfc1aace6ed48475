package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/oauth"
)

func TestExpiredAuthorizationCode(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		skew := new(atomic.Int64)
		h := newUserHarness(t, hh.store, func(cfg *oauth.Config) {
			cfg.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
		})
		code := func() string {
			skew.Store(0)
			return redirected(t, h.authorize(t, authParams("app", h.appRedirect).Encode()), h.appRedirect).Get("code")
		}
		redeem := func(code string) reply {
			return h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
				"redirect_uri": {h.appRedirect}, "code_verifier": {pkceVerifier}}, "app", h.appSecret)
		}

		t.Run("a code redeemed within its minute works", func(t *testing.T) {
			c := code()
			skew.Store(int64(55 * time.Second))
			if r := redeem(c); r.status != http.StatusOK {
				t.Fatalf("token: %d %s", r.status, r.raw)
			}
		})
		t.Run("a code redeemed after its minute is invalid_grant saying it expired and how long codes live", func(t *testing.T) {
			c := code()
			skew.Store(int64(61 * time.Second))
			r := redeem(c)
			wantError(t, r, http.StatusBadRequest, "invalid_grant")
			if d := r.str("error_description"); !strings.Contains(d, "authorization code expired (codes live 60 s); start the sign-in again") {
				t.Fatalf("error_description %q does not say the code expired", d)
			}
		})
	})
}
