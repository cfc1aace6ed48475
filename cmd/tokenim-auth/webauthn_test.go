package main

import (
	"context"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// localhostRules resolve localhost to 127.0.0.1 and nothing else:
// browsers offer passkeys on a host name, and over plain http only on
// localhost.
const localhostRules = "MAP localhost 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"

// startLocalhostProvider runs serve on a free port of 127.0.0.1 with the
// issuer http://localhost:PORT, where browsers offer passkeys, and the
// end-to-end configuration with extra appended; extra is given the
// issuer's origin.
func startLocalhostProvider(t *testing.T, extra func(origin string) string) running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	issuer := "http://localhost:" + port
	path := writeProviderConfig(t, issuer, extra(issuer))
	vars := map[string]string{"TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh"}
	base, _, logs := startServe(t, vars, "--config", path, "--listen", addr)
	if base != "http://"+addr {
		t.Fatalf("serving at %s, want http://%s", base, addr)
	}
	return running{issuer: issuer, config: path, vars: vars, logs: logs}
}

// relay serves the provider's pages from another origin on the same
// host, http://localhost:OTHER-PORT, as a phishing proxy relays a real
// sign-in page, and returns that origin.
func relay(t *testing.T, p running) string {
	t.Helper()
	target, err := url.Parse(p.issuer)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	t.Cleanup(srv.Close)
	return strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
}

// requestReporter runs in every page before the page's own content and
// writes each WebAuthn sign-in request the page makes to the console,
// with its mediation ("conditional" for the email field's autofill), for
// the tests to read (passkeyRequests). It is injected through the
// DevTools protocol and hands the request on unchanged.
const requestReporter = `if (navigator.credentials) {
	const get = navigator.credentials.get.bind(navigator.credentials);
	navigator.credentials.get = options => {
		console.debug("webauthn get mediation=" + ((options && options.mediation) || "optional"));
		return get(options);
	};
}`

// noAutofill runs in every page before the page's own content and makes
// the browser one that offers no passkeys in a field's autofill (no
// conditional mediation), as some browsers are: the pages then offer
// passkeys through their buttons only. Chromium's virtual authenticator
// answers a conditional request by itself, as soon as it holds a
// credential for the site, as a user choosing it from the autofill would;
// without this, a click on a passkey button would race with it.
const noAutofill = `if (window.PublicKeyCredential) {
	PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);
}`

// passkeyTab is a tab with a virtual authenticator of its own: a
// platform authenticator (CTAP 2.1, internal transport) that keeps
// discoverable credentials, verifies its user and finds the user present
// without being touched. It starts empty; credentials are handed to it
// with hold, as a user's device would have them.
type passkeyTab struct {
	*tab
	authenticator webauthn.AuthenticatorID
}

// newPasskeyTab opens a passkeyTab; with autofill false its browser
// offers no passkeys in autofill (noAutofill).
func newPasskeyTab(t *testing.T, browser context.Context, lang string, autofill bool) *passkeyTab {
	t.Helper()
	b := &passkeyTab{tab: newTab(t, browser, lang)}
	scripts := []string{requestReporter}
	if !autofill {
		scripts = append(scripts, noAutofill)
	}
	for _, src := range scripts {
		if _, err := chromedp.Call(b.ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := chromedp.Call(b.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol:                    webauthn.AuthenticatorProtocolCtap2,
		Ctap2version:                webauthn.Ctap2versionCtap21,
		Transport:                   webauthn.AuthenticatorTransportInternal,
		HasResidentKey:              true,
		HasUserVerification:         true,
		IsUserVerified:              true,
		AutomaticPresenceSimulation: true,
	}})
	if err != nil {
		t.Fatal(err)
	}
	b.authenticator = res.AuthenticatorID
	return b
}

// hold puts credentials on the tab's authenticator: their key, user and
// signature counter. (cdproto's AddCredential always sends the CMTG key
// fields, which an authenticator without that extension refuses: the
// command is sent with the credential's other fields only.)
func (b *passkeyTab) hold(creds ...*webauthn.Credential) {
	b.t.Helper()
	type credential struct {
		CredentialID         []byte  `json:"credentialId"`
		IsResidentCredential bool    `json:"isResidentCredential"`
		RpID                 string  `json:"rpId"`
		PrivateKey           []byte  `json:"privateKey"`
		UserHandle           []byte  `json:"userHandle,omitempty"`
		SignCount            float64 `json:"signCount"`
		BackupEligibility    bool    `json:"backupEligibility"`
		BackupState          bool    `json:"backupState"`
		UserName             string  `json:"userName,omitempty"`
		UserDisplayName      string  `json:"userDisplayName,omitempty"`
	}
	type params struct {
		AuthenticatorID webauthn.AuthenticatorID `json:"authenticatorId"`
		Credential      credential               `json:"credential"`
	}
	add := cdp.Command[params, cdp.Empty]{Method: webauthn.CommandAddCredential}
	for _, c := range creds {
		if _, err := chromedp.Call(b.ctx, add, params{AuthenticatorID: b.authenticator, Credential: credential{
			CredentialID: c.CredentialID, IsResidentCredential: c.IsResidentCredential, RpID: c.RpID, PrivateKey: c.PrivateKey,
			UserHandle: c.UserHandle, SignCount: c.SignCount, BackupEligibility: c.BackupEligibility, BackupState: c.BackupState,
			UserName: c.UserName, UserDisplayName: c.UserDisplayName,
		}}); err != nil {
			b.t.Fatal(err)
		}
	}
}

// held returns the credentials on the tab's authenticator, with their
// signature counters as they are now.
func (b *passkeyTab) held() []*webauthn.Credential {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: b.authenticator})
	if err != nil {
		b.t.Fatal(err)
	}
	return res.Credentials
}

// only returns the one credential on the tab's authenticator.
func (b *passkeyTab) only() *webauthn.Credential {
	b.t.Helper()
	creds := b.held()
	if len(creds) != 1 {
		b.t.Fatalf("the authenticator holds %d credentials, want 1", len(creds))
	}
	return creds[0]
}

// passkeyRequests returns the mediation of each WebAuthn sign-in request
// the tab's pages made so far, in order, as requestReporter reported
// them: "conditional" for the email field's autofill, "optional" for a
// button.
func (b *passkeyTab) passkeyRequests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, e := range b.console {
		if m, ok := strings.CutPrefix(e.text, "webauthn get mediation="); ok && e.level == string(runtime.ConsoleAPICalledTypeDebug) {
			out = append(out, m)
		}
	}
	return out
}

// wantPasskeyRequests checks the mediations of the WebAuthn sign-in
// requests the tab's pages made.
func (b *passkeyTab) wantPasskeyRequests(want ...string) {
	b.t.Helper()
	if got := b.passkeyRequests(); !slices.Equal(got, want) {
		b.t.Fatalf("the pages asked for passkeys with mediation %q, want %q", got, want)
	}
}

// language makes the tab ask for pages in lang from now on.
func (b *tab) language(lang string) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": lang},
	}); err != nil {
		b.t.Fatal(err)
	}
}

// loadThrough runs trigger and waits until the tab has loaded a page at
// path, after whatever pages and scripts lead there.
func (b *tab) loadThrough(trigger chromedp.Action[chromedp.Void], path string) {
	b.t.Helper()
	ctx, cancel := context.WithCancel(b.ctx)
	defer cancel()
	loaded := make(chan struct{})
	// The listener sees the events in order, on one goroutine: the load
	// event that counts is the first after the navigation to path.
	there, done := false, false
	if err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *cdppage.EventFrameNavigated:
			if ev.Frame.ParentID == "" {
				u, err := url.Parse(ev.Frame.URL)
				there = err == nil && u.Path == path
			}
		case *cdppage.EventLoadEventFired:
			if there && !done {
				done = true
				close(loaded)
			}
		}
	}); err != nil {
		b.t.Fatal(err)
	}
	b.do(trigger)
	select {
	case <-loaded:
	case <-b.ctx.Done():
		b.t.Fatalf("waiting for the page at %s: %v (now at %s)", path, b.ctx.Err(), b.location())
	}
}

// passkeyError waits for the passkey box's error to show and returns it.
func (b *tab) passkeyError() string {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.WaitVisible(chromedp.CSS("[data-passkey-error]"))); err != nil {
		b.t.Fatalf("no passkey error shown: %v (now at %s)", err, b.location())
	}
	return b.visibleText("[data-passkey-error]")
}

// wantNoConsoleErrorsBut checks that the pages reported no error but the
// browser's note of the refusal of the passkey answer posted to path.
func (b *tab) wantNoConsoleErrorsBut(path string) {
	b.t.Helper()
	var others []string
	for _, msg := range b.consoleErrors() {
		if !strings.Contains(msg, "Failed to load resource: the server responded with a status of 4") || !strings.Contains(msg, path+")") {
			others = append(others, msg)
		}
	}
	if len(others) > 0 {
		b.t.Fatalf("the pages reported errors (now at %s):\n%s", b.location(), strings.Join(others, "\n"))
	}
}

// appSignIn is what an app learns of a sign-in: who (from the userinfo
// endpoint) and how (from the ID token).
type appSignIn struct {
	Email string   `json:"-"`
	AMR   []string `json:"amr"`
	ACR   string   `json:"acr"`
}

// redeem exchanges the code the browser brought back to the app's
// callback, verifies the ID token, and returns its claims with the
// user's email address from the userinfo endpoint.
func (a relyingParty) redeem(t *testing.T, z authorization, cb *url.URL) appSignIn {
	t.Helper()
	q := cb.Query()
	if q.Get("code") == "" || q.Get("state") != z.state {
		t.Fatalf("callback %s: want a code and state %q", cb, z.state)
	}
	tok, err := a.conf.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(z.verifier))
	if err != nil {
		t.Fatalf("exchanging the code the browser brought back: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := a.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if id.Nonce != z.nonce {
		t.Fatalf("ID token nonce %q, want %q", id.Nonce, z.nonce)
	}
	var claims appSignIn
	if err := id.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	info, err := a.oidc.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	if info.Subject != id.Subject {
		t.Fatalf("userinfo is about %q, the ID token about %q", info.Subject, id.Subject)
	}
	claims.Email = info.Email
	return claims
}
