package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
)

// imNames is the IM platform's conversation name callback, on loopback.
func imNames(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Locations []string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		names := map[string]string{}
		for _, l := range in.Locations {
			if l == "conv:launch" {
				names[l] = "#launch-team"
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"names": names})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// detailsIn decodes an authorization_details member (token response or
// introspection).
func detailsIn(t *testing.T, v any) authzdetails.List {
	t.Helper()
	l, err := authzdetails.Decode(v)
	if err != nil {
		t.Fatalf("authorization_details %v: %v", v, err)
	}
	return l
}

func sameDetails(a, b authzdetails.List) bool { return a.Covers(b) && b.Covers(a) }

// TestAuthorizationDetailsEndToEnd: an app asks for two conversations by
// golang.org/x/oauth2; the consent page names them through the IM
// platform's lookup; the user unticks one; the token response and
// introspection carry exactly the other. The remembered grant then
// answers a pushed request for it without asking, and a bad parameter is
// invalid_authorization_details at the app's callback.
func TestAuthorizationDetailsEndToEnd(t *testing.T) {
	t.Parallel()
	extra := "\nauthorization_details:\n  lookup:\n    url: " + imNames(t) + "\n"
	asked := `[{"type":"im_conversation","actions":["messages.read","messages.send"],"locations":["conv:launch"]},` +
		`{"type":"im_conversation","actions":["messages.read"],"locations":["conv:ops"]}]`
	launch := authzdetails.List{{Type: "im_conversation", Actions: []string{"messages.read", "messages.send"}, Locations: []string{"conv:launch"}}}
	eachStoreConfig(t, extra, func(t *testing.T, p running) {
		a := newAppFor(t, p, "chat-web", oidc.ScopeOpenID, "im:messages.read")
		b := newBrowser(t, p.issuer, webCallback)

		z := a.start(t, oauth2.SetAuthURLParam("authorization_details", asked))
		pg := signIn(t, b, b.get(z.url), annEmail, annPassword)
		for _, s := range []string{"Read messages in #launch-team", "Send messages in #launch-team", "Read messages in conv:ops"} {
			if !strings.Contains(pg.body, s) {
				t.Fatalf("the consent page does not say %q:\n%s", s, pg.body)
			}
		}
		cb := callback(t, b.submit(pg, map[string]string{"decision": "allow", "remember": "1", "detail": "0"}), p.issuer)
		tok, err := a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
		if err != nil {
			t.Fatal(err)
		}
		if got := detailsIn(t, tok.Extra("authorization_details")); !sameDetails(got, launch) {
			t.Fatalf("token response authorization_details %v, want %v", got, launch)
		}
		if got := detailsIn(t, introspect(t, p, tok.AccessToken)["authorization_details"]); !sameDetails(got, launch) {
			t.Fatalf("introspection authorization_details %v, want %v", got, launch)
		}

		t.Run("a pushed request the remembered grant covers is answered at once", func(t *testing.T) {
			z := a.start(t)
			form := url.Values{"client_id": {"chat-web"}, "response_type": {"code"}, "redirect_uri": {webCallback}, "scope": {"openid im:messages.read"},
				"state": {z.state}, "nonce": {z.nonce}, "code_challenge": {oauth2.S256ChallengeFromVerifier(z.verifier)}, "code_challenge_method": {"S256"},
				"authorization_details": {`[{"type":"im_conversation","actions":["messages.send"],"locations":["conv:launch"]}]`}}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/oauth2/par", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("chat-web", webSecret)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var pushed struct {
				RequestURI string `json:"request_uri"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&pushed); err != nil || resp.StatusCode != http.StatusCreated {
				t.Fatalf("push: %d %v", resp.StatusCode, err)
			}
			cb := callback(t, b.get(a.authURL(p, pushed.RequestURI)), p.issuer)
			tok, err := a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
			if err != nil {
				t.Fatal(err)
			}
			want := authzdetails.List{{Type: "im_conversation", Actions: []string{"messages.send"}, Locations: []string{"conv:launch"}}}
			if got := detailsIn(t, tok.Extra("authorization_details")); !sameDetails(got, want) {
				t.Fatalf("pushed: authorization_details %v, want %v", got, want)
			}
		})

		t.Run("a bad parameter is invalid_authorization_details", func(t *testing.T) {
			z := a.start(t, oauth2.SetAuthURLParam("authorization_details", `[{"type":"payment_initiation"}]`))
			cb := callback(t, b.get(z.url), p.issuer)
			if cb.Get("error") != "invalid_authorization_details" || cb.Get("state") != z.state {
				t.Fatalf("callback %v", cb)
			}
		})
	})
}
