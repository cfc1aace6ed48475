package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// standIn is a loopback stand-in for the provider: its OpenID discovery
// document, and an introspection endpoint to which every token is
// inactive.
func standIn(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{
				"issuer": srv.URL, "authorization_endpoint": srv.URL + "/oauth2/auth", "token_endpoint": srv.URL + "/oauth2/token",
			})
		case "/oauth2/introspect":
			_, _ = io.WriteString(w, `{"active":false}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// serve runs the service against issuer with args until the test ends,
// and returns its base URL.
func serve(t *testing.T, issuer string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-issuer", issuer, "-listen", "127.0.0.1:0"}, args...),
			func(k string) (string, bool) { return "s3cret", k == secretEnv }, t.Output(), hooks{ready: func(a string) { addr <- a }})
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return base
}

// get fetches url and returns the status, the headers and the decoded
// JSON answer.
func get(t *testing.T, url, authorization string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("GET %s: not JSON: %v", url, err)
	}
	return resp.StatusCode, resp.Header, out
}

// resourceMetadata reads the resource_metadata parameter of a Bearer
// challenge, as a client does.
var resourceMetadata = regexp.MustCompile(`(?:^Bearer |, )resource_metadata="([^"\\]*)"`)

// An agent that knows only the service's URL finds the provider: the 401
// to a bare request names the protected resource metadata (RFC 9728), the
// metadata names the provider, and the provider's discovery document is
// that issuer's.
func TestAgentFindsTheProvider(t *testing.T) {
	t.Parallel()
	provider := standIn(t)
	base := serve(t, provider.URL)

	for _, authorization := range []string{"", "Bearer tkm_at_unknown.sig"} {
		code, header, refusal := get(t, base+"/messages", authorization)
		challenge := header.Get("WWW-Authenticate")
		if code != http.StatusUnauthorized || !strings.HasPrefix(challenge, `Bearer realm="imservice", resource_metadata="`+base+`/.well-known/oauth-protected-resource"`) {
			t.Fatalf("request with %q: %d %q %v", authorization, code, challenge, refusal)
		}
	}
	_, header, _ := get(t, base+"/messages", "")
	m := resourceMetadata.FindStringSubmatch(header.Get("WWW-Authenticate"))
	if m == nil {
		t.Fatalf("no resource_metadata in %q", header.Get("WWW-Authenticate"))
	}
	code, header, md := get(t, m[1], "")
	want := map[string]any{
		"resource":                          base,
		"authorization_servers":             []any{provider.URL},
		"scopes_supported":                  []any{"im:messages.send", "im:messages.read"},
		"bearer_methods_supported":          []any{"header"},
		"resource_name":                     "TokenIM example IM service",
		"dpop_bound_access_tokens_required": false,
		"dpop_signing_alg_values_supported": []any{"ES256", "ES384", "EdDSA", "RS256", "PS256"},
	}
	if code != http.StatusOK || header.Get("Content-Type") != "application/json" || !reflect.DeepEqual(md, want) {
		t.Fatalf("metadata: %d %q\n%v\nwant\n%v", code, header.Get("Content-Type"), md, want)
	}
	issuer := md["authorization_servers"].([]any)[0].(string)
	code, _, discovery := get(t, issuer+"/.well-known/openid-configuration", "")
	if code != http.StatusOK || discovery["issuer"] != issuer || discovery["authorization_endpoint"] != issuer+"/oauth2/auth" {
		t.Fatalf("discovery: %d %v", code, discovery)
	}
}

// A resource identifier with a path, given with -resource, has its
// metadata at the well-known path followed by that path, and the
// challenges name it at the resource's host.
func TestRunWithAResourcePath(t *testing.T) {
	t.Parallel()
	provider := standIn(t)
	base := serve(t, provider.URL, "-resource", "https://im.example.com/api")
	_, header, _ := get(t, base+"/messages", "")
	if got, want := header.Get("WWW-Authenticate"), `Bearer realm="imservice", resource_metadata="https://im.example.com/.well-known/oauth-protected-resource/api"`; got != want {
		t.Fatalf("challenge %q, want %q", got, want)
	}
	if code, _, md := get(t, base+"/.well-known/oauth-protected-resource/api", ""); code != http.StatusOK || md["resource"] != "https://im.example.com/api" {
		t.Fatalf("metadata: %d %v", code, md)
	}
	if code, header, _ := get(t, base+"/.well-known/oauth-protected-resource", ""); code != http.StatusUnauthorized || header.Get("WWW-Authenticate") == "" {
		t.Fatalf("the path without the resource's is not the metadata: %d", code)
	}
}

// A resource identifier that is not an https URL is refused at start,
// with an error naming it.
func TestRunRefusesAPlainHTTPResource(t *testing.T) {
	t.Parallel()
	err := run(t.Context(), []string{"-listen", "127.0.0.1:0", "-resource", "http://im.example.com"},
		func(k string) (string, bool) { return "s3cret", k == secretEnv }, io.Discard, hooks{})
	if err == nil || !strings.Contains(err.Error(), `resource: "http://im.example.com" must use https`) {
		t.Fatalf("error %v", err)
	}
}
