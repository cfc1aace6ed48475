package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc/oidctest"
)

// TestUpstreamOIDCSignIn runs serve with an OpenID Connect connector in
// upstreams: (its secret from the environment) in front of a real OP on
// loopback. The web app signs a new user in through it: the sign-in
// page's Corp SSO button, the OP, the callback, an account created just
// in time, the consent page; the app's ID token says amr fed.
func TestUpstreamOIDCSignIn(t *testing.T) {
	t.Parallel()
	addr, issuer := freeIssuer(t)
	op := oidctest.Start(t, oidctest.Options{
		ClientID: "tokenim", ClientSecret: "corp-s3cret", RedirectURI: issuer + config.UpstreamCallbackPath + "corp",
		User: oidctest.User{Subject: "corp-7", Email: "bo@corp.example", EmailVerified: true, Name: "Bo Corp"},
		AMR:  []string{"pwd"},
	})
	// An OP that is no longer there: connections refused.
	gone := oidctest.Start(t, oidctest.Options{ClientID: "tokenim", ClientSecret: "corp-s3cret", RedirectURI: issuer + config.UpstreamCallbackPath + "gone"})
	gone.Close()
	path := writeProviderConfig(t, issuer, fmt.Sprintf(`
upstreams:
  - id: corp
    kind: oidc
    name: Corp SSO
    name_zh: 公司单点登录
    issuer: %s
    client_id: tokenim
    client_secret_env: CORP_SSO_SECRET
    jit: true
    default_role: member
  - id: gone
    kind: oidc
    name: Old SSO
    issuer: %s
    client_id: tokenim
    client_secret_env: CORP_SSO_SECRET
`, op.Issuer, gone.Issuer))
	vars := map[string]string{"TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh", "CORP_SSO_SECRET": "corp-s3cret"}
	base, _, _, stop := launchServeEnv(t, vars, nil, "--config", path, "--listen", addr)
	t.Cleanup(stop)
	p := running{issuer: base}

	app := newApp(t, p)
	b := newBrowser(t, p.issuer, webCallback)
	z := app.start(t)
	login := b.get(z.url)
	if login.status != http.StatusOK || !strings.Contains(login.body, "Sign in with Corp SSO") {
		t.Fatalf("sign-in page %d without the Corp SSO button:\n%s", login.status, login.body)
	}
	// The button posts to the provider, which sends the browser to the
	// OP and, once back, on to the consent page.
	consent := b.submitTo(login, "/login/upstream/corp", nil)
	cb := callback(t, consentTo(t, b, consent, "allow"), p.issuer)
	if cb.Get("state") != z.state {
		t.Fatalf("state %q, want %q", cb.Get("state"), z.state)
	}
	// The account created for the identity is the one signed in; the
	// tokens show the OP's own method after ours, at our level alone.
	if amr, acr := wantUpstreamSignIn(t, app, cb.Get("code"), z.verifier, "bo@corp.example"); !slices.Equal(amr, []string{"fed", "pwd"}) || acr != "1" {
		t.Fatalf("ID token amr %q acr %q, want [fed pwd] and 1", amr, acr)
	}
	// Signed in: the app's next request needs no sign-in.
	again := app.start(t, oauth2.SetAuthURLParam("prompt", "none"))
	if q := callback(t, b.get(again.url), p.issuer); q.Get("code") == "" {
		t.Fatalf("prompt=none while signed in: %v", q)
	}

	// The OP ends Bo's session there and tells the provider
	// (Back-Channel Logout 1.0): the session it started ends here too.
	logout := url.Values{"logout_token": {op.SignToken(t, op.LogoutClaims("corp-7", "", time.Now()), "logout+jwt")}}
	resp, err := http.PostForm(p.issuer+"/login/upstream/backchannel/corp", logout)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("back-channel logout: %d", resp.StatusCode)
	}
	z = app.start(t, oauth2.SetAuthURLParam("prompt", "none"))
	wantCallbackError(t, b.get(z.url), p.issuer, "login_required", z.state)
	// The same token again is refused.
	resp, err = http.PostForm(p.issuer+"/login/upstream/backchannel/corp", logout)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("replayed logout token: %d, want 400", resp.StatusCode)
	}

	// An OP that cannot be reached: its button answers a page naming it.
	down := newBrowser(t, p.issuer, webCallback)
	page := down.submitTo(down.get(app.start(t).url), "/login/upstream/gone", nil)
	if page.status != http.StatusServiceUnavailable || !strings.Contains(page.body, "Old SSO could not be reached") {
		t.Fatalf("with the OP down: %d:\n%s", page.status, page.body)
	}
}

// wantUpstreamSignIn redeems the code a browser brought back from the
// app's sign-in through an upstream, and checks the app's view: an ID
// token whose amr says fed, and userinfo naming the account of email. It
// returns the ID token's amr and acr.
func wantUpstreamSignIn(t *testing.T, app relyingParty, code, verifier, email string) (amr []string, acr string) {
	t.Helper()
	tok, err := app.conf.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	id, err := app.verifier.Verify(t.Context(), tok.Extra("id_token").(string))
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		AMR []string `json:"amr"`
		ACR string   `json:"acr"`
	}
	if err := id.Claims(&claims); err != nil || !slices.Contains(claims.AMR, "fed") {
		t.Fatalf("ID token amr %q (%v): want an upstream's sign-in (fed)", claims.AMR, err)
	}
	info, err := app.oidc.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	if err != nil || info.Email != email || info.Subject != id.Subject {
		t.Fatalf("userinfo %+v (%v): want the account of %s", info, err, email)
	}
	return claims.AMR, claims.ACR
}
