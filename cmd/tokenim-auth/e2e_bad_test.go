package main

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// complete signs in and consents when the pages ask, as a user would,
// and returns the page that leaves the provider.
func complete(t *testing.T, b *browser, p page) page {
	t.Helper()
	if strings.Contains(p.url.Path, "/login") && p.status == http.StatusOK {
		p = signIn(t, b, p, annEmail, annPassword)
	}
	if strings.Contains(p.url.Path, "/consent") && p.status == http.StatusOK {
		p = consentTo(t, b, p, "allow")
	}
	return p
}

// decodeSegment decodes one base64url part of a JWT.
func decodeSegment(t *testing.T, seg string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantErrorPage checks that the user got our error page, not a redirect.
func wantErrorPage(t *testing.T, p page, status int) {
	t.Helper()
	if p.status != status || p.location != "" {
		t.Fatalf("got %d (Location %q), want a %d error page", p.status, p.location, status)
	}
	if !strings.Contains(p.header.Get("Content-Type"), "text/html") {
		t.Fatalf("error page Content-Type %q", p.header.Get("Content-Type"))
	}
}

// wantCallbackError checks an error returned to the app.
func wantCallbackError(t *testing.T, p page, issuer, code, state string) {
	t.Helper()
	q := callback(t, p, issuer)
	if q.Get("error") != code || q.Get("state") != state || q.Get("code") != "" {
		t.Fatalf("callback %v, want error %q with state %q", q, code, state)
	}
}

func TestAuthorizationBadInput(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, p running) {
		a := newApp(t, p)

		t.Run("an unregistered redirect URI gets an error page, never a redirect", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			c := a.conf
			c.RedirectURL = "https://attacker.example/steal"
			z := relyingParty{conf: c}.start(t)
			b.stopAt = append(b.stopAt, "https://attacker.example")
			wantErrorPage(t, b.get(z.url), http.StatusBadRequest)
		})

		t.Run("an unknown client gets an error page", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			c := a.conf
			c.ClientID = "nobody"
			wantErrorPage(t, b.get(relyingParty{conf: c}.start(t).url), http.StatusBadRequest)
		})

		t.Run("a request without PKCE is refused with invalid_request", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			u := a.conf.AuthCodeURL("state-123", oidc.Nonce("n-123456789"))
			wantCallbackError(t, b.get(u), p.issuer, "invalid_request", "state-123")
		})

		t.Run("the plain PKCE method is refused", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			u := a.conf.AuthCodeURL("state-123", oidc.Nonce("n-123456789"),
				oauth2.SetAuthURLParam("code_challenge", strings.Repeat("a", 43)), oauth2.SetAuthURLParam("code_challenge_method", "plain"))
			wantCallbackError(t, b.get(u), p.issuer, "invalid_request", "state-123")
		})

		t.Run("a scope outside the client's list is refused", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			c := a.conf
			c.Scopes = []string{"openid", "im:calls.read"}
			z := relyingParty{conf: c}.start(t)
			wantCallbackError(t, b.get(z.url), p.issuer, "invalid_scope", z.state)
		})

		t.Run("the implicit grant does not exist", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			z := a.start(t, oauth2.SetAuthURLParam("response_type", "token"))
			pg := b.get(z.url)
			if pg.location == "" || !strings.Contains(pg.location, "error=unsupported_response_type") {
				t.Fatalf("got %d %q, want unsupported_response_type", pg.status, pg.location)
			}
		})

		t.Run("prompt=none without a session is login_required", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			z := a.start(t, oauth2.SetAuthURLParam("prompt", "none"))
			wantCallbackError(t, b.get(z.url), p.issuer, "login_required", z.state)
		})

		t.Run("a wrong password keeps the user on the sign-in page", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			z := a.start(t)
			pg := signIn(t, b, b.get(z.url), annEmail, "wrong-password")
			if pg.status != http.StatusUnauthorized || !strings.Contains(pg.url.Path, "/login") {
				t.Fatalf("got %d %s", pg.status, pg.url)
			}
			pg = signIn(t, b, b.get(z.url), "nobody@example.com", annPassword)
			if pg.status != http.StatusUnauthorized {
				t.Fatalf("unknown account: got %d", pg.status)
			}
		})

		t.Run("a form posted without its CSRF token is refused", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			z := a.start(t)
			pg := b.get(z.url)
			pg = b.submit(pg, map[string]string{"email": annEmail, "password": annPassword, "csrf_token": "forged"})
			wantErrorPage(t, pg, http.StatusForbidden)
		})

		t.Run("a form posted from another site is refused", func(t *testing.T) {
			b := newBrowser(t, "https://evil.example", webCallback)
			z := a.start(t)
			pg := b.get(z.url)
			_, form := parseForm(t, pg.body)
			form.Set("email", annEmail)
			form.Set("password", annPassword)
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "https://evil.example")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			wantErrorPage(t, b.do(req), http.StatusForbidden)
		})

		t.Run("denying consent sends access_denied to the app", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			z := a.start(t, oauth2.SetAuthURLParam("prompt", "consent"))
			pg := consentTo(t, b, signIn(t, b, b.get(z.url), annEmail, annPassword), "deny")
			wantCallbackError(t, pg, p.issuer, "access_denied", z.state)
		})

		t.Run("a replayed code is refused and the tokens it gave are revoked", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			z := a.start(t)
			cb := callback(t, complete(t, b, b.get(z.url)), p.issuer)
			tok, err := a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
			if err != nil {
				t.Fatal(err)
			}
			_, err = a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
				t.Fatalf("replayed code: got %v, want invalid_grant", err)
			}
			if r := introspect(t, p, tok.AccessToken); r["active"] != false {
				t.Fatalf("token from a replayed code still active: %v", r)
			}
		})

		t.Run("a code presented by several requests at once gives at most one set of tokens, then revoked", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			z := a.start(t)
			cb := callback(t, complete(t, b, b.get(z.url)), p.issuer)
			const racers = 6
			var (
				wg    sync.WaitGroup
				start = make(chan struct{})
				toks  = make([]*oauth2.Token, racers)
				errs  = make([]error, racers)
			)
			for i := range racers {
				wg.Go(func() {
					<-start
					toks[i], errs[i] = a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
				})
			}
			close(start)
			wg.Wait()
			var won []*oauth2.Token
			for i, err := range errs {
				var re *oauth2.RetrieveError
				switch {
				case err == nil:
					won = append(won, toks[i])
				case !errors.As(err, &re) || re.ErrorCode != "invalid_grant":
					t.Fatalf("a losing request got %v, want invalid_grant", err)
				}
			}
			if len(won) > 1 {
				t.Fatalf("%d requests redeemed the same code", len(won))
			}
			for _, tok := range won {
				if r := introspect(t, p, tok.AccessToken); r["active"] != false {
					t.Fatalf("the access token of a code presented %d times is still active: %v", racers, r)
				}
				if r := introspect(t, p, tok.RefreshToken); r["active"] != false {
					t.Fatalf("the refresh token of a code presented %d times is still active: %v", racers, r)
				}
			}
		})

		t.Run("a code with the wrong PKCE verifier is refused", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			z := a.start(t)
			cb := callback(t, complete(t, b, b.get(z.url)), p.issuer)
			_, err := a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(oauth2.GenerateVerifier()))
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
				t.Fatalf("wrong verifier: got %v, want invalid_grant", err)
			}
		})

		t.Run("a stale flow link shows a readable page", func(t *testing.T) {
			b := newBrowser(t, p.issuer, webCallback)
			wantErrorPage(t, b.get(p.issuer+"/login?flow=does-not-exist"), http.StatusBadRequest)
			wantErrorPage(t, b.get(p.issuer+"/oauth2/auth?flow=does-not-exist"), http.StatusBadRequest)
		})
	})
}

func TestFirstPartyClientSkipsConsent(t *testing.T) {
	t.Parallel()
	p := startProvider(t, "memory")
	a := newApp(t, p)
	a.conf.ClientID, a.conf.Scopes = "chat-home", []string{"openid", "profile", "im:messages.read"}
	b := newBrowser(t, p.issuer, webCallback)
	z := a.start(t)
	cb := callback(t, signIn(t, b, b.get(z.url), annEmail, annPassword), p.issuer)
	if cb.Get("code") == "" || cb.Get("state") != z.state {
		t.Fatalf("a first-party sign-in did not go straight back to the app: %v", cb)
	}
	tok, err := a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Extra("scope"); got != "openid profile im:messages.read" {
		t.Fatalf("scope %q", got)
	}
}

func TestPublicNativeClient(t *testing.T) {
	t.Parallel()
	p := startProvider(t, "memory")
	op, err := oidc.NewProvider(t.Context(), p.issuer)
	if err != nil {
		t.Fatal(err)
	}
	// A desktop app listens on a loopback port of its choosing (RFC 8252
	// section 7.3): the registered http://127.0.0.1/callback matches any port.
	redirect := "http://127.0.0.1:53682/callback"
	conf := oauth2.Config{ClientID: "chat-desktop", RedirectURL: redirect, Endpoint: op.Endpoint(), Scopes: []string{"openid", "offline_access", "im:messages.read"}}
	b := newBrowser(t, p.issuer, redirect)
	verifier := oauth2.GenerateVerifier()
	u := conf.AuthCodeURL("desk-state", oauth2.S256ChallengeOption(verifier), oidc.Nonce("desk-nonce-123"))
	pg := consentTo(t, b, signIn(t, b, b.get(u), annEmail, annPassword), "allow")
	if pg.status != http.StatusSeeOther || !strings.HasPrefix(pg.location, redirect) {
		t.Fatalf("got %d %q", pg.status, pg.location)
	}
	loc, _ := url.Parse(pg.location)
	tok, err := conf.Exchange(t.Context(), loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token for the desktop app")
	}
	if _, err := op.Verifier(&oidc.Config{ClientID: "chat-desktop"}).Verify(t.Context(), tok.Extra("id_token").(string)); err != nil {
		t.Fatal(err)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, p running) {
		a := newApp(t, p)
		b := newBrowser(t, p.issuer, webCallback, webBye)
		tok, _, _ := a.login(t, b, p)
		rawID, _ := tok.Extra("id_token").(string)

		t.Run("an unregistered post-logout address gets an error page", func(t *testing.T) {
			q := url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {"https://attacker.example/"}, "state": {"s"}}
			wantErrorPage(t, b.get(p.issuer+"/oauth2/logout?"+q.Encode()), http.StatusBadRequest)
		})

		t.Run("a repeated post-logout address gets an error page", func(t *testing.T) {
			q := url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {webBye, "https://attacker.example/"}, "state": {"s"}}
			wantErrorPage(t, b.get(p.issuer+"/oauth2/logout?"+q.Encode()), http.StatusBadRequest)
		})

		t.Run("a return address without a client is refused", func(t *testing.T) {
			q := url.Values{"post_logout_redirect_uri": {webBye}}
			wantErrorPage(t, b.get(p.issuer+"/oauth2/logout?"+q.Encode()), http.StatusBadRequest)
		})

		t.Run("logout asks to confirm, signs out and returns to the app with state", func(t *testing.T) {
			q := url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {webBye}, "state": {"bye-state"}}
			confirm := b.get(p.issuer + "/oauth2/logout?" + q.Encode())
			if confirm.status != http.StatusOK {
				t.Fatalf("confirm page: %d", confirm.status)
			}
			done := b.submit(confirm, nil)
			if done.status != http.StatusSeeOther || done.location != webBye+"?state=bye-state" {
				t.Fatalf("got %d %q, want a 303 to %s?state=bye-state", done.status, done.location, webBye)
			}
			// Signed out: the next authorization asks for the password.
			pg := b.get(a.start(t).url)
			if !strings.Contains(pg.url.Path, "/login") {
				t.Fatalf("after logout got %s, want the sign-in page", pg.url)
			}
		})

		t.Run("an app's logout by POST asks to confirm like its GET", func(t *testing.T) {
			tok, _, _ := a.loginOn(t, b, p)
			rawID, _ := tok.Extra("id_token").(string)
			form := url.Values{"id_token_hint": {rawID}, "post_logout_redirect_uri": {webBye}, "state": {"post-state"}}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/oauth2/logout", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			bye, _ := url.Parse(webBye)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", bye.Scheme+"://"+bye.Host)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			confirm := b.do(req)
			if confirm.status != http.StatusOK || confirm.url.Path != "/oauth2/logout" || !strings.Contains(confirm.body, "csrf_token") {
				t.Fatalf("got %d at %s, want the confirmation page:\n%s", confirm.status, confirm.url, confirm.body)
			}
			if pg := b.get(a.start(t).url); strings.Contains(pg.url.Path, "/login") {
				t.Fatal("the app's POST signed the user out without asking")
			}
			done := b.submit(confirm, nil)
			if done.status != http.StatusSeeOther || done.location != webBye+"?state=post-state" {
				t.Fatalf("got %d %q, want a 303 to %s?state=post-state", done.status, done.location, webBye)
			}
			if pg := b.get(a.start(t).url); !strings.Contains(pg.url.Path, "/login") {
				t.Fatalf("after logout got %s, want the sign-in page", pg.url)
			}
		})
	})
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	p := startProvider(t, pgtest.MigratedURL(t))
	a := newApp(t, p)
	b := newBrowser(t, p.issuer, webCallback, webBye)
	tokBefore, before, _ := a.login(t, b, p)
	rawBefore, _ := tokBefore.Extra("id_token").(string)
	r := runCmd(t, p.vars, "", "keys", "rotate", "--config", p.config)
	if r.code != 0 {
		t.Fatalf("keys rotate: exit %d: %s", r.code, r.stderr)
	}
	// chat-web registered no ID token algorithm: RS256.
	kid := rotatedKeys(t, r.stdout)["RS256"]
	// The serving node re-reads keys every second (keys.refresh: 1s).
	deadline := time.Now().Add(10 * time.Second)
	for {
		tok, after, _ := a.loginOn(t, b, p)
		header := strings.SplitN(tok.Extra("id_token").(string), ".", 2)[0]
		if strings.Contains(decodeSegment(t, header), kid) {
			// A fresh verifier, as a relying party starting now, still
			// verifies the ID token signed before the rotation.
			fresh, err := oidc.NewProvider(t.Context(), p.issuer)
			if err != nil {
				t.Fatal(err)
			}
			v := fresh.Verifier(&oidc.Config{ClientID: "chat-web", SkipExpiryCheck: true})
			if _, err := v.Verify(t.Context(), rawBefore); err != nil {
				t.Fatalf("ID token signed before the rotation no longer verifies: %v", err)
			}
			if after.Subject != before.Subject {
				t.Fatal("subject changed")
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("new tokens are not signed with the rotated key %s", kid)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLeastPrivilege(t *testing.T) {
	t.Parallel()
	// Gus is a guest: by default guests may read messages but not send
	// them. Ann is a member.
	eachStore(t, testLeastPrivilege)
}

func testLeastPrivilege(t *testing.T, p running) {
	a := newApp(t, p)
	grant := func(t *testing.T, email string, scopes ...string) (*oauth2.Token, page) {
		t.Helper()
		c := a
		c.conf.Scopes = scopes
		b := newBrowser(t, p.issuer, webCallback)
		z := c.start(t)
		pg := signIn(t, b, b.get(z.url), email, annPassword)
		if strings.Contains(pg.url.Path, "/consent") && pg.status == http.StatusOK {
			pg = consentTo(t, b, pg, "allow")
		}
		if pg.status != http.StatusSeeOther {
			return nil, pg
		}
		cb := callback(t, pg, p.issuer)
		if cb.Get("code") == "" {
			return nil, pg
		}
		tok, err := c.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
		if err != nil {
			t.Fatal(err)
		}
		return tok, pg
	}

	t.Run("a guest asking only to send messages sees which permission is missing, and the app gets access_denied", func(t *testing.T) {
		c := a
		c.conf.Scopes = []string{"openid", "im:messages.send"}
		b := newBrowser(t, p.issuer, webCallback)
		z := c.start(t)
		pg := signIn(t, b, b.get(z.url), gusEmail, annPassword)
		if pg.status != http.StatusForbidden || !strings.Contains(pg.body, "im:messages.send") || !strings.Contains(pg.body, "administrator") {
			t.Fatalf("got %d at %s:\n%s", pg.status, pg.url, pg.body)
		}
		back := b.get(pg.url.ResolveReference(&url.URL{Path: "/oauth2/auth", RawQuery: "flow=" + pg.url.Query().Get("flow")}).String())
		cb := callback(t, back, p.issuer)
		if cb.Get("error") != "access_denied" || !strings.Contains(cb.Get("error_description"), "im:messages.send") || cb.Get("state") != z.state {
			t.Fatalf("callback %v", cb)
		}
	})
	t.Run("a guest gets what the role allows of what the app asks", func(t *testing.T) {
		tok, pg := grant(t, gusEmail, "openid", "im:messages.read", "im:messages.send")
		if tok == nil {
			t.Fatalf("no token: %d %s", pg.status, pg.url)
		}
		if got := tok.Extra("scope"); got != "openid im:messages.read" {
			t.Fatalf("a guest was granted %q", got)
		}
	})
	var memberTok *oauth2.Token
	t.Run("a member gets permission to send", func(t *testing.T) {
		tok, pg := grant(t, annEmail, "openid", "im:messages.send")
		if tok == nil || tok.Extra("scope") != "openid im:messages.send" {
			t.Fatalf("member: %v (%d %s)", tok, pg.status, pg.url)
		}
		memberTok = tok
	})
	t.Run("lowering the member to guest revokes that token at once", func(t *testing.T) {
		if memberTok == nil {
			t.Fatal("no member token from the previous step")
		}
		// Through the admin API, which reaches the memory store of the
		// running server too.
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		sub, _ := introspect(t, p, memberTok.AccessToken)["sub"].(string)
		if code, body := ops.call(http.MethodPatch, "/admin/api/v1/users/"+sub, `{"role":"guest"}`); code != http.StatusOK {
			t.Fatalf("lowering the role: %d %v", code, body)
		}
		if r := introspect(t, p, memberTok.AccessToken); r["active"] != false {
			t.Fatalf("the token of a lowered role is still active: %v", r)
		}
	})
}

func TestConnectedApps(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, p running) {
		a := newApp(t, p)
		b := newBrowser(t, p.issuer, webCallback)
		tok, _, _ := a.login(t, b, p)
		acct := b.get(p.issuer + "/account")
		if acct.status != http.StatusOK || !strings.Contains(acct.body, "TokenIM Chat Web") || !strings.Contains(acct.body, `value="chat-web"`) {
			t.Fatalf("the connected apps do not list the app: %d", acct.status)
		}
		done := b.submitTo(acct, "/account/apps/revoke", nil)
		if done.status != http.StatusOK || strings.Contains(done.body, `value="chat-web"`) {
			t.Fatalf("after revoking: %d, app still listed: %v", done.status, strings.Contains(done.body, `value="chat-web"`))
		}
		t.Run("the app's access and refresh tokens are inactive at once", func(t *testing.T) {
			if r := introspect(t, p, tok.AccessToken); r["active"] != false {
				t.Fatalf("access token: %v", r)
			}
			if r := introspect(t, p, tok.RefreshToken); r["active"] != false {
				t.Fatalf("refresh token: %v", r)
			}
		})
		t.Run("the next authorization asks for consent again", func(t *testing.T) {
			if pg := b.get(a.start(t).url); !strings.Contains(pg.url.Path, "/consent") {
				t.Fatalf("got %s, want the consent page", pg.url)
			}
		})
	})
}
