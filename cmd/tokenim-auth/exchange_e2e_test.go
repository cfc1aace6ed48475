package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/rs"
)

// TestTokenExchangeThroughServices runs token exchange (RFC 8693) as IM
// services do, against the running provider: Ann's app calls the message
// service with her token for it (RFC 8707); the message service, a
// client with a token_exchange policy, exchanges that token for one for
// the search service and calls it; the search service (rs) sees Ann as
// the subject and the message service as the actor. Ann's token itself
// is refused by the search service, and once her app revokes its grant
// the exchanged token is refused too. On memory and Postgres.
func TestTokenExchangeThroughServices(t *testing.T) {
	t.Parallel()
	eachDatabase(t, exchangeThroughServices)
}

func exchangeThroughServices(t *testing.T, dbURL string) {
	messages, search := httptest.NewUnstartedServer(nil), httptest.NewUnstartedServer(nil)
	messagesURL, searchURL := "http://"+messages.Listener.Addr().String(), "http://"+search.Listener.Addr().String()
	p := startProviderClientsConfig(t, map[string]string{"TOKENIM_DATABASE_URL": dbURL}, rsBotClient, fmt.Sprintf(`
resources:
  - uri: %[1]s
    name: IM messages
    scopes: [im:messages.read, im:messages.send]
  - uri: %[2]s
    name: Search
    scopes: [im:messages.read, im:messages.send]
token_exchange:
  - client: im-bot
    subject_audiences: [%[1]s]
    resources: [%[2]s]
    scopes: [im:messages.read]
`, messagesURL, searchURL))
	// Without a cache, the services see a revocation at once (with one,
	// once the cached answer ends: CacheTTL).
	verifier := func(resource string) *rs.Verifier {
		v, err := rs.New(rs.Config{Issuer: p.issuer, ClientID: "im-gateway", ClientSecret: gatewaySecret, Resource: resource, Audience: resource,
			CacheTTL: rs.NoCache})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	// The search service answers who asked, through whom.
	search.Config.Handler = verifier(searchURL).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, _ := rs.FromContext(r.Context())
		var via []string
		for _, a := range tok.Actor.Chain() {
			via = append(via, a.Subject)
		}
		fmt.Fprintf(w, "%s via %s", tok.Subject, strings.Join(via, ","))
	}))
	search.Start()
	t.Cleanup(search.Close)
	// The message service exchanges the token it was called with for one
	// for the search service, and calls it.
	messages.Config.Handler = verifier(messagesURL).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		incoming := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "subject_token": {incoming},
			"subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"}, "resource": {searchURL}, "scope": {"im:messages.read"}}
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, p.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("im-bot", url.QueryEscape(gatewaySecret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var got struct {
			AccessToken     string `json:"access_token"`
			IssuedTokenType string `json:"issued_token_type"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != http.StatusOK {
			http.Error(w, fmt.Sprintf("exchange: %d", resp.StatusCode), http.StatusBadGateway)
			return
		}
		status, body := callWith(r, searchURL, got.AccessToken)
		w.Header().Set("X-Exchanged", got.AccessToken)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	messages.Start()
	t.Cleanup(messages.Close)

	a := newApp(t, p)
	tok, _, _ := a.login(t, newBrowser(t, p.issuer, webCallback), p, oauth2.SetAuthURLParam("resource", messagesURL))
	sub := introspect(t, p, tok.AccessToken)["sub"]

	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, messagesURL+"/messages", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	exchanged := resp.Header.Get("X-Exchanged")
	if resp.StatusCode != http.StatusOK || string(body) != fmt.Sprintf("%s via im-bot", sub) {
		t.Fatalf("through the message service: %d %q, want %q", resp.StatusCode, body, fmt.Sprintf("%s via im-bot", sub))
	}
	if status, _ := callWith(req, searchURL, tok.AccessToken); status != http.StatusUnauthorized {
		t.Fatalf("Ann's token for the message service at the search service: %d, want 401", status)
	}
	revokeAs(t, p, "chat-web", webSecret, tok.RefreshToken)
	if status, _ := callWith(req, searchURL, exchanged); status != http.StatusUnauthorized {
		t.Fatalf("the exchanged token after Ann's grant was revoked: %d, want 401", status)
	}
}

// callWith calls u with token as the bearer token, in r's context.
func callWith(r *http.Request, u, token string) (int, string) {
	req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return http.StatusBadGateway, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}
