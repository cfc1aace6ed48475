package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

const (
	webSecret     = "web-app-secret-0123456789abcdefghij"
	gatewaySecret = "gateway-secret-0123456789abcdefghij"
	webCallback   = "http://127.0.0.1:9/callback"
	webBye        = "http://127.0.0.1:9/bye"
	annEmail      = "ann@example.com"
	gusEmail      = "gus@example.com"
	annPassword   = "correct-horse-battery"
	// annPasswordHash is annPassword as an argon2id PHC string at the
	// floor of argon2id's cost (as passwordtest.Hash makes them): the
	// configuration of the end-to-end tests gives it, so that neither
	// each start of a provider nor each sign-in spends the production
	// cost on it. Sign-in verifies it as any other hash; what a test
	// hashes through the provider (registration, reset) still costs what
	// it does in production.
	annPasswordHash = "$argon2id$v=19$m=8,t=1,p=1$yBDQGL/dvEnZkl9ZuC+26A$CarJHrvYVT86Mw/pvyCR8wujfRD8iyMr/0MW5Nm09Ns"
)

// running is a provider started by the real serve command.
type running struct {
	issuer string
	config string
	vars   map[string]string
	// logs is what serve logged.
	logs *syncBuffer
}

// startProvider runs serve on a free loopback port with a configuration
// declaring the apps and the user the tests use.
func startProvider(t *testing.T, dbURL string) running {
	t.Helper()
	return startProviderConfig(t, dbURL, "")
}

// startProviderConfig is startProvider with extra YAML appended to the
// configuration.
func startProviderConfig(t *testing.T, dbURL, extra string) running {
	t.Helper()
	return startProviderEnv(t, dbURL, extra, nil)
}

// freeIssuer returns a free loopback address for serve to listen on and
// the issuer URL it makes.
func freeIssuer(t *testing.T) (addr, issuer string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = ln.Addr().String()
	ln.Close()
	return addr, "http://" + addr
}

// startProviderEnv is startProviderConfig with change applied to serve's
// env (nil changes nothing).
func startProviderEnv(t *testing.T, dbURL, extra string, change func(*env)) running {
	t.Helper()
	addr, issuer := freeIssuer(t)
	path := writeProviderConfig(t, issuer, extra)
	vars := map[string]string{"TOKENIM_DATABASE_URL": dbURL, "TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh"}
	base, _, logs, stop := launchServeEnv(t, vars, change, "--config", path, "--listen", addr)
	t.Cleanup(stop)
	if base != issuer {
		t.Fatalf("serving at %s, want %s", base, issuer)
	}
	return running{issuer: issuer, config: path, vars: vars, logs: logs}
}

// writeProviderConfig writes the configuration the end-to-end tests use,
// with extra YAML appended, and returns its path.
func writeProviderConfig(t *testing.T, issuer, extra string) string {
	t.Helper()
	return writeFile(t, fmt.Sprintf(`
issuer: %[1]s
keys:
  refresh: 1s
lifespans:
  # A rotated refresh token presented again in these tests is a reuse, not
  # a retry; TestRefreshRaceAcrossNodes sets the reuse window.
  refresh_reuse_window: 0s
device:
  poll_interval: 1s
log:
  level: debug
clients:
  - id: chat-web
    name: TokenIM Chat Web
    type: confidential
    secret: %[2]s
    redirect_uris: [%[3]s]
    post_logout_redirect_uris: [%[4]s]
    scopes: [openid, profile, email, offline_access, im:messages.read, im:messages.send]
  - id: chat-home
    name: TokenIM Home
    type: confidential
    secret: %[2]s
    redirect_uris: [%[3]s]
    scopes: [openid, profile, im:messages.read]
    skip_consent: true
  - id: chat-desktop
    name: TokenIM Desktop
    type: public
    redirect_uris: ["http://127.0.0.1/callback"]
    grant_types: [authorization_code, refresh_token, "urn:ietf:params:oauth:grant-type:device_code"]
    scopes: [openid, offline_access, im:messages.read, im:calls.read]
  - id: im-gateway
    name: IM gateway
    type: resource_server
    secret: %[5]s
    scopes: [im:presence.read]
  - id: ops
    name: Operations console
    type: confidential
    secret: %[5]s
    grant_types: [client_credentials]
    scopes: [admin]
users:
  - email: %[6]s
    name: Ann Lee
    password_hash: '%[7]s'
  - email: gus@example.com
    name: Gus Guest
    password_hash: '%[7]s'
    role: guest
  - email: dev@example.com
    name: Dee Veloper
    password_hash: '%[7]s'
    role: developer
`, issuer, webSecret, webCallback, webBye, gatewaySecret, annEmail, annPasswordHash)+extra)
}

// eachStore runs fn against a provider on the memory store and on
// Postgres, in parallel.
func eachStore(t *testing.T, fn func(t *testing.T, p running)) {
	eachStoreConfig(t, "", fn)
}

// eachStoreConfig is eachStore with extra YAML appended to the
// configuration. The two run in parallel, each on its own provider.
func eachStoreConfig(t *testing.T, extra string, fn func(t *testing.T, p running)) {
	t.Run("memory", func(t *testing.T) { t.Parallel(); fn(t, startProviderConfig(t, "memory", extra)) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, startProviderConfig(t, pgtest.MigratedURL(t), extra)) })
}

// eachDatabase runs fn with the database URL of the memory store and of a
// migrated Postgres schema of its own, in parallel: for a test that
// starts its provider itself.
func eachDatabase(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Run("memory", func(t *testing.T) { t.Parallel(); fn(t, "memory") })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, pgtest.MigratedURL(t)) })
}

// relyingParty is the web app's OAuth side, as a real relying party sets it up.
type relyingParty struct {
	conf     oauth2.Config
	oidc     *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

func newApp(t *testing.T, p running) relyingParty {
	t.Helper()
	return newAppFor(t, p, "chat-web", oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess, "im:messages.read")
}

// newAppFor is the relying party of a confidential client with the web
// app's secret and callback, asking for scopes.
func newAppFor(t *testing.T, p running, clientID string, scopes ...string) relyingParty {
	t.Helper()
	op, err := oidc.NewProvider(t.Context(), p.issuer)
	if err != nil {
		t.Fatal(err)
	}
	return relyingParty{
		conf: oauth2.Config{
			ClientID: clientID, ClientSecret: webSecret, RedirectURL: webCallback, Endpoint: endpoint(op),
			Scopes: scopes,
		},
		oidc:     op,
		verifier: op.Verifier(&oidc.Config{ClientID: clientID}),
	}
}

func random(t *testing.T) string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// endpoint is the provider's endpoint for a client registered for
// client_secret_basic: the oauth2 package then never retries with the
// secret in the body.
func endpoint(op *oidc.Provider) oauth2.Endpoint {
	e := op.Endpoint()
	e.AuthStyle = oauth2.AuthStyleInHeader
	return e
}

// authorization is one run of the authorization code flow up to the code.
type authorization struct {
	state, nonce, verifier string
	url                    string
}

func (a relyingParty) start(t *testing.T, extra ...oauth2.AuthCodeOption) authorization {
	z := authorization{state: random(t), nonce: random(t), verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(z.verifier), oidc.Nonce(z.nonce)}, extra...)
	z.url = a.conf.AuthCodeURL(z.state, opts...)
	return z
}

// callback checks that a page is the redirect to the app's callback and
// returns its parameters.
func callback(t *testing.T, p page, issuer string) url.Values {
	t.Helper()
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, webCallback) {
		t.Fatalf("want a 303 to the app's callback, got %d to %q:\n%s", p.status, p.location, p.body)
	}
	u, _ := url.Parse(p.location)
	q := u.Query()
	if q.Get("iss") != issuer {
		t.Fatalf("callback iss = %q, want %q (RFC 9207)", q.Get("iss"), issuer)
	}
	return q
}

// signIn fills the sign-in page.
func signIn(t *testing.T, b *browser, p page, email, password string) page {
	t.Helper()
	if !strings.Contains(p.url.Path, "/login") || p.status != http.StatusOK {
		t.Fatalf("want the sign-in page, got %d %s:\n%s", p.status, p.url, p.body)
	}
	return b.submit(p, map[string]string{"email": email, "password": password})
}

// consentTo answers the consent page.
func consentTo(t *testing.T, b *browser, p page, decision string) page {
	t.Helper()
	if !strings.Contains(p.url.Path, "/consent") || p.status != http.StatusOK {
		t.Fatalf("want the consent page, got %d %s:\n%s", p.status, p.url, p.body)
	}
	return b.submit(p, map[string]string{"decision": decision, "remember": "1"})
}

// login runs a full first sign-in: sign-in page, consent, code, exchange;
// extra are more authorization request parameters.
func (a relyingParty) login(t *testing.T, b *browser, p running, extra ...oauth2.AuthCodeOption) (*oauth2.Token, *oidc.IDToken, authorization) {
	t.Helper()
	z := a.start(t, extra...)
	cb := callback(t, consentTo(t, b, signIn(t, b, b.get(z.url), annEmail, annPassword), "allow"), p.issuer)
	if cb.Get("state") != z.state {
		t.Fatalf("state %q, want %q", cb.Get("state"), z.state)
	}
	tok, err := a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := a.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	return tok, id, z
}

// introspect asks as the IM gateway whether a token is active; any answer
// but a 200 fails the test.
func introspect(t *testing.T, p running, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("im-gateway", gatewaySecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("introspection at %s answered %d", p.issuer, resp.StatusCode)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func refresh(t *testing.T, a relyingParty, refreshToken string) (*oauth2.Token, error) {
	t.Helper()
	return a.conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: refreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
}

func TestAuthorizationCodeFlow(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, p running) {
		a := newApp(t, p)
		b := newBrowser(t, p.issuer, webCallback, webBye)
		tok, id, z := a.login(t, b, p)

		t.Run("the ID token carries nonce, auth_time, amr, acr, at_hash and sid", func(t *testing.T) {
			var claims struct {
				Nonce    string   `json:"nonce"`
				AuthTime int64    `json:"auth_time"`
				AMR      []string `json:"amr"`
				ACR      string   `json:"acr"`
				AtHash   string   `json:"at_hash"`
				SID      string   `json:"sid"`
			}
			if err := id.Claims(&claims); err != nil {
				t.Fatal(err)
			}
			if claims.Nonce != z.nonce || claims.AuthTime == 0 || len(claims.AMR) != 1 || claims.AMR[0] != "pwd" || claims.ACR == "" || claims.AtHash == "" || claims.SID == "" {
				t.Fatalf("ID token claims %+v", claims)
			}
			if err := id.VerifyAccessToken(tok.AccessToken); err != nil {
				t.Fatalf("at_hash does not match the access token: %v", err)
			}
			if id.Issuer != p.issuer || id.Audience[0] != "chat-web" {
				t.Fatalf("iss %q aud %v", id.Issuer, id.Audience)
			}
		})

		t.Run("the token response grants the requested scopes and a refresh token", func(t *testing.T) {
			if got := tok.Extra("scope"); got != "openid profile email offline_access im:messages.read" {
				t.Fatalf("scope %q", got)
			}
			if tok.RefreshToken == "" {
				t.Fatal("no refresh token although offline_access was granted")
			}
		})

		t.Run("userinfo returns the profile and email claims", func(t *testing.T) {
			ui, err := a.oidc.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
			if err != nil {
				t.Fatal(err)
			}
			var claims struct {
				Name string `json:"name"`
			}
			_ = ui.Claims(&claims)
			if ui.Subject != id.Subject || ui.Email != annEmail || !ui.EmailVerified || claims.Name != "Ann Lee" {
				t.Fatalf("userinfo %+v %+v", ui, claims)
			}
		})

		t.Run("the IM gateway sees the user's token as active", func(t *testing.T) {
			r := introspect(t, p, tok.AccessToken)
			if r["active"] != true || r["sub"] != id.Subject || r["client_id"] != "chat-web" {
				t.Fatalf("introspection %v", r)
			}
		})

		t.Run("a second sign-in with remembered consent goes straight back to the app", func(t *testing.T) {
			z := a.start(t)
			cb := callback(t, b.get(z.url), p.issuer)
			if cb.Get("code") == "" || cb.Get("state") != z.state {
				t.Fatalf("callback %v", cb)
			}
		})

		t.Run("prompt=consent asks again even with a remembered consent", func(t *testing.T) {
			z := a.start(t, oauth2.SetAuthURLParam("prompt", "consent"))
			pg := b.get(z.url)
			if !strings.Contains(pg.url.Path, "/consent") {
				t.Fatalf("got %s, want the consent page", pg.url)
			}
		})

		t.Run("prompt=login asks for the password again", func(t *testing.T) {
			z := a.start(t, oauth2.SetAuthURLParam("prompt", "login"))
			pg := b.get(z.url)
			if !strings.Contains(pg.url.Path, "/login") {
				t.Fatalf("got %s, want the sign-in page", pg.url)
			}
			cb := callback(t, signIn(t, b, pg, annEmail, annPassword), p.issuer)
			if cb.Get("code") == "" {
				t.Fatalf("callback %v", cb)
			}
		})

		t.Run("max_age=0 asks for the password again", func(t *testing.T) {
			z := a.start(t, oauth2.SetAuthURLParam("max_age", "0"))
			pg := b.get(z.url)
			if !strings.Contains(pg.url.Path, "/login") {
				t.Fatalf("got %s, want the sign-in page", pg.url)
			}
			if cb := callback(t, signIn(t, b, pg, annEmail, annPassword), p.issuer); cb.Get("code") == "" {
				t.Fatalf("callback %v", cb)
			}
		})

		t.Run("each device's sign-in is its own token family", func(t *testing.T) {
			phone := newBrowser(t, p.issuer, webCallback)
			laptop := newBrowser(t, p.issuer, webCallback)
			phoneTok, _, _ := a.loginOn(t, phone, p)
			laptopTok, _, _ := a.loginOn(t, laptop, p)
			next, err := refresh(t, a, phoneTok.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := refresh(t, a, phoneTok.RefreshToken); err == nil {
				t.Fatal("reuse of the phone's rotated refresh token succeeded")
			}
			if r := introspect(t, p, next.AccessToken); r["active"] != false {
				t.Fatal("the phone's family survived the reuse")
			}
			if r := introspect(t, p, laptopTok.AccessToken); r["active"] != true {
				t.Fatalf("the laptop's session was revoked by the phone's reuse: %v", r)
			}
			if _, err := refresh(t, a, laptopTok.RefreshToken); err != nil {
				t.Fatalf("the laptop's refresh token stopped working: %v", err)
			}
		})

		t.Run("refresh rotates the refresh token, and reusing the old one revokes the family", func(t *testing.T) {
			next, err := refresh(t, a, tok.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			if next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken || next.AccessToken == tok.AccessToken {
				t.Fatal("refresh did not rotate the tokens")
			}
			if r := introspect(t, p, tok.AccessToken); r["active"] != false {
				t.Fatalf("the access token issued before the refresh is still active: %v", r)
			}
			if r := introspect(t, p, next.AccessToken); r["active"] != true {
				t.Fatalf("the refreshed access token is inactive: %v", r)
			}
			_, err = refresh(t, a, tok.RefreshToken)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
				t.Fatalf("reusing a rotated refresh token: got %v, want invalid_grant", err)
			}
			if r := introspect(t, p, next.AccessToken); r["active"] != false {
				t.Fatalf("after reuse the family's access token is still active: %v", r)
			}
			if _, err := refresh(t, a, next.RefreshToken); err == nil {
				t.Fatal("after reuse the family's newest refresh token still works")
			}
		})

		t.Run("the refreshed ID token keeps the subject", func(t *testing.T) {
			tok2, id2, _ := a.loginOn(t, b, p)
			next, err := refresh(t, a, tok2.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := next.Extra("id_token").(string)
			id3, err := a.verifier.Verify(t.Context(), raw)
			if err != nil {
				t.Fatal(err)
			}
			if id3.Subject != id2.Subject {
				t.Fatalf("subject changed on refresh: %s → %s", id2.Subject, id3.Subject)
			}
		})
	})
}

// loginOn signs in on a browser, consenting if asked, and exchanges the
// code.
func (a relyingParty) loginOn(t *testing.T, b *browser, p running) (*oauth2.Token, *oidc.IDToken, authorization) {
	t.Helper()
	z := a.start(t)
	cb := callback(t, complete(t, b, b.get(z.url)), p.issuer)
	tok, err := a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
	if err != nil {
		t.Fatal(err)
	}
	id, err := a.verifier.Verify(t.Context(), tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	return tok, id, z
}
