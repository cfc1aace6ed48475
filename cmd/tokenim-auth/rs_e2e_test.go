package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/rs"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// rsBotClient is a service of the IM product that may send messages only.
const rsBotClient = `  - id: im-bot
    name: IM notification bot
    type: confidential
    secret: ` + gatewaySecret + `
    grant_types: [client_credentials]
    scopes: [im:messages.send]
`

// vaultClient is a resource server whose signed introspection answers are
// encrypted (RFC 9701 section 6) to the key it publishes at jwksURI.
func vaultClient(jwksURI string) string {
	return `  - id: im-vault
    name: IM message vault
    type: resource_server
    secret: ` + gatewaySecret + `
    jwks_uri: ` + jwksURI + `
    introspection_signed_response_alg: ES256
    introspection_encrypted_response_alg: ECDH-ES+A128KW
    introspection_encrypted_response_enc: A256GCM
`
}

// rsService is an IM message API protected by the verifier v.
func rsService(t *testing.T, v *rs.Verifier) *httptest.Server {
	t.Helper()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := rs.FromContext(r.Context())
		_, _ = w.Write([]byte(tok.ClientID))
	})
	mux := http.NewServeMux()
	mux.Handle("POST /messages", rs.RequireScope("im:messages.send")(ok))
	mux.Handle("GET /messages", rs.RequireScope("im:messages.read")(ok))
	srv := httptest.NewServer(v.Middleware(mux))
	t.Cleanup(srv.Close)
	return srv
}

// rsCall calls the IM service with token and returns the status, the
// challenge and the body.
func rsCall(t *testing.T, srv *httptest.Server, method, token string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, srv.URL+"/messages", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body)
}

// rsRevoke revokes the bot's token at the provider (RFC 7009).
func rsRevoke(t *testing.T, p running, token string) {
	t.Helper()
	revokeAs(t, p, "im-bot", gatewaySecret, token)
}

func TestResourceServerPackage(t *testing.T) {
	t.Parallel()
	for _, store := range []struct {
		name string
		url  func(t testing.TB) string
	}{
		{"memory", func(testing.TB) string { return "memory" }},
		{"postgres", pgtest.MigratedURL},
	} {
		t.Run(store.name, func(t *testing.T) {
			t.Parallel()
			vaultKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			vaultKeys, err := rs.PublicKeys(rs.DecryptionKey{ID: "vault-1", Key: vaultKey})
			if err != nil {
				t.Fatal(err)
			}
			keysSrv := httptest.NewServer(vaultKeys)
			t.Cleanup(keysSrv.Close)
			p := startProviderClients(t, store.url(t), rsBotClient+vaultClient(keysSrv.URL+"/jwks.json"))
			// The verifiers' clock runs ahead of the wall clock by skew.
			var skew atomic.Int64
			now := func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
			// verifierWith is the gateway's verifier with cfg's other
			// fields.
			verifierWith := func(t *testing.T, cfg rs.Config) (*rs.Verifier, *httptest.Server) {
				cfg.Issuer, cfg.ClientID, cfg.ClientSecret, cfg.Now = p.issuer, "im-gateway", gatewaySecret, now
				v, err := rs.New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				return v, rsService(t, v)
			}
			verifier := func(t *testing.T, ttl time.Duration) (*rs.Verifier, *httptest.Server) {
				return verifierWith(t, rs.Config{CacheTTL: ttl})
			}
			allowedThenForbidden := func(t *testing.T, srv *httptest.Server, token string) {
				t.Helper()
				if code, _, body := rsCall(t, srv, "POST", token); code != 200 || body != "im-bot" {
					t.Fatalf("POST with im:messages.send: %d %s", code, body)
				}
				code, challenge, _ := rsCall(t, srv, "GET", token)
				if code != 403 || !strings.Contains(challenge, `error="insufficient_scope"`) || !strings.Contains(challenge, `scope="im:messages.read"`) {
					t.Fatalf("GET without im:messages.read: %d %q", code, challenge)
				}
			}
			refused := func(t *testing.T, srv *httptest.Server, token string) {
				t.Helper()
				if code, challenge, _ := rsCall(t, srv, "POST", token); code != 401 || !strings.Contains(challenge, `error="invalid_token"`) {
					t.Fatalf("a token that must be refused: %d %q", code, challenge)
				}
			}

			t.Run("signed introspection (RFC 9701) against the provider's JWKS", func(t *testing.T) {
				v, srv := verifierWith(t, rs.Config{SignedIntrospection: true, CacheTTL: rs.NoCache, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
				token := serviceToken(t, p, "im-bot", gatewaySecret, "im:messages.send")
				allowedThenForbidden(t, srv, token)
				rsRevoke(t, p, token)
				refused(t, srv, token)
				if _, err := v.Verify(t.Context(), "not-a-token"); !errors.Is(err, rs.ErrInvalidToken) {
					t.Fatalf("an unknown token: %v, want ErrInvalidToken from a signed inactive answer", err)
				}
			})
			t.Run("encrypted introspection (RFC 9701) to the key the service publishes", func(t *testing.T) {
				vault := rs.Config{Issuer: p.issuer, ClientID: "im-vault", ClientSecret: gatewaySecret, Now: now, SignedIntrospection: true,
					IntrospectionKeys: []rs.DecryptionKey{{ID: "vault-1", Key: vaultKey}}, CacheTTL: rs.NoCache, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
				v, err := rs.New(vault)
				if err != nil {
					t.Fatal(err)
				}
				srv := rsService(t, v)
				token := serviceToken(t, p, "im-bot", gatewaySecret, "im:messages.send")
				allowedThenForbidden(t, srv, token)
				// Without the key, the service cannot read the answers.
				vault.IntrospectionKeys = nil
				keyless, err := rs.New(vault)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := keyless.Verify(t.Context(), token); !errors.Is(err, rs.ErrUnavailable) {
					t.Fatalf("a verifier without the key: %v, want ErrUnavailable (an answer it cannot open)", err)
				}
				rsRevoke(t, p, token)
				refused(t, srv, token)
			})
			t.Run("a revoked token is refused once Invalidate is called", func(t *testing.T) {
				v, srv := verifier(t, time.Hour)
				token := serviceToken(t, p, "im-bot", gatewaySecret, "im:messages.send")
				allowedThenForbidden(t, srv, token)
				rsRevoke(t, p, token)
				if code, _, _ := rsCall(t, srv, "POST", token); code != 200 {
					t.Fatalf("the cached answer stands until invalidated, got %d", code)
				}
				v.Invalidate(token)
				refused(t, srv, token)
			})
			t.Run("a revoked token is refused once the cache TTL has passed", func(t *testing.T) {
				_, srv := verifier(t, 10*time.Second)
				token := serviceToken(t, p, "im-bot", gatewaySecret, "im:messages.send")
				allowedThenForbidden(t, srv, token)
				rsRevoke(t, p, token)
				skew.Add(int64(10 * time.Second))
				refused(t, srv, token)
			})
			t.Run("a verifier following the revocation stream refuses a revoked token within a second, with no TTL to wait", func(t *testing.T) {
				subscribed := make(chan struct{}, 1)
				v, srv := verifierWith(t, rs.Config{CacheTTL: time.Hour, OnSubscribed: func() {
					select {
					case subscribed <- struct{}{}:
					default:
					}
				}})
				ctx, cancel := context.WithCancel(t.Context())
				events := make(chan rs.Event, 10)
				done := make(chan error, 1)
				go func() { done <- v.FollowRevocations(ctx, func(e rs.Event) { events <- e }) }()
				t.Cleanup(func() { cancel(); <-done })
				token := serviceToken(t, p, "im-bot", gatewaySecret, "im:messages.send")
				family, _ := introspect(t, running{issuer: p.issuer}, token)["jti"].(string)
				allowedThenForbidden(t, srv, token) // cached for an hour
				select {
				case <-subscribed:
				case <-time.After(10 * time.Second):
					t.Fatal("the verifier did not subscribe to the revocation stream within 10s")
				}
				rsRevoke(t, p, token)
				// Revocations of the tests before may still come first:
				// records committed before the subscription and sealed
				// after it are streamed too.
				deadline := time.After(time.Second)
				for seen := false; !seen; {
					select {
					case e := <-events:
						seen = e.Kind == "token" && e.TokenFamily == family && e.ClientID == "im-bot"
					case <-deadline:
						t.Fatalf("no revocation event of token family %q within a second", family)
					}
				}
				refused(t, srv, token)
			})
			t.Run("an expired token is refused, whatever the cache holds", func(t *testing.T) {
				_, srv := verifier(t, time.Hour)
				token := serviceToken(t, p, "im-bot", gatewaySecret, "im:messages.send")
				allowedThenForbidden(t, srv, token) // cached for an hour
				// Past the token's exp (lifespans.access_token is 1h).
				past := int64(time.Hour + time.Minute)
				skew.Add(past)
				t.Cleanup(func() { skew.Add(-past) })
				refused(t, srv, token)
			})
			t.Run("an unknown token is refused and a forged JWT is checked against the provider's JWKS", func(t *testing.T) {
				_, srv := verifier(t, 0)
				refused(t, srv, "ory_at_unknown.signature")
				priv, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
				signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: "forged"}}, (&jose.SignerOptions{}).WithType("at+jwt"))
				now := now()
				forged, _ := jwt.Signed(signer).Claims(map[string]any{
					"iss": p.issuer, "sub": "im-bot", "aud": "im", "client_id": "im-bot", "jti": "x", "scope": "im:messages.send",
					"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
				}).Serialize()
				code, challenge, _ := rsCall(t, srv, "POST", forged)
				if code != 401 || !strings.Contains(challenge, "unknown key") {
					t.Fatalf("forged JWT: %d %q", code, challenge)
				}
			})
		})
	}
}
