package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"html"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/jackc/pgx/v5"
	qr "github.com/piglig/go-qr"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
	"golang.org/x/oauth2"
)

// desktop is the IM desktop app (the public client chat-desktop) signing
// in with the device authorization grant, as x/oauth2 does it.
type desktop struct {
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
}

func newDesktop(t *testing.T, p running) desktop {
	t.Helper()
	return newDevice(t, p, "chat-desktop")
}

// newDevice is the device-grant client clientID, as x/oauth2 sets it up.
func newDevice(t *testing.T, p running, clientID string) desktop {
	t.Helper()
	op, err := oidc.NewProvider(t.Context(), p.issuer)
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		DeviceEndpoint string   `json:"device_authorization_endpoint"`
		Grants         []string `json:"grant_types_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		t.Fatal(err)
	}
	if meta.DeviceEndpoint != p.issuer+"/oauth2/device/auth" || !strings.Contains(strings.Join(meta.Grants, " "), "urn:ietf:params:oauth:grant-type:device_code") {
		t.Fatalf("discovery does not advertise the device grant: %+v", meta)
	}
	e := op.Endpoint()
	e.DeviceAuthURL, e.AuthStyle = meta.DeviceEndpoint, oauth2.AuthStyleInParams
	return desktop{
		conf:     oauth2.Config{ClientID: clientID, Endpoint: e, Scopes: []string{"openid", "offline_access", "im:messages.read"}},
		verifier: op.Verifier(&oidc.Config{ClientID: clientID}),
	}
}

// poll is one raw poll of the token endpoint, returning the error code
// ("" for tokens).
func (d desktop) poll(t *testing.T, deviceCode string) string {
	t.Helper()
	resp, err := http.PostForm(d.conf.Endpoint.TokenURL, url.Values{
		"client_id": {d.conf.ClientID}, "grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {deviceCode},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Error       string `json:"error"`
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if (out.Error == "") != (resp.StatusCode == http.StatusOK) {
		t.Fatalf("poll answered %d with error %q", resp.StatusCode, out.Error)
	}
	return out.Error
}

// tokens waits for the device's tokens as x/oauth2 does, polling at the
// interval, and checks the ID token.
func (d desktop) tokens(t *testing.T, da *oauth2.DeviceAuthResponse) (*oauth2.Token, *oidc.IDToken, error) {
	t.Helper()
	tok, err := d.conf.DeviceAccessToken(t.Context(), da)
	if err != nil {
		return nil, nil, err
	}
	raw, _ := tok.Extra("id_token").(string)
	id, err := d.verifier.Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("the device's ID token: %v", err)
	}
	return tok, id, nil
}

func TestDeviceAuthorizationGrant(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, p running) {
		d := newDesktop(t, p)
		b := newBrowser(t, p.issuer)

		t.Run("the user enters the code on the page, signs in, approves; polling gets tokens", func(t *testing.T) {
			da, err := d.conf.DeviceAuth(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if da.VerificationURI != p.issuer+"/device" || da.Interval != 1 || time.Until(da.Expiry) < 9*time.Minute {
				t.Fatalf("device authorization: %+v", da)
			}
			if got := d.poll(t, da.DeviceCode); got != "authorization_pending" {
				t.Fatalf("first poll: %q, want authorization_pending", got)
			}

			// Not signed in: the page sends the browser to sign in first,
			// then back to the code form.
			pg := signIn(t, b, b.get(da.VerificationURI), annEmail, annPassword)
			if pg.status != http.StatusOK || pg.url.Path != "/device" || !strings.Contains(pg.body, "Enter the code your device shows") {
				t.Fatalf("after sign-in: %d %s\n%s", pg.status, pg.url, pg.body)
			}
			// Typed in lower case with a space: still the code.
			typed := strings.ToLower(strings.Replace(da.UserCode, "-", " ", 1))
			pg = b.get(p.issuer + "/device?" + url.Values{"user_code": {typed}}.Encode())
			for _, want := range []string{"Sign in to TokenIM Desktop on this device?", da.UserCode, "127.0.0.1", "Go-http-client", "Read your messages",
				"Never approve a code someone sent you"} {
				if !strings.Contains(pg.body, want) {
					t.Fatalf("the confirmation page does not show %q:\n%s", want, pg.body)
				}
			}
			pg = b.submit(pg, map[string]string{"decision": "allow"})
			if pg.status != http.StatusOK || !strings.Contains(pg.body, "You approved the sign-in") {
				t.Fatalf("approving: %d\n%s", pg.status, pg.body)
			}

			tok, id, err := d.tokens(t, da)
			if err != nil {
				t.Fatalf("polling after approval: %v", err)
			}
			if tok.Extra("scope") != "openid offline_access im:messages.read" || tok.RefreshToken == "" {
				t.Fatalf("scope %q, refresh token %t", tok.Extra("scope"), tok.RefreshToken != "")
			}
			var claims struct {
				SID string   `json:"sid"`
				AMR []string `json:"amr"`
			}
			if err := id.Claims(&claims); err != nil || claims.SID == "" || strings.Join(claims.AMR, " ") != "pwd" {
				t.Fatalf("ID token claims %+v (%v): want the approving session's sid and amr", claims, err)
			}
			in := introspect(t, p, tok.AccessToken)
			if in["active"] != true || in["client_id"] != "chat-desktop" || in["sub"] != id.Subject || in["scope"] != "openid offline_access im:messages.read" {
				t.Fatalf("introspection: %v", in)
			}
			// The refresh token works like any other.
			refreshed, err := d.conf.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			if err != nil || refreshed.AccessToken == tok.AccessToken {
				t.Fatalf("refresh: %v", err)
			}
			// The grant shows on the account page, where it can be withdrawn.
			if acct := b.get(p.issuer + "/account"); !strings.Contains(acct.body, "TokenIM Desktop") {
				t.Fatalf("the account page does not list the device's app:\n%s", acct.body)
			}

			// The device code works once: presented again, it is refused
			// and the tokens issued for it are revoked.
			if got := d.poll(t, da.DeviceCode); got != "invalid_grant" {
				t.Fatalf("second redemption: %q, want invalid_grant", got)
			}
			if in := introspect(t, p, refreshed.AccessToken); in["active"] != false {
				t.Fatalf("tokens of a replayed device code still active: %v", in)
			}
		})

		t.Run("a denied request gets access_denied", func(t *testing.T) {
			da, err := d.conf.DeviceAuth(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			pg := b.submit(openSignedIn(t, b, da.VerificationURIComplete), map[string]string{"decision": "deny"})
			if !strings.Contains(pg.body, "You denied the sign-in") {
				t.Fatalf("denying: %d\n%s", pg.status, pg.body)
			}
			_, _, err = d.tokens(t, da)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "access_denied" {
				t.Fatalf("polling a denied request: %v, want access_denied", err)
			}
			// A decided code is no longer offered.
			if pg := b.get(da.VerificationURIComplete); pg.status != http.StatusBadRequest || !strings.Contains(pg.body, "This code is not valid") {
				t.Fatalf("a decided code: %d\n%s", pg.status, pg.body)
			}
		})

		t.Run("a role that allows none of the app's IM scopes: the user is told, the device gets access_denied", func(t *testing.T) {
			calls := d
			calls.conf.Scopes = []string{"openid", "im:calls.read"}
			da, err := calls.conf.DeviceAuth(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			// The browser is Ann's; "Not you?" signs it out and Gus in.
			guest := newBrowser(t, p.issuer)
			pg := openSignedIn(t, guest, da.VerificationURIComplete)
			m := regexp.MustCompile(`<a href="(/login\?[^"]*switch=1[^"]*)">Not you\?</a>`).FindStringSubmatch(pg.body)
			if m == nil {
				t.Fatalf("no \"Not you?\" link on the device page:\n%s", pg.body)
			}
			pg = signIn(t, guest, guest.get(p.issuer+html.UnescapeString(m[1])), gusEmail, annPassword)
			if pg.status != http.StatusForbidden || !strings.Contains(pg.body, "Your role does not allow you to give this app") || !strings.Contains(pg.body, "im:calls.read") {
				t.Fatalf("a guest asked for call records: %d %s\n%s", pg.status, pg.url, pg.body)
			}
			var re *oauth2.RetrieveError
			if _, _, err := calls.tokens(t, da); !errors.As(err, &re) || re.ErrorCode != "access_denied" {
				t.Fatalf("polling a request the role refused: %v, want access_denied", err)
			}
		})

		// The memory store's requests cannot be aged from outside: there
		// provider/oauth tests expiry with a controlled clock.
		dbURL := p.vars["TOKENIM_DATABASE_URL"]
		expiring := func(t *testing.T) {
			da, err := d.conf.DeviceAuth(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			// Ten minutes later, as far as the request is concerned.
			conn, err := pgx.Connect(t.Context(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(t.Context())
			tag, err := conn.Exec(t.Context(), `UPDATE device_authorizations SET created_at = created_at - interval '10 minutes', expires_at = now() - interval '1 second' WHERE status = 'pending'`)
			if err != nil || tag.RowsAffected() == 0 {
				t.Fatalf("expire the request: %v (%d rows)", err, tag.RowsAffected())
			}
			var re *oauth2.RetrieveError
			if _, _, err := d.tokens(t, da); !errors.As(err, &re) || re.ErrorCode != "expired_token" {
				t.Fatalf("polling an expired code: %v, want expired_token", err)
			}
			if pg := openSignedIn(t, b, da.VerificationURIComplete); pg.status != http.StatusBadRequest || !strings.Contains(pg.body, "This code is not valid") {
				t.Fatalf("an expired code on the page: %d\n%s", pg.status, pg.body)
			}
		}
		if dbURL != "memory" {
			t.Run("an expired code gets expired_token, and the page no longer offers it", expiring)
		}

		t.Run("polling faster than the interval gets slow_down", func(t *testing.T) {
			da, err := d.conf.DeviceAuth(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if got := d.poll(t, da.DeviceCode); got != "authorization_pending" {
				t.Fatalf("first poll: %q", got)
			}
			if got := d.poll(t, da.DeviceCode); got != "slow_down" {
				t.Fatalf("second poll at once: %q, want slow_down", got)
			}
		})

		// The refusals of the device page (unknown, malformed, expired
		// codes; QR codes of a malformed one) are provider/device's own
		// tests; here, that the pieces fit.
		t.Run("the QR code of verification_uri_complete decodes to it, as PNG", func(t *testing.T) {
			da, err := d.conf.DeviceAuth(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got := decodeQR(t, p.issuer+"/device/qr.png?"+url.Values{"user_code": {da.UserCode}}.Encode())
			if got != da.VerificationURIComplete {
				t.Fatalf("QR code says %q, want %q", got, da.VerificationURIComplete)
			}
		})
	})
}

// openSignedIn opens a page as Ann, signing in first if the browser is
// sent to.
func openSignedIn(t *testing.T, b *browser, rawURL string) page {
	t.Helper()
	pg := b.get(rawURL)
	if pg.url.Path == "/login" {
		pg = signIn(t, b, pg, annEmail, annPassword)
	}
	return pg
}

// decodeQR fetches a PNG QR code and returns what it says.
func decodeQR(t *testing.T, rawURL string) string {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR code: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	text, err := qr.Decode(img)
	if err != nil {
		t.Fatalf("the QR code does not decode: %v", err)
	}
	return text
}

// TestChromiumQRSignIn signs the IM desktop app in the way IM desktop
// clients are signed in from the phone: the desktop shows the QR code of
// verification_uri_complete; the phone's browser, already signed in, opens
// what the code says, sees which app and device ask, and approves with one
// tap; the desktop's polling then receives its tokens.
func TestChromiumQRSignIn(t *testing.T) {
	t.Parallel()
	browser := startChromium(t)
	p := startProvider(t, pgtest.MigratedURL(t))
	d := newDesktop(t, p)

	phone := newTab(t, browser, "en")
	phone.load(chromedp.Navigate(p.issuer + "/login?next=/account"))
	phone.signIn(annEmail, annPassword)
	phone.wantPath("/account")

	da, err := d.conf.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		tok *oauth2.Token
		err error
	}
	polled := make(chan result, 1)
	go func() {
		tok, err := d.conf.DeviceAccessToken(t.Context(), da)
		polled <- result{tok, err}
	}()

	// The desktop shows the SVG; the phone's camera sees what Chromium
	// draws of it.
	phone.load(chromedp.Navigate(p.issuer + "/device/qr.svg?" + url.Values{"user_code": {da.UserCode}}.Encode()))
	shot, err := chromedp.Run(phone.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	scanned, err := qr.Decode(img)
	if err != nil {
		t.Fatalf("the QR code Chromium drew does not decode: %v", err)
	}
	if scanned != da.VerificationURIComplete {
		t.Fatalf("the QR code says %q, want %q", scanned, da.VerificationURIComplete)
	}

	phone.load(chromedp.Navigate(scanned))
	phone.wantPath("/device")
	if h := phone.visibleText("h1"); h != "Sign in to TokenIM Desktop on this device?" {
		t.Fatalf("heading %q", h)
	}
	shown := phone.visibleTexts("dl.device dd")
	if len(shown) != 4 || shown[0] != da.UserCode || shown[1] != "127.0.0.1" || !strings.HasPrefix(shown[2], "Go-http-client") || !strings.HasSuffix(shown[3], "ago") {
		t.Fatalf("the page shows the device as %q", shown)
	}
	select {
	case r := <-polled:
		t.Fatalf("the desktop got an answer before the phone approved: %v %v", r.tok, r.err)
	default:
	}

	phone.clickAndLoad(`//button[normalize-space()="Approve"]`)
	if msg := phone.visibleText("main"); !strings.Contains(msg, "You approved the sign-in") {
		t.Fatalf("after approving: %q", msg)
	}
	var r result
	select {
	case r = <-polled:
	case <-time.After(30 * time.Second):
		t.Fatal("the desktop received no tokens within 30 s of the approval")
	}
	if r.err != nil {
		t.Fatalf("the desktop's polling: %v", r.err)
	}
	raw, _ := r.tok.Extra("id_token").(string)
	if _, err := d.verifier.Verify(t.Context(), raw); err != nil {
		t.Fatalf("the desktop's ID token: %v", err)
	}
	if in := introspect(t, p, r.tok.AccessToken); in["active"] != true || in["client_id"] != "chat-desktop" {
		t.Fatalf("the desktop's access token: %v", in)
	}
}

// TestDeviceSignInTwoFactor: a user whose role requires a second factor
// approves a device only after the TOTP step, and the device's tokens say
// so (amr, acr).
func TestDeviceSignInTwoFactor(t *testing.T) {
	t.Parallel()
	p := startProviderConfig(t, "memory", rootUser)
	secret := enrolRoot(t, p)
	d := newDesktop(t, p)
	da, err := d.conf.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, p.issuer)
	pg := signIn(t, b, b.get(da.VerificationURIComplete), rootEmail, rootPassword)
	if pg.url.Path != "/login/mfa" {
		t.Fatalf("after the password: %d %s, want the TOTP step", pg.status, pg.url)
	}
	pg = b.submit(pg, map[string]string{"code": nextCode(t, secret)})
	if pg.url.Path != "/device" || !strings.Contains(pg.body, "Sign in to TokenIM Desktop on this device?") {
		t.Fatalf("after the TOTP step: %d %s\n%s", pg.status, pg.url, pg.body)
	}
	if done := b.submit(pg, map[string]string{"decision": "allow"}); !strings.Contains(done.body, "You approved the sign-in") {
		t.Fatalf("approving: %d\n%s", done.status, done.body)
	}
	_, id, err := d.tokens(t, da)
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		ACR string   `json:"acr"`
		AMR []string `json:"amr"`
	}
	if err := id.Claims(&claims); err != nil || claims.ACR != "2" || strings.Join(claims.AMR, " ") != "pwd otp mfa" {
		t.Fatalf("ID token acr %q amr %q (%v), want a two-factor sign-in", claims.ACR, claims.AMR, err)
	}
}

// TestDeviceSignInBackchannelLogout: a device signed in by approval from a
// browser session is told when that session ends, like an app the browser
// signed in to: its logout token carries the sid of its ID token.
func TestDeviceSignInBackchannelLogout(t *testing.T) {
	t.Parallel()
	endpoint := newLogoutEndpoint(t)
	p := startProviderClientsConfig(t, map[string]string{"TOKENIM_DATABASE_URL": pgtest.MigratedURL(t)}, `  - id: room-screen
    name: Meeting room screen
    type: public
    grant_types: ["urn:ietf:params:oauth:grant-type:device_code"]
    scopes: [openid, offline_access, im:messages.read]
    backchannel_logout_uri: `+endpoint.srv.URL+`/logout
`, "")
	d := newDevice(t, p, "room-screen")
	da, err := d.conf.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, p.issuer)
	pg := b.submit(openSignedIn(t, b, da.VerificationURIComplete), map[string]string{"decision": "allow"})
	if !strings.Contains(pg.body, "You approved the sign-in") {
		t.Fatalf("approving: %d\n%s", pg.status, pg.body)
	}
	_, id, err := d.tokens(t, da)
	if err != nil {
		t.Fatal(err)
	}
	b.submit(b.get(p.issuer+"/oauth2/logout"), nil)
	verifyLogoutToken(t, p, endpoint.next(t, "sign-out of the approving session"), "room-screen", id)
}
