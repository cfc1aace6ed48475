package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// adminClient calls the admin API with a token of the ops service.
type adminClient struct {
	t     *testing.T
	base  string
	token string
}

func (c adminClient) call(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequestWithContext(c.t.Context(), method, c.base+path, strings.NewReader(body))
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func serviceToken(t *testing.T, p running, id, secret string, scopes ...string) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: id, ClientSecret: secret, TokenURL: p.issuer + "/oauth2/token", Scopes: scopes, AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

func TestAdminAPI(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, p running) {
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		a := newApp(t, p)
		annTok, annID, _ := a.login(t, newBrowser(t, p.issuer, webCallback), p)

		t.Run("only a service's admin token is accepted", func(t *testing.T) {
			if code, body := (adminClient{t: t, base: p.issuer}).call("GET", "/admin/api/v1/users", ""); code != 401 || body["error"] != "invalid_token" {
				t.Fatalf("no token: %d %v", code, body)
			}
			if code, body := (adminClient{t: t, base: p.issuer, token: annTok.AccessToken}).call("GET", "/admin/api/v1/users", ""); code != 403 || body["error"] != "insufficient_scope" {
				t.Fatalf("a user's token: %d %v", code, body)
			}
			if code, _ := (adminClient{t: t, base: p.issuer, token: "garbage"}).call("GET", "/admin/api/v1/users", ""); code != 401 {
				t.Fatalf("a garbage token: %d", code)
			}
		})
		t.Run("users are listed without secrets, and a role can be changed", func(t *testing.T) {
			code, body := ops.call("GET", "/admin/api/v1/users", "")
			raw, _ := json.Marshal(body)
			if code != 200 || !strings.Contains(string(raw), annEmail) || strings.Contains(string(raw), "argon2") {
				t.Fatalf("users: %d %s", code, raw)
			}
			if code, body := ops.call("PATCH", "/admin/api/v1/users/"+annID.Subject, `{"role":"developer"}`); code != 200 || body["role"] != "developer" {
				t.Fatalf("change role: %d %v", code, body)
			}
			if code, body := ops.call("PATCH", "/admin/api/v1/users/"+annID.Subject, `{"role":"root"}`); code != 400 || body["error"] != "invalid_request" {
				t.Fatalf("unknown role: %d %v", code, body)
			}
			if code, _ := ops.call("PATCH", "/admin/api/v1/users/nobody", `{"role":"guest"}`); code != 404 {
				t.Fatalf("unknown user: %d", code)
			}
			if code, _ := ops.call("PATCH", "/admin/api/v1/users/"+annID.Subject, `{"colour":"blue"}`); code != 400 {
				t.Fatalf("an unknown field: %d", code)
			}
		})
		t.Run("a grant is listed and revoked, with its tokens", func(t *testing.T) {
			code, body := ops.call("GET", "/admin/api/v1/grants?user="+annID.Subject, "")
			raw, _ := json.Marshal(body)
			if code != 200 || !strings.Contains(string(raw), `"client_id":"chat-web"`) {
				t.Fatalf("grants: %d %s", code, raw)
			}
			if code, _ := ops.call("GET", "/admin/api/v1/grants", ""); code != 400 {
				t.Fatalf("grants without a filter: %d", code)
			}
			if code, _ := ops.call("DELETE", "/admin/api/v1/grants/"+annID.Subject+"/chat-web", ""); code != 204 {
				t.Fatalf("revoke grant: %d", code)
			}
			if r := introspect(t, p, annTok.AccessToken); r["active"] != false {
				t.Fatalf("the grant's token is still active: %v", r)
			}
		})
		t.Run("disabling a user signs them out and refuses sign-in", func(t *testing.T) {
			tok, _, _ := a.loginOn(t, newBrowser(t, p.issuer, webCallback), p)
			if code, body := ops.call("PATCH", "/admin/api/v1/users/"+annID.Subject, `{"status":"disabled"}`); code != 200 || body["status"] != "disabled" {
				t.Fatalf("disable: %d %v", code, body)
			}
			if r := introspect(t, p, tok.AccessToken); r["active"] != false {
				t.Fatalf("a disabled user's token is active: %v", r)
			}
			b := newBrowser(t, p.issuer, webCallback)
			if pg := signIn(t, b, b.get(a.start(t).url), annEmail, annPassword); pg.status != http.StatusForbidden {
				t.Fatalf("sign-in of a disabled user: %d", pg.status)
			}
		})
		// Last: it revokes the IM gateway's secret the other steps introspect with.
		t.Run("an app's secret is rotated: both work, then the old one is revoked", func(t *testing.T) {
			code, body := ops.call("POST", "/admin/api/v1/apps/im-gateway/secrets", `{"grace":"1h"}`)
			newSecret, _ := body["client_secret"].(string)
			if code != 201 || !strings.HasPrefix(newSecret, "tkm_cs_") {
				t.Fatalf("rotate: %d %v", code, body)
			}
			introspectAs := func(secret string) int {
				req, _ := http.NewRequestWithContext(t.Context(), "POST", p.issuer+"/oauth2/introspect", strings.NewReader(url.Values{"token": {annTok.AccessToken}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.SetBasicAuth("im-gateway", secret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if introspectAs(gatewaySecret) != 200 || introspectAs(newSecret) != 200 {
				t.Fatal("during the grace period both secrets must work")
			}
			code, body = ops.call("GET", "/admin/api/v1/apps/im-gateway/secrets", "")
			raw, _ := json.Marshal(body)
			if code != 200 || strings.Contains(string(raw), newSecret) || strings.Contains(string(raw), "hash") {
				t.Fatalf("secrets: %d %s", code, raw)
			}
			secrets := body["secrets"].([]any)
			oldID := secrets[0].(map[string]any)["id"].(string)
			if code, _ := ops.call("DELETE", "/admin/api/v1/apps/im-gateway/secrets/"+oldID, ""); code != 204 {
				t.Fatalf("revoke: %d", code)
			}
			if introspectAs(gatewaySecret) != 401 || introspectAs(newSecret) != 200 {
				t.Fatal("after revoking, the old secret must fail and the new one work")
			}
			newID := body["secrets"].([]any)[1].(map[string]any)["id"].(string)
			if code, body := ops.call("DELETE", "/admin/api/v1/apps/im-gateway/secrets/"+newID, ""); code != 409 {
				t.Fatalf("revoking the last secret: %d %v", code, body)
			}
		})
		t.Run("an unknown admin path is a JSON 404", func(t *testing.T) {
			if code, body := ops.call("GET", "/admin/api/v1/nothing", ""); code != 404 || body["error"] != "not_found" {
				t.Fatalf("%d %v", code, body)
			}
		})
	})
}
