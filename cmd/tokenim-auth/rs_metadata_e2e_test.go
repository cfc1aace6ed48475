package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/rs"
)

// resourceMetadataParam reads resource_metadata from a challenge.
var resourceMetadataParam = regexp.MustCompile(`resource_metadata="([^"]+)"`)

// getJSON fetches url into v, wanting 200.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// imServiceFor serves an IM API at srv (unstarted), protected by rs for
// the provider at issuer as the resource srv's URL names, with its
// protected-resource metadata: POST /messages needs scope.
func imServiceFor(t *testing.T, srv *httptest.Server, issuer, scope string) {
	t.Helper()
	resource := "http://" + srv.Listener.Addr().String()
	v, err := rs.New(rs.Config{Issuer: issuer, ClientID: "im-gateway", ClientSecret: gatewaySecret,
		Resource: resource, Audience: resource, ResourceName: "IM service", ScopesSupported: []string{scope}})
	if err != nil {
		t.Fatal(err)
	}
	api := http.NewServeMux()
	api.Handle("POST /messages", rs.RequireScope(scope)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})))
	mux := http.NewServeMux()
	mux.Handle(v.MetadataPath(), v.MetadataHandler())
	mux.Handle("/", v.Middleware(api))
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
}

// postMessage posts to service's /messages with the bearer token (none
// when empty) and returns the answer's status and challenge.
func postMessage(t *testing.T, service, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, service+"/messages", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

// TestAgentFindsTheProviderFromAResourceServer goes as an agent (an MCP
// client) does, knowing nothing but an IM service's URL, against the
// running provider: a bare request gets a 401 naming the service's
// protected-resource metadata (RFC 9728); the metadata names the
// provider; the provider's metadata (RFC 8414) has its registration and
// token endpoints; the agent registers itself (RFC 7591, open
// registration for bots) and gets a token for that service alone (RFC
// 8707), which the service accepts and another service of the same
// provider refuses, as not meant for it.
func TestAgentFindsTheProviderFromAResourceServer(t *testing.T) {
	t.Parallel()
	eachDatabase(t, agentFindsTheProvider)
}

// agentFindsTheProvider is TestAgentFindsTheProviderFromAResourceServer
// on the store at dbURL.
func agentFindsTheProvider(t *testing.T, dbURL string) {
	messages, calls := httptest.NewUnstartedServer(nil), httptest.NewUnstartedServer(nil)
	messagesURL, callsURL := "http://"+messages.Listener.Addr().String(), "http://"+calls.Listener.Addr().String()
	p := startProviderClientsConfig(t, map[string]string{"TOKENIM_DATABASE_URL": dbURL}, rsBotClient, fmt.Sprintf(`
resources:
  - uri: %s
    name: IM messages
    scopes: [im:messages.send, im:messages.read]
  - uri: %s
    name: Calls
    scopes: [im:messages.send, im:calls.read]
registration:
  enabled: true
  open: true
  grant_types: [client_credentials]
  token_endpoint_auth_methods: [client_secret_basic]
  scopes: [im:messages.send]
`, messagesURL, callsURL))
	imServiceFor(t, messages, p.issuer, "im:messages.send")
	imServiceFor(t, calls, p.issuer, "im:messages.send")

	status, challenge := postMessage(t, messagesURL, "")
	m := resourceMetadataParam.FindStringSubmatch(challenge)
	if status != http.StatusUnauthorized || m == nil {
		t.Fatalf("a bare request: %d %q, want 401 naming the metadata", status, challenge)
	}
	var meta struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		ScopesSupported      []string `json:"scopes_supported"`
	}
	getJSON(t, m[1], &meta)
	if meta.Resource != messagesURL || len(meta.AuthorizationServers) != 1 || meta.AuthorizationServers[0] != p.issuer {
		t.Fatalf("metadata %+v: want resource %s at provider %s", meta, messagesURL, p.issuer)
	}
	if !slices.Contains(meta.ScopesSupported, "im:messages.send") {
		t.Fatalf("scopes %q: want im:messages.send", meta.ScopesSupported)
	}
	var as struct {
		Issuer               string `json:"issuer"`
		TokenEndpoint        string `json:"token_endpoint"`
		RegistrationEndpoint string `json:"registration_endpoint"`
	}
	getJSON(t, meta.AuthorizationServers[0]+"/.well-known/oauth-authorization-server", &as)
	if as.Issuer != p.issuer || as.TokenEndpoint == "" || as.RegistrationEndpoint == "" {
		t.Fatalf("authorization server metadata %+v: want the provider's, with its token and registration endpoints", as)
	}

	body, _ := json.Marshal(map[string]any{
		"client_name": "Release notes agent", "grant_types": []string{"client_credentials"},
		"token_endpoint_auth_method": "client_secret_basic", "scope": "im:messages.send",
	})
	resp, err := http.Post(as.RegistrationEndpoint, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Scope        string `json:"scope"`
	}
	err = json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated || reg.ClientID == "" || reg.ClientSecret == "" || reg.Scope != "im:messages.send" {
		t.Fatalf("registration: %d %+v %v", resp.StatusCode, reg, err)
	}

	cc := clientcredentials.Config{ClientID: reg.ClientID, ClientSecret: reg.ClientSecret, TokenURL: as.TokenEndpoint,
		Scopes: []string{"im:messages.send"}, AuthStyle: oauth2.AuthStyleInHeader,
		EndpointParams: url.Values{"resource": {meta.Resource}}}
	tok, err := cc.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if status, challenge := postMessage(t, messagesURL, tok.AccessToken); status != http.StatusCreated {
		t.Fatalf("the service the token is for: %d %q, want 201", status, challenge)
	}
	if status, challenge := postMessage(t, callsURL, tok.AccessToken); status != http.StatusUnauthorized || !strings.Contains(challenge, "not meant for this resource server") {
		t.Fatalf("another service: %d %q, want 401 invalid_token: not meant for it", status, challenge)
	}
}
