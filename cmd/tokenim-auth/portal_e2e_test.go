package main

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/provider/secret"
)

// shownSecret reads the client ID and secret off the page that shows
// them once.
func shownSecret(t *testing.T, p page) (clientID, secret string) {
	t.Helper()
	s := regexp.MustCompile(`id="client-secret"[^>]*>(tkm_cs_[A-Za-z0-9_-]{43})<`).FindStringSubmatch(p.body)
	id := regexp.MustCompile(`<code[^>]*>(app-[a-z0-9_-]+)</code>`).FindStringSubmatch(p.body)
	if s == nil || id == nil {
		t.Fatalf("no client ID or secret on the page (%d):\n%s", p.status, p.body)
	}
	return id[1], s[1]
}

// portalGrace is the API keys' grace period the portal test configures.
// That a replaced secret is refused once it has passed is checked where
// time is injected: provider/apikey (the expiry a rotation sets) and
// provider/oauth (an expired secret refused as expired); here, that the
// configured grace is the one a rotation in the portal applies.
const portalGrace = 90 * time.Minute

func TestDeveloperPortal(t *testing.T) {
	t.Parallel()
	eachStoreConfig(t, `
api_keys:
  grace: 90m
`, testDeveloperPortal)
}

func testDeveloperPortal(t *testing.T, p running) {
	b := newBrowser(t, p.issuer, webCallback)
	pg := b.get(p.issuer + "/apps")
	pg = b.submit(pg, map[string]string{"email": "dev@example.com", "password": annPassword})
	if pg.url.Path != "/apps" || pg.status != http.StatusOK {
		t.Fatalf("a developer signing in lands on %d %s", pg.status, pg.url)
	}
	form := b.get(p.issuer + "/apps/new")
	created := b.submitTo(form, "/apps", map[string]string{"name": "Notification bot", "kind": "service", "scope": "im:messages.send"})
	if created.status != http.StatusCreated {
		t.Fatalf("create: %d\n%s", created.status, created.body)
	}
	clientID, first := shownSecret(t, created)
	token := func(secret string) error {
		cc := clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: p.issuer + "/oauth2/token", Scopes: []string{"im:messages.send"}, AuthStyle: oauth2.AuthStyleInHeader}
		tok, err := cc.Token(t.Context())
		if err == nil && tok.Extra("scope") != "im:messages.send" {
			t.Fatalf("granted %v", tok.Extra("scope"))
		}
		return err
	}
	t.Run("a service's scopes wait for an administrator's approval", func(t *testing.T) {
		err := token(first)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_scope" {
			t.Fatalf("a token before approval: %v", err)
		}
		if pg := b.get(p.issuer + "/apps/" + clientID); !strings.Contains(pg.body, "awaiting an administrator") {
			t.Fatalf("the app page does not say the scope awaits approval:\n%s", pg.body)
		}
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		if status, body := ops.call(http.MethodPatch, "/admin/api/v1/apps/"+clientID, `{"scopes":["im:nope"]}`); status != http.StatusBadRequest {
			t.Fatalf("approving an unknown scope: %d %v", status, body)
		}
		status, body := ops.call(http.MethodPatch, "/admin/api/v1/apps/"+clientID, `{"scopes":["im:messages.send"]}`)
		if status != http.StatusOK || len(body["requested_scopes"].([]any)) != 0 {
			t.Fatalf("approve: %d %v", status, body)
		}
		if pg := b.get(p.issuer + "/apps/" + clientID); strings.Contains(pg.body, "awaiting an administrator") {
			t.Fatal("the app page still says the scope awaits approval")
		}
	})
	t.Run("once approved, the new app's secret gets a client-credentials token", func(t *testing.T) {
		if err := token(first); err != nil {
			t.Fatal(err)
		}
	})
	app := b.get(p.issuer + "/apps/" + clientID)
	rotatedFrom := time.Now()
	rotated := b.submitTo(app, "/apps/"+clientID+"/secrets", nil)
	rotatedBy := time.Now()
	_, second := shownSecret(t, rotated)
	t.Run("after a rotation both secrets work during the grace period", func(t *testing.T) {
		if err := token(first); err != nil {
			t.Fatalf("old secret: %v", err)
		}
		if err := token(second); err != nil {
			t.Fatalf("new secret: %v", err)
		}
	})
	t.Run("the old secret expires when the configured grace period ends, the new one does not", func(t *testing.T) {
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		status, body := ops.call(http.MethodGet, "/admin/api/v1/apps/"+clientID, "")
		secrets, _ := body["secrets"].([]any)
		if status != http.StatusOK || len(secrets) != 2 {
			t.Fatalf("the admin API shows %d %v, want the app with two secrets", status, body)
		}
		expiries := map[string]time.Time{}
		for _, s := range secrets {
			s, _ := s.(map[string]any)
			prefix, _ := s["prefix"].(string)
			at, _ := s["expires_at"].(string)
			expiries[prefix], _ = time.Parse(time.RFC3339Nano, at)
		}
		old, fresh := expiries[secret.Prefix(first)], expiries[secret.Prefix(second)]
		// Stored times may be truncated to the second.
		if old.Before(rotatedFrom.Add(portalGrace-time.Second)) || old.After(rotatedBy.Add(portalGrace+time.Second)) {
			t.Fatalf("the old secret expires at %v, want %v after the rotation (%v to %v)", old, portalGrace, rotatedFrom, rotatedBy)
		}
		if !fresh.IsZero() && !fresh.After(old) {
			t.Fatalf("the new secret expires at %v, before the old one (%v)", fresh, old)
		}
	})
	t.Run("another user cannot see the app, and a member cannot use the portal", func(t *testing.T) {
		other := newBrowser(t, p.issuer, webCallback)
		pg := other.submit(other.get(p.issuer+"/apps"), map[string]string{"email": annEmail, "password": annPassword})
		if pg.status != http.StatusForbidden {
			t.Fatalf("a member on the portal: %d %s", pg.status, pg.url)
		}
		if pg := other.get(p.issuer + "/apps/" + clientID); pg.status != http.StatusForbidden && pg.status != http.StatusNotFound {
			t.Fatalf("a member opening someone's app: %d", pg.status)
		}
	})
	t.Run("a bad redirect URI is refused with a clear message", func(t *testing.T) {
		pg := b.submitTo(b.get(p.issuer+"/apps/new"), "/apps", map[string]string{"name": "Web", "kind": "web", "redirect_uris": "http://example.com/cb"})
		if pg.status != http.StatusBadRequest || !strings.Contains(pg.body, "http://example.com/cb") {
			t.Fatalf("got %d", pg.status)
		}
	})
	t.Run("a web app's back-channel logout URI is checked, saved and shown", func(t *testing.T) {
		form := map[string]string{"name": "Web", "kind": "web", "redirect_uris": "https://web.example/cb", "backchannel_logout_uri": "http://web.example/logout"}
		pg := b.submitTo(b.get(p.issuer+"/apps/new"), "/apps", form)
		if pg.status != http.StatusBadRequest || !strings.Contains(pg.body, "http://web.example/logout is not an acceptable back-channel logout URI") {
			t.Fatalf("a plain http logout URI: %d\n%s", pg.status, pg.body)
		}
		form["backchannel_logout_uri"] = "https://web.example/logout"
		pg = b.submitTo(b.get(p.issuer+"/apps/new"), "/apps", form)
		if pg.status != http.StatusCreated {
			t.Fatalf("create: %d\n%s", pg.status, pg.body)
		}
		id, _ := shownSecret(t, pg)
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		if status, body := ops.call(http.MethodGet, "/admin/api/v1/apps/"+id, ""); status != http.StatusOK || body["backchannel_logout_uri"] != "https://web.example/logout" {
			t.Fatalf("the admin API shows %d %v", status, body)
		}
		if pg := b.get(p.issuer + "/apps/" + id); !strings.Contains(pg.body, `value="https://web.example/logout"`) {
			t.Fatalf("the app page does not show the logout URI:\n%s", pg.body)
		}
	})
	t.Run("a web app set to JWT access tokens and pushed requests gets an RFC 9068 access token", func(t *testing.T) {
		form := map[string]string{"name": "Gateway web", "kind": "web", "redirect_uris": webCallback, "scope": "openid",
			"access_token_format": "paseto"}
		pg := b.submitTo(b.get(p.issuer+"/apps/new"), "/apps", form)
		if pg.status != http.StatusBadRequest || !strings.Contains(pg.body, "Access tokens: choose Opaque or JWT.") {
			t.Fatalf("an unknown access token format: %d\n%s", pg.status, pg.body)
		}
		form["access_token_format"], form["require_par"] = "jwt", "true"
		pg = b.submitTo(b.get(p.issuer+"/apps/new"), "/apps", form)
		if pg.status != http.StatusCreated {
			t.Fatalf("create: %d\n%s", pg.status, pg.body)
		}
		id, secret := shownSecret(t, pg)
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		if status, body := ops.call(http.MethodGet, "/admin/api/v1/apps/"+id, ""); status != http.StatusOK ||
			body["access_token_format"] != "jwt" || body["require_pushed_authorization_requests"] != true {
			t.Fatalf("the admin API shows %d %v", status, body)
		}
		a := newAppFor(t, p, id, "openid")
		a.conf.ClientSecret = secret
		user := newBrowser(t, p.issuer, webCallback)
		if cb := callback(t, user.get(a.start(t).url), p.issuer); cb.Get("error") != "invalid_request" {
			t.Fatalf("a request not pushed: callback %v, want error=invalid_request", cb)
		}
		z := a.start(t)
		r := a.push(t, p, z, secret)
		if r.status != http.StatusCreated {
			t.Fatalf("push: %+v", r)
		}
		tok := a.exchange(t, callback(t, consentTo(t, user, signIn(t, user, user.get(a.authURL(p, r.RequestURI)), annEmail, annPassword), "allow"), p.issuer), z)
		if strings.Count(tok.AccessToken, ".") != 2 {
			t.Fatalf("access token %q is not three dot-separated parts", tok.AccessToken)
		}
		if c := verifyAccessJWT(t, p, tok.AccessToken); c.ClientID != id {
			t.Fatalf("client_id %q, want %q", c.ClientID, id)
		}

		edit := b.get(p.issuer + "/apps/" + id)
		if !strings.Contains(edit.body, `value="jwt" required aria-describedby="format-jwt-hint" checked`) || !strings.Contains(edit.body, `name="require_par" value="true" aria-describedby="par-hint" checked`) {
			t.Fatalf("the app page does not show the settings:\n%s", edit.body)
		}
		saved := b.submitTo(edit, "/apps/"+id, map[string]string{"name": "Gateway web", "redirect_uris": webCallback, "scope": "openid", "access_token_format": "opaque"})
		if saved.status != http.StatusOK {
			t.Fatalf("save: %d\n%s", saved.status, saved.body)
		}
		if status, body := ops.call(http.MethodGet, "/admin/api/v1/apps/"+id, ""); status != http.StatusOK ||
			body["access_token_format"] != "opaque" || body["require_pushed_authorization_requests"] != false {
			t.Fatalf("after the save the admin API shows %d %v", status, body)
		}
		if bad := b.submitTo(b.get(p.issuer+"/apps/"+id), "/apps/"+id, map[string]string{"name": "Gateway web", "redirect_uris": webCallback,
			"access_token_format": "JWT "}); bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "Access tokens: choose Opaque or JWT.") {
			t.Fatalf("an unknown format on the edit form: %d\n%s", bad.status, bad.body)
		}
	})
	t.Run("a service app cannot require pushed authorization requests", func(t *testing.T) {
		form := map[string]string{"name": "Pushy bot", "kind": "service", "scope": "im:messages.send", "require_par": "true"}
		pg := b.submitTo(b.get(p.issuer+"/apps/new"), "/apps", form)
		if pg.status != http.StatusBadRequest || !strings.Contains(pg.body, "a service or bot makes no authorization requests") {
			t.Fatalf("a service requiring PAR: %d\n%s", pg.status, pg.body)
		}
		if pg := b.get(p.issuer + "/apps/" + clientID); strings.Contains(pg.body, `name="require_par"`) {
			t.Fatalf("a service's page offers to require pushed requests:\n%s", pg.body)
		}
		edit := b.get(p.issuer + "/apps/" + clientID)
		if pg := b.submitTo(edit, "/apps/"+clientID, map[string]string{"name": "Notification bot", "scope": "im:messages.send", "require_par": "true"}); pg.status != http.StatusBadRequest {
			t.Fatalf("a service's edit form posting require_par: %d\n%s", pg.status, pg.body)
		}
	})
	t.Run("deleting the app needs confirmation and stops its tokens", func(t *testing.T) {
		confirm := b.get(p.issuer + "/apps/" + clientID + "/delete")
		done := b.submitTo(confirm, "/apps/"+clientID+"/delete", nil)
		if done.status != http.StatusOK || strings.Contains(done.body, clientID) {
			t.Fatalf("after deleting: %d", done.status)
		}
		if err := token(second); err == nil {
			t.Fatal("a deleted app's secret still works")
		}
	})
}
