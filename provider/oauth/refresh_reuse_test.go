package oauth_test

import (
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// A refresh token presented again within the reuse window — parallel
// refreshes from several windows of a desktop app, or a phone retrying
// after a lost response — gets a new pair of its sign-in; every pair
// issued stays valid. After the window, or with the window off, the reuse
// revokes the whole sign-in as before (RFC 9700 section 4.14.2).
func TestRefreshReuseWindow(t *testing.T) {
	t.Parallel()
	const window = 10 * time.Second
	for name, openStore := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var skew atomic.Int64
			later := func(d time.Duration) { skew.Add(int64(d)) }
			h := newUserHarness(t, openStore(t), func(c *oauth.Config) {
				c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
				c.RefreshReuseWindow = window
			})
			refresh := func(token string) reply {
				return h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}, "app", h.appSecret)
			}
			allActive := func(t *testing.T, pairs ...reply) {
				t.Helper()
				for _, p := range pairs {
					for _, kind := range []string{"access_token", "refresh_token"} {
						if r := h.introspect(p.str(kind), "app", h.appSecret); !active(r) {
							t.Errorf("an issued %s is not active: %s", kind, r.raw)
						}
					}
				}
			}
			allInactive := func(t *testing.T, pairs ...reply) {
				t.Helper()
				for _, p := range pairs {
					for _, kind := range []string{"access_token", "refresh_token"} {
						if r := h.introspect(p.str(kind), "app", h.appSecret); active(r) {
							t.Errorf("an %s of a revoked sign-in is still active", kind)
						}
					}
				}
			}

			t.Run("three parallel refreshes with one token all get a working pair", func(t *testing.T) {
				first := h.tokens(t, "openid offline_access")
				replies := make([]reply, 3)
				var wg sync.WaitGroup
				for i := range replies {
					wg.Go(func() { replies[i] = refresh(first.str("refresh_token")) })
				}
				wg.Wait()
				for i, r := range replies {
					if r.status != http.StatusOK {
						t.Fatalf("refresh %d: %d %s", i, r.status, r.raw)
					}
				}
				allActive(t, replies...)
				for i, r := range replies {
					if next := refresh(r.str("refresh_token")); next.status != http.StatusOK {
						t.Errorf("the refresh token of reply %d: %d %s", i, next.status, next.raw)
					}
				}
			})

			t.Run("a retry after a lost response gets a working pair; reuse after the window revokes the sign-in", func(t *testing.T) {
				first := h.tokens(t, "openid offline_access")
				lost := refresh(first.str("refresh_token"))
				if lost.status != http.StatusOK {
					t.Fatalf("refresh: %d %s", lost.status, lost.raw)
				}
				later(time.Second)
				retry := refresh(first.str("refresh_token"))
				if retry.status != http.StatusOK {
					t.Fatalf("a retry a second later: %d %s", retry.status, retry.raw)
				}
				if retry.str("refresh_token") == lost.str("refresh_token") || retry.str("access_token") == lost.str("access_token") {
					t.Fatal("the retry got the same tokens again")
				}
				allActive(t, lost, retry)

				later(window)
				wantError(t, refresh(first.str("refresh_token")), http.StatusBadRequest, "invalid_grant")
				allInactive(t, lost, retry)
			})

			t.Run("a revoked sign-in stays revoked within the window", func(t *testing.T) {
				first := h.tokens(t, "openid offline_access")
				next := refresh(first.str("refresh_token"))
				if next.status != http.StatusOK {
					t.Fatalf("refresh: %d %s", next.status, next.raw)
				}
				if r := h.post("/oauth2/revoke", url.Values{"token": {next.str("refresh_token")}}, "app", h.appSecret); r.status != http.StatusOK {
					t.Fatalf("revoke: %d %s", r.status, r.raw)
				}
				wantError(t, refresh(first.str("refresh_token")), http.StatusBadRequest, "invalid_grant")
				allInactive(t, next)
			})

			t.Run("revoking the just-rotated token within the window signs the whole sign-in out", func(t *testing.T) {
				first := h.tokens(t, "openid offline_access")
				next := refresh(first.str("refresh_token"))
				if next.status != http.StatusOK {
					t.Fatalf("refresh: %d %s", next.status, next.raw)
				}
				if r := h.post("/oauth2/revoke", url.Values{"token": {first.str("refresh_token")}}, "app", h.appSecret); r.status != http.StatusOK {
					t.Fatalf("revoke: %d %s", r.status, r.raw)
				}
				allInactive(t, next)
				wantError(t, refresh(first.str("refresh_token")), http.StatusBadRequest, "invalid_grant")
			})
		})
	}
}

// With the reuse window off, presenting a rotated refresh token again at
// once is a reuse: invalid_grant, and the whole sign-in is revoked.
func TestRefreshReuseWindowOff(t *testing.T) {
	t.Parallel()
	for name, openStore := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newUserHarness(t, openStore(t))
			first := h.tokens(t, "openid offline_access")
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}}
			next := h.post("/oauth2/token", form, "app", h.appSecret)
			if next.status != http.StatusOK {
				t.Fatalf("refresh: %d %s", next.status, next.raw)
			}
			wantError(t, h.post("/oauth2/token", form, "app", h.appSecret), http.StatusBadRequest, "invalid_grant")
			for _, kind := range []string{"access_token", "refresh_token"} {
				if r := h.introspect(next.str(kind), "app", h.appSecret); active(r) {
					t.Errorf("the %s of a reused sign-in is still active", kind)
				}
			}
		})
	}
}

// A client's own reuse window wins over the provider's, either way: off
// for a client that wants strict reuse detection, on for one that needs it
// where the provider's is off.
func TestRefreshReuseWindowPerClient(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		provider, client time.Duration
		retryWorks       bool
	}{
		"the client turns it off": {provider: 10 * time.Second, client: 0, retryWorks: false},
		"the client turns it on":  {provider: 0, client: 10 * time.Second, retryWorks: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := newUserHarness(t, memory.New(), func(cfg *oauth.Config) { cfg.RefreshReuseWindow = c.provider })
			if _, err := h.store.UpdateClient(t.Context(), "app", func(cl storage.Client) (storage.Client, error) {
				cl.RefreshReuseWindow = &c.client
				return cl, nil
			}); err != nil {
				t.Fatal(err)
			}
			first := h.tokens(t, "openid offline_access")
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.str("refresh_token")}}
			next := h.post("/oauth2/token", form, "app", h.appSecret)
			if next.status != http.StatusOK {
				t.Fatalf("refresh: %d %s", next.status, next.raw)
			}
			retry := h.post("/oauth2/token", form, "app", h.appSecret)
			if !c.retryWorks {
				wantError(t, retry, http.StatusBadRequest, "invalid_grant")
				if active(h.introspect(next.str("access_token"), "app", h.appSecret)) {
					t.Error("the sign-in survived a reuse with the client's window off")
				}
				return
			}
			if retry.status != http.StatusOK {
				t.Fatalf("a retry within the client's window: %d %s", retry.status, retry.raw)
			}
			if !active(h.introspect(next.str("access_token"), "app", h.appSecret)) || !active(h.introspect(retry.str("access_token"), "app", h.appSecret)) {
				t.Error("a pair issued within the client's window is not active")
			}
		})
	}
}
