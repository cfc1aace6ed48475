package oauth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// assertion signs an RFC 7523 client assertion for clientID with RS256.
func assertion(t *testing.T, key *rsa.PrivateKey, kid, clientID, audience, jti string, exp time.Time) string {
	t.Helper()
	return assertionWith(t, jose.RS256, key, kid, clientID, audience, jti, exp)
}

// assertionWith signs a client assertion with any algorithm and key.
func assertionWith(t testing.TB, alg jose.SignatureAlgorithm, key any, kid, clientID, audience, jti string, exp time.Time) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer: clientID, Subject: clientID, Audience: jwt.Audience{audience}, ID: jti,
		IssuedAt: jwt.NewNumericDate(time.Now()), Expiry: jwt.NewNumericDate(exp),
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// jwksServer publishes a client's public keys and returns their URL.
func jwksServer(t testing.TB, keys ...jose.JSONWebKey) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: keys})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestPrivateKeyJWT(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := jwksServer(t, jose.JSONWebKey{Key: key.Public(), KeyID: "svc-1", Algorithm: "RS256", Use: "sig"})
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecJWKS := jwksServer(t, jose.JSONWebKey{Key: ecKey.Public(), KeyID: "bot-1", Algorithm: "ES256", Use: "sig"})

	eachBackend(t, func(t *testing.T, h *harness) {
		h.addClient(storage.Client{ID: "svc", Name: "call-records service", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
			Scopes: []string{"im:calls.read"}, TokenEndpointAuthMethod: "private_key_jwt", JWKSURI: jwks})
		h.addClient(storage.Client{ID: "bot", Name: "notification bot", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
			Scopes: []string{"im:messages.send"}, TokenEndpointAuthMethod: "private_key_jwt", JWKSURI: ecJWKS, TokenEndpointAuthSigningAlg: "ES256"})
		tokenURL := h.url("/oauth2/token")
		grant := func(a string) reply {
			return h.post("/oauth2/token", url.Values{
				"grant_type":            {"client_credentials"},
				"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
				"client_assertion":      {a},
			}, "", "")
		}

		t.Run("a service signing with its registered key gets a token", func(t *testing.T) {
			r := grant(assertion(t, key, "svc-1", "svc", tokenURL, "jti-1", time.Now().Add(time.Minute)))
			if r.status != http.StatusOK || r.str("access_token") == "" || r.str("scope") != "im:calls.read" {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
		t.Run("a replayed assertion is refused", func(t *testing.T) {
			a := assertion(t, key, "svc-1", "svc", tokenURL, "jti-2", time.Now().Add(time.Minute))
			if r := grant(a); r.status != http.StatusOK {
				t.Fatalf("first use: %d %s", r.status, r.raw)
			}
			wantError(t, grant(a), http.StatusUnauthorized, "invalid_client")
		})
		t.Run("an assertion signed with another key is refused", func(t *testing.T) {
			wantError(t, grant(assertion(t, other, "svc-1", "svc", tokenURL, "jti-3", time.Now().Add(time.Minute))), http.StatusUnauthorized, "invalid_client")
		})
		t.Run("an assertion for another audience is refused", func(t *testing.T) {
			wantError(t, grant(assertion(t, key, "svc-1", "svc", "https://other.example/token", "jti-4", time.Now().Add(time.Minute))), http.StatusUnauthorized, "invalid_client")
		})
		t.Run("an expired assertion is refused", func(t *testing.T) {
			wantError(t, grant(assertion(t, key, "svc-1", "svc", tokenURL, "jti-5", time.Now().Add(-time.Minute))), http.StatusUnauthorized, "invalid_client")
		})
		t.Run("an assertion valid for a year is refused, saying why", func(t *testing.T) {
			r := grant(assertion(t, key, "svc-1", "svc", tokenURL, "jti-year", time.Now().Add(365*24*time.Hour)))
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
			if d := r.str("error_description"); !strings.Contains(d, "expires") || !strings.Contains(d, "1h0m0s") {
				t.Fatalf("description %q does not say the assertion lives too long", d)
			}
		})
		t.Run("an assertion expiring an hour ahead, by a client clock half a minute fast, is accepted", func(t *testing.T) {
			// zitadel/oidc's relying party signs its assertions for an hour.
			if r := grant(assertion(t, key, "svc-1", "svc", tokenURL, "jti-1h", time.Now().Add(time.Hour+30*time.Second))); r.status != http.StatusOK {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
		t.Run("an assertion valid for too long is refused at introspection too", func(t *testing.T) {
			r := h.post("/oauth2/introspect", url.Values{"token": {"anything"},
				"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
				"client_assertion":      {assertion(t, key, "svc-1", "svc", tokenURL, "jti-intro", time.Now().Add(2*time.Hour))}}, "", "")
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
		})
		t.Run("the service cannot fall back to a secret", func(t *testing.T) {
			r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "svc", "anything-at-all")
			wantError(t, r, http.StatusUnauthorized, "invalid_client")
		})
		t.Run("a client registered for ES256 signs with its EC key", func(t *testing.T) {
			r := grant(assertionWith(t, jose.ES256, ecKey, "bot-1", "bot", tokenURL, "jti-7", time.Now().Add(time.Minute)))
			if r.status != http.StatusOK || r.str("scope") != "im:messages.send" {
				t.Fatalf("got %d %s", r.status, r.raw)
			}
		})
		t.Run("an assertion in another algorithm than the client registered is refused", func(t *testing.T) {
			wantError(t, grant(assertion(t, key, "bot-1", "bot", tokenURL, "jti-8", time.Now().Add(time.Minute))), http.StatusUnauthorized, "invalid_client")
			wantError(t, grant(assertionWith(t, jose.ES256, ecKey, "svc-1", "svc", tokenURL, "jti-9", time.Now().Add(time.Minute))), http.StatusUnauthorized, "invalid_client")
		})
		t.Run("a resource server introspects the service's token", func(t *testing.T) {
			rs := h.resourceServer("gw")
			tok := grant(assertion(t, key, "svc-1", "svc", tokenURL, "jti-6", time.Now().Add(time.Minute))).str("access_token")
			if r := h.introspect(tok, "gw", rs); !active(r) || r.str("client_id") != "svc" {
				t.Fatalf("introspection %s", r.raw)
			}
		})
	})
}

// The maximum is configurable.
func TestPrivateKeyJWTMaxLifespanConfigured(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := jwksServer(t, jose.JSONWebKey{Key: key.Public(), KeyID: "svc-1", Algorithm: "RS256", Use: "sig"})
	h := newHarness(t, memory.New(), func(c *oauth.Config) { c.MaxAssertionLifespan = 2 * time.Minute })
	h.addClient(storage.Client{ID: "svc", Name: "svc", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
		Scopes: []string{"im:calls.read"}, TokenEndpointAuthMethod: "private_key_jwt", JWKSURI: jwks})
	grant := func(exp time.Duration, jti string) reply {
		return h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {assertion(t, key, "svc-1", "svc", h.url("/oauth2/token"), jti, time.Now().Add(exp))}}, "", "")
	}
	wantError(t, grant(5*time.Minute, "a"), http.StatusUnauthorized, "invalid_client")
	// A minute past the bound is the room for a client's clock running fast.
	wantError(t, grant(3*time.Minute+10*time.Second, "c"), http.StatusUnauthorized, "invalid_client")
	for jti, exp := range map[string]time.Duration{"b": time.Minute, "d": 2*time.Minute + 30*time.Second} {
		if r := grant(exp, jti); r.status != http.StatusOK {
			t.Fatalf("an assertion expiring in %s: got %d %s", exp, r.status, r.raw)
		}
	}
}

// A refused assertion leaves its jti unused: the client's retry of the
// same assertion, once the cause is fixed on the server's side or sent
// where it belongs, is judged on its merits, not as a replay (RFC 7523
// section 3: the jti is recorded for an accepted assertion).
func TestPrivateKeyJWTRefusedAssertionKeepsJTI(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := jwksServer(t, jose.JSONWebKey{Key: key.Public(), KeyID: "svc-1", Algorithm: "RS256", Use: "sig"})
	eachBackend(t, func(t *testing.T, h *harness) {
		h.addClient(storage.Client{ID: "svc", Name: "svc", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
			Scopes: []string{"im:calls.read"}, TokenEndpointAuthMethod: "private_key_jwt", JWKSURI: jwks})
		send := func(path, a string) reply {
			return h.post(path, url.Values{"grant_type": {"client_credentials"}, "token": {"anything"},
				"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
				"client_assertion":      {a}}, "", "")
		}
		t.Run("a wrong audience is reported again on a retry, not as a replay", func(t *testing.T) {
			a := assertion(t, key, "svc-1", "svc", "https://other.example/token", "jti-aud", time.Now().Add(time.Minute))
			first := send("/oauth2/token", a)
			wantError(t, first, http.StatusUnauthorized, "invalid_client")
			again := send("/oauth2/token", a)
			wantError(t, again, http.StatusUnauthorized, "invalid_client")
			if d := again.str("error_description"); !strings.Contains(d, "audience") || strings.Contains(d, "once") {
				t.Fatalf("the retry says %q, not the audience", d)
			}
		})
		t.Run("an assertion refused for its lifespan does not burn its jti", func(t *testing.T) {
			wantError(t, send("/oauth2/token", assertion(t, key, "svc-1", "svc", h.url("/oauth2/token"), "jti-life", time.Now().Add(2*time.Hour))),
				http.StatusUnauthorized, "invalid_client")
			if r := send("/oauth2/token", assertion(t, key, "svc-1", "svc", h.url("/oauth2/token"), "jti-life", time.Now().Add(time.Minute))); r.status != http.StatusOK {
				t.Fatalf("the corrected assertion with the same jti: %d %s", r.status, r.raw)
			}
		})
	})
}

// A client assertion names this server as its issuer identifier (what
// openid-client 6 and zitadel/oidc send, after RFC 7523bis) or as the URL
// of the endpoint it is sent to, at every endpoint a client authenticates
// at; an assertion made for another endpoint or another server is
// invalid_client, and its jti stays free for the corrected assertion.
func TestPrivateKeyJWTAudience(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := jwksServer(t, jose.JSONWebKey{Key: key.Public(), KeyID: "svc-1", Algorithm: "RS256", Use: "sig"})
	eachBackend(t, func(t *testing.T, h *harness) {
		h.addClient(storage.Client{ID: "svc", Name: "svc", Type: storage.ClientConfidential,
			GrantTypes: []string{"client_credentials", "authorization_code", "urn:ietf:params:oauth:grant-type:device_code"},
			Scopes:     []string{"openid", "profile", "im:calls.read"}, RedirectURIs: []string{"https://svc.example/cb"},
			TokenEndpointAuthMethod: "private_key_jwt", JWKSURI: jwks})
		endpoints := []struct {
			path string
			form url.Values
			ok   int
		}{
			{"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"im:calls.read"}}, http.StatusOK},
			{"/oauth2/par", authParams("svc", "https://svc.example/cb"), http.StatusCreated},
			{"/oauth2/introspect", url.Values{"token": {"anything"}}, http.StatusOK},
			{"/oauth2/revoke", url.Values{"token": {"anything"}}, http.StatusOK},
			{"/oauth2/device/auth", url.Values{"scope": {"im:calls.read"}}, http.StatusOK},
		}
		for _, e := range endpoints {
			send := func(audience, jti string) reply {
				form := url.Values{"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
					"client_assertion": {assertion(t, key, "svc-1", "svc", audience, jti, time.Now().Add(time.Minute))}}
				for k, v := range e.form {
					form[k] = v
				}
				return h.post(e.path, form, "", "")
			}
			t.Run(e.path, func(t *testing.T) {
				if r := send(h.url(""), e.path+"-issuer"); r.status != e.ok {
					t.Fatalf("aud = issuer: %d %s", r.status, r.raw)
				}
				if r := send(h.url(e.path), e.path+"-own"); r.status != e.ok {
					t.Fatalf("aud = its own URL: %d %s", r.status, r.raw)
				}
				jti := e.path + "-fixed"
				for _, other := range endpoints {
					if other.path != e.path {
						wantError(t, send(h.url(other.path), jti), http.StatusUnauthorized, "invalid_client")
					}
				}
				wantError(t, send("https://other.example"+e.path, jti), http.StatusUnauthorized, "invalid_client")
				wantError(t, send(h.url("")+"/", jti), http.StatusUnauthorized, "invalid_client")
				if r := send(h.url(""), jti); r.status != e.ok {
					t.Fatalf("the corrected assertion with the refused ones' jti: %d %s", r.status, r.raw)
				}
				wantError(t, send(h.url(""), jti), http.StatusUnauthorized, "invalid_client")
			})
		}
	})
}
