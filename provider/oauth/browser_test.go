package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/cors"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
)

const (
	spaOrigin   = "https://spa.example"
	spaRedirect = spaOrigin + "/callback"
	evilOrigin  = "https://evil.example"
	// desktopOrigin is the origin of the desktop app's loopback redirect
	// URI: as a public client's, some client may be called from it.
	desktopOrigin = "http://127.0.0.1"
)

// browserHarness is a user harness whose endpoints answer CORS, with a
// browser app "spa" and a device app "tv" called from https://tv.example.
// The origins are loaded at the first request: clients added later are
// not seen (provider/cors tests how changes are).
func browserHarness(t *testing.T, store storage.Store, options ...func(*oauth.Config)) *userHarness {
	t.Helper()
	options = append([]func(*oauth.Config){func(c *oauth.Config) {
		c.CORS = cors.New(cors.Config{Clients: store, Issuer: c.Issuer})
	}}, options...)
	h := newUserHarness(t, store, options...)
	h.addClient(storage.Client{ID: "spa", Name: "SPA", Type: storage.ClientPublic, GrantTypes: []string{"authorization_code", "refresh_token"},
		Scopes: []string{"openid", "profile", "offline_access"}, RedirectURIs: []string{spaRedirect}, AllowedOrigins: []string{spaOrigin}, SkipConsent: true})
	h.addClient(storage.Client{ID: "tv", Name: "TV", Type: storage.ClientPublic, GrantTypes: []string{"urn:ietf:params:oauth:grant-type:device_code"},
		Scopes: []string{"openid"}, AllowedOrigins: []string{"https://tv.example"}})
	return h
}

// fetch sends what a page's fetch sends: a form with its Origin.
func (h *userHarness) fetch(method, path, origin string, form url.Values, header ...string) reply {
	h.t.Helper()
	req, err := http.NewRequestWithContext(h.t.Context(), method, h.url(path), strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Origin", origin)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return h.do(req)
}

// spaCode runs the browser app's authorization request and returns the
// code.
func (h *userHarness) spaCode(t *testing.T) string {
	t.Helper()
	q := authParams("spa", spaRedirect)
	q.Set("scope", "openid profile offline_access")
	return redirected(t, h.authorize(t, q.Encode()), spaRedirect).Get("code")
}

func spaExchange(code string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {"spa"}, "code": {code}, "redirect_uri": {spaRedirect}, "code_verifier": {pkceVerifier}}
}

// readable checks that a page at origin may read r: it reflects the
// origin, varies on it and never allows credentials.
func readable(t *testing.T, r reply, origin string) {
	t.Helper()
	if got := r.header.Get("Access-Control-Allow-Origin"); got != origin {
		t.Errorf("Access-Control-Allow-Origin %q, want %q", got, origin)
	}
	if !strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Origin") {
		t.Errorf("Vary %q lacks Origin", r.header.Values("Vary"))
	}
	if v := r.header.Values("Access-Control-Allow-Credentials"); len(v) > 0 {
		t.Errorf("Access-Control-Allow-Credentials %q", v)
	}
}

func unreadable(t *testing.T, r reply) {
	t.Helper()
	if got := r.header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("Access-Control-Allow-Origin %q, want none", got)
	}
}

func TestBrowserApp(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := browserHarness(t, open(t))

			t.Run("signs in from its origin: preflight, code, userinfo, refresh, revoke", func(t *testing.T) {
				pre := h.fetch(http.MethodOptions, "/oauth2/token", spaOrigin, nil,
					"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
				if pre.status != http.StatusNoContent || pre.header.Get("Access-Control-Allow-Methods") != "POST" ||
					pre.header.Get("Access-Control-Allow-Headers") != "content-type" || pre.header.Get("Access-Control-Max-Age") == "" {
					t.Fatalf("preflight: %d %v", pre.status, pre.header)
				}
				readable(t, pre, spaOrigin)

				tok := h.fetch(http.MethodPost, "/oauth2/token", spaOrigin, spaExchange(h.spaCode(t)))
				if tok.status != http.StatusOK || tok.str("refresh_token") == "" {
					t.Fatalf("token: %d %s", tok.status, tok.raw)
				}
				readable(t, tok, spaOrigin)

				pre = h.fetch(http.MethodOptions, "/userinfo", spaOrigin, nil,
					"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization")
				if pre.status != http.StatusNoContent || pre.header.Get("Access-Control-Allow-Headers") != "authorization" {
					t.Fatalf("userinfo preflight: %d %v", pre.status, pre.header)
				}
				readable(t, pre, spaOrigin)
				info := h.fetch(http.MethodGet, "/userinfo", spaOrigin, nil, "Authorization", "Bearer "+tok.str("access_token"))
				if info.status != http.StatusOK || info.str("sub") != "ann" {
					t.Fatalf("userinfo: %d %s", info.status, info.raw)
				}
				readable(t, info, spaOrigin)

				next := h.fetch(http.MethodPost, "/oauth2/token", spaOrigin,
					url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {tok.str("refresh_token")}})
				if next.status != http.StatusOK || next.str("refresh_token") == tok.str("refresh_token") {
					t.Fatalf("refresh: %d %s", next.status, next.raw)
				}
				readable(t, next, spaOrigin)

				rev := h.fetch(http.MethodPost, "/oauth2/revoke", spaOrigin, url.Values{"client_id": {"spa"}, "token": {next.str("refresh_token")}})
				if rev.status != http.StatusOK {
					t.Fatalf("revoke: %d %s", rev.status, rev.raw)
				}
				readable(t, rev, spaOrigin)
			})

			t.Run("its code from another origin is refused before it is used", func(t *testing.T) {
				code := h.spaCode(t)
				r := h.fetch(http.MethodPost, "/oauth2/token", evilOrigin, spaExchange(code))
				wantError(t, r, http.StatusBadRequest, "unauthorized_client")
				unreadable(t, r)
				// Another client's origin: refused too, and the page
				// there may read why.
				r = h.fetch(http.MethodPost, "/oauth2/token", desktopOrigin, spaExchange(code))
				wantError(t, r, http.StatusBadRequest, "unauthorized_client")
				readable(t, r, desktopOrigin)
				if r := h.fetch(http.MethodPost, "/oauth2/token", spaOrigin, spaExchange(code)); r.status != http.StatusOK {
					t.Fatalf("the code after the refused attempts: %d %s", r.status, r.raw)
				}
			})

			t.Run("its tokens are refused from another origin", func(t *testing.T) {
				tok := h.fetch(http.MethodPost, "/oauth2/token", spaOrigin, spaExchange(h.spaCode(t)))
				if tok.status != http.StatusOK {
					t.Fatalf("token: %d %s", tok.status, tok.raw)
				}
				bearer := "Bearer " + tok.str("access_token")
				if r := h.fetch(http.MethodGet, "/userinfo", evilOrigin, nil, "Authorization", bearer); r.status != http.StatusUnauthorized ||
					!strings.Contains(r.header.Get("WWW-Authenticate"), "invalid_token") {
					t.Fatalf("userinfo from another origin: %d %s", r.status, r.raw)
				}
				r := h.fetch(http.MethodPost, "/oauth2/revoke", evilOrigin, url.Values{"client_id": {"spa"}, "token": {tok.str("refresh_token")}})
				wantError(t, r, http.StatusBadRequest, "unauthorized_client")
				r = h.fetch(http.MethodPost, "/oauth2/token", evilOrigin, url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {tok.str("refresh_token")}})
				wantError(t, r, http.StatusBadRequest, "unauthorized_client")
				if r := h.fetch(http.MethodGet, "/userinfo", spaOrigin, nil, "Authorization", bearer); r.status != http.StatusOK {
					t.Fatalf("userinfo from its origin after the refused revocation: %d %s", r.status, r.raw)
				}
			})

			t.Run("a preflight from an unknown origin needs no authentication and gets no CORS header", func(t *testing.T) {
				for _, path := range []string{"/oauth2/token", "/oauth2/revoke", "/oauth2/device/auth", "/userinfo"} {
					r := h.fetch(http.MethodOptions, path, evilOrigin, nil, "Access-Control-Request-Method", "POST")
					if r.status != http.StatusNoContent {
						t.Fatalf("%s: %d", path, r.status)
					}
					unreadable(t, r)
				}
			})

			t.Run("a request without an Origin header is not concerned", func(t *testing.T) {
				r := h.post("/oauth2/token", spaExchange(h.spaCode(t)), "", "")
				if r.status != http.StatusOK {
					t.Fatalf("token: %d %s", r.status, r.raw)
				}
				unreadable(t, r)
			})

			t.Run("the provider's own pages are not cross-origin", func(t *testing.T) {
				if r := h.fetch(http.MethodPost, "/oauth2/token", h.url(""), spaExchange(h.spaCode(t))); r.status != http.StatusOK {
					t.Fatalf("token: %d %s", r.status, r.raw)
				}
			})

			t.Run("device authorization from a browser is checked against the client", func(t *testing.T) {
				form := url.Values{"client_id": {"tv"}, "scope": {"openid"}}
				wantError(t, h.fetch(http.MethodPost, "/oauth2/device/auth", spaOrigin, form), http.StatusBadRequest, "unauthorized_client")
				r := h.fetch(http.MethodPost, "/oauth2/device/auth", "https://tv.example", form)
				if r.status != http.StatusOK || r.str("device_code") == "" {
					t.Fatalf("device authorization: %d %s", r.status, r.raw)
				}
				readable(t, r, "https://tv.example")
			})

			t.Run("discovery and the JWKS are public", func(t *testing.T) {
				for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/jwks.json"} {
					r := h.fetch(http.MethodGet, path, evilOrigin, nil)
					if r.status != http.StatusOK || r.header.Get("Access-Control-Allow-Origin") != "*" || len(r.header.Values("Access-Control-Allow-Credentials")) > 0 {
						t.Fatalf("%s: %d %v", path, r.status, r.header)
					}
				}
			})
		})
	}
}

// A browser app's sign-in ends BrowserRefreshTokenLifespan after its
// first refresh token at the latest: that token expires then, and
// rotation never gives a later expiry. Another app's refresh tokens keep
// the full lifespan and move on with each rotation.
func TestBrowserAppRefreshBound(t *testing.T) {
	t.Parallel()
	const bound = time.Hour
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var skew atomic.Int64
			h := browserHarness(t, open(t), func(c *oauth.Config) {
				c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
				c.RefreshTokenLifespan = 24 * time.Hour
				c.BrowserRefreshTokenLifespan = bound
			})
			rs := h.resourceServer("gateway")
			expiry := func(t *testing.T, refresh string) time.Time {
				t.Helper()
				r := h.introspect(refresh, "gateway", rs)
				if !active(r) {
					t.Fatalf("refresh token not active: %s", r.raw)
				}
				exp, _ := r.body["exp"].(float64)
				return time.Unix(int64(exp), 0)
			}
			refresh := func(t *testing.T, client, token, secret string) reply {
				t.Helper()
				form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}}
				user := client
				if secret == "" {
					form.Set("client_id", client)
					user = ""
				}
				r := h.post("/oauth2/token", form, user, secret)
				if r.status != http.StatusOK {
					t.Fatalf("refresh: %d %s", r.status, r.raw)
				}
				return r
			}

			t.Run("the first refresh token lives the bound, and rotation does not extend it", func(t *testing.T) {
				skew.Store(0)
				tok := h.fetch(http.MethodPost, "/oauth2/token", spaOrigin, spaExchange(h.spaCode(t)))
				if tok.status != http.StatusOK {
					t.Fatalf("token: %d %s", tok.status, tok.raw)
				}
				first := expiry(t, tok.str("refresh_token"))
				if d := time.Until(first); d > bound+time.Minute || d < bound-time.Minute {
					t.Fatalf("the first refresh token expires in %s, want about %s", d, bound)
				}
				skew.Store(int64(30 * time.Minute))
				next := refresh(t, "spa", tok.str("refresh_token"), "")
				if got := expiry(t, next.str("refresh_token")); !got.Equal(first) {
					t.Fatalf("after a rotation half an hour later the refresh token expires at %s, want the first's %s", got, first)
				}
			})

			t.Run("a refresh token issued past the bound has expired", func(t *testing.T) {
				// Issued as if the sign-in began more than the bound ago.
				skew.Store(int64(-bound - time.Minute))
				tok := h.fetch(http.MethodPost, "/oauth2/token", spaOrigin, spaExchange(h.spaCode(t)))
				if tok.status != http.StatusOK {
					t.Fatalf("token: %d %s", tok.status, tok.raw)
				}
				skew.Store(0)
				r := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {"spa"}, "refresh_token": {tok.str("refresh_token")}}, "", "")
				wantError(t, r, http.StatusBadRequest, "invalid_grant")
			})

			t.Run("another app's refresh tokens keep the full lifespan", func(t *testing.T) {
				skew.Store(0)
				tok := h.tokens(t, "openid offline_access")
				if d := time.Until(expiry(t, tok.str("refresh_token"))); d < 23*time.Hour {
					t.Fatalf("a web app's refresh token expires in %s, want about 24h", d)
				}
			})
		})
	}
}
