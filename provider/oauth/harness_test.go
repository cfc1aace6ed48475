package oauth_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/devicecode"
	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

const systemSecret = "test-system-secret-0123456789abcdef"

// harness is a provider serving real HTTP on loopback over a store.
type harness struct {
	t      testing.TB
	store  storage.Store
	hasher secret.Hasher
	srv    *httptest.Server
	p      *oauth.Provider
}

// backends are the stores every provider test runs against.
func backends() map[string]func(t *testing.T) storage.Store {
	return map[string]func(t *testing.T) storage.Store{
		"memory":   func(*testing.T) storage.Store { return memory.New() },
		"postgres": func(t *testing.T) storage.Store { return pgtest.Open(t) },
	}
}

// eachBackend runs fn once per storage backend.
func eachBackend(t *testing.T, fn func(t *testing.T, h *harness)) {
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, newHarness(t, open(t)))
		})
	}
}

// newHarness serves a provider over store; each option may change its
// configuration.
func newHarness(t testing.TB, store storage.Store, options ...func(*oauth.Config)) *harness {
	t.Helper()
	ring, err := secret.NewKeyring(systemSecret)
	if err != nil {
		t.Fatal(err)
	}
	km, err := keys.New(keys.Config{Store: store, SealKey: ring.Derive(secret.PurposeSigningKeys), Algorithm: keys.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if err := km.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, store: store, hasher: secret.NewHasher(ring)}
	mux := http.NewServeMux()
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	codes, err := devicecode.NewKeyed(ring.Derive(secret.PurposeDeviceCodes))
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth.Config{
		DeviceCodes:           codes,
		Issuer:                h.srv.URL,
		AuthorizeCodeLifespan: time.Minute,
		AccessTokenLifespan:   time.Hour,
		RefreshTokenLifespan:  24 * time.Hour,
		IDTokenLifespan:       time.Hour,
		TokenKey:              ring.Derive(secret.PurposeTokens),
		Hasher:                h.hasher,
		Keys:                  km,
		Store:                 store,
	}
	for _, o := range options {
		o(&cfg)
	}
	p, err := oauth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.Mount(mux)
	h.p = p
	return h
}

func (h *harness) url(path string) string { return h.srv.URL + path }

// addClient registers a client and returns its secret (empty for public
// and private_key_jwt clients).
func (h *harness) addClient(c storage.Client) string {
	h.t.Helper()
	var s string
	if c.Type != storage.ClientPublic && c.TokenEndpointAuthMethod != "private_key_jwt" {
		s = secret.NewClientSecret()
		c.Secrets = []storage.ClientSecret{{ID: c.ID + "-1", Hash: h.hasher.Hash(s), Prefix: secret.Prefix(s), CreatedAt: time.Now()}}
	}
	if c.TokenEndpointAuthMethod == "" {
		c.TokenEndpointAuthMethod = "client_secret_basic"
		if c.Type == storage.ClientPublic {
			c.TokenEndpointAuthMethod = "none"
		}
	}
	if err := h.store.CreateClient(h.t.Context(), c); err != nil {
		h.t.Fatal(err)
	}
	return s
}

// bot registers a confidential client-credentials client.
func (h *harness) bot(id string, scopes ...string) string {
	return h.addClient(storage.Client{ID: id, Name: id, Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"}, Scopes: scopes})
}

// resourceServer registers a resource server.
func (h *harness) resourceServer(id string) string {
	return h.addClient(storage.Client{ID: id, Name: id, Type: storage.ClientResourceServer, GrantTypes: []string{"client_credentials"}})
}

// reply is a decoded JSON response.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r reply) str(key string) string {
	s, _ := r.body[key].(string)
	return s
}

// post sends a form, with HTTP Basic credentials when user is not empty,
// and the DPoP proofs given, each as its own header.
func (h *harness) post(path string, form url.Values, user, pass string, dpopProofs ...string) reply {
	h.t.Helper()
	req, err := http.NewRequestWithContext(h.t.Context(), http.MethodPost, h.url(path), strings.NewReader(form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	for _, p := range dpopProofs {
		req.Header.Add("DPoP", p)
	}
	return h.do(req)
}

func (h *harness) do(req *http.Request) reply {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			h.t.Fatalf("%s %s: bad JSON %q: %v", req.Method, req.URL.Path, raw, err)
		}
	}
	return r
}

// browse sends a browser's GET to path (with its query) and returns the
// answer without following redirects; the body is closed when t ends.
func (h *harness) browse(t *testing.T, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, h.url(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// wantError checks an RFC 6749 error response.
func wantError(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.status != status || r.str("error") != code {
		t.Fatalf("got %d %q (%s), want %d %q", r.status, r.str("error"), r.raw, status, code)
	}
	if r.str("error_description") == "" {
		t.Fatalf("error %q has no error_description: %s", code, r.raw)
	}
}

// introspect asks whether token is active, as the given client.
func (h *harness) introspect(token, user, pass string) reply {
	h.t.Helper()
	return h.post("/oauth2/introspect", url.Values{"token": {token}}, user, pass)
}

func active(r reply) bool {
	a, _ := r.body["active"].(bool)
	return r.status == http.StatusOK && a
}
