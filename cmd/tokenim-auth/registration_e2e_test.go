package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
)

// registrationConfig turns dynamic client registration on, with initial
// access tokens, and gives registration a budget per address this test
// can exhaust.
const registrationConfig = `
registration:
  enabled: true
rate_limit:
  registration:
    per_ip: {rate: 1, period: 1h, burst: 12}
`

// dcrCallback is the redirect URI the self-registered app registers: the
// test's browser stops there and hands the address to the app.
const dcrCallback = "http://127.0.0.1:9/dcr-callback"

// registrar calls the registration endpoints as a bot would.
type registrar struct {
	t      *testing.T
	issuer string
}

func (r registrar) call(method, path, token string, body any) (int, map[string]any, http.Header) {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			r.t.Fatal(err)
		}
		rd = strings.NewReader(string(raw))
	}
	req, _ := http.NewRequestWithContext(r.t.Context(), method, r.issuer+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, resp.Header
}

// discovered returns the provider's metadata.
func discovered(t *testing.T, issuer string) map[string]any {
	t.Helper()
	code, meta, _ := registrar{t, issuer}.call("GET", "/.well-known/openid-configuration", "", nil)
	if code != http.StatusOK {
		t.Fatalf("discovery: %d", code)
	}
	return meta
}

// TestDynamicClientRegistration: with registration on, the provider
// advertises its registration endpoint; an administrator's initial
// access token (admin API, and the command line on Postgres) registers a
// client, which reads, replaces and deletes its registration with its
// registration access token; the policy's refusals name the field; a
// token used past its count is refused; registration is rate-limited per
// address; and openid-client registers an app that signs a user in with
// the authorization code flow. Off, nothing is advertised or served.
func TestDynamicClientRegistration(t *testing.T) {
	t.Parallel()
	dir := npmInstall(t, openIDClientDir)
	t.Run("off", func(t *testing.T) {
		t.Parallel()
		p := startProvider(t, "memory")
		if meta := discovered(t, p.issuer); meta["registration_endpoint"] != nil {
			t.Fatalf("registration_endpoint advertised while off: %v", meta["registration_endpoint"])
		}
		if code, _, _ := (registrar{t, p.issuer}).call("POST", "/oauth2/register", "", map[string]any{"redirect_uris": []string{dcrCallback}}); code != http.StatusNotFound {
			t.Fatalf("POST /oauth2/register while off: %d, want 404", code)
		}
	})
	eachStoreConfig(t, registrationConfig, func(t *testing.T, p running) {
		reg := registrar{t, p.issuer}
		if meta := discovered(t, p.issuer); meta["registration_endpoint"] != p.issuer+"/oauth2/register" {
			t.Fatalf("registration_endpoint = %v", meta["registration_endpoint"])
		}
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		code, made := ops.call("POST", "/admin/api/v1/registration-tokens", `{"name":"e2e","expires_in_seconds":3600,"max_uses":2}`)
		iat, _ := made["token"].(string)
		if code != http.StatusCreated || iat == "" {
			t.Fatalf("issuing an initial access token: %d %v", code, made)
		}
		meta := map[string]any{
			"client_name": "Build bot", "redirect_uris": []string{dcrCallback}, "grant_types": []string{"authorization_code", "refresh_token"},
			"token_endpoint_auth_method": "client_secret_basic", "scope": "openid profile offline_access im:messages.send",
		}

		// Refusals, before any use of the token.
		if code, body, h := reg.call("POST", "/oauth2/register", "", meta); code != http.StatusUnauthorized || body["error"] != "invalid_token" ||
			!strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
			t.Fatalf("registering without a token: %d %v", code, body)
		}
		bad := map[string]any{"redirect_uris": []string{"http://bot.example/cb"}}
		if code, body, _ := reg.call("POST", "/oauth2/register", iat, bad); code != http.StatusBadRequest || body["error"] != "invalid_redirect_uri" ||
			!strings.HasPrefix(fmt.Sprint(body["error_description"]), "redirect_uris[0]") {
			t.Fatalf("an http redirect URI: %d %v", code, body)
		}
		if code, body, _ := reg.call("POST", "/oauth2/register", iat, map[string]any{"redirect_uris": []string{dcrCallback}, "scope": "admin"}); code != http.StatusBadRequest ||
			body["error"] != "invalid_client_metadata" || !strings.HasPrefix(fmt.Sprint(body["error_description"]), "scope") {
			t.Fatalf("the admin scope: %d %v", code, body)
		}

		// Register, read, update, delete.
		code, created, _ := reg.call("POST", "/oauth2/register", iat, meta)
		id, rat := fmt.Sprint(created["client_id"]), fmt.Sprint(created["registration_access_token"])
		if code != http.StatusCreated || created["client_secret"] == nil || created["scope"] != "openid profile offline_access" ||
			created["scope_pending_approval"] != "im:messages.send" || created["registration_client_uri"] != p.issuer+"/oauth2/register/"+id {
			t.Fatalf("registration: %d %v", code, created)
		}
		path := "/oauth2/register/" + url.PathEscape(id)
		if code, read, _ := reg.call("GET", path, rat, nil); code != http.StatusOK || read["client_id"] != id || read["client_name"] != "Build bot" || read["client_secret"] != nil {
			t.Fatalf("read: %d %v", code, read)
		}
		update := map[string]any{"client_id": id, "client_name": "Build bot 2", "redirect_uris": []string{dcrCallback},
			"token_endpoint_auth_method": "client_secret_basic", "scope": "openid"}
		code, updated, _ := reg.call("PUT", path, rat, update)
		rat2 := fmt.Sprint(updated["registration_access_token"])
		if code != http.StatusOK || updated["client_name"] != "Build bot 2" || updated["scope"] != "openid" || rat2 == rat || rat2 == "<nil>" {
			t.Fatalf("update: %d %v", code, updated)
		}
		if code, _, _ := reg.call("GET", path, rat, nil); code != http.StatusUnauthorized {
			t.Fatalf("read with the rotated registration access token: %d, want 401", code)
		}
		if code, _, _ := reg.call("DELETE", path, rat2, nil); code != http.StatusNoContent {
			t.Fatalf("delete: %d", code)
		}
		if code, _, _ := reg.call("GET", path, rat2, nil); code != http.StatusUnauthorized {
			t.Fatalf("read after delete: %d, want 401", code)
		}

		// The second and last use goes to openid-client; a third is refused.
		s := runRegistration(t, dir, map[string]any{
			"issuer": p.issuer, "initial_access_token": iat, "redirect_uri": dcrCallback, "scope": "openid profile offline_access",
			"metadata": map[string]any{"client_name": "Agent", "redirect_uris": []string{dcrCallback}, "grant_types": []string{"authorization_code", "refresh_token"},
				"response_types": []string{"code"}, "token_endpoint_auth_method": "client_secret_basic", "scope": "openid profile offline_access"},
		})
		var registered struct {
			Metadata map[string]any `json:"metadata"`
		}
		s.next(t, "registered", &registered)
		agent := fmt.Sprint(registered.Metadata["client_id"])
		if registered.Metadata["client_secret"] == nil || registered.Metadata["registration_access_token"] == nil {
			t.Fatalf("openid-client's registration: %v", registered.Metadata)
		}
		var authz struct {
			URL string `json:"url"`
		}
		s.next(t, "authorization_url", &authz)
		b := newBrowser(t, p.issuer, dcrCallback)
		back := consentTo(t, b, signIn(t, b, b.get(authz.URL), annEmail, annPassword), "allow")
		if back.status != http.StatusSeeOther || !strings.HasPrefix(back.location, dcrCallback) {
			t.Fatalf("the sign-in did not come back to the app: %d %q\n%s", back.status, back.location, back.body)
		}
		s.last(back.location)
		var tokens tokenResult
		s.next(t, "tokens", &tokens)
		if tokens.Response.AccessToken == "" || tokens.Response.RefreshToken == "" || tokens.Claims == nil || !audienceIs(tokens.Claims.Audience, agent) {
			t.Fatalf("the agent's tokens: %+v", tokens)
		}
		var info struct {
			Userinfo map[string]any `json:"userinfo"`
		}
		s.next(t, "userinfo", &info)
		if info.Userinfo["sub"] != tokens.Claims.Subject || info.Userinfo["name"] != "Ann Lee" {
			t.Fatalf("userinfo: %v", info.Userinfo)
		}
		var refreshed tokenResult
		s.next(t, "refresh", &refreshed)
		if refreshed.Response.AccessToken == "" || refreshed.Response.AccessToken == tokens.Response.AccessToken {
			t.Fatalf("refresh: %+v", refreshed.Response)
		}
		s.next(t, "done", nil)
		s.wait(t)
		if in := introspect(t, p, refreshed.Response.AccessToken); in["active"] != true || in["client_id"] != agent {
			t.Fatalf("introspection of the agent's token: %v", in)
		}

		if code, body, _ := reg.call("POST", "/oauth2/register", iat, meta); code != http.StatusUnauthorized || !strings.Contains(fmt.Sprint(body["error_description"]), "used up") {
			t.Fatalf("a third use of a two-use token: %d %v", code, body)
		}
		code, list := ops.call("GET", "/admin/api/v1/registration-tokens", "")
		if tokens, _ := list["registration_tokens"].([]any); code != http.StatusOK || len(tokens) != 1 || tokens[0].(map[string]any)["uses"] != float64(2) {
			t.Fatalf("the token's uses: %d %v", code, list)
		}

		if p.vars["TOKENIM_DATABASE_URL"] != "memory" {
			// The command line issues tokens too, and the registrations
			// are authorization records by the apps themselves.
			out := mustRun(t, p.vars, "", "clients", "registration-token", "create", "--config", p.config, "--expires", "1h", "--uses", "1", "--output", "json").stdout
			var cli struct{ Token string }
			if err := json.Unmarshal([]byte(out), &cli); err != nil || cli.Token == "" {
				t.Fatalf("clients registration-token create printed %q (%v)", out, err)
			}
			if code, body, _ := reg.call("POST", "/oauth2/register", cli.Token, meta); code != http.StatusCreated {
				t.Fatalf("registering with the command line's token: %d %v", code, body)
			}
			recs, err := storeOf(t, p.vars).ListAudit(t.Context(), storage.AuditFilter{ClientID: id}, storage.AuditCursor{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			byApp := map[string]bool{}
			for _, r := range recs {
				if r.ActorType == audit.ActorClient && r.ActorID == id {
					byApp[r.Action] = true
				}
			}
			for _, a := range []string{audit.AppRegistered, audit.AppRegistrationUpdated, audit.AppRegistrationDeleted} {
				if !byApp[a] {
					t.Errorf("no %s record by the app: %+v", a, recs)
				}
			}
		}

		// The budget per address runs out: a 429 with Retry-After.
		for i := range 13 {
			code, _, h := reg.call("POST", "/oauth2/register", "", meta)
			if code == http.StatusTooManyRequests {
				if h.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
				return
			}
			if code != http.StatusUnauthorized {
				t.Fatalf("registration %d: %d", i, code)
			}
		}
		t.Fatal("registration was never rate-limited")
	})
}

// registrationScript is register.mjs running, with the lines still to
// write to its stdin, written in order; closing lines ends its stdin.
type registrationScript struct {
	*nodeScript
	lines chan<- string
}

// runRegistration starts register.mjs with input as its first line.
func runRegistration(t *testing.T, dir string, input any) registrationScript {
	t.Helper()
	r, w := io.Pipe()
	lines := make(chan string, 4)
	go func() {
		// The script's stdin ends with lines (the script exits, and its
		// Wait waits for its stdin); a script that ended early reads no
		// more, and the test's end closes the pipe.
		defer w.Close()
		for line := range lines {
			if _, err := io.WriteString(w, line+"\n"); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { _ = r.Close() })
	s := registrationScript{runNodeScriptFrom(t, dir, "register.mjs", r), lines}
	raw, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	s.lines <- string(raw)
	return s
}

// last writes the script's last line and ends its stdin.
func (s registrationScript) last(line string) {
	s.lines <- line
	close(s.lines)
}
