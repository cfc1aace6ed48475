package oauth_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/storage"
)

// atClaims are the claims of a JWT access token (RFC 9068 section 2.2).
type atClaims struct {
	jwt.Claims
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
}

// verifyAccessJWT checks token's header and signature against the
// provider's JWKS and returns its claims.
func (h *harness) verifyAccessJWT(token string) atClaims {
	h.t.Helper()
	var c atClaims
	h.verifyJWT(token, "at+jwt", &c)
	return c
}

// verifyJWT checks that token is a JWT of type typ whose signature verifies
// against the provider's JWKS (by its kid), and decodes its claims into
// claims.
func (h *harness) verifyJWT(token, typ string, claims any) {
	h.t.Helper()
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		h.t.Fatalf("token %q is not a signed JWT: %v", token, err)
	}
	hdr := parsed.Headers[0]
	if got := hdr.ExtraHeaders[jose.HeaderType]; got != typ {
		h.t.Fatalf("typ header %v, want %s", got, typ)
	}
	req, err := http.NewRequestWithContext(h.t.Context(), http.MethodGet, h.url("/.well-known/jwks.json"), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	r := h.do(req)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(r.raw), &set); err != nil {
		h.t.Fatalf("JWKS %q: %v", r.raw, err)
	}
	keys := set.Key(hdr.KeyID)
	if hdr.KeyID == "" || len(keys) != 1 {
		h.t.Fatalf("kid %q names %d keys of the JWKS", hdr.KeyID, len(keys))
	}
	if hdr.Algorithm != keys[0].Algorithm {
		h.t.Fatalf("alg %s, the key's is %s", hdr.Algorithm, keys[0].Algorithm)
	}
	if err := parsed.Claims(keys[0].Public().Key, claims); err != nil {
		h.t.Fatalf("signature does not verify against the JWKS: %v", err)
	}
}

// clientCredentials asks the token endpoint for a client credentials token.
func (h *harness) clientCredentials(id, secret string, form url.Values) string {
	h.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("grant_type", "client_credentials")
	r := h.post("/oauth2/token", form, id, secret)
	if r.status != http.StatusOK || r.str("access_token") == "" {
		h.t.Fatalf("token request: %d %s", r.status, r.raw)
	}
	return r.str("access_token")
}

func TestJWTAccessTokens(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, h *harness) {
		gwSecret := h.addClient(storage.Client{ID: "gw-bot", Name: "gw-bot", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
			Scopes: []string{"im:messages.send", "im:presence.read"}, AccessTokenFormat: storage.AccessTokenJWT})
		audSecret := h.addClient(storage.Client{ID: "aud-bot", Name: "aud-bot", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
			Scopes: []string{"im:messages.send"}, Audience: []string{"https://im.example/gateway"}, AccessTokenFormat: storage.AccessTokenJWT})
		botSecret := h.bot("bot", "im:messages.send")
		rsSecret := h.resourceServer("gateway")

		t.Run("a jwt client gets a signed at+jwt whose claims match introspection", func(t *testing.T) {
			token := h.clientCredentials("gw-bot", gwSecret, url.Values{"scope": {"im:messages.send"}})
			if strings.HasPrefix(token, "tkm_") || strings.Count(token, ".") != 2 {
				t.Fatalf("token %q is not a JWT", token)
			}
			c := h.verifyAccessJWT(token)
			in := h.introspect(token, "gateway", rsSecret)
			if !active(in) {
				t.Fatalf("introspection of a fresh JWT: %s", in.raw)
			}
			if c.Issuer != h.srv.URL || c.Subject != "gw-bot" || c.ClientID != "gw-bot" || c.Scope != "im:messages.send" {
				t.Fatalf("claims iss %q sub %q client_id %q scope %q", c.Issuer, c.Subject, c.ClientID, c.Scope)
			}
			// No audience asked for and none registered: the issuer.
			if !slices.Equal([]string(c.Audience), []string{h.srv.URL}) {
				t.Fatalf("aud %v, want the issuer", c.Audience)
			}
			if c.ID == "" || c.ID != in.str("jti") || c.Subject != in.str("sub") || c.ClientID != in.str("client_id") || c.Scope != in.str("scope") {
				t.Fatalf("claims %+v do not match introspection %s", c, in.raw)
			}
			if exp, _ := in.body["exp"].(float64); c.Expiry == nil || c.Expiry.Time().Unix() != int64(exp) {
				t.Fatalf("exp %v, introspection says %v", c.Expiry, in.body["exp"])
			}
			if iat, _ := in.body["iat"].(float64); c.IssuedAt == nil || c.IssuedAt.Time().Unix() != int64(iat) {
				t.Fatalf("iat %v, introspection says %v", c.IssuedAt, in.body["iat"])
			}
			// The fallback audience is the token's alone; none was granted.
			if aud, ok := in.body["aud"]; ok {
				t.Fatalf("introspection aud %v, want none granted", aud)
			}
		})

		t.Run("a client's registered audience is the token's aud", func(t *testing.T) {
			c := h.verifyAccessJWT(h.clientCredentials("aud-bot", audSecret, nil))
			if !slices.Equal([]string(c.Audience), []string{"https://im.example/gateway"}) {
				t.Fatalf("aud %v, want the client's audience", c.Audience)
			}
		})

		t.Run("an audience asked for and granted is the token's aud and introspection's", func(t *testing.T) {
			token := h.clientCredentials("aud-bot", audSecret, url.Values{"scope": {"im:messages.send"}, "audience": {"https://im.example/gateway"}})
			c := h.verifyAccessJWT(token)
			in := h.introspect(token, "gateway", rsSecret)
			if aud, _ := in.body["aud"].([]any); !slices.Equal([]string(c.Audience), []string{"https://im.example/gateway"}) || len(aud) != 1 || aud[0] != "https://im.example/gateway" {
				t.Fatalf("aud %v, introspection %v", c.Audience, in.body["aud"])
			}
		})

		t.Run("an opaque client still gets an opaque token", func(t *testing.T) {
			token := h.clientCredentials("bot", botSecret, nil)
			if !strings.HasPrefix(token, "tkm_at_") || strings.Count(token, ".") != 1 {
				t.Fatalf("token %q is not opaque", token)
			}
		})

		t.Run("a revoked JWT is inactive", func(t *testing.T) {
			token := h.clientCredentials("gw-bot", gwSecret, nil)
			if r := h.post("/oauth2/revoke", url.Values{"token": {token}}, "gw-bot", gwSecret); r.status != http.StatusOK {
				t.Fatalf("revoke: %d %s", r.status, r.raw)
			}
			if in := h.introspect(token, "gateway", rsSecret); active(in) {
				t.Fatalf("revoked JWT still active: %s", in.raw)
			}
		})

		t.Run("a JWT with changed claims around a real signature is inactive", func(t *testing.T) {
			token := h.clientCredentials("gw-bot", gwSecret, url.Values{"scope": {"im:messages.send"}})
			parts := strings.Split(token, ".")
			forged := parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2]
			if in := h.introspect(forged, "gateway", rsSecret); active(in) {
				t.Fatalf("forged JWT active: %s", in.raw)
			}
			for _, bad := range []string{"a.b.c", "..", "not-a-token"} {
				if in := h.introspect(bad, "gateway", rsSecret); in.status != http.StatusOK || active(in) {
					t.Fatalf("%q: %d %s, want 200 active:false", bad, in.status, in.raw)
				}
			}
		})
	})
}

func TestJWTAccessTokenExpires(t *testing.T) {
	t.Parallel()
	var skew atomic.Int64
	h := newHarness(t, backends()["memory"](t), func(c *oauth.Config) {
		c.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	})
	s := h.addClient(storage.Client{ID: "gw-bot", Name: "gw-bot", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
		Scopes: []string{"im:messages.send"}, AccessTokenFormat: storage.AccessTokenJWT})
	rs := h.resourceServer("gateway")
	token := h.clientCredentials("gw-bot", s, nil)
	if !active(h.introspect(token, "gateway", rs)) {
		t.Fatal("a fresh JWT is inactive")
	}
	skew.Store(int64(2 * time.Hour))
	if in := h.introspect(token, "gateway", rs); active(in) {
		t.Fatalf("a JWT past its exp is active: %s", in.raw)
	}
}
