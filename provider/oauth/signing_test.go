package oauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// jwtAlg is the alg header of a compact JWT.
func jwtAlg(t *testing.T, token string) string {
	t.Helper()
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		t.Fatalf("token %q is not a signed JWT: %v", token, err)
	}
	return parsed.Headers[0].Algorithm
}

// codeFlow runs the authorization code flow of a client that skips consent
// for scope, with extra authorization parameters, and returns the token
// response.
func (h *userHarness) codeFlow(t *testing.T, clientID, secret, redirect, scope string, extra url.Values) reply {
	t.Helper()
	q := authParams(clientID, redirect)
	q.Set("scope", scope)
	for k, v := range extra {
		q[k] = v
	}
	cb := redirected(t, h.authorize(t, q.Encode()), redirect)
	if cb.Get("code") == "" {
		t.Fatalf("authorization response %v, want a code", cb)
	}
	r := h.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")},
		"redirect_uri": {redirect}, "code_verifier": {pkceVerifier}}, clientID, secret)
	if r.status != http.StatusOK || r.str("id_token") == "" {
		t.Fatalf("token: %d %s", r.status, r.raw)
	}
	return r
}

// ID tokens are signed with the algorithm their client registered, RS256
// when it registered none (OpenID Connect Registration 1.0 section 2),
// with that algorithm's current key, which the JWKS publishes; JWT access
// tokens keep the provider's own algorithm.
func TestIDTokenSigningAlgorithm(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, hh *harness) {
		h := newUserHarness(t, hh.store)
		code := []string{"authorization_code", "refresh_token"}
		scopes := []string{"openid", "profile", "offline_access"}
		const esRedirect, jwtRedirect = "https://es.example/cb", "https://jwt.example/cb"
		esSecret := h.addClient(storage.Client{ID: "es-app", Name: "ES app", Type: storage.ClientConfidential, GrantTypes: code, Scopes: scopes,
			RedirectURIs: []string{esRedirect}, SkipConsent: true, IDTokenSignedResponseAlg: "ES256"})
		jwtSecret := h.addClient(storage.Client{ID: "jwt-app", Name: "JWT app", Type: storage.ClientConfidential, GrantTypes: code, Scopes: scopes,
			RedirectURIs: []string{jwtRedirect}, SkipConsent: true, AccessTokenFormat: storage.AccessTokenJWT})

		// verified checks token's signature against the JWKS (by its kid,
		// whose key must be of its alg) and returns its alg.
		verified := func(t *testing.T, token string) string {
			t.Helper()
			claims := map[string]any{}
			h.verifyJWT(token, "JWT", &claims)
			if claims["sub"] != "ann" {
				t.Fatalf("ID token claims %v, want ann's", claims)
			}
			return jwtAlg(t, token)
		}
		t.Run("a client with no algorithm gets RS256 ID tokens", func(t *testing.T) {
			rsToken := h.codeFlow(t, "app", h.appSecret, h.appRedirect, "openid profile", nil).str("id_token")
			if alg := verified(t, rsToken); alg != "RS256" {
				t.Fatalf("alg %s, want RS256", alg)
			}
		})
		t.Run("a client registered for ES256 gets ES256 ID tokens, from the code and from a refresh", func(t *testing.T) {
			r := h.codeFlow(t, "es-app", esSecret, esRedirect, "openid offline_access", nil)
			esToken := r.str("id_token")
			if alg := verified(t, esToken); alg != "ES256" {
				t.Fatalf("alg %s, want ES256", alg)
			}
			refreshed := h.post("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r.str("refresh_token")}}, "es-app", esSecret)
			if refreshed.status != http.StatusOK || refreshed.str("id_token") == "" {
				t.Fatalf("refresh: %d %s", refreshed.status, refreshed.raw)
			}
			if alg := verified(t, refreshed.str("id_token")); alg != "ES256" {
				t.Fatalf("refreshed ID token alg %s, want ES256", alg)
			}
		})
		t.Run("a client changing its algorithm gets the new one at once", func(t *testing.T) {
			if _, err := h.store.UpdateClient(t.Context(), "es-app", func(c storage.Client) (storage.Client, error) {
				c.IDTokenSignedResponseAlg = "RS256"
				return c, nil
			}); err != nil {
				t.Fatal(err)
			}
			// t.Context is done when cleanups run.
			ctx := context.WithoutCancel(t.Context())
			t.Cleanup(func() {
				if _, err := h.store.UpdateClient(ctx, "es-app", func(c storage.Client) (storage.Client, error) {
					c.IDTokenSignedResponseAlg = "ES256"
					return c, nil
				}); err != nil {
					t.Errorf("putting back es-app's algorithm: %v", err)
				}
			})
			if alg := verified(t, h.codeFlow(t, "es-app", esSecret, esRedirect, "openid", nil).str("id_token")); alg != "RS256" {
				t.Fatalf("alg %s, want RS256", alg)
			}
		})
		t.Run("an id_token_hint signed with either algorithm is accepted by clients of both", func(t *testing.T) {
			rsToken := h.codeFlow(t, "app", h.appSecret, h.appRedirect, "openid", nil).str("id_token")
			esToken := h.codeFlow(t, "es-app", esSecret, esRedirect, "openid", nil).str("id_token")
			if jwtAlg(t, rsToken) != "RS256" || jwtAlg(t, esToken) != "ES256" {
				t.Fatalf("ID tokens signed with %s and %s, want RS256 and ES256", jwtAlg(t, rsToken), jwtAlg(t, esToken))
			}
			for _, hint := range []string{rsToken, esToken} {
				h.codeFlow(t, "app", h.appSecret, h.appRedirect, "openid", url.Values{"id_token_hint": {hint}})
				h.codeFlow(t, "es-app", esSecret, esRedirect, "openid", url.Values{"id_token_hint": {hint}})
			}
		})
		t.Run("a JWT access token keeps the provider's own algorithm", func(t *testing.T) {
			r := h.codeFlow(t, "jwt-app", jwtSecret, jwtRedirect, "openid", nil)
			if alg := verified(t, r.str("id_token")); alg != "RS256" {
				t.Fatalf("ID token alg %s, want RS256", alg)
			}
			h.verifyAccessJWT(r.str("access_token"))
			if alg := jwtAlg(t, r.str("access_token")); alg != "ES256" {
				t.Fatalf("access token alg %s, want ES256 (the harness's keys.algorithm)", alg)
			}
		})
	})
}

// With keys.algorithm RS256, JWT access tokens are RS256 too.
func TestJWTAccessTokenFollowsTheOwnAlgorithm(t *testing.T) {
	t.Parallel()
	store := memory.New()
	ring, err := secret.NewKeyring(systemSecret)
	if err != nil {
		t.Fatal(err)
	}
	km, err := keys.New(keys.Config{Store: store, SealKey: ring.Derive(secret.PurposeSigningKeys), Algorithm: keys.RS256})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, store, func(c *oauth.Config) { c.Keys = km })
	s := h.addClient(storage.Client{ID: "gw-bot", Name: "gw-bot", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
		Scopes: []string{"im:messages.send"}, AccessTokenFormat: storage.AccessTokenJWT})
	token := h.clientCredentials("gw-bot", s, nil)
	h.verifyAccessJWT(token)
	if alg := jwtAlg(t, token); alg != "RS256" {
		t.Fatalf("alg %s, want RS256", alg)
	}
}

// Discovery lists every algorithm ID tokens may be signed with, RS256
// first, and the JWKS publishes a key of each, with its alg, use and kid.
func TestSigningAlgorithmsPublished(t *testing.T) {
	t.Parallel()
	h := newHarness(t, memory.New())
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/.well-known/openid-configuration"), nil)
	d := h.do(req)
	var algs []string
	for _, a := range d.body["id_token_signing_alg_values_supported"].([]any) {
		algs = append(algs, a.(string))
	}
	if !slices.Equal(algs, []string{"RS256", "ES256"}) {
		t.Fatalf("id_token_signing_alg_values_supported = %v, want [RS256 ES256]", algs)
	}

	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, h.url("/.well-known/jwks.json"), nil)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(h.do(req).raw), &set); err != nil {
		t.Fatal(err)
	}
	published := map[string]string{}
	for _, k := range set.Keys {
		if k.Use != "sig" || k.KeyID == "" || !k.IsPublic() {
			t.Fatalf("published key %+v, want a public signing key with a kid", k)
		}
		published[k.Algorithm] = k.KeyID
	}
	if len(set.Keys) != 2 || published["RS256"] == "" || published["ES256"] == "" || published["RS256"] == published["ES256"] {
		t.Fatalf("published %v, want an RS256 and an ES256 key", published)
	}
}

// A logout token is signed like its client's ID tokens (Back-Channel
// Logout 1.0 section 2.4).
func TestLogoutTokenAlgorithm(t *testing.T) {
	t.Parallel()
	h := newHarness(t, memory.New())
	h.addClient(storage.Client{ID: "es-app", Name: "ES app", Type: storage.ClientConfidential, IDTokenSignedResponseAlg: "ES256"})
	h.addClient(storage.Client{ID: "rs-app", Name: "RS app", Type: storage.ClientConfidential})
	for client, want := range map[string]string{"es-app": "ES256", "rs-app": "RS256", "gone-app": "RS256"} {
		token, err := h.p.LogoutToken(t.Context(), client, "user-1", "sid-1")
		if err != nil {
			t.Fatal(err)
		}
		claims := map[string]any{}
		h.verifyJWT(token, "logout+jwt", &claims)
		if alg := jwtAlg(t, token); alg != want {
			t.Errorf("%s: logout token alg %s, want %s", client, alg, want)
		}
	}
}
