package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// pushed is the answer of the pushed authorization request endpoint.
type pushed struct {
	status     int
	RequestURI string `json:"request_uri"`
	ExpiresIn  int    `json:"expires_in"`
	Error      string `json:"error"`
}

// push sends the parameters of authorization z of app a to the pushed
// authorization request endpoint (RFC 9126 section 2.1), authenticating
// with HTTP Basic unless secret is empty.
func (a relyingParty) push(t *testing.T, p running, z authorization, secret string) pushed {
	t.Helper()
	form := url.Values{
		"client_id":             {a.conf.ClientID},
		"response_type":         {"code"},
		"redirect_uri":          {a.conf.RedirectURL},
		"scope":                 {strings.Join(a.conf.Scopes, " ")},
		"state":                 {z.state},
		"nonce":                 {z.nonce},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(z.verifier)},
		"code_challenge_method": {"S256"},
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/oauth2/par", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(a.conf.ClientID, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := pushed{status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("push answered %d with no JSON: %v", resp.StatusCode, err)
	}
	return out
}

// authURL is where the app sends the browser with a pushed request.
func (a relyingParty) authURL(p running, requestURI string) string {
	return p.issuer + "/oauth2/auth?" + url.Values{"client_id": {a.conf.ClientID}, "request_uri": {requestURI}}.Encode()
}

// exchange redeems the code of callback cb for authorization z.
func (a relyingParty) exchange(t *testing.T, cb url.Values, z authorization) *oauth2.Token {
	t.Helper()
	if cb.Get("state") != z.state || cb.Get("code") == "" {
		t.Fatalf("callback %v, want a code and state %q", cb, z.state)
	}
	tok, err := a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
	if err != nil {
		t.Fatalf("exchange the code with the pushed verifier: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if id, err := a.verifier.Verify(t.Context(), raw); err != nil || id.Nonce != z.nonce {
		t.Fatalf("ID token: %v; want a valid one with the pushed nonce %q", err, z.nonce)
	}
	return tok
}

// wantRefused checks that the browser was stopped on the provider's error
// page rather than sent anywhere.
func wantRefused(t *testing.T, pg page, p running) {
	t.Helper()
	if pg.status != http.StatusBadRequest || !strings.HasPrefix(pg.url.String(), p.issuer+"/oauth2/auth") ||
		!strings.Contains(pg.body, "This sign-in link is not valid") {
		t.Fatalf("want the error page at the provider, got %d at %s (Location %q):\n%s", pg.status, pg.url, pg.location, pg.body)
	}
}

func TestPushedAuthorizationRequests(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, p running) {
		a := newApp(t, p)
		b := newBrowser(t, p.issuer, webCallback, webBye)

		t.Run("discovery advertises the endpoint", func(t *testing.T) {
			var meta struct {
				Endpoint string `json:"pushed_authorization_request_endpoint"`
				Require  *bool  `json:"require_pushed_authorization_requests"`
			}
			if err := a.oidc.Claims(&meta); err != nil {
				t.Fatal(err)
			}
			if meta.Endpoint != p.issuer+"/oauth2/par" || meta.Require == nil || *meta.Require {
				t.Fatalf("discovery: %+v", meta)
			}
		})

		t.Run("a pushed request signs in, consents and gets tokens", func(t *testing.T) {
			z := a.start(t)
			r := a.push(t, p, z, webSecret)
			if r.status != http.StatusCreated || !strings.HasPrefix(r.RequestURI, "urn:ietf:params:oauth:request_uri:") || r.ExpiresIn != 60 {
				t.Fatalf("push: %+v", r)
			}
			pg := consentTo(t, b, signIn(t, b, b.get(a.authURL(p, r.RequestURI)), annEmail, annPassword), "allow")
			tok := a.exchange(t, callback(t, pg, p.issuer), z)
			if tok.Extra("scope") != "openid profile email offline_access im:messages.read" {
				t.Fatalf("scope %q", tok.Extra("scope"))
			}
			if got := introspect(t, p, tok.AccessToken); got["active"] != true || got["client_id"] != "chat-web" {
				t.Fatalf("introspection %v", got)
			}

			t.Run("the same request_uri used again is refused", func(t *testing.T) {
				wantRefused(t, b.get(a.authURL(p, r.RequestURI)), p)
			})
		})

		t.Run("a signed-in user with consent goes straight back to the app", func(t *testing.T) {
			z := a.start(t)
			r := a.push(t, p, z, webSecret)
			a.exchange(t, callback(t, b.get(a.authURL(p, r.RequestURI)), p.issuer), z)
		})

		t.Run("another app cannot use the request_uri", func(t *testing.T) {
			r := a.push(t, p, a.start(t), webSecret)
			other := a
			other.conf.ClientID = "chat-home"
			wantRefused(t, b.get(other.authURL(p, r.RequestURI)), p)
		})

		t.Run("a confidential client pushing without its secret is invalid_client", func(t *testing.T) {
			if r := a.push(t, p, a.start(t), ""); r.status != http.StatusUnauthorized || r.Error != "invalid_client" {
				t.Fatalf("push without a secret: %+v", r)
			}
			if r := a.push(t, p, a.start(t), "wrong-secret-0123456789abcdefghijkl"); r.status != http.StatusUnauthorized || r.Error != "invalid_client" {
				t.Fatalf("push with a wrong secret: %+v", r)
			}
		})

		t.Run("a public client pushes with its client_id", func(t *testing.T) {
			desktop := a
			desktop.conf.ClientID, desktop.conf.ClientSecret = "chat-desktop", ""
			desktop.conf.RedirectURL = "http://127.0.0.1/callback"
			desktop.conf.Scopes = []string{"openid", "im:messages.read"}
			if r := desktop.push(t, p, desktop.start(t), ""); r.status != http.StatusCreated || r.RequestURI == "" {
				t.Fatalf("public push: %+v", r)
			}
		})
	})
}

// TestClientRequiringPAR creates an app with clients create --require-par
// next to a running provider (they share the Postgres database) and checks
// that it is refused without a pushed request and served with one.
func TestClientRequiringPAR(t *testing.T) {
	t.Parallel()
	p := startProvider(t, pgtest.MigratedURL(t))
	out := mustRun(t, p.vars, "", "clients", "create", "--config", p.config, "--output", "json", "--id", "strict-web",
		"--name", "Strict web", "--type", "confidential", "--redirect-uri", webCallback, "--scope", "openid", "--scope", "profile", "--require-par")
	var created struct {
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(out.stdout), &created); err != nil || created.ClientSecret == "" {
		t.Fatalf("clients create: %v\n%s", err, out.stdout)
	}
	if list := mustRun(t, p.vars, "", "clients", "list", "--config", p.config).stdout; !strings.Contains(lineOf(list, "strict-web"), "required") {
		t.Fatalf("clients list does not show that strict-web requires PAR:\n%s", list)
	}
	a := newApp(t, p)
	a.conf.ClientID, a.conf.ClientSecret = "strict-web", created.ClientSecret
	a.conf.Scopes = []string{"openid", "profile"}
	a.verifier = a.oidc.Verifier(&oidc.Config{ClientID: "strict-web"})
	b := newBrowser(t, p.issuer, webCallback)

	t.Run("an authorization request sent directly is invalid_request", func(t *testing.T) {
		z := a.start(t)
		cb := callback(t, b.get(z.url), p.issuer)
		if cb.Get("error") != "invalid_request" || cb.Get("state") != z.state || cb.Get("code") != "" {
			t.Fatalf("callback %v, want error=invalid_request", cb)
		}
	})

	t.Run("a pushed request gets tokens", func(t *testing.T) {
		z := a.start(t)
		r := a.push(t, p, z, created.ClientSecret)
		if r.status != http.StatusCreated {
			t.Fatalf("push: %+v", r)
		}
		pg := consentTo(t, b, signIn(t, b, b.get(a.authURL(p, r.RequestURI)), annEmail, annPassword), "allow")
		a.exchange(t, callback(t, pg, p.issuer), z)
	})
}

// TestPushedRequestAcrossNodes pushes at one node and uses the request_uri
// at another (Postgres shared, Redis cache in front), then tries it again
// at the first.
func TestPushedRequestAcrossNodes(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, "")
	a := newApp(t, c.nodes[0])
	b := newBrowser(t, c.issuer, webCallback)
	z := a.start(t)
	r := a.push(t, c.nodes[1], z, webSecret)
	if r.status != http.StatusCreated {
		t.Fatalf("push at node 1: %+v", r)
	}
	pg := consentTo(t, b, signIn(t, b, b.get(a.authURL(c.nodes[0], r.RequestURI)), annEmail, annPassword), "allow")
	a.exchange(t, callback(t, pg, c.issuer), z)
	wantRefused(t, b.get(a.authURL(c.nodes[1], r.RequestURI)), c.nodes[1])
}

func TestPushingSharesTheTokenBudget(t *testing.T) {
	t.Parallel()
	p := startProviderConfig(t, "memory", tightLimits)
	a := newApp(t, p)
	for i := range 3 {
		if r := a.push(t, p, a.start(t), webSecret); r.status != http.StatusCreated {
			t.Fatalf("push %d of the budget: %+v", i+1, r)
		}
	}
	if r := a.push(t, p, a.start(t), webSecret); r.status != http.StatusTooManyRequests || r.Error != "rate_limited" {
		t.Fatalf("push past the budget: %+v, want 429 rate_limited", r)
	}
	if _, err := a.conf.Exchange(t.Context(), "any-code"); err == nil || !strings.Contains(err.Error(), "rate_limited") {
		t.Fatalf("token request past the shared budget: %v, want rate_limited", err)
	}
}

// lineOf returns the first line of text that contains s.
func lineOf(text, s string) string {
	for line := range strings.Lines(text) {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}
