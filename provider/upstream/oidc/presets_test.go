package oidc_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc"
)

// fakeOP serves the metadata a preset's provider publishes (issuer as it
// writes it, e.g. Entra's "{tenantid}" template), its JWKS, and a token
// endpoint answering with an ID token of the test's claims.
type fakeOP struct {
	srv    *httptest.Server
	key    *ecdsa.PrivateKey
	mu     sync.Mutex
	claims map[string]any
	form   url.Values // the last token request
}

func startFake(t *testing.T, issuerPath string) *fakeOP {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOP{key: key}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	base := f.srv.URL
	mux.HandleFunc("GET "+issuerPath+"/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer": base + strings.Replace(issuerPath, "/common/", "/{tenantid}/", 1), "authorization_endpoint": base + "/authorize",
			"token_endpoint": base + "/token", "jwks_uri": base + "/keys", "response_types_supported": []string{"code"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_post"}, "id_token_signing_alg_values_supported": []string{"ES256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "ES256", Use: "sig"}}})
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		f.mu.Lock()
		f.form = r.PostForm
		claims := f.claims
		f.mu.Unlock()
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		idt, err := jwt.Signed(signer).Claims(claims).Serialize()
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		writeJSON(w, map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": idt})
	})
	return f
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// answer sets the next ID token's claims: the standard ones for client
// "tokenim" and nonce, plus extra.
func (f *fakeOP) answer(iss, nonce string, extra map[string]any) {
	now := time.Now()
	c := map[string]any{"iss": iss, "aud": "tokenim", "sub": "u-1", "nonce": nonce, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for k, v := range extra {
		c[k] = v
	}
	f.mu.Lock()
	f.claims = c
	f.mu.Unlock()
}

func TestEntraMultiTenantIssuer(t *testing.T) {
	t.Parallel()
	const t1, t2 = "11111111-2222-3333-4444-555555555555", "99999999-8888-7777-6666-555555555555"
	f := startFake(t, "/common/v2.0")
	iss := func(tid string) string { return f.srv.URL + "/" + tid + "/v2.0" }
	newConn := func(tenants ...string) *oidc.Connector {
		return connector(t, f.srv.URL+"/common/v2.0", &clock{}, func(c *oidc.Config) {
			c.Preset, c.Tenant, c.Tenants, c.UserInfo = oidc.Entra, "common", tenants, false
		})
	}
	finish := func(c *oidc.Connector, issuer string, extra map[string]any) (upstream.Identity, error) {
		fl := newFlow()
		f.answer(issuer, fl.nonce, extra)
		return c.Finish(t.Context(), "code", fl.verifier, fl.nonce)
	}
	c := newConn()
	id, err := finish(c, iss(t1), map[string]any{"tid": t1, "email": "bob@contoso.example"})
	if err != nil {
		t.Fatal(err)
	}
	// Entra's email is not verified unless xms_edov says so (nOAuth).
	if id.Email != "bob@contoso.example" || id.EmailVerified {
		t.Fatalf("identity %+v: want the email, unverified", id)
	}
	id, err = finish(c, iss(t1), map[string]any{"tid": t1, "email": "bob@contoso.example", "xms_edov": true})
	if err != nil || !id.EmailVerified {
		t.Fatalf("with xms_edov: %+v %v", id, err)
	}
	for name, tc := range map[string]struct {
		iss   string
		extra map[string]any
		words string
	}{
		"iss of another tenant than tid": {iss(t2), map[string]any{"tid": t1}, "is not tenant"},
		"no tid":                         {iss(t1), nil, "tid"},
		"tid with a slash":               {iss(t1), map[string]any{"tid": t1 + "/x"}, "tid"},
		"template itself":                {f.srv.URL + "/{tenantid}/v2.0", map[string]any{"tid": "{tenantid}"}, "tid"},
		"another issuer altogether":      {"https://evil.example/" + t1 + "/v2.0", map[string]any{"tid": t1}, "is not tenant"},
	} {
		_, err := finish(c, tc.iss, tc.extra)
		if !strings.Contains(errString(err), tc.words) || !isRefused(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Tenants restricts which tenants may sign in.
	only := newConn(t1)
	if _, err := finish(only, iss(t1), map[string]any{"tid": t1}); err != nil {
		t.Fatal(err)
	}
	_, err = finish(only, iss(t2), map[string]any{"tid": t2})
	wantErr(t, err, upstream.ErrRefused, "may not sign in")
	// The authorization response's iss may be any tenant's, not another host's.
	if _, err := c.CheckCallback(t.Context(), url.Values{"code": {"c"}, "iss": {iss(t2)}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CheckCallback(t.Context(), url.Values{"code": {"c"}, "iss": {"https://evil.example/" + t2 + "/v2.0"}})
	wantErr(t, err, upstream.ErrRefused, "mix-up")
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func isRefused(err error) bool {
	return err != nil && strings.Contains(err.Error(), upstream.ErrRefused.Error())
}

func TestEntraSingleTenantNeedsExactIssuer(t *testing.T) {
	t.Parallel()
	const tid = "11111111-2222-3333-4444-555555555555"
	f := startFake(t, "/"+tid+"/v2.0")
	c := connector(t, f.srv.URL+"/"+tid+"/v2.0", &clock{}, func(c *oidc.Config) {
		c.Preset, c.Tenant, c.UserInfo = oidc.Entra, tid, false
	})
	fl := newFlow()
	f.answer(f.srv.URL+"/99999999-8888-7777-6666-555555555555/v2.0", fl.nonce, map[string]any{"tid": "99999999-8888-7777-6666-555555555555"})
	_, err := c.Finish(t.Context(), "code", fl.verifier, fl.nonce)
	wantErr(t, err, upstream.ErrRefused, "different provider")
}

// TestAppleDefaultScopes: left to its defaults, Sign in with Apple asks
// for name and email (Apple refuses profile), answered by form_post.
func TestAppleDefaultScopes(t *testing.T) {
	t.Parallel()
	f := startFake(t, "")
	teamKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c := connector(t, f.srv.URL, &clock{}, func(c *oidc.Config) {
		c.Preset, c.ClientID, c.ClientSecret = oidc.Apple, "tokenim", ""
		c.Apple = &oidc.AppleKey{TeamID: "TEAM123456", KeyID: "KEY1234567", Key: teamKey}
	})
	fl := newFlow()
	u, err := c.AuthCodeURL(t.Context(), fl.state, fl.nonce, fl.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(u, "scope=openid+name+email") || strings.Contains(u, "profile") || !strings.Contains(u, "response_mode=form_post") {
		t.Fatalf("Apple's authorization URL %s: want scope openid name email, form_post", u)
	}
}

func TestAppleClientSecretAndStringEmailVerified(t *testing.T) {
	t.Parallel()
	f := startFake(t, "")
	teamKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	c := connector(t, f.srv.URL, clk, func(c *oidc.Config) {
		c.Preset, c.ClientID, c.ClientSecret = oidc.Apple, "tokenim", ""
		c.Scopes = []string{"name", "email"}
		c.Apple = &oidc.AppleKey{TeamID: "TEAM123456", KeyID: "KEY1234567", Key: teamKey}
	})
	fl := newFlow()
	u, err := c.AuthCodeURL(t.Context(), fl.state, fl.nonce, fl.verifier)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(u, "response_mode=form_post") {
		t.Fatalf("Apple with name/email scopes wants form_post: %s", u)
	}
	f.answer(f.srv.URL, fl.nonce, map[string]any{"email": "x1@privaterelay.appleid.com", "email_verified": "true", "is_private_email": "true"})
	id, err := c.Finish(t.Context(), "code", fl.verifier, fl.nonce)
	if err != nil {
		t.Fatal(err)
	}
	if id.Email != "x1@privaterelay.appleid.com" || !id.EmailVerified {
		t.Fatalf("identity %+v: want the email, verified", id)
	}
	f.mu.Lock()
	secret := f.form.Get("client_secret")
	f.mu.Unlock()
	tok, err := jwt.ParseSigned(secret, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatalf("client_secret %q: %v", secret, err)
	}
	if tok.Headers[0].KeyID != "KEY1234567" {
		t.Errorf("kid %q", tok.Headers[0].KeyID)
	}
	var claims jwt.Claims
	if err := tok.Claims(&teamKey.PublicKey, &claims); err != nil {
		t.Fatal(err)
	}
	if err := claims.ValidateWithLeeway(jwt.Expected{Issuer: "TEAM123456", Subject: "tokenim", AnyAudience: jwt.Audience{"https://appleid.apple.com"}, Time: clk.now()}, 0); err != nil {
		t.Fatal(err)
	}
	if life := claims.Expiry.Time().Sub(claims.IssuedAt.Time()); life <= 0 || life > 10*time.Minute {
		t.Errorf("client secret lives %v", life)
	}
	// email_verified "false" is false.
	fl = newFlow()
	f.answer(f.srv.URL, fl.nonce, map[string]any{"email": "x1@privaterelay.appleid.com", "email_verified": "false"})
	if id, err := c.Finish(t.Context(), "code", fl.verifier, fl.nonce); err != nil || id.EmailVerified {
		t.Fatalf("%+v %v", id, err)
	}
}

func TestPresetConfig(t *testing.T) {
	t.Parallel()
	base := oidc.Config{ID: "x", ClientID: "c", ClientSecret: "s", RedirectURL: redirectURI}
	for name, tc := range map[string]struct {
		change func(*oidc.Config)
		ok     bool
	}{
		"google":               {func(c *oidc.Config) { c.Preset = oidc.Google }, true},
		"entra without tenant": {func(c *oidc.Config) { c.Preset = oidc.Entra }, false},
		"entra tenant path":    {func(c *oidc.Config) { c.Preset, c.Tenant = oidc.Entra, "a/../b" }, false},
		"apple without key":    {func(c *oidc.Config) { c.Preset = oidc.Apple }, false},
		"okta without issuer":  {func(c *oidc.Config) { c.Preset = oidc.Okta }, false},
		"unknown preset":       {func(c *oidc.Config) { c.Preset = "myspace" }, false},
		"HS256 allowed":        {func(c *oidc.Config) { c.Preset, c.SigningAlgs = oidc.Google, []string{"HS256"} }, false},
	} {
		cfg := base
		tc.change(&cfg)
		if _, err := oidc.New(cfg); (err == nil) != tc.ok {
			t.Errorf("%s: %v", name, err)
		}
	}
}
