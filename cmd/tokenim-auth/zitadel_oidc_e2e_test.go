package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	zoidc "github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// zitadelApp is a web app built on github.com/zitadel/oidc/v3's relying
// party (OpenID Certified), served on its own loopback origin: /login
// starts a sign-in with PKCE, /callback exchanges the code, verifies the ID
// token and reads userinfo, as the library's handlers do, unchanged.
type zitadelApp struct {
	origin string
	rp     rp.RelyingParty
	// signedIn receives what the callback got.
	signedIn chan zitadelSignIn
}

type zitadelSignIn struct {
	tokens   *zoidc.Tokens[*zoidc.IDTokenClaims]
	userinfo *zoidc.UserInfo
}

// startZitadelApp registers an app with the provider through the command
// line (args add its authentication) and serves it on ln with the relying
// party's options opts. mux may hold more of the app's routes (its key
// set).
func startZitadelApp(t *testing.T, p running, ln net.Listener, mux *http.ServeMux, opts []rp.Option, args ...string) zitadelApp {
	t.Helper()
	origin := "http://" + ln.Addr().String()
	created := mustRun(t, p.vars, "", append([]string{"clients", "create", "--config", p.config, "--output", "json",
		"--name", "TokenIM Chat (zitadel)", "--redirect-uri", origin + "/callback", "--post-logout-redirect-uri", origin + "/bye",
		"--scope", "openid", "--scope", "profile", "--scope", "email", "--scope", "offline_access", "--scope", "im:messages.read"},
		args...)...)
	var client struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(created.stdout), &client); err != nil || client.ID == "" {
		t.Fatalf("clients create printed %q: %v", created.stdout, err)
	}
	// The state and PKCE verifier travel in the app's own cookies, sealed
	// with these keys; the app is served over plain http on loopback.
	hashKey, encryptKey := make([]byte, 32), make([]byte, 32)
	rand.Read(hashKey)
	rand.Read(encryptKey)
	cookies := httphelper.NewCookieHandler(hashKey, encryptKey, httphelper.WithUnsecure())
	relyingParty, err := rp.NewRelyingPartyOIDC(t.Context(), p.issuer, client.ID, client.Secret, origin+"/callback",
		[]string{"openid", "profile", "email", "offline_access", "im:messages.read"},
		append([]rp.Option{rp.WithPKCE(cookies)}, opts...)...)
	if err != nil {
		t.Fatalf("zitadel relying party: %v", err)
	}
	app := zitadelApp{origin: origin, rp: relyingParty, signedIn: make(chan zitadelSignIn, 1)}
	mux.Handle("GET /login", rp.AuthURLHandler(func() string { return random(t) }, relyingParty))
	mux.Handle("GET /callback", rp.CodeExchangeHandler(rp.UserinfoCallback(
		func(w http.ResponseWriter, _ *http.Request, tokens *zoidc.Tokens[*zoidc.IDTokenClaims], _ string, _ rp.RelyingParty, info *zoidc.UserInfo) {
			app.signedIn <- zitadelSignIn{tokens: tokens, userinfo: info}
			_, _ = w.Write([]byte("signed in"))
		}), relyingParty))
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return app
}

// TestZitadelRelyingParty drives the provider with zitadel/oidc's relying
// party at its defaults: sign-in with PKCE and ID token verification (the
// library accepts only RS256 unless told otherwise), userinfo, refresh,
// and RP-initiated logout, which the library sends as a POST; once with a
// client secret and once with private_key_jwt, whose assertions carry the
// issuer as their audience and expire an hour after they are made.
func TestZitadelRelyingParty(t *testing.T) {
	t.Parallel()
	p := startProvider(t, pgtest.MigratedURL(t))

	for _, tc := range []struct {
		name string
		// register returns the command-line arguments of the app's
		// authentication and the relying party's options for it.
		register func(t *testing.T, mux *http.ServeMux, origin string) ([]string, []rp.Option)
	}{
		{"client_secret_basic", func(t *testing.T, _ *http.ServeMux, _ string) ([]string, []rp.Option) {
			return []string{"--type", "confidential"}, nil
		}},
		{"private_key_jwt", func(t *testing.T, mux *http.ServeMux, origin string) ([]string, []rp.Option) {
			key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			der, err := x509.MarshalPKCS8PrivateKey(key)
			if err != nil {
				t.Fatal(err)
			}
			keyID := "zitadel-app-1"
			set, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: keyID, Algorithm: "ES256", Use: "sig"}}})
			if err != nil {
				t.Fatal(err)
			}
			mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(set)
			})
			pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
			return []string{"--type", "confidential", "--token-endpoint-auth-method", "private_key_jwt",
					"--jwks-uri", origin + "/jwks.json", "--token-endpoint-auth-signing-alg", "ES256"},
				[]rp.Option{rp.WithJWTProfile(rp.SignerFromKeyAndKeyID(pemKey, keyID))}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			args, opts := tc.register(t, mux, "http://"+ln.Addr().String())
			app := startZitadelApp(t, p, ln, mux, opts, args...)
			ctx := t.Context()

			// Sign-in: the browser goes to the app, is sent to the
			// provider, signs in and consents, and comes back to the
			// app's callback, where the library does the rest.
			b := newBrowser(t, p.issuer, app.origin+"/bye")
			done := consentTo(t, b, signIn(t, b, b.get(app.origin+"/login"), annEmail, annPassword), "allow")
			if done.status != http.StatusOK || done.body != "signed in" {
				t.Fatalf("the app's callback answered %d %s:\n%s", done.status, done.url, done.body)
			}
			got := <-app.signedIn
			claims := got.tokens.IDTokenClaims
			if claims.Subject == "" || claims.Issuer != p.issuer || got.tokens.RefreshToken == "" {
				t.Fatalf("signed in with ID token claims %+v and refresh token %q: want a subject, the issuer, a refresh token", claims, got.tokens.RefreshToken)
			}
			if got.userinfo.Subject != claims.Subject || got.userinfo.Email != annEmail || got.userinfo.Name != "Ann Lee" {
				t.Fatalf("userinfo %+v: want Ann's subject, email and name", got.userinfo)
			}
			if alg := signingAlg(t, got.tokens.IDToken); alg != "RS256" {
				t.Fatalf("the ID token is signed with %s; a client that registered no id_token_signed_response_alg gets RS256", alg)
			}

			// Refresh: a new pair, with a new ID token the library
			// verifies, for the same user.
			refreshed, err := rp.RefreshTokens[*zoidc.IDTokenClaims](ctx, app.rp, got.tokens.RefreshToken, "", "")
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if refreshed.AccessToken == "" || refreshed.AccessToken == got.tokens.AccessToken || refreshed.RefreshToken == "" ||
				refreshed.RefreshToken == got.tokens.RefreshToken || refreshed.IDTokenClaims == nil || refreshed.IDTokenClaims.Subject != claims.Subject {
				t.Fatalf("refresh gave %+v: want new access and refresh tokens and a verified ID token for the same user", refreshed)
			}

			// RP-initiated logout: the library POSTs to the end-session
			// endpoint and hands back where to send the browser; there
			// the user confirms, and comes back to the app with its
			// state.
			state := random(t)
			next, err := rp.EndSession(ctx, app.rp, refreshed.IDToken, app.origin+"/bye", state, "", nil)
			if err != nil {
				t.Fatalf("EndSession: %v", err)
			}
			if next == nil {
				t.Fatal("EndSession gave no page to send the browser to")
			}
			confirm := b.get(p.issuer + next.RequestURI())
			if next.IsAbs() {
				confirm = b.get(next.String())
			}
			if confirm.status != http.StatusOK || !strings.Contains(confirm.body, "TokenIM Chat (zitadel)") {
				t.Fatalf("the sign-out page answered %d:\n%s", confirm.status, confirm.body)
			}
			bye := b.submit(confirm, nil)
			back, err := url.Parse(bye.location)
			if err != nil || !strings.HasPrefix(bye.location, app.origin+"/bye") || back.Query().Get("state") != state {
				t.Fatalf("after signing out the browser is sent to %q (%d), want %s/bye?state=%s", bye.location, bye.status, app.origin, state)
			}
			// The session is over: a new sign-in asks for the password.
			if again := b.get(app.origin + "/login"); !strings.Contains(again.url.Path, "/login") || !strings.Contains(again.url.Host, strings.TrimPrefix(p.issuer, "http://")) {
				t.Fatalf("after signing out a new sign-in lands on %s, want the provider's sign-in page", again.url)
			}
			// The relying party revokes its refresh token.
			if err := rp.RevokeToken(context.WithoutCancel(ctx), app.rp, refreshed.RefreshToken, "refresh_token"); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			if active := introspect(t, p, refreshed.RefreshToken); active["active"] != false {
				t.Fatalf("the refresh token is active after the library revoked it: %v", active)
			}
		})
	}
}

// signingAlg returns the alg of a compact JWS's header.
func signingAlg(t *testing.T, compact string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		t.Fatalf("parse %q: %v", compact, err)
	}
	return jws.Signatures[0].Header.Algorithm
}
