package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/rs"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
)

// jwtClients are a bot and a web app that get JWT access tokens.
const jwtClients = `  - id: im-bot-jwt
    name: IM bot with JWT tokens
    type: confidential
    secret: ` + gatewaySecret + `
    grant_types: [client_credentials]
    scopes: [im:messages.send]
    access_token_format: jwt
  - id: chat-jwt
    name: TokenIM Chat with JWT tokens
    type: confidential
    secret: ` + webSecret + `
    redirect_uris: [` + webCallback + `]
    scopes: [openid, profile, email, offline_access, im:messages.read, im:messages.send]
    access_token_format: jwt
`

// startProviderClients is startProvider with more clients, as YAML list
// items, declared before the others.
func startProviderClients(t *testing.T, dbURL, clients string) running {
	t.Helper()
	return startProviderClientsEnv(t, map[string]string{"TOKENIM_DATABASE_URL": dbURL}, clients)
}

// startProviderClientsEnv is startProviderClients with the environment
// env (the database, Redis) for serve.
func startProviderClientsEnv(t *testing.T, env map[string]string, clients string) running {
	t.Helper()
	return startProviderClientsConfig(t, env, clients, "")
}

// startProviderClientsConfig is startProviderClientsEnv with extra YAML
// appended to the configuration.
func startProviderClientsConfig(t *testing.T, env map[string]string, clients, extra string) running {
	t.Helper()
	addr, issuer := freeIssuer(t)
	path := writeProviderConfig(t, issuer, extra)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(raw), "clients:\n", "clients:\n"+clients, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh"}
	maps.Copy(vars, env)
	_, _, logs := startServe(t, vars, "--config", path, "--listen", addr)
	return running{issuer: issuer, config: path, vars: vars, logs: logs}
}

// accessJWT is a JWT access token's claims (RFC 9068 section 2.2).
type accessJWT struct {
	jwt.Claims
	ClientID string   `json:"client_id"`
	Scope    string   `json:"scope"`
	AuthTime int64    `json:"auth_time"`
	ACR      string   `json:"acr"`
	AMR      []string `json:"amr"`
}

// verifyAccessJWT checks token with go-jose against the provider's JWKS:
// typ at+jwt, a kid the JWKS has, the signature, iss and exp.
func verifyAccessJWT(t *testing.T, p running, token string) accessJWT {
	t.Helper()
	var c accessJWT
	verifyJWT(t, p, token, "at+jwt", &c)
	if err := c.Validate(jwt.Expected{Issuer: p.issuer, Time: time.Now()}); err != nil {
		t.Fatalf("claims: %v", err)
	}
	return c
}

// verifyJWT checks token with go-jose against the provider's JWKS: typ
// header typ, a kid the JWKS has with the header's alg, the signature; it
// decodes the claims into claims.
func verifyJWT(t *testing.T, p running, token, typ string, claims any) {
	t.Helper()
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256, jose.RS256, jose.PS256, jose.EdDSA})
	if err != nil {
		t.Fatalf("token %q is not a signed JWT: %v", token, err)
	}
	h := parsed.Headers[0]
	if got := h.ExtraHeaders[jose.HeaderType]; got != typ {
		t.Fatalf("typ header %v, want %s", got, typ)
	}
	resp, err := http.Get(p.issuer + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	keys := set.Key(h.KeyID)
	if h.KeyID == "" || len(keys) != 1 {
		t.Fatalf("kid %q names %d keys of the JWKS", h.KeyID, len(keys))
	}
	if h.Algorithm != keys[0].Algorithm {
		t.Fatalf("alg %s, the JWKS key's is %s", h.Algorithm, keys[0].Algorithm)
	}
	if err := parsed.Claims(keys[0].Key, claims); err != nil {
		t.Fatalf("the signature does not verify against the JWKS: %v", err)
	}
}

// matchesIntrospection checks that the token's claims are what
// introspection says of it, and returns the introspection answer.
func matchesIntrospection(t *testing.T, p running, token string, c accessJWT) map[string]any {
	t.Helper()
	in := introspect(t, p, token)
	if in["active"] != true {
		t.Fatalf("introspection of a fresh JWT: %v", in)
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"sub", c.Subject, in["sub"]},
		{"client_id", c.ClientID, in["client_id"]},
		{"scope", c.Scope, in["scope"]},
		{"jti", c.ID, in["jti"]},
		{"exp", float64(c.Expiry.Time().Unix()), in["exp"]},
		{"iat", float64(c.IssuedAt.Time().Unix()), in["iat"]},
	} {
		if f.got != f.want || f.got == "" {
			t.Errorf("%s: token %v, introspection %v", f.name, f.got, f.want)
		}
	}
	return in
}

// revokeAs revokes token at the provider (RFC 7009) as the client id.
func revokeAs(t *testing.T, p running, id, secret, token string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/oauth2/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
}

func TestJWTAccessTokensEndToEnd(t *testing.T) {
	t.Parallel()
	for _, store := range []struct {
		name string
		env  func(t *testing.T) map[string]string
	}{
		{"memory", func(*testing.T) map[string]string { return map[string]string{"TOKENIM_DATABASE_URL": "memory"} }},
		{"postgres", func(t *testing.T) map[string]string {
			return map[string]string{"TOKENIM_DATABASE_URL": pgtest.MigratedURL(t)}
		}},
		{"postgres with the redis cache", func(t *testing.T) map[string]string {
			return map[string]string{
				"TOKENIM_DATABASE_URL": pgtest.MigratedURL(t),
				"TOKENIM_REDIS_URL":    fmt.Sprintf("redis://%s/%d", redistest.Addr(t), redistest.DB),
				"TOKENIM_REDIS_PREFIX": redistest.Prefix(t),
			}
		}},
	} {
		t.Run(store.name, func(t *testing.T) {
			t.Parallel()
			p := startProviderClientsEnv(t, store.env(t), jwtClients)

			t.Run("client credentials give a JWT whose claims match introspection; revoked it is inactive", func(t *testing.T) {
				token := serviceToken(t, p, "im-bot-jwt", gatewaySecret, "im:messages.send")
				c := verifyAccessJWT(t, p, token)
				if c.Subject != "im-bot-jwt" || c.ClientID != "im-bot-jwt" || c.Scope != "im:messages.send" {
					t.Fatalf("sub %q client_id %q scope %q", c.Subject, c.ClientID, c.Scope)
				}
				if !slices.Equal([]string(c.Audience), []string{p.issuer}) {
					t.Fatalf("aud %v, want the issuer (no audience asked for or registered)", c.Audience)
				}
				if c.AuthTime != 0 || c.AMR != nil {
					t.Fatalf("a client's own token has auth_time %d amr %v", c.AuthTime, c.AMR)
				}
				matchesIntrospection(t, p, token, c)
				revokeAs(t, p, "im-bot-jwt", gatewaySecret, token)
				if in := introspect(t, p, token); in["active"] != false {
					t.Fatalf("a revoked JWT introspects as %v", in)
				}
			})

			t.Run("the authorization code flow gives a JWT for the user, and refresh a new one of the same family", func(t *testing.T) {
				a := newApp(t, p)
				a.conf.ClientID = "chat-jwt"
				a.verifier = a.oidc.Verifier(&oidc.Config{ClientID: "chat-jwt"})
				tok, id, _ := a.login(t, newBrowser(t, p.issuer, webCallback), p)
				c := verifyAccessJWT(t, p, tok.AccessToken)
				if c.Subject != id.Subject || c.ClientID != "chat-jwt" || !strings.Contains(" "+c.Scope+" ", " im:messages.read ") {
					t.Fatalf("sub %q (user %q) client_id %q scope %q", c.Subject, id.Subject, c.ClientID, c.Scope)
				}
				if c.AuthTime == 0 || len(c.AMR) == 0 {
					t.Fatalf("a user's token lacks auth_time (%d) or amr (%v)", c.AuthTime, c.AMR)
				}
				matchesIntrospection(t, p, tok.AccessToken, c)
				ui, err := a.oidc.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
				if err != nil || ui.Subject != c.Subject {
					t.Fatalf("userinfo with the JWT: %v %+v", err, ui)
				}
				if strings.Count(tok.RefreshToken, ".") == 2 || !strings.HasPrefix(tok.RefreshToken, "tkm_rt_") {
					t.Fatalf("refresh token %q is not opaque", tok.RefreshToken)
				}

				next, err := refresh(t, a, tok.RefreshToken)
				if err != nil {
					t.Fatal(err)
				}
				nc := verifyAccessJWT(t, p, next.AccessToken)
				if next.AccessToken == tok.AccessToken || nc.ID != c.ID || nc.Subject != c.Subject || nc.AuthTime != c.AuthTime {
					t.Fatalf("refreshed token: jti %q (was %q), sub %q (was %q)", nc.ID, c.ID, nc.Subject, c.Subject)
				}
				matchesIntrospection(t, p, next.AccessToken, nc)
				if in := introspect(t, p, tok.AccessToken); in["active"] != false {
					t.Fatalf("the access token replaced by refresh is still active: %v", in)
				}
				if _, err := refresh(t, a, tok.RefreshToken); err == nil {
					t.Fatal("a rotated refresh token was accepted again")
				}
				// Reuse of the old refresh token revokes the family.
				if in := introspect(t, p, next.AccessToken); in["active"] != false {
					t.Fatalf("the family's JWT is still active after refresh token reuse: %v", in)
				}
			})

			t.Run("an opaque client still gets opaque tokens", func(t *testing.T) {
				token := serviceToken(t, p, "ops", gatewaySecret, "admin")
				if !strings.HasPrefix(token, "tkm_at_") || strings.Count(token, ".") == 2 {
					t.Fatalf("token %q is not opaque", token)
				}
			})

			t.Run("rs verifies the JWT locally and RequireScope works on it", func(t *testing.T) {
				v, err := rs.New(rs.Config{Issuer: p.issuer, ClientID: "im-gateway", ClientSecret: gatewaySecret, Audience: p.issuer})
				if err != nil {
					t.Fatal(err)
				}
				token := serviceToken(t, p, "im-bot-jwt", gatewaySecret, "im:messages.send")
				got, err := v.Verify(t.Context(), token)
				if err != nil {
					t.Fatal(err)
				}
				if got.Format != rs.FormatJWT || got.Subject != "im-bot-jwt" || got.ClientID != "im-bot-jwt" || !got.HasScope("im:messages.send") {
					t.Fatalf("rs read %+v", got)
				}
				srv := rsService(t, v)
				if code, _, body := rsCall(t, srv, "POST", token); code != http.StatusOK || body != "im-bot-jwt" {
					t.Fatalf("POST with im:messages.send: %d %s", code, body)
				}
				code, challenge, _ := rsCall(t, srv, "GET", token)
				if code != http.StatusForbidden || !strings.Contains(challenge, `error="insufficient_scope"`) || !strings.Contains(challenge, `scope="im:messages.read"`) {
					t.Fatalf("GET without im:messages.read: %d %q", code, challenge)
				}
				other, err := rs.New(rs.Config{Issuer: p.issuer, ClientID: "im-gateway", ClientSecret: gatewaySecret, Audience: "https://elsewhere.example"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := other.Verify(t.Context(), token); err == nil {
					t.Fatal("a resource server of another audience accepted the JWT")
				}
			})
		})
	}
}

func TestClientsAccessTokenFormat(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	gw := createClient(t, vars, "--id", "gw-jwt", "--name", "Gateway bot", "--type", "confidential", "--grant-type", "client_credentials",
		"--access-token-format", "jwt")
	createClient(t, vars, "--id", "web-opaque", "--name", "Web", "--type", "confidential", "--redirect-uri", "https://app.example/cb")
	store := storeOf(t, vars)
	for id, want := range map[string]bool{gw.ClientID: true, "web-opaque": false} {
		rec, err := store.GetClient(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.IssuesJWT() != want {
			t.Fatalf("%s: stored format %q", id, rec.AccessTokenFormat)
		}
	}

	t.Run("list shows each client's token format", func(t *testing.T) {
		r := mustRun(t, vars, "", "clients", "list")
		for _, line := range strings.Split(r.stdout, "\n") {
			switch {
			case strings.HasPrefix(line, "CLIENT ID") && !strings.Contains(line, "TOKENS"):
				t.Fatalf("no TOKENS column: %q", line)
			case strings.HasPrefix(line, "gw-jwt") && !strings.Contains(line, " jwt "):
				t.Fatalf("gw-jwt listed as %q", line)
			case strings.HasPrefix(line, "web-opaque") && !strings.Contains(line, " opaque "):
				t.Fatalf("web-opaque listed as %q", line)
			}
		}
		var listed []struct {
			ClientID          string `json:"client_id"`
			AccessTokenFormat string `json:"access_token_format"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, vars, "", "clients", "list", "--output", "json").stdout), &listed); err != nil {
			t.Fatal(err)
		}
		if len(listed) != 2 || listed[0].AccessTokenFormat != "jwt" || listed[1].AccessTokenFormat != "opaque" {
			t.Fatalf("json list %+v", listed)
		}
	})

	t.Run("an unknown format exits 2 naming the field", func(t *testing.T) {
		r := runCmd(t, vars, "", "clients", "create", "--name", "Bad", "--type", "confidential", "--grant-type", "client_credentials", "--access-token-format", "paseto")
		if r.code != 2 || !strings.Contains(r.stderr, "access_token_format") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}
