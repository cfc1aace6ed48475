package oauth_test

import (
	"net/http"
	"net/url"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
)

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

// The token endpoint's answers to a device that polls before anyone
// decided: pending, too fast, expired; and the device authorization
// endpoint's refusals. Approving is the device page's part, tested end to
// end in cmd/tokenim-auth.
func TestDeviceAuthorizationEndpointAndPolling(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			var skew atomic.Int64
			h := newHarness(t, open(t), func(c *oauth.Config) {
				c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
				c.DevicePollInterval = 2 * time.Second
			})
			h.addClient(storage.Client{ID: "tv", Name: "Meeting room", Type: storage.ClientPublic,
				GrantTypes: []string{deviceGrant, "refresh_token"}, Scopes: []string{"openid", "offline_access", "im:messages.read"}})
			h.addClient(storage.Client{ID: "other-tv", Name: "Other", Type: storage.ClientPublic,
				GrantTypes: []string{deviceGrant}, Scopes: []string{"openid"}})
			webSecret := h.addClient(storage.Client{ID: "web", Name: "Web", Type: storage.ClientConfidential,
				GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{"https://web.example/cb"}, Scopes: []string{"openid"}})

			ask := func(clientID, scope string) reply {
				return h.post("/oauth2/device/auth", url.Values{"client_id": {clientID}, "scope": {scope}}, "", "")
			}
			poll := func(clientID, code string) reply {
				return h.post("/oauth2/token", url.Values{"client_id": {clientID}, "grant_type": {deviceGrant}, "device_code": {code}}, "", "")
			}

			r := ask("tv", "openid im:messages.read")
			if r.status != http.StatusOK {
				t.Fatalf("device authorization: %d %s", r.status, r.raw)
			}
			if !regexp.MustCompile(`^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$`).MatchString(r.str("user_code")) {
				t.Fatalf("user_code %q is not two groups of 4 unambiguous letters", r.str("user_code"))
			}
			if r.str("verification_uri") != h.url("/device") ||
				r.str("verification_uri_complete") != h.url("/device?"+url.Values{"user_code": {r.str("user_code")}}.Encode()) {
				t.Fatalf("verification URIs: %s", r.raw)
			}
			if r.body["expires_in"] != float64(600) || r.body["interval"] != float64(2) || r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("expires_in, interval or caching: %s %v", r.raw, r.header)
			}
			code := r.str("device_code")

			wantError(t, poll("tv", code), http.StatusBadRequest, "authorization_pending")
			// Polled again at once: too fast, and the interval grows by 5s.
			wantError(t, poll("tv", code), http.StatusBadRequest, "slow_down")
			skew.Store(int64(3 * time.Second))
			wantError(t, poll("tv", code), http.StatusBadRequest, "slow_down") // 3s < the new 7s: 12s now
			skew.Store(int64(16 * time.Second))
			wantError(t, poll("tv", code), http.StatusBadRequest, "authorization_pending")

			wantError(t, poll("other-tv", code), http.StatusBadRequest, "invalid_grant")
			wantError(t, poll("tv", "tkm_dc_not-a-code"), http.StatusBadRequest, "invalid_grant")
			wantError(t, h.post("/oauth2/token", url.Values{"client_id": {"tv"}, "grant_type": {deviceGrant}}, "", ""), http.StatusBadRequest, "invalid_request")

			skew.Store(int64(11 * time.Minute))
			wantError(t, poll("tv", code), http.StatusBadRequest, "expired_token")

			wantError(t, ask("tv", "openid im:calls.read"), http.StatusBadRequest, "invalid_scope")
			wantError(t, h.post("/oauth2/device/auth", url.Values{"scope": {"openid"}}, "", ""), http.StatusUnauthorized, "invalid_client")
			wantError(t, ask("nobody", "openid"), http.StatusUnauthorized, "invalid_client")
			wantError(t, h.post("/oauth2/device/auth", url.Values{"scope": {"openid"}}, "web", webSecret), http.StatusBadRequest, "unauthorized_client")
			wantError(t, h.post("/oauth2/device/auth", url.Values{"scope": {"openid"}}, "web", "wrong-secret"), http.StatusUnauthorized, "invalid_client")
			if r := h.do(mustRequest(t, http.MethodGet, h.url("/oauth2/device/auth"))); r.status != http.StatusMethodNotAllowed {
				t.Fatalf("GET /oauth2/device/auth: %d", r.status)
			}
		})
	}
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
