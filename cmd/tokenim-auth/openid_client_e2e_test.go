package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// openIDClientDir holds the Node script that drives the provider with
// openid-client, and the package-lock.json pinning its packages.
const openIDClientDir = "testdata/openid-client"

// openIDClientClients are the clients the script signs in as, beside the
// test configuration's chat-desktop (public, device grant) and im-gateway
// (resource server): a service authenticating with private_key_jwt,
// whose public key is at jwksURI.
func openIDClientClients(jwksURI string) string {
	return fmt.Sprintf(`  - id: call-records
    name: Call records service
    type: confidential
    grant_types: [client_credentials]
    scopes: [im:calls.read]
    token_endpoint_auth_method: private_key_jwt
    token_endpoint_auth_signing_alg: ES256
    jwks_uri: %s
`, jwksURI)
}

// TestOpenIDClient drives the provider with openid-client 6 (OpenID
// Certified, npm), unchanged and at its defaults but for
// allowInsecureRequests (the provider serves plain http on 127.0.0.1 here),
// as a third-party app would: discovery, the client credentials grant with
// private_key_jwt, the device authorization grant approved by the user in
// a browser, refresh, introspection by a resource server, and revocation.
// The script prints each step's result; the checks are here.
func TestOpenIDClient(t *testing.T) {
	t.Parallel()
	dir := npmInstall(t, openIDClientDir)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	private := jose.JSONWebKey{Key: key, KeyID: "call-records-1", Algorithm: "ES256", Use: "sig"}
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{private.Public()}})
	}))
	t.Cleanup(jwks.Close)

	for _, store := range []string{"memory", "postgres"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			dbURL := store
			if store == "postgres" {
				dbURL = pgtest.MigratedURL(t)
			}
			p := startProviderClients(t, dbURL, openIDClientClients(jwks.URL))
			s := runOpenIDClient(t, dir, map[string]any{
				"issuer":  p.issuer,
				"service": map[string]any{"client_id": "call-records", "scope": "im:calls.read", "jwk": private},
				"gateway": map[string]any{"client_id": "im-gateway", "client_secret": gatewaySecret},
				"desktop": map[string]any{"client_id": "chat-desktop", "scope": "openid offline_access im:messages.read"},
			})
			checkOpenIDClient(t, p, s)
		})
	}
}

// tokenResult is what the script prints of a token endpoint response:
// the response and its ID token's claims, as openid-client gives them.
type tokenResult struct {
	Response struct {
		AccessToken  string `json:"access_token"`
		TokenType    string `json:"token_type"`
		ExpiresIn    int    `json:"expires_in"`
		Scope        string `json:"scope"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
	} `json:"response"`
	Claims *struct {
		Issuer   string          `json:"iss"`
		Subject  string          `json:"sub"`
		Audience json.RawMessage `json:"aud"`
	} `json:"claims"`
}

// introspection is what the script prints of an introspection response.
type introspection struct {
	Introspection map[string]any `json:"introspection"`
}

// checkOpenIDClient reads the script's steps in order and checks each.
func checkOpenIDClient(t *testing.T, p running, s *nodeScript) {
	t.Helper()
	var disc struct {
		Metadata struct {
			Issuer string `json:"issuer"`
		} `json:"metadata"`
	}
	s.next(t, "discovery", &disc)
	if disc.Metadata.Issuer != p.issuer {
		t.Fatalf("discovered issuer %q, want %q", disc.Metadata.Issuer, p.issuer)
	}

	var cc tokenResult
	s.next(t, "client_credentials", &cc)
	if !strings.EqualFold(cc.Response.TokenType, "bearer") || cc.Response.Scope != "im:calls.read" || cc.Response.AccessToken == "" ||
		cc.Response.ExpiresIn <= 0 || cc.Response.RefreshToken != "" || cc.Response.IDToken != "" {
		t.Fatalf("client credentials with private_key_jwt: %+v", cc.Response)
	}
	var in introspection
	s.next(t, "introspect_client_credentials", &in)
	if in.Introspection["active"] != true || in.Introspection["client_id"] != "call-records" || in.Introspection["scope"] != "im:calls.read" {
		t.Fatalf("introspection of the service's token: %v", in.Introspection)
	}

	var auth struct {
		Authorization struct {
			UserCode                string `json:"user_code"`
			VerificationURI         string `json:"verification_uri"`
			VerificationURIComplete string `json:"verification_uri_complete"`
			Interval                int    `json:"interval"`
			ExpiresIn               int    `json:"expires_in"`
		} `json:"authorization"`
	}
	s.next(t, "device_authorization", &auth)
	da := auth.Authorization
	if da.UserCode == "" || da.VerificationURI != p.issuer+"/device" || !strings.HasPrefix(da.VerificationURIComplete, p.issuer+"/device?") ||
		da.Interval != 1 || da.ExpiresIn < 9*60 {
		t.Fatalf("device authorization: %+v", da)
	}
	// The script polls meanwhile; the user approves in a browser.
	b := newBrowser(t, p.issuer)
	if pg := b.submit(openSignedIn(t, b, da.VerificationURIComplete), map[string]string{"decision": "allow"}); !strings.Contains(pg.body, "You approved the sign-in") {
		t.Fatalf("approving the device: %d\n%s", pg.status, pg.body)
	}

	const deviceScope = "openid offline_access im:messages.read"
	var device tokenResult
	s.next(t, "device_token", &device)
	if !strings.EqualFold(device.Response.TokenType, "bearer") || device.Response.Scope != deviceScope || device.Response.AccessToken == "" ||
		device.Response.RefreshToken == "" || device.Response.IDToken == "" || device.Claims == nil {
		t.Fatalf("the device's tokens: %+v", device.Response)
	}
	if device.Claims.Issuer != p.issuer || device.Claims.Subject == "" || !audienceIs(device.Claims.Audience, "chat-desktop") {
		t.Fatalf("the device's ID token claims: %+v aud %s", *device.Claims, device.Claims.Audience)
	}
	sub := device.Claims.Subject

	var refreshed tokenResult
	s.next(t, "refresh", &refreshed)
	if refreshed.Response.AccessToken == "" || refreshed.Response.AccessToken == device.Response.AccessToken ||
		refreshed.Response.RefreshToken == "" || refreshed.Response.RefreshToken == device.Response.RefreshToken || refreshed.Response.Scope != deviceScope {
		t.Fatalf("refresh: %+v, want a new access and refresh token with scope %q", refreshed.Response, deviceScope)
	}
	if refreshed.Claims != nil && refreshed.Claims.Subject != sub {
		t.Fatalf("the refreshed ID token's sub %q, want %q", refreshed.Claims.Subject, sub)
	}

	s.next(t, "introspect_refreshed", &in)
	if in.Introspection["active"] != true || in.Introspection["client_id"] != "chat-desktop" || in.Introspection["sub"] != sub || in.Introspection["scope"] != deviceScope {
		t.Fatalf("introspection of the refreshed access token: %v", in.Introspection)
	}
	inactive := func(step string) {
		t.Helper()
		var in introspection
		s.next(t, step, &in)
		if in.Introspection["active"] != false || len(in.Introspection) != 1 {
			t.Fatalf("%s: %v, want only active false (RFC 7662 section 2.2)", step, in.Introspection)
		}
	}
	inactive("introspect_unknown")

	s.next(t, "revoke_refresh", nil)
	inactive("introspect_revoked_refresh")
	// RFC 7009 section 2.1: the access tokens of the grant go too.
	inactive("introspect_revoked_refresh_access")
	var again struct {
		Error string `json:"error"`
	}
	s.next(t, "refresh_revoked", &again)
	if again.Error != "invalid_grant" {
		t.Fatalf("refresh with the revoked refresh token: error %q, want invalid_grant", again.Error)
	}

	s.next(t, "revoke_client_credentials", nil)
	inactive("introspect_revoked_client_credentials")
	s.next(t, "done", nil)
	s.wait(t)
}

// audienceIs reports whether an aud claim, a string or an array, is
// exactly the one audience want.
func audienceIs(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	return json.Unmarshal(raw, &many) == nil && slices.Equal(many, []string{want})
}

// nodeScript is the openid-client script running, its stdout read line
// by line.
type nodeScript struct {
	lines chan []byte
	// done is closed once the script has exited, with err its exit status.
	done   chan struct{}
	err    error
	stderr *syncBuffer
}

// runOpenIDClient starts the script flows.mjs with input as JSON on its
// stdin. It is killed when the test ends.
func runOpenIDClient(t *testing.T, dir string, input any) *nodeScript {
	t.Helper()
	return runNodeScript(t, dir, "flows.mjs", input)
}

// runNodeScript starts the script of dir named script with input as JSON
// on its stdin. It is killed when the test ends.
func runNodeScript(t *testing.T, dir, script string, input any) *nodeScript {
	t.Helper()
	raw, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	return runNodeScriptFrom(t, dir, script, bytes.NewReader(raw))
}

// runNodeScriptFrom starts the script of dir named script reading stdin.
// It is killed when the test ends.
func runNodeScriptFrom(t *testing.T, dir, script string, stdin io.Reader) *nodeScript {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "node", script)
	cmd.Dir = dir
	cmd.Stdin = stdin
	s := &nodeScript{lines: make(chan []byte, 64), done: make(chan struct{}), stderr: &syncBuffer{}}
	cmd.Stderr = s.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			s.lines <- bytes.Clone(sc.Bytes())
		}
		close(s.lines)
		s.err = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() { <-s.done })
	return s
}

// next reads the script's next step, which must be step, into v (when not
// nil). The script reporting an error, another step or nothing within a
// minute fails the test.
func (s *nodeScript) next(t *testing.T, step string, v any) {
	t.Helper()
	var line []byte
	select {
	case l, ok := <-s.lines:
		if !ok {
			<-s.done
			t.Fatalf("openid-client script ended (%v) before step %s:\n%s", s.err, step, s.stderr)
		}
		line = l
	case <-time.After(time.Minute):
		t.Fatalf("openid-client script: no step %s within a minute:\n%s", step, s.stderr)
	}
	var head struct {
		Step string `json:"step"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		t.Fatalf("openid-client script printed %q: %v\n%s", line, err, s.stderr)
	}
	switch head.Step {
	case step:
	case "error":
		t.Fatalf("openid-client refused step %s: %s\n%s", step, line, s.stderr)
	default:
		t.Fatalf("openid-client script at step %s printed %s\n%s", step, line, s.stderr)
	}
	if v != nil {
		if err := json.Unmarshal(line, v); err != nil {
			t.Fatalf("step %s: %v in %s", step, err, line)
		}
	}
}

// wait checks that the script printed nothing more and exited 0.
func (s *nodeScript) wait(t *testing.T) {
	t.Helper()
	for line := range s.lines {
		t.Errorf("openid-client script printed more: %s", line)
	}
	<-s.done
	if s.err != nil {
		t.Fatalf("openid-client script: %v\n%s", s.err, s.stderr)
	}
}
