package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
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

// TestAgentFindsTheProviderFromAResourceServer goes as an agent (an MCP
// client) does, against the running provider: a bare request to an IM
// service protected by rs gets a 401 naming the service's protected-
// resource metadata (RFC 9728); the metadata names the provider; the
// provider's discovery document has the token endpoint; a token from it
// for a scope the service lists is accepted.
func TestAgentFindsTheProviderFromAResourceServer(t *testing.T) {
	t.Parallel()
	p := startRSProvider(t, "memory")
	srv := httptest.NewUnstartedServer(nil)
	resource := "http://" + srv.Listener.Addr().String()
	v, err := rs.New(rs.Config{Issuer: p.issuer, ClientID: "im-gateway", ClientSecret: gatewaySecret,
		Resource: resource, ResourceName: "IM messages", ScopesSupported: []string{"im:messages.send", "im:messages.read"}})
	if err != nil {
		t.Fatal(err)
	}
	api := http.NewServeMux()
	api.Handle("POST /messages", rs.RequireScope("im:messages.send")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})))
	mux := http.NewServeMux()
	mux.Handle(v.MetadataPath(), v.MetadataHandler())
	mux.Handle("/", v.Middleware(api))
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)

	resp, err := http.Post(resource+"/messages", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	m := resourceMetadataParam.FindStringSubmatch(resp.Header.Get("WWW-Authenticate"))
	if resp.StatusCode != http.StatusUnauthorized || m == nil {
		t.Fatalf("a bare request: %d %q, want 401 naming the metadata", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	var meta struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		ScopesSupported      []string `json:"scopes_supported"`
	}
	getJSON(t, m[1], &meta)
	if meta.Resource != resource || len(meta.AuthorizationServers) != 1 || meta.AuthorizationServers[0] != p.issuer {
		t.Fatalf("metadata %+v: want resource %s at provider %s", meta, resource, p.issuer)
	}
	var discovery struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	getJSON(t, meta.AuthorizationServers[0]+"/.well-known/openid-configuration", &discovery)
	if discovery.Issuer != p.issuer || discovery.TokenEndpoint == "" {
		t.Fatalf("discovery %+v: want the provider's, with its token endpoint", discovery)
	}
	if !slices.Contains(meta.ScopesSupported, "im:messages.send") {
		t.Fatalf("scopes %q: want im:messages.send", meta.ScopesSupported)
	}
	// The token from the endpoint discovery named (the bot is registered;
	// registering dynamically comes with RFC 7591).
	cc := clientcredentials.Config{ClientID: "im-bot", ClientSecret: gatewaySecret, TokenURL: discovery.TokenEndpoint,
		Scopes: []string{"im:messages.send"}, AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	token := tok.AccessToken
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, resource+"/messages", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("with the provider's token: %d, want 201", resp.StatusCode)
	}
}
