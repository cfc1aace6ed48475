package rs_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

// getMetadata asks h for the metadata with method and returns the answer.
func getMetadata(t *testing.T, h http.Handler, method string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), method, "/.well-known/oauth-protected-resource", nil))
	return rec
}

func TestMetadataDocument(t *testing.T) {
	t.Parallel()
	p := newFakeProvider(t)
	c := newClock()
	for _, tc := range []struct {
		name string
		cfg  rs.Config
		want map[string]any
	}{
		{"every field", rs.Config{
			Resource:               "https://im.example.com",
			ScopesSupported:        []string{"im:messages.read", "im:messages.send"},
			ResourceName:           "TokenIM messages",
			ResourceDocumentation:  "https://docs.example.com/im",
			BearerMethodsSupported: []string{"header"},
		}, map[string]any{
			"resource":                          "https://im.example.com",
			"authorization_servers":             []any{p.srv.URL},
			"scopes_supported":                  []any{"im:messages.read", "im:messages.send"},
			"bearer_methods_supported":          []any{"header"},
			"resource_name":                     "TokenIM messages",
			"resource_documentation":            "https://docs.example.com/im",
			"dpop_bound_access_tokens_required": false,
			"dpop_signing_alg_values_supported": []any{"ES256", "ES384", "EdDSA", "RS256", "PS256"},
		}},
		{"the resource alone: the header is the bearer method, the optional fields are left out", rs.Config{
			Resource: "https://im.example.com/api",
		}, map[string]any{
			"resource":                          "https://im.example.com/api",
			"authorization_servers":             []any{p.srv.URL},
			"bearer_methods_supported":          []any{"header"},
			"dpop_bound_access_tokens_required": false,
			"dpop_signing_alg_values_supported": []any{"ES256", "ES384", "EdDSA", "RS256", "PS256"},
		}},
		{"an empty list of bearer methods stays empty", rs.Config{
			Resource: "https://im.example.com", BearerMethodsSupported: []string{},
		}, map[string]any{
			"resource":                          "https://im.example.com",
			"authorization_servers":             []any{p.srv.URL},
			"bearer_methods_supported":          []any{},
			"dpop_bound_access_tokens_required": false,
			"dpop_signing_alg_values_supported": []any{"ES256", "ES384", "EdDSA", "RS256", "PS256"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newVerifier(t, p, c, tc.cfg).MetadataHandler()
			rec := getMetadata(t, h, "GET")
			if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Cache-Control") != "public, max-age=3600" {
				t.Fatalf("GET: %d, Content-Type %q, Cache-Control %q", rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Cache-Control"))
			}
			var got map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, rec.Body)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("document\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

func TestMetadataMethods(t *testing.T) {
	t.Parallel()
	h := newVerifier(t, newFakeProvider(t), newClock(), rs.Config{Resource: "https://im.example.com"}).MetadataHandler()
	get := getMetadata(t, h, "GET")
	head := getMetadata(t, h, "HEAD")
	if head.Code != 200 || head.Body.Len() != 0 || head.Header().Get("Content-Type") != "application/json" ||
		head.Header().Get("Cache-Control") != "public, max-age=3600" || head.Header().Get("Content-Length") != get.Header().Get("Content-Length") {
		t.Fatalf("HEAD: %d %v %q", head.Code, head.Header(), head.Body)
	}
	if get.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("GET: Access-Control-Allow-Origin %q, want * (a public document)", get.Header().Get("Access-Control-Allow-Origin"))
	}
	pre := httptest.NewRequest("OPTIONS", "/.well-known/oauth-protected-resource", nil)
	pre.Header.Set("Origin", "https://agent.example")
	pre.Header.Set("Access-Control-Request-Method", "GET")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, pre)
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "*" || rec.Header().Get("Access-Control-Allow-Methods") != "GET, HEAD" {
		t.Errorf("preflight: %d %v", rec.Code, rec.Header())
	}
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		rec := getMetadata(t, h, method)
		var body map[string]any
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body["error"] != "invalid_request" {
			t.Errorf("%s: %d, Allow %q, %s", method, rec.Code, rec.Header().Get("Allow"), rec.Body)
		}
	}
}

// The metadata is at the well-known path with the resource's path after
// it (RFC 9728 section 3.1); a mux mounted at MetadataPath serves it.
func TestMetadataPath(t *testing.T) {
	t.Parallel()
	p := newFakeProvider(t)
	c := newClock()
	for _, tc := range []struct {
		resource, path, url string
	}{
		{"https://im.example.com", "/.well-known/oauth-protected-resource", "https://im.example.com/.well-known/oauth-protected-resource"},
		{"https://im.example.com/", "/.well-known/oauth-protected-resource", "https://im.example.com/.well-known/oauth-protected-resource"},
		{"https://im.example.com:8443/api", "/.well-known/oauth-protected-resource/api", "https://im.example.com:8443/.well-known/oauth-protected-resource/api"},
		{"https://im.example.com/api/v1", "/.well-known/oauth-protected-resource/api/v1", "https://im.example.com/.well-known/oauth-protected-resource/api/v1"},
		{"https://im.example.com/team%20chat", "/.well-known/oauth-protected-resource/team%20chat", "https://im.example.com/.well-known/oauth-protected-resource/team%20chat"},
		{"http://127.0.0.1:8090", "/.well-known/oauth-protected-resource", "http://127.0.0.1:8090/.well-known/oauth-protected-resource"},
		{"http://[::1]:8090/im", "/.well-known/oauth-protected-resource/im", "http://[::1]:8090/.well-known/oauth-protected-resource/im"},
		{"http://localhost:8090/im", "/.well-known/oauth-protected-resource/im", "http://localhost:8090/.well-known/oauth-protected-resource/im"},
	} {
		t.Run(tc.resource, func(t *testing.T) {
			t.Parallel()
			v := newVerifier(t, p, c, rs.Config{Resource: tc.resource})
			if v.MetadataPath() != tc.path || v.MetadataURL() != tc.url {
				t.Fatalf("path %q, URL %q; want %q, %q", v.MetadataPath(), v.MetadataURL(), tc.path, tc.url)
			}
			mux := http.NewServeMux()
			mux.Handle(v.MetadataPath(), v.MetadataHandler())
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), "GET", tc.url, nil))
			var doc struct{ Resource string }
			if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.Resource != tc.resource {
				t.Fatalf("GET %s through a mux: %d %s", tc.url, rec.Code, rec.Body)
			}
		})
	}
}

func TestWithoutResource(t *testing.T) {
	t.Parallel()
	v := newVerifier(t, newFakeProvider(t), newClock(), rs.Config{})
	if v.MetadataPath() != "" || v.MetadataURL() != "" {
		t.Fatalf("without a resource: path %q, URL %q", v.MetadataPath(), v.MetadataURL())
	}
	defer func() {
		if recover() == nil {
			t.Fatal("MetadataHandler without a resource did not panic")
		}
	}()
	v.MetadataHandler()
}

// A resource identifier that is not an https URL without query or
// fragment, or that a quoted-string could not carry as it is, is refused
// by New with an error naming the field; so are malformed optional fields.
func TestResourceConfigRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  rs.Config
		want string
	}{
		{"http on a public host", rs.Config{Resource: "http://im.example.com"}, `resource: "http://im.example.com" must use https (http only on a loopback host)`},
		{"another scheme", rs.Config{Resource: "ftp://im.example.com"}, "must use https"},
		{"a relative reference", rs.Config{Resource: "/api"}, "resource: not an absolute URL with a host"},
		{"no host", rs.Config{Resource: "https:///api"}, "resource: not an absolute URL with a host"},
		{"a fragment", rs.Config{Resource: "https://im.example.com/api#x"}, "has a fragment"},
		{"an empty fragment", rs.Config{Resource: "https://im.example.com/api#"}, "has a fragment"},
		{"a query", rs.Config{Resource: "https://im.example.com/api?v=1"}, "has a query"},
		{"an empty query", rs.Config{Resource: "https://im.example.com/api?"}, "has a query"},
		{"user info", rs.Config{Resource: "https://ann@im.example.com"}, "has user info"},
		{"a quote", rs.Config{Resource: `https://im.example.com/a"b`}, "percent-encode it"},
		{"a backslash", rs.Config{Resource: `https://im.example.com/a\b`}, "percent-encode it"},
		{"a space", rs.Config{Resource: "https://im.example.com/team chat"}, "percent-encode it"},
		{"a character beyond ASCII", rs.Config{Resource: "https://im.example.com/café"}, "percent-encode it"},
		{"a control character", rs.Config{Resource: "https://im.example.com/a\r\nX-Evil: 1"}, "percent-encode it"},
		{"a scope with a space", rs.Config{Resource: "https://im.example.com", ScopesSupported: []string{"im:messages.read im:admin"}}, `scopes supported: "im:messages.read im:admin" is not a scope`},
		{"an empty scope", rs.Config{Resource: "https://im.example.com", ScopesSupported: []string{""}}, `scopes supported: "" is not a scope`},
		{"documentation that is not a URL", rs.Config{Resource: "https://im.example.com", ResourceDocumentation: "see the wiki"}, `resource documentation: not an http(s) URL: "see the wiki"`},
		{"an unknown bearer method", rs.Config{Resource: "https://im.example.com", BearerMethodsSupported: []string{"cookie"}}, `bearer methods supported: "cookie" is none of header, body, query`},
		{"metadata fields without a resource", rs.Config{ResourceName: "IM"}, "resource: required when"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.cfg.Issuer, tc.cfg.ClientID, tc.cfg.ClientSecret = "https://auth.example.com", rsID, rsSecret
			_, err := rs.New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// With a Resource, every challenge names the metadata (RFC 9728 section
// 5.1): the 401 without a token or with an invalid one, the 403 for a
// missing scope, the step-up 401 and the 400 for a malformed header.
func TestChallengesNameTheMetadata(t *testing.T) {
	t.Parallel()
	p := newFakeProvider(t)
	c := newClock()
	p.issue("ory_at_send.sig", "user-ann", c.Now().Add(time.Hour), "im:messages.send")
	v := newVerifier(t, p, c, rs.Config{Realm: "im", Resource: "https://im.example.com/api", CacheTTL: rs.NoCache})
	mux := http.NewServeMux()
	mux.Handle("GET /messages", rs.RequireScope("im:messages.read")(http.NotFoundHandler()))
	mux.Handle("POST /messages", rs.RequireAuth(rs.ACRTwoFactors, 0)(http.NotFoundHandler()))
	h := v.Middleware(mux)
	const md = `resource_metadata="https://im.example.com/.well-known/oauth-protected-resource/api"`
	for _, tc := range []struct {
		name, method, authorization string
		status                      int
		challenge                   string
	}{
		{"no token", "GET", "", 401, `Bearer realm="im", ` + md},
		{"an invalid token", "GET", "Bearer ory_at_unknown.sig", 401,
			`Bearer realm="im", ` + md + `, error="invalid_token", error_description="The access token is not valid: the access token is not active: it expired, was revoked or is unknown."`},
		{"a missing scope", "GET", "Bearer ory_at_send.sig", 403,
			`Bearer realm="im", ` + md + `, error="insufficient_scope", error_description="The access token lacks the scope im:messages.read.", scope="im:messages.read"`},
		{"a weak sign-in", "POST", "Bearer ory_at_send.sig", 401,
			`Bearer realm="im", ` + md + `, error="insufficient_user_authentication", error_description="A stronger or more recent sign-in is required: the access token's sign-in has no level (acr), and this request needs acr 2.", acr_values="2"`},
		{"a malformed header", "GET", "Bearer two tokens", 400,
			`Bearer realm="im", ` + md + `, error="invalid_request", error_description="The bearer token is malformed: it must be a single b64token (RFC 6750 section 2.1)."`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := call(t, h, tc.method, tc.authorization)
			if a.status != tc.status || a.challenge != tc.challenge {
				t.Fatalf("%d %q\nwant %d %q", a.status, a.challenge, tc.status, tc.challenge)
			}
		})
	}
}

// resourceMetadataParam reads the resource_metadata parameter of a Bearer
// challenge, as a client does.
var resourceMetadataParam = regexp.MustCompile(`(?:^Bearer |, )resource_metadata="([^"\\]*)"`)

// discover is an agent that knows nothing but a URL of the API: it
// follows the 401's resource_metadata to the metadata, and the metadata's
// first authorization server to its OpenID discovery document, which it
// returns with the resource the metadata named.
func discover(t *testing.T, api string) (resource string, discovery map[string]any) {
	t.Helper()
	getJSON := func(url string, wantStatus int, into any) http.Header {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != wantStatus {
			t.Fatalf("GET %s: %d, want %d", url, resp.StatusCode, wantStatus)
		}
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatalf("GET %s: not JSON: %v", url, err)
		}
		return resp.Header
	}
	var refusal map[string]any
	h := getJSON(api, http.StatusUnauthorized, &refusal)
	m := resourceMetadataParam.FindStringSubmatch(h.Get("WWW-Authenticate"))
	if m == nil {
		t.Fatalf("the 401 names no resource_metadata: %q", h.Get("WWW-Authenticate"))
	}
	var md struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	getJSON(m[1], http.StatusOK, &md)
	if !strings.HasPrefix(api, md.Resource) {
		t.Fatalf("the metadata is of the resource %q, which %q is not part of", md.Resource, api)
	}
	if len(md.AuthorizationServers) == 0 {
		t.Fatal("the metadata names no authorization server")
	}
	issuer := md.AuthorizationServers[0]
	getJSON(strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", http.StatusOK, &discovery)
	if discovery["issuer"] != issuer {
		t.Fatalf("the discovery document is of the issuer %v, not %q (RFC 8414 section 3.3)", discovery["issuer"], issuer)
	}
	return md.Resource, discovery
}

// An agent finds the provider from a bare request to the service.
func TestAgentFindsTheProvider(t *testing.T) {
	t.Parallel()
	p := newFakeProvider(t)
	c := newClock()
	for _, path := range []string{"", "/api"} {
		t.Run("resource path "+path, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewUnstartedServer(nil)
			resource := "http://" + srv.Listener.Addr().String() + path
			v := newVerifier(t, p, c, rs.Config{Resource: resource})
			mux := http.NewServeMux()
			mux.Handle(v.MetadataPath(), v.MetadataHandler())
			mux.Handle("/", service(v))
			srv.Config.Handler = mux
			srv.Start()
			t.Cleanup(srv.Close)

			got, discovery := discover(t, resource+"/messages")
			if got != resource || discovery["jwks_uri"] != p.srv.URL+"/jwks" {
				t.Fatalf("resource %q, discovery %v", got, discovery)
			}
		})
	}
}
