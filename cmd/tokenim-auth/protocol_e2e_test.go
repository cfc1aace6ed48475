package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// Refresh through golang.org/x/oauth2 at its defaults keeps working, a
// narrower scope is applied, and the tokens are told apart at /userinfo.
func TestRefreshAndUserinfoEndToEnd(t *testing.T) {
	t.Parallel()
	p := startProvider(t, pgtest.MigratedURL(t))
	a := newApp(t, p)
	tok, _, _ := a.login(t, newBrowser(t, p.issuer, webCallback), p)
	userinfo := func(t *testing.T, rawURL, bearer string) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	t.Run("the oauth2 package refreshes at its defaults, keeping the scope", func(t *testing.T) {
		next, err := refresh(t, a, tok.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := next.Extra("scope").(string); got != strings.Join(a.conf.Scopes, " ") {
			t.Fatalf("scope %q, want %q", got, strings.Join(a.conf.Scopes, " "))
		}
		tok = next
	})
	t.Run("the refresh token does not open /userinfo; the access token does", func(t *testing.T) {
		if resp := userinfo(t, p.issuer+"/userinfo", tok.RefreshToken); resp.StatusCode != http.StatusUnauthorized ||
			!strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
			t.Fatalf("refresh token at /userinfo: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		if resp := userinfo(t, p.issuer+"/userinfo", tok.AccessToken); resp.StatusCode != http.StatusOK {
			t.Fatalf("access token at /userinfo: %d", resp.StatusCode)
		}
	})
	t.Run("a token in the query is refused", func(t *testing.T) {
		if resp := userinfo(t, p.issuer+"/userinfo?access_token="+url.QueryEscape(tok.AccessToken), ""); resp.StatusCode != http.StatusBadRequest ||
			!strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_request"`) {
			t.Fatalf("got %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	})
	t.Run("a refresh naming a narrower scope gets it", func(t *testing.T) {
		// The package sends no scope when refreshing: the request is
		// written out.
		body := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "scope": {"openid offline_access"}}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, a.conf.Endpoint.TokenURL, strings.NewReader(body.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(a.conf.ClientID, a.conf.ClientSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Scope        string `json:"scope"`
			RefreshToken string `json:"refresh_token"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Scope != "openid offline_access" {
			t.Fatalf("got %d %+v %v, want scope openid offline_access", resp.StatusCode, out, err)
		}
	})
}

// During a Postgres outage a client library is told to come back later
// (503 temporarily_unavailable, Retry-After), and served again after it.
func TestPostgresOutageEndToEnd(t *testing.T) {
	t.Parallel()
	dbURL, proxy := pgtest.Proxied(t)
	p := startProvider(t, dbURL)
	cc := clientcredentials.Config{ClientID: "ops", ClientSecret: gatewaySecret, TokenURL: p.issuer + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}
	if _, err := cc.Token(t.Context()); err != nil {
		t.Fatalf("before the outage: %v", err)
	}

	proxy.Break()
	_, err := cc.Token(t.Context())
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusServiceUnavailable || re.ErrorCode != "temporarily_unavailable" {
		t.Fatalf("during the outage: %v, want a RetrieveError with 503 temporarily_unavailable", err)
	}
	if re.Response.Header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}

	proxy.Mend()
	if _, err := cc.Token(t.Context()); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}
