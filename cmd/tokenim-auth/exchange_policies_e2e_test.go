package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestExchangePolicyAddedThroughTheAdminAPI: with no token exchange
// policy the grant is neither advertised nor served; a policy added
// through the admin API lets its client exchange a user's token within
// the refresh, discovery then listing the grant; deleted, the client is
// refused again. On memory and Postgres.
func TestExchangePolicyAddedThroughTheAdminAPI(t *testing.T) {
	t.Parallel()
	eachDatabase(t, func(t *testing.T, dbURL string) {
		const messages, search = "https://messages.example.com", "https://search.example.com"
		p := startProviderClientsConfig(t, map[string]string{"TOKENIM_DATABASE_URL": dbURL}, rsBotClient, `
resources:
  - uri: `+messages+`
    name: IM messages
    scopes: [im:messages.read, im:messages.send]
  - uri: `+search+`
    name: Search
    scopes: [im:messages.read, im:messages.send]
`)
		a := newApp(t, p)
		tok, _, _ := a.login(t, newBrowser(t, p.issuer, webCallback), p, oauth2.SetAuthURLParam("resource", messages))
		exchange := func() (int, map[string]any) {
			form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "subject_token": {tok.AccessToken},
				"subject_token_type": {"urn:ietf:params:oauth:token-type:access_token"}, "resource": {search}}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/oauth2/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth("im-bot", url.QueryEscape(gatewaySecret))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			return resp.StatusCode, out
		}
		advertised := func() bool {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, p.issuer+"/.well-known/openid-configuration", nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var doc struct {
				Grants []string `json:"grant_types_supported"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
				t.Fatal(err)
			}
			return slices.Contains(doc.Grants, "urn:ietf:params:oauth:grant-type:token-exchange")
		}

		if code, body := exchange(); code != http.StatusBadRequest || body["error"] != "unsupported_grant_type" || advertised() {
			t.Fatalf("without a policy: %d %v (advertised %v)", code, body, advertised())
		}
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		code, created := ops.call("POST", "/admin/api/v1/token-exchange-policies",
			`{"client_id":"im-bot","subject_audiences":["`+messages+`"],"resources":["`+search+`"],"scopes":["im:messages.read"]}`)
		if code != http.StatusCreated {
			t.Fatalf("add the policy: %d %v", code, created)
		}
		var exchanged string
		eventually(t, storeRefresh+5*time.Second, "the policy lets the bot exchange", func() bool {
			code, body := exchange()
			exchanged, _ = body["access_token"].(string)
			return code == http.StatusOK
		})
		if !advertised() {
			t.Fatal("discovery does not list the grant once a client has a policy")
		}
		got := introspect(t, p, exchanged)
		if aud, _ := got["aud"].([]any); len(aud) != 1 || aud[0] != search {
			t.Fatalf("the exchanged token's aud: %v, want [%s]", got["aud"], search)
		}
		if act, _ := got["act"].(map[string]any); act["sub"] != "im-bot" {
			t.Fatalf("the exchanged token's act: %v, want the bot", got["act"])
		}

		if code, _ := ops.call("DELETE", "/admin/api/v1/token-exchange-policies/im-bot", ""); code != http.StatusNoContent {
			t.Fatalf("delete the policy: %d", code)
		}
		eventually(t, storeRefresh+5*time.Second, "the deleted policy no longer lets the bot exchange", func() bool {
			code, body := exchange()
			return code == http.StatusBadRequest && body["error"] == "unsupported_grant_type"
		})
		if advertised() {
			t.Fatal("discovery lists the grant once no client has a policy")
		}
	})
}
