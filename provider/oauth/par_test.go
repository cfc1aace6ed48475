package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// nobodySignedIn is a browser without a session: every authorization
// request is parked while the user signs in.
type nobodySignedIn struct{}

func (nobodySignedIn) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	return session.Signed{}, false, nil
}

// errorKeys renders the error page as its message key, so tests can tell
// which page was shown.
type errorKeys struct{}

func (errorKeys) Error(w http.ResponseWriter, _ *http.Request, status int, p web.ErrorPage) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, err := fmt.Fprint(w, p.Message)
	return err
}

// FormPost writes where a form_post page would post, and what.
func (errorKeys) FormPost(w http.ResponseWriter, _ *http.Request, p web.FormPostPage) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := fmt.Fprint(w, p.Action+" "+p.Params.Encode())
	return err
}

// parHarness is a provider whose browser is never signed in, with a
// clock that can be moved forward and pushed requests living 30 seconds, and three apps:
// a public one, a confidential one, and a confidential one that must
// push its requests.
type parHarness struct {
	*harness
	// skew moves the provider's clock forward.
	skew                        *atomic.Int64
	webSecret, strictSecret     string
	appRedirect, strictRedirect string
}

func newPARHarness(t *testing.T, store storage.Store) *parHarness {
	t.Helper()
	h := &parHarness{skew: new(atomic.Int64), appRedirect: "https://app.example/cb", strictRedirect: "https://strict.example/cb"}
	h.harness = newHarness(t, store, func(cfg *oauth.Config) {
		cfg.Sessions, cfg.Pages = nobodySignedIn{}, errorKeys{}
		cfg.Now = func() time.Time { return time.Now().Add(time.Duration(h.skew.Load())) }
		cfg.PARLifespan = 30 * time.Second
		cfg.FlowLifespan = 15 * time.Minute
	})
	scopes := []string{"openid", "profile", "offline_access"}
	code := []string{"authorization_code", "refresh_token"}
	h.addClient(storage.Client{ID: "native", Name: "Native", Type: storage.ClientPublic, GrantTypes: code, Scopes: scopes,
		RedirectURIs: []string{"com.example.native:/cb"}})
	h.webSecret = h.addClient(storage.Client{ID: "web", Name: "Web", Type: storage.ClientConfidential, GrantTypes: code, Scopes: scopes,
		RedirectURIs: []string{h.appRedirect}, TokenEndpointAuthMethod: "client_secret_post"})
	h.strictSecret = h.addClient(storage.Client{ID: "strict", Name: "Strict", Type: storage.ClientConfidential, GrantTypes: code, Scopes: scopes,
		RedirectURIs: []string{h.strictRedirect}, RequirePAR: true})
	return h
}

// authParams is a valid authorization request of clientID to redirect.
func authParams(clientID, redirect string) url.Values {
	return url.Values{
		"client_id":             {clientID},
		"response_type":         {"code"},
		"redirect_uri":          {redirect},
		"scope":                 {"openid profile"},
		"state":                 {"state-0123456789"},
		"nonce":                 {"nonce-0123456789"},
		"code_challenge":        {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		"code_challenge_method": {"S256"},
	}
}

// push pushes form with the given Basic credentials (none when user is
// empty) and returns the request_uri it got.
func (h *parHarness) push(t *testing.T, form url.Values, user, pass string) string {
	t.Helper()
	r := h.post("/oauth2/par", form, user, pass)
	if r.status != http.StatusCreated {
		t.Fatalf("push: %d %s", r.status, r.raw)
	}
	return r.str("request_uri")
}

// authorize sends the browser to the authorization endpoint with query,
// without following redirects.
func (h *parHarness) authorize(t *testing.T, query url.Values) *http.Response {
	t.Helper()
	return h.browse(t, "/oauth2/auth?"+query.Encode())
}

func TestPushedAuthorizationRequestEndpoint(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newPARHarness(t, hh.store)
		public := authParams("native", "com.example.native:/cb")
		confidential := authParams("web", h.appRedirect)
		confidential.Del("client_id")
		with := func(v url.Values, k, val string) url.Values {
			c := url.Values{}
			for key, vals := range v {
				c[key] = vals
			}
			if val == "" {
				c.Del(k)
			} else {
				c.Set(k, val)
			}
			return c
		}
		for _, tc := range []struct {
			name       string
			form       url.Values
			user, pass string
			status     int
			code       string
		}{
			{"a public client sending its client_id gets a request_uri", public, "", "", http.StatusCreated, ""},
			{"a confidential client with its secret in the body gets a request_uri",
				with(with(confidential, "client_id", "web"), "client_secret", h.webSecret), "", "", http.StatusCreated, ""},
			{"a confidential client without its secret is invalid_client", with(confidential, "client_id", "web"), "", "", http.StatusUnauthorized, "invalid_client"},
			{"a wrong secret is invalid_client", with(with(confidential, "client_id", "web"), "client_secret", "wrong"), "", "", http.StatusUnauthorized, "invalid_client"},
			{"no client at all is invalid_client", confidential, "", "", http.StatusUnauthorized, "invalid_client"},
			{"an unknown client is invalid_client", with(public, "client_id", "ghost"), "", "", http.StatusUnauthorized, "invalid_client"},
			{"a request without PKCE is invalid_request", with(public, "code_challenge", ""), "", "", http.StatusBadRequest, "invalid_request"},
			{"plain PKCE is invalid_request", with(public, "code_challenge_method", "plain"), "", "", http.StatusBadRequest, "invalid_request"},
			{"an unregistered redirect URI is invalid_request", with(public, "redirect_uri", "https://evil.example/cb"), "", "", http.StatusBadRequest, "invalid_request"},
			{"a request_uri inside a push is invalid_request", with(public, "request_uri", "urn:ietf:params:oauth:request_uri:x"), "", "", http.StatusBadRequest, "invalid_request"},
			{"a scope the client may not obtain is invalid_scope", with(public, "scope", "openid im:admin"), "", "", http.StatusBadRequest, "invalid_scope"},
			{"an implicit response type is refused", with(public, "response_type", "token"), "", "", http.StatusBadRequest, "unsupported_response_type"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := h.post("/oauth2/par", tc.form, tc.user, tc.pass)
				if tc.status != http.StatusCreated {
					wantError(t, r, tc.status, tc.code)
					if r.status == http.StatusUnauthorized && r.header.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
					return
				}
				if r.status != http.StatusCreated {
					t.Fatalf("got %d %s, want 201", r.status, r.raw)
				}
				if !strings.HasPrefix(r.str("request_uri"), "urn:ietf:params:oauth:request_uri:") {
					t.Fatalf("request_uri %q", r.str("request_uri"))
				}
				if exp, _ := r.body["expires_in"].(float64); exp != 30 {
					t.Fatalf("expires_in %v, want 30", r.body["expires_in"])
				}
				if r.header.Get("Cache-Control") != "no-store" {
					t.Fatalf("Cache-Control %q", r.header.Get("Cache-Control"))
				}
			})
		}
		t.Run("Basic credentials authenticate as at the token endpoint", func(t *testing.T) {
			if uri := h.push(t, with(authParams("strict", h.strictRedirect), "client_id", ""), "strict", h.strictSecret); uri == "" {
				t.Fatal("no request_uri")
			}
		})
		t.Run("GET is not allowed", func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/oauth2/par"), nil)
			if r := h.do(req); r.status != http.StatusMethodNotAllowed {
				t.Fatalf("got %d", r.status)
			}
		})
	})
}

func TestAuthorizeWithPushedRequest(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newPARHarness(t, hh.store)
		pushWeb := func(t *testing.T) string {
			form := authParams("web", h.appRedirect)
			form.Set("client_secret", h.webSecret)
			return h.push(t, form, "", "")
		}
		wantPage := func(t *testing.T, resp *http.Response, status int, key string) {
			t.Helper()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != status || string(body) != key {
				t.Fatalf("got %d %q (Location %q), want %d %q", resp.StatusCode, body, resp.Header.Get("Location"), status, key)
			}
		}

		t.Run("a pushed request continues to sign-in with what was pushed", func(t *testing.T) {
			uri := pushWeb(t)
			resp := h.authorize(t, url.Values{"client_id": {"web"}, "request_uri": {uri}})
			loc, err := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Path != "/login" {
				t.Fatalf("got %d to %q, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
			}
			f, err := h.store.GetFlow(t.Context(), loc.Query().Get("flow"))
			if err != nil {
				t.Fatal(err)
			}
			q, _ := url.ParseQuery(f.Query)
			for k, v := range authParams("web", h.appRedirect) {
				if q.Get(k) != v[0] {
					t.Errorf("flow %s = %q, want %q", k, q.Get(k), v[0])
				}
			}
			for _, k := range []string{"request_uri", "client_secret"} {
				if q.Has(k) {
					t.Errorf("flow keeps %s: %s", k, f.Query)
				}
			}
		})
		t.Run("a request_uri is stored only as a hash", func(t *testing.T) {
			uri := pushWeb(t)
			if _, err := h.store.GetToken(t.Context(), storage.KindPAR, uri); !errors.Is(err, storage.ErrNotFound) {
				t.Fatalf("request_uri found in clear: %v", err)
			}
		})
		t.Run("a request_uri used twice is refused on the error page", func(t *testing.T) {
			uri := pushWeb(t)
			query := url.Values{"client_id": {"web"}, "request_uri": {uri}}
			if resp := h.authorize(t, query); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("first use: %d", resp.StatusCode)
			}
			wantPage(t, h.authorize(t, query), http.StatusBadRequest, "error.invalid_request")
		})
		t.Run("of requests presenting one request_uri at once, exactly one goes on", func(t *testing.T) {
			query := url.Values{"client_id": {"web"}, "request_uri": {pushWeb(t)}}
			const racers = 8
			statuses := make(chan int, racers)
			var wg sync.WaitGroup
			for range racers {
				wg.Go(func() {
					// Not h.authorize: a goroutine must not stop the test.
					c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
					resp, err := c.Get(h.url("/oauth2/auth?" + query.Encode()))
					if err != nil {
						t.Error(err)
						statuses <- 0
						return
					}
					resp.Body.Close()
					statuses <- resp.StatusCode
				})
			}
			wg.Wait()
			close(statuses)
			counts := map[int]int{}
			for s := range statuses {
				counts[s]++
			}
			if counts[http.StatusSeeOther] != 1 || counts[http.StatusBadRequest] != racers-1 {
				t.Fatalf("statuses %v, want one 303 and %d 400", counts, racers-1)
			}
		})
		t.Run("an expired request_uri is refused on the error page", func(t *testing.T) {
			uri := pushWeb(t)
			h.skew.Add(int64(31 * time.Second))
			wantPage(t, h.authorize(t, url.Values{"client_id": {"web"}, "request_uri": {uri}}), http.StatusBadRequest, "error.invalid_request")
		})
		t.Run("another client's request_uri is refused without a redirect, and the owner can still use it", func(t *testing.T) {
			uri := pushWeb(t)
			for _, other := range []string{"native", "strict", "ghost", ""} {
				wantPage(t, h.authorize(t, url.Values{"client_id": {other}, "request_uri": {uri}}), http.StatusBadRequest, "error.invalid_request")
			}
			resp := h.authorize(t, url.Values{"client_id": {"web"}, "request_uri": {uri}})
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?") {
				t.Fatalf("the owner's use after another client's: %d to %q, want 303 to /login", resp.StatusCode, loc)
			}
		})
		t.Run("an unknown request_uri is refused on the error page", func(t *testing.T) {
			wantPage(t, h.authorize(t, url.Values{"client_id": {"web"}, "request_uri": {"urn:ietf:params:oauth:request_uri:nope"}}),
				http.StatusBadRequest, "error.invalid_request")
		})
		t.Run("a request_uri not issued here is never fetched", func(t *testing.T) {
			wantPage(t, h.authorize(t, url.Values{"client_id": {"web"}, "request_uri": {"https://evil.example/request.jwt"}}),
				http.StatusBadRequest, "error.invalid_request")
		})
		t.Run("a client that must push is refused without a request_uri", func(t *testing.T) {
			resp := h.authorize(t, authParams("strict", h.strictRedirect))
			loc, err := url.Parse(resp.Header.Get("Location"))
			if resp.StatusCode != http.StatusSeeOther || err != nil || !strings.HasPrefix(loc.String(), h.strictRedirect) {
				t.Fatalf("got %d to %q, want a redirect to the client", resp.StatusCode, resp.Header.Get("Location"))
			}
			if loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "state-0123456789" {
				t.Fatalf("redirect %q, want error=invalid_request with the state", loc)
			}
		})
		t.Run("a client that must push is let through with a request_uri", func(t *testing.T) {
			uri := h.push(t, authParams("strict", h.strictRedirect), "strict", h.strictSecret)
			resp := h.authorize(t, url.Values{"client_id": {"strict"}, "request_uri": {uri}})
			if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?") {
				t.Fatalf("got %d to %q, want 303 to /login", resp.StatusCode, loc)
			}
		})
	})
}

// parOutage is a store whose pushed requests cannot be read while down.
type parOutage struct {
	storage.Store
	down *atomic.Bool
}

func (s parOutage) GetToken(ctx context.Context, kind storage.TokenKind, signature string) (storage.Token, error) {
	if kind == storage.KindPAR && s.down.Load() {
		return storage.Token{}, errors.New("connection refused")
	}
	return s.Store.GetToken(ctx, kind, signature)
}

func TestPushedRequestStoreFaults(t *testing.T) {
	t.Parallel()
	store := parOutage{Store: backends()["memory"](t), down: new(atomic.Bool)}
	h := newPARHarness(t, store)
	push := func(t *testing.T) url.Values {
		form := authParams("web", h.appRedirect)
		form.Set("client_secret", h.webSecret)
		return url.Values{"client_id": {"web"}, "request_uri": {h.push(t, form, "", "")}}
	}
	for _, tc := range []struct {
		name   string
		fault  func(t *testing.T)
		status int
		key    string
	}{
		{"a store that cannot be read is our fault: a server error page", func(*testing.T) { store.down.Store(true) }, http.StatusInternalServerError, "error.server"},
		{"a client disabled since it pushed is refused as the client's mistake", func(t *testing.T) {
			if _, err := store.UpdateClient(t.Context(), "web", func(c storage.Client) (storage.Client, error) {
				c.Disabled = true
				return c, nil
			}); err != nil {
				t.Fatal(err)
			}
		}, http.StatusBadRequest, "error.invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query := push(t)
			tc.fault(t)
			t.Cleanup(func() { store.down.Store(false) })
			resp := h.authorize(t, query)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || string(body) != tc.key {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, body, tc.status, tc.key)
			}
		})
	}
}

func TestDiscoveryAdvertisesPAR(t *testing.T) {
	t.Parallel()
	h := newHarness(t, backends()["memory"](t))
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/.well-known/openid-configuration"), nil)
	r := h.do(req)
	if got := r.str("pushed_authorization_request_endpoint"); got != h.url("/oauth2/par") {
		t.Fatalf("pushed_authorization_request_endpoint %q", got)
	}
	if v, ok := r.body["require_pushed_authorization_requests"].(bool); !ok || v {
		t.Fatalf("require_pushed_authorization_requests %v, want false", r.body["require_pushed_authorization_requests"])
	}
}

func TestPushWithPrivateKeyJWT(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := jwksServer(t, jose.JSONWebKey{Key: key.Public(), KeyID: "svc-1", Algorithm: "RS256", Use: "sig"})
	h := newPARHarness(t, backends()["memory"](t))
	h.addClient(storage.Client{ID: "svc", Name: "Service", Type: storage.ClientConfidential, GrantTypes: []string{"authorization_code"},
		Scopes: []string{"openid"}, RedirectURIs: []string{"https://svc.example/cb"}, TokenEndpointAuthMethod: "private_key_jwt", JWKSURI: jwks})
	push := func(audience, jti string) reply {
		form := authParams("svc", "https://svc.example/cb")
		form.Set("scope", "openid")
		form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
		form.Set("client_assertion", assertion(t, key, "svc-1", "svc", audience, jti, time.Now().Add(time.Minute)))
		return h.post("/oauth2/par", form, "", "")
	}
	for i, tc := range []struct {
		name, audience string
		status         int
	}{
		{"an assertion for the token endpoint is invalid_client (RFC 7523bis updates RFC 9126)", h.url("/oauth2/token"), http.StatusUnauthorized},
		{"an assertion for the issuer is accepted", h.url(""), http.StatusCreated},
		{"an assertion for the pushed authorization request endpoint is accepted", h.url("/oauth2/par"), http.StatusCreated},
		{"an assertion for another server is invalid_client", "https://other.example", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := push(tc.audience, fmt.Sprintf("jti-%d", i))
			if r.status != tc.status {
				t.Fatalf("got %d %s, want %d", r.status, r.raw, tc.status)
			}
		})
	}
	t.Run("the token endpoint still takes only its own URL", func(t *testing.T) {
		r := h.post("/oauth2/token", url.Values{
			"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {"https://svc.example/cb"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {assertion(t, key, "svc-1", "svc", h.url("/oauth2/par"), "jti-token", time.Now().Add(time.Minute))},
		}, "", "")
		wantError(t, r, http.StatusUnauthorized, "invalid_client")
	})
}
