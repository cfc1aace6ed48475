package clientrules

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// catalogue is the scope catalogue of the tests.
var catalogue = []string{"openid", "profile", "admin"}

// web is a valid confidential web app.
func web() Client {
	return Client{
		ID: "web", Name: "Web", Type: TypeConfidential, Secret: strings.Repeat("s", MinSecretLen),
		RedirectURIs: []string{"https://app.example.com/cb"}, PostLogoutRedirectURIs: []string{"https://app.example.com/"},
		Scopes: []string{"openid", "profile"},
	}
}

// native is a valid public app.
func native() Client {
	return Client{ID: "desk", Name: "Desk", Type: TypePublic, RedirectURIs: []string{"com.example.desk:/cb", "http://127.0.0.1/cb"}}
}

// service is a valid resource server.
func service() Client {
	return Client{ID: "svc", Name: "Service", Type: TypeResourceServer, Secret: strings.Repeat("s", MinSecretLen), Scopes: []string{"admin"}}
}

func TestCheckAcceptsValidClients(t *testing.T) {
	t.Parallel()
	window := 10 * time.Second
	for name, c := range map[string]Client{
		"a web app": web(), "a native app": native(), "a resource server": service(),
		"a browser app with a native redirect": func() Client {
			c := native()
			c.AllowedOrigins = []string{"https://spa.example.com", "http://localhost:5173", "HTTPS://Spa.Example.com:443"}
			return c
		}(),
		"a resource server with encrypted introspection answers": func() Client {
			c := service()
			c.JWKSURI, c.IntrospectionSignedResponseAlg = "https://svc.example.com/jwks", "ES256"
			c.IntrospectionEncryptedResponseAlg, c.IntrospectionEncryptedResponseEnc = "RSA-OAEP-256", "A256GCM"
			return c
		}(),
		"every option": func() Client {
			c := web()
			c.Secret, c.TokenEndpointAuthMethod, c.JWKSURI, c.TokenEndpointAuthSigningAlg = "", AuthPrivateKeyJWT, "https://app.example.com/jwks", "PS256"
			c.IDTokenSignedResponseAlg, c.AccessTokenFormat, c.RequirePAR, c.RefreshReuseWindow = "ES256", "jwt", true, &window
			c.BackchannelLogoutURI, c.BackchannelLogoutSessionRequired = "https://app.example.com/logout", true
			c.DPoPBoundAccessTokens = true
			c.GrantTypes = []string{GrantAuthorizationCode, GrantRefreshToken, GrantDeviceCode}
			return c
		}(),
	} {
		if p := Check(c, Options{Scopes: catalogue, Secret: true}); p != nil {
			t.Errorf("%s: %v", name, p)
		}
	}
}

// TestCheckNamesEachField: each thing wrong is one problem naming its
// field (and item), with the words users see.
func TestCheckNamesEachField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		base   func() Client
		modify func(*Client)
		opts   Options
		path   string
		msg    string
	}{
		{"no id", web, func(c *Client) { c.ID = "" }, Options{}, "id", "required"},
		{"an id with a space", web, func(c *Client) { c.ID = "my app" }, Options{}, "id", `may contain only letters, digits and . _ : -, got "my app"`},
		{"no name", web, func(c *Client) { c.Name = "  " }, Options{}, "name", "required: shown to users on the consent page"},
		{"a name too long", web, func(c *Client) { c.Name = strings.Repeat("é", MaxNameLen+1) }, Options{}, "name", "must be at most 100 characters"},
		{"an unknown type", web, func(c *Client) { c.Type = "spa" }, Options{}, "type", `must be one of confidential, public, resource_server, got "spa"`},
		{"a public client with a secret", native, func(c *Client) { c.Secret = "x" }, Options{Secret: true}, "secret", "must be empty for a public client"},
		{"a confidential client without a secret", web, func(c *Client) { c.Secret = "" }, Options{Secret: true}, "secret", "required for a confidential client"},
		{"a short secret", web, func(c *Client) { c.Secret = "short" }, Options{Secret: true}, "secret", "must be at least 32 characters"},
		{"a secret with private_key_jwt", web, func(c *Client) {
			c.TokenEndpointAuthMethod, c.JWKSURI = AuthPrivateKeyJWT, "https://app.example.com/jwks"
		}, Options{Secret: true}, "secret", "must be empty for a client authenticating with private_key_jwt"},
		{"a relative redirect URI", web, func(c *Client) { c.RedirectURIs = append(c.RedirectURIs, "/cb") }, Options{}, "redirect_uris[1]", `must be an absolute URL: "/cb"`},
		{"an http redirect URI", web, func(c *Client) { c.RedirectURIs[0] = "http://app.example.com/cb" }, Options{}, "redirect_uris[0]", "must use https"},
		{"a custom scheme for a confidential client", web, func(c *Client) { c.RedirectURIs[0] = "com.example:/cb" }, Options{}, "redirect_uris[0]", "a custom scheme is allowed only for public clients"},
		{"a custom scheme for a browser app, web only", native, func(c *Client) { c.AllowedOrigins = []string{"https://spa.example.com"} },
			Options{WebOnlyBrowserApps: true}, "redirect_uris[0]", "a custom scheme is allowed only for public clients"},
		{"a post-logout URI with a fragment", web, func(c *Client) { c.PostLogoutRedirectURIs[0] = "https://app.example.com/#x" }, Options{}, "post_logout_redirect_uris[0]", "must not have a fragment"},
		{"an origin with a path", web, func(c *Client) { c.AllowedOrigins = []string{"https://app.example.com/x"} }, Options{}, "allowed_origins[0]", "no path"},
		{"a scope outside the catalogue", web, func(c *Client) { c.Scopes = []string{"openid", "root"} }, Options{}, "scopes[1]", `"root" is not in the scope catalogue`},
		{"an unknown grant", web, func(c *Client) { c.GrantTypes = []string{"password"} }, Options{}, "grant_types[0]", "must be one of"},
		{"client credentials for a public client", native, func(c *Client) { c.GrantTypes = []string{GrantClientCredentials} }, Options{}, "grant_types", "a public client may not use client_credentials"},
		{"a resource server signing users in", service, func(c *Client) { c.GrantTypes = []string{GrantDeviceCode} }, Options{}, "grant_types", "a resource_server client may only use client_credentials"},
		{"refresh tokens without a user", web, func(c *Client) { c.GrantTypes = []string{GrantClientCredentials, GrantRefreshToken} }, Options{}, "grant_types", "refresh_token requires"},
		{"no redirect URI", web, func(c *Client) { c.RedirectURIs = nil }, Options{}, "redirect_uris", "at least one is required for authorization_code"},
		{"pushed requests without authorization code", service, func(c *Client) { c.RequirePAR = true }, Options{}, "require_pushed_authorization_requests", "only for a client using authorization_code"},
		{"DPoP required while DPoP is off", web, func(c *Client) { c.DPoPBoundAccessTokens = true }, Options{DPoPOff: true}, "dpop_bound_access_tokens", "DPoP is turned off on this provider"},
		{"a reuse window too long", web, func(c *Client) { w := 2 * time.Minute; c.RefreshReuseWindow = &w }, Options{}, "refresh_token_reuse_window", "must be between 0s (off) and 1m, got 2m0s"},
		{"an unknown token format", web, func(c *Client) { c.AccessTokenFormat = "paseto" }, Options{}, "access_token_format", "must be one of opaque, jwt"},
		{"an unknown ID token algorithm", web, func(c *Client) { c.IDTokenSignedResponseAlg = "HS256" }, Options{}, "id_token_signed_response_alg", "must be one of RS256, ES256"},
		{"an http back-channel logout URI", web, func(c *Client) { c.BackchannelLogoutURI = "http://app.example.com/logout" }, Options{}, "backchannel_logout_uri", "must use https"},
		{"sid without a logout URI", web, func(c *Client) { c.BackchannelLogoutSessionRequired = true }, Options{}, "backchannel_logout_session_required", "used only with backchannel_logout_uri"},
		{"a public client with a secret method", native, func(c *Client) { c.TokenEndpointAuthMethod = AuthClientSecretBasic }, Options{}, "token_endpoint_auth_method", "must be none for a public client"},
		{"none for a confidential client", web, func(c *Client) { c.TokenEndpointAuthMethod = AuthNone }, Options{}, "token_endpoint_auth_method", "none is only for public clients"},
		{"private_key_jwt without keys", web, func(c *Client) { c.TokenEndpointAuthMethod = AuthPrivateKeyJWT }, Options{}, "jwks_uri", "required for private_key_jwt"},
		{"keys without private_key_jwt", web, func(c *Client) { c.JWKSURI = "https://app.example.com/jwks" }, Options{}, "jwks_uri", "used only with token_endpoint_auth_method private_key_jwt or with introspection_encrypted_response_alg"},
		{"encrypted introspection without keys", service, func(c *Client) { c.IntrospectionEncryptedResponseAlg = "ECDH-ES" }, Options{}, "jwks_uri", "required with introspection_encrypted_response_alg"},
		{"an http jwks_uri for encryption", service, func(c *Client) {
			c.IntrospectionEncryptedResponseAlg, c.JWKSURI = "ECDH-ES", "http://svc.example.com/jwks"
		}, Options{}, "jwks_uri", "must use https"},
		{"RSA1_5 for introspection answers", service, func(c *Client) {
			c.IntrospectionEncryptedResponseAlg, c.JWKSURI = "RSA1_5", "https://svc.example.com/jwks"
		}, Options{}, "introspection_encrypted_response_alg", "must be one of RSA-OAEP-256, ECDH-ES"},
		{"a content encryption without a key management algorithm", service, func(c *Client) { c.IntrospectionEncryptedResponseEnc = "A128GCM" }, Options{},
			"introspection_encrypted_response_enc", "used only with introspection_encrypted_response_alg"},
		{"an unknown content encryption", service, func(c *Client) {
			c.IntrospectionEncryptedResponseAlg, c.IntrospectionEncryptedResponseEnc, c.JWKSURI = "ECDH-ES", "A128CTR", "https://svc.example.com/jwks"
		}, Options{}, "introspection_encrypted_response_enc", "must be one of A128CBC-HS256"},
		{"an HMAC for introspection answers", service, func(c *Client) { c.IntrospectionSignedResponseAlg = "HS256" }, Options{}, "introspection_signed_response_alg", "must be one of RS256, ES256"},
		{"introspection settings for a public client", native, func(c *Client) { c.IntrospectionSignedResponseAlg = "ES256" }, Options{}, "introspection_signed_response_alg", "a public client cannot call the introspection endpoint"},
		{"an assertion algorithm without private_key_jwt", web, func(c *Client) { c.TokenEndpointAuthSigningAlg = "RS256" }, Options{}, "token_endpoint_auth_signing_alg", "used only with"},
		{"an unknown assertion algorithm", web, func(c *Client) {
			c.TokenEndpointAuthMethod, c.JWKSURI, c.TokenEndpointAuthSigningAlg = AuthPrivateKeyJWT, "https://app.example.com/jwks", "HS256"
		}, Options{}, "token_endpoint_auth_signing_alg", "must be one of RS256, PS256, ES256"},
		{"keys over http", web, func(c *Client) {
			c.TokenEndpointAuthMethod, c.JWKSURI = AuthPrivateKeyJWT, "http://app.example.com/jwks"
		}, Options{}, "jwks_uri", "must use https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.base()
			tt.modify(&c)
			tt.opts.Scopes = catalogue
			got := Check(c, tt.opts)
			i := slices.IndexFunc(got, func(p Problem) bool { return p.Path() == tt.path })
			if i < 0 {
				t.Fatalf("no problem with %s: %v", tt.path, got)
			}
			if !strings.Contains(got[i].Message, tt.msg) {
				t.Fatalf("%s: %q, want %q", tt.path, got[i].Message, tt.msg)
			}
			if len(got) != 1 {
				t.Fatalf("want one problem, got %v", got)
			}
		})
	}
}

// TestCheckDevMode: dev mode allows http on any host, for every URI and
// origin, and nothing else.
func TestCheckDevMode(t *testing.T) {
	t.Parallel()
	c := web()
	c.RedirectURIs, c.PostLogoutRedirectURIs = []string{"http://im.dev.example.com/cb"}, []string{"http://im.dev.example.com/"}
	c.AllowedOrigins, c.BackchannelLogoutURI = []string{"http://im.dev.example.com:8080"}, "http://im.dev.example.com/logout"
	if p := Check(c, Options{Dev: true, Scopes: catalogue}); p != nil {
		t.Fatalf("in dev mode: %v", p)
	}
	var paths []string
	for _, p := range Check(c, Options{Scopes: catalogue}) {
		paths = append(paths, p.Path())
	}
	want := []string{"redirect_uris[0]", "post_logout_redirect_uris[0]", "allowed_origins[0]", "backchannel_logout_uri"}
	if !slices.Equal(paths, want) {
		t.Fatalf("outside dev mode: problems with %q, want %q", paths, want)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		typ, method string
		grants      []string
		secret      bool
	}{
		{TypeConfidential, AuthClientSecretBasic, []string{GrantAuthorizationCode, GrantRefreshToken}, true},
		{TypePublic, AuthNone, []string{GrantAuthorizationCode, GrantRefreshToken}, false},
		{TypeResourceServer, AuthClientSecretBasic, []string{GrantClientCredentials}, true},
		{"spa", AuthClientSecretBasic, nil, false},
	} {
		c := Client{Type: tt.typ}
		if got := c.NeedsSecret(); got != tt.secret {
			t.Errorf("%s: needs a secret %v, want %v", tt.typ, got, tt.secret)
		}
		if keys := (Client{Type: tt.typ, TokenEndpointAuthMethod: AuthPrivateKeyJWT}); keys.NeedsSecret() {
			t.Errorf("%s with private_key_jwt needs a secret", tt.typ)
		}
		if got := c.EffectiveAuthMethod(); got != tt.method {
			t.Errorf("%s: method %q, want %q", tt.typ, got, tt.method)
		}
		if got := c.EffectiveGrantTypes(); !slices.Equal(got, tt.grants) {
			t.Errorf("%s: grants %q, want %q", tt.typ, got, tt.grants)
		}
	}
}

func TestCheckOrigin(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{
		"https://App.Example.com:443": "https://app.example.com", "http://localhost:5173": "http://localhost:5173",
		"http://[::1]:5173": "http://[::1]:5173", "null": `"null" is not an origin`, "*": "without a wildcard",
		"https://*.example.com": "without a wildcard", "chrome-extension://abc": "must be an https origin",
		"https://user@app.example.com": "user name or password", "https://app.example.com/": "no path",
		"https://app.example.com?x": "no path, query", "https://app.example.com#x": "or fragment", "http://app.example.com": "must use https",
		"%zz": "not an origin",
	} {
		origin, problem := CheckOrigin(raw, false)
		if got := origin + problem; !strings.Contains(got, want) {
			t.Errorf("CheckOrigin(%q) = %q, %q; want %s", raw, origin, problem, want)
		}
	}
}

func TestNormalOrigins(t *testing.T) {
	t.Parallel()
	got := NormalOrigins([]string{"HTTPS://App.example.com:443", "https://app.example.com", "http://localhost:5173"})
	if want := []string{"https://app.example.com", "http://localhost:5173"}; !slices.Equal(got, want) {
		t.Fatalf("NormalOrigins = %q, want %q", got, want)
	}
}

// FuzzCheckOrigin: an origin passes only as scheme://host[:port], https or
// http on a loopback host, and is kept in the form a browser sends it,
// which passes again unchanged.
func FuzzCheckOrigin(f *testing.F) {
	for _, s := range []string{"https://App.example.com:443", "http://localhost:5173", "null", "https://a.example/x", "http://[::1]:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		origin, problem := CheckOrigin(raw, false)
		if problem != "" {
			if origin != "" {
				t.Fatalf("CheckOrigin(%q) = %q with problem %q", raw, origin, problem)
			}
			return
		}
		if !strings.HasPrefix(origin, "https://") && !strings.HasPrefix(origin, "http://") {
			t.Fatalf("CheckOrigin(%q) = %q: not an http(s) origin", raw, origin)
		}
		again, p := CheckOrigin(origin, false)
		if p != "" || again != origin {
			t.Fatalf("CheckOrigin(%q) = %q, but that gives %q, %q", raw, origin, again, p)
		}
	})
}
