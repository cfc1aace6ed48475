package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TestBrowserAppCORS: a developer registers a browser app in the portal;
// a page at its origin then signs a user in the way oidc-client-ts does —
// preflight, code exchange, userinfo and refresh with fetch, reading each
// answer (CORS) — while another origin's page is refused; once the app is
// deleted its origin is no longer answered. On the memory store and on
// Postgres.
func TestBrowserAppCORS(t *testing.T) {
	t.Parallel()
	const (
		spaOrigin   = "http://localhost:5173"
		spaCallback = spaOrigin + "/callback"
		evilOrigin  = "https://evil.example"
	)
	eachStore(t, func(t *testing.T, p running) {
		fetch := func(method, path, origin string, body url.Values, header ...string) *http.Response {
			t.Helper()
			var r io.Reader
			if body != nil {
				r = strings.NewReader(body.Encode())
			}
			req, err := http.NewRequestWithContext(t.Context(), method, p.issuer+path, r)
			if err != nil {
				t.Fatal(err)
			}
			if body != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.Header.Set("Origin", origin)
			for i := 0; i+1 < len(header); i += 2 {
				req.Header.Set(header[i], header[i+1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { resp.Body.Close() })
			return resp
		}
		preflight := func(path, method, headers string) *http.Response {
			t.Helper()
			resp := fetch(http.MethodOptions, path, spaOrigin, nil, "Access-Control-Request-Method", method, "Access-Control-Request-Headers", headers)
			if resp.StatusCode != http.StatusNoContent {
				t.Fatalf("preflight of %s: %d", path, resp.StatusCode)
			}
			return resp
		}
		readable := func(what string, resp *http.Response, origin string) {
			t.Helper()
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != origin {
				t.Fatalf("%s: Access-Control-Allow-Origin %q, want %q", what, got, origin)
			}
			if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Origin") {
				t.Fatalf("%s: Vary %q lacks Origin", what, resp.Header.Values("Vary"))
			}
			if v := resp.Header.Values("Access-Control-Allow-Credentials"); len(v) > 0 {
				t.Fatalf("%s: Access-Control-Allow-Credentials %q", what, v)
			}
		}
		decode := func(resp *http.Response) map[string]any {
			t.Helper()
			var m map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
				t.Fatal(err)
			}
			return m
		}

		if got := preflight("/oauth2/token", "POST", "content-type").Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("before any app has the origin, a preflight got Access-Control-Allow-Origin %q", got)
		}

		// The developer registers the browser app through the portal's
		// form, with its CSRF token, asking for two permissions.
		dev := newBrowser(t, p.issuer, webCallback)
		dev.submit(dev.get(p.issuer+"/apps"), map[string]string{"email": "dev@example.com", "password": annPassword})
		_, form := parseFormFor(t, dev.get(p.issuer+"/apps/new").body, "/apps")
		form.Set("name", "Chat in the browser")
		form.Set("kind", "browser")
		form.Set("redirect_uris", spaCallback)
		form["scope"] = []string{"openid", "offline_access"}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/apps", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", p.issuer)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		created := dev.do(req)
		id := regexp.MustCompile(`<code[^>]*>(app-[a-z0-9_-]+)</code>`).FindStringSubmatch(created.body)
		if created.status != http.StatusCreated || id == nil || strings.Contains(created.body, "client-secret") {
			t.Fatalf("registering the browser app: %d\n%s", created.status, created.body)
		}
		clientID := id[1]

		// Its origin, the redirect URI's, is answered at once.
		pre := preflight("/oauth2/token", "POST", "content-type")
		readable("token preflight", pre, spaOrigin)
		if pre.Header.Get("Access-Control-Allow-Methods") != "POST" || pre.Header.Get("Access-Control-Max-Age") == "" {
			t.Fatalf("token preflight: %v", pre.Header)
		}

		// Ann signs in to the app.
		op, err := oidc.NewProvider(t.Context(), p.issuer)
		if err != nil {
			t.Fatal(err)
		}
		readable("discovery", fetch(http.MethodGet, "/.well-known/openid-configuration", spaOrigin, nil), "*")
		conf := oauth2.Config{ClientID: clientID, RedirectURL: spaCallback, Endpoint: op.Endpoint(), Scopes: []string{oidc.ScopeOpenID, oidc.ScopeOfflineAccess}}
		verifier := oauth2.GenerateVerifier()
		b := newBrowser(t, p.issuer, spaCallback)
		pg := consentTo(t, b, signIn(t, b, b.get(conf.AuthCodeURL(random(t), oauth2.S256ChallengeOption(verifier), oidc.Nonce(random(t)))), annEmail, annPassword), "allow")
		if pg.status != http.StatusSeeOther || !strings.HasPrefix(pg.location, spaCallback) {
			t.Fatalf("want a redirect to the app, got %d %q", pg.status, pg.location)
		}
		cb, _ := url.Parse(pg.location)
		exchange := url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {cb.Query().Get("code")},
			"redirect_uri": {spaCallback}, "code_verifier": {verifier}}

		// A page elsewhere cannot use the app's code, and reads nothing.
		evil := fetch(http.MethodPost, "/oauth2/token", evilOrigin, exchange)
		if evil.StatusCode != http.StatusBadRequest || evil.Header.Get("Access-Control-Allow-Origin") != "" || decode(evil)["error"] != "unauthorized_client" {
			t.Fatalf("the code from another origin: %d %v", evil.StatusCode, evil.Header)
		}

		tok := fetch(http.MethodPost, "/oauth2/token", spaOrigin, exchange)
		readable("token", tok, spaOrigin)
		tokens := decode(tok)
		access, _ := tokens["access_token"].(string)
		refreshToken, _ := tokens["refresh_token"].(string)
		if tok.StatusCode != http.StatusOK || access == "" || refreshToken == "" {
			t.Fatalf("token: %d %v", tok.StatusCode, tokens)
		}

		readable("userinfo preflight", preflight("/userinfo", "GET", "authorization"), spaOrigin)
		info := fetch(http.MethodGet, "/userinfo", spaOrigin, nil, "Authorization", "Bearer "+access)
		readable("userinfo", info, spaOrigin)
		if info.StatusCode != http.StatusOK || decode(info)["sub"] == "" {
			t.Fatalf("userinfo: %d", info.StatusCode)
		}

		next := fetch(http.MethodPost, "/oauth2/token", spaOrigin, url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {refreshToken}})
		readable("refresh", next, spaOrigin)
		if next.StatusCode != http.StatusOK {
			t.Fatalf("refresh: %d", next.StatusCode)
		}

		// Deleted, the app's origin is no longer answered.
		dev.submitTo(dev.get(p.issuer+"/apps/"+clientID+"/delete"), "/apps/"+clientID+"/delete", map[string]string{"confirm": "yes"})
		if got := preflight("/oauth2/token", "POST", "content-type").Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("after the app was deleted, a preflight got Access-Control-Allow-Origin %q", got)
		}
	})
}
