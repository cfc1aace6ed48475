package registration_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/registration"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

const issuer = "https://auth.example"

// fixture is an endpoint over a memory store with a clock the test moves.
type fixture struct {
	store   *memory.Store
	tokens  *registration.Tokens
	secrets secret.Hasher
	srv     *httptest.Server
	mu      sync.Mutex
	now     time.Time
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func newFixture(t *testing.T, change func(p *registration.Policy)) *fixture {
	t.Helper()
	f := &fixture{store: memory.New(), now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	ring, err := secret.NewKeyring("registration-test-system-secret-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	records := audit.NewRecorder(audit.RecorderConfig{Store: f.store, Now: f.clock})
	f.tokens = registration.NewTokens(registration.TokensConfig{Store: f.store, Hasher: secret.NewHasherFor(ring, registration.Purpose), Audit: records, Now: f.clock})
	f.secrets = secret.NewHasher(ring)
	p := registration.Policy{
		GrantTypes: []string{"authorization_code", "refresh_token"}, AuthMethods: []string{"none", "client_secret_basic", "private_key_jwt"},
		Scopes:    []string{"openid", "profile", "email", "offline_access"},
		Catalogue: []string{"openid", "profile", "email", "offline_access", "im:messages.read", "im:messages.send"},
	}
	if change != nil {
		change(&p)
	}
	h := registration.New(registration.Config{
		Store: f.store, Tokens: f.tokens, Policy: p, Issuer: issuer, ClientSecrets: f.secrets,
		APIKeys: apikey.Policy{Lifetime: 90 * 24 * time.Hour}, AccessTokens: secret.NewHasherFor(ring, registration.Purpose),
		Audit: records, Now: f.clock,
	})
	mux := http.NewServeMux()
	h.Mount(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// initialToken issues an initial access token good for uses
// registrations in life.
func (f *fixture) initialToken(t *testing.T, life time.Duration, uses int) (string, storage.RegistrationToken) {
	t.Helper()
	plain, rec, err := f.tokens.Create(t.Context(), audit.Actor{Type: audit.ActorCLI}, registration.TokenSpec{Name: "bots", Life: life, Uses: uses})
	if err != nil {
		t.Fatal(err)
	}
	return plain, rec
}

// answer is an endpoint's answer: its status, its JSON body and headers.
type answer struct {
	status int
	body   map[string]any
	header http.Header
}

func (a answer) str(k string) string { s, _ := a.body[k].(string); return s }

func (f *fixture) call(t *testing.T, method, path, token, contentType string, body any) answer {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("%s %s: not JSON: %q", method, path, raw)
		}
	}
	return a
}

func (f *fixture) register(t *testing.T, token string, meta map[string]any) answer {
	t.Helper()
	return f.call(t, http.MethodPost, "/oauth2/register", token, "application/json", meta)
}

// mgmtPath is the path of a registration_client_uri.
func mgmtPath(t *testing.T, a answer) string {
	t.Helper()
	uri := a.str("registration_client_uri")
	path, ok := strings.CutPrefix(uri, issuer)
	if !ok || path != "/oauth2/register/"+a.str("client_id") {
		t.Fatalf("registration_client_uri = %q", uri)
	}
	return path
}

func botMeta() map[string]any {
	return map[string]any{
		"client_name": "Chat bot", "client_uri": "https://bot.example", "redirect_uris": []string{"https://bot.example/cb", "http://127.0.0.1:8123/cb"},
		"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"},
		"token_endpoint_auth_method": "client_secret_basic", "scope": "openid profile",
		"logo_uri": "https://bot.example/logo.png", "contacts": []string{"ops@bot.example"}, "software_id": "chatbot",
		"software_version": "1.2", "x-unknown-member": map[string]any{"ignored": true},
	}
}

func actions(t *testing.T, s storage.Store) []storage.AuditRecord {
	t.Helper()
	recs, err := s.ListAudit(t.Context(), storage.AuditFilter{}, storage.AuditCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// A client registers with an initial access token, reads its
// registration, replaces it (getting a new registration access token, the
// old one dead) and deletes itself; each step is an authorization record
// whose actor is the app.
func TestRegisterReadUpdateDelete(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	iat, iatRec := f.initialToken(t, time.Hour, 1)

	reg := f.register(t, iat, botMeta())
	if reg.status != http.StatusCreated {
		t.Fatalf("register: %d %v", reg.status, reg.body)
	}
	id, secretText, rat := reg.str("client_id"), reg.str("client_secret"), reg.str("registration_access_token")
	if !strings.HasPrefix(id, "dcr-") || !strings.HasPrefix(secretText, secret.ClientSecretPrefix) || !strings.HasPrefix(rat, registration.AccessTokenPrefix) {
		t.Fatalf("client_id %q, client_secret %q, registration_access_token %q", id, secretText, rat)
	}
	if reg.body["client_id_issued_at"] != float64(f.clock().Unix()) || reg.body["client_secret_expires_at"] != float64(f.clock().Add(90*24*time.Hour).Unix()) {
		t.Errorf("issued at %v, secret expires at %v", reg.body["client_id_issued_at"], reg.body["client_secret_expires_at"])
	}
	if reg.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", reg.header.Get("Cache-Control"))
	}
	for k, want := range map[string]string{"client_name": "Chat bot", "client_uri": "https://bot.example", "scope": "openid profile",
		"token_endpoint_auth_method": "client_secret_basic", "logo_uri": "https://bot.example/logo.png", "software_id": "chatbot", "software_version": "1.2"} {
		if got := reg.str(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if _, ok := reg.body["x-unknown-member"]; ok {
		t.Error("an unknown member was echoed")
	}
	c, err := f.store.GetClient(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !c.SelfRegistered() || c.Registration.InitialTokenID != iatRec.ID || c.Type != storage.ClientConfidential || len(c.Secrets) != 1 ||
		f.secrets.Compare(c.Secrets[0].Hash, secretText) != nil || bytes.Contains(c.Registration.AccessTokenHash, []byte(rat)) {
		t.Fatalf("stored client: %+v", c)
	}
	path := mgmtPath(t, reg)

	read := f.call(t, http.MethodGet, path, rat, "", nil)
	if read.status != http.StatusOK || read.str("client_id") != id || read.str("client_secret") != "" || read.str("registration_access_token") != "" ||
		read.str("client_name") != "Chat bot" {
		t.Fatalf("read: %d %v", read.status, read.body)
	}

	meta := botMeta()
	meta["client_id"], meta["client_name"], meta["redirect_uris"] = id, "Chat bot 2", []string{"https://bot.example/callback"}
	f.advance(time.Minute)
	upd := f.call(t, http.MethodPut, path, rat, "application/json", meta)
	if upd.status != http.StatusOK || upd.str("client_name") != "Chat bot 2" || upd.str("client_secret") != "" {
		t.Fatalf("update: %d %v", upd.status, upd.body)
	}
	newRAT := upd.str("registration_access_token")
	if newRAT == "" || newRAT == rat {
		t.Fatalf("the update did not rotate the registration access token: %q", newRAT)
	}
	if a := f.call(t, http.MethodGet, path, rat, "", nil); a.status != http.StatusUnauthorized || a.str("error") != "invalid_token" {
		t.Fatalf("read with the rotated token: %d %v", a.status, a.body)
	}
	c, _ = f.store.GetClient(t.Context(), id)
	if len(c.RedirectURIs) != 1 || c.RedirectURIs[0] != "https://bot.example/callback" || len(c.Secrets) != 1 || f.secrets.Compare(c.Secrets[0].Hash, secretText) != nil {
		t.Fatalf("client after the update: %+v", c)
	}

	if a := f.call(t, http.MethodDelete, path, newRAT, "", nil); a.status != http.StatusNoContent {
		t.Fatalf("delete: %d %v", a.status, a.body)
	}
	if _, err := f.store.GetClient(t.Context(), id); err == nil {
		t.Fatal("the client is still there")
	}
	if a := f.call(t, http.MethodGet, path, newRAT, "", nil); a.status != http.StatusUnauthorized {
		t.Fatalf("read after delete: %d, want 401", a.status)
	}

	byApp := map[string]bool{}
	for _, rec := range actions(t, f.store) {
		if rec.ActorType == audit.ActorClient && rec.ActorID == id && rec.ClientID == id {
			byApp[rec.Action] = true
		}
	}
	for _, want := range []string{audit.AppRegistered, audit.SecretCreated, audit.AppRegistrationUpdated, audit.AppRegistrationDeleted} {
		if !byApp[want] {
			t.Errorf("no %s record by the app (have %v)", want, byApp)
		}
	}
}

// A public client (none) gets no secret; switching to
// client_secret_basic by an update gives it one.
func TestPublicClientGetsNoSecretUntilItTurnsConfidential(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(p *registration.Policy) { p.Open = true })
	meta := map[string]any{"redirect_uris": []string{"http://127.0.0.1/cb", "com.example.bot:/cb"}, "token_endpoint_auth_method": "none"}
	reg := f.register(t, "", meta)
	if reg.status != http.StatusCreated || reg.str("client_secret") != "" || reg.body["client_secret_expires_at"] != nil {
		t.Fatalf("register: %d %v", reg.status, reg.body)
	}
	if reg.str("client_name") != reg.str("client_id") || reg.str("scope") != "openid profile email offline_access" {
		t.Errorf("defaults: name %q, scope %q", reg.str("client_name"), reg.str("scope"))
	}
	meta["client_id"], meta["token_endpoint_auth_method"] = reg.str("client_id"), "client_secret_basic"
	meta["redirect_uris"] = []string{"http://127.0.0.1/cb"}
	upd := f.call(t, http.MethodPut, mgmtPath(t, reg), reg.str("registration_access_token"), "application/json", meta)
	if upd.status != http.StatusOK || !strings.HasPrefix(upd.str("client_secret"), secret.ClientSecretPrefix) {
		t.Fatalf("update: %d %v", upd.status, upd.body)
	}
}

// Registration needs a usable initial access token unless it is open: a
// token past its expiry, its count, or revoked, or a wrong one, is 401
// invalid_token and registers nothing.
func TestInitialAccessTokenRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	count := func() int {
		list, err := f.store.ListClients(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	refused := func(t *testing.T, token, why string) {
		t.Helper()
		before := count()
		a := f.register(t, token, botMeta())
		if a.status != http.StatusUnauthorized || a.str("error") != "invalid_token" || !strings.Contains(a.str("error_description"), why) ||
			!strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Bearer ") {
			t.Fatalf("got %d %v (%q), want 401 invalid_token saying %q", a.status, a.body, a.header.Get("WWW-Authenticate"), why)
		}
		if count() != before {
			t.Fatal("a refused registration stored a client")
		}
	}
	t.Run("none", func(t *testing.T) { refused(t, "", "required") })
	t.Run("wrong", func(t *testing.T) { refused(t, registration.InitialTokenPrefix+"AAAAAAAAAAAAnot-a-token", "not valid") })
	single, _ := f.initialToken(t, time.Hour, 1)
	if a := f.register(t, single, botMeta()); a.status != http.StatusCreated {
		t.Fatalf("first use: %d %v", a.status, a.body)
	}
	t.Run("single use, used", func(t *testing.T) { refused(t, single, "used up") })
	t.Run("tampered", func(t *testing.T) { refused(t, single[:len(single)-2]+"xx", "not valid") })
	expiring, _ := f.initialToken(t, time.Hour, 5)
	revoked, rec := f.initialToken(t, time.Hour, 5)
	if err := f.tokens.Revoke(t.Context(), audit.Actor{Type: audit.ActorCLI}, rec.ID); err != nil {
		t.Fatal(err)
	}
	t.Run("revoked", func(t *testing.T) { refused(t, revoked, "revoked") })
	f.advance(time.Hour)
	t.Run("expired", func(t *testing.T) { refused(t, expiring, "expired") })
}

// Parallel registrations with one multi-use token: exactly its count
// succeed.
func TestMultiUseTokenCountsDownUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	token, _ := f.initialToken(t, time.Hour, 3)
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() { statuses[i] = f.register(t, token, botMeta()).status })
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusUnauthorized:
		default:
			t.Errorf("status %d", s)
		}
	}
	if created != 3 {
		t.Fatalf("%d registrations with a 3-use token, want 3 (%v)", created, statuses)
	}
}

// Open registration needs no token; a presented token must still be
// good.
func TestOpenRegistration(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(p *registration.Policy) { p.Open = true })
	if a := f.register(t, "", botMeta()); a.status != http.StatusCreated {
		t.Fatalf("open registration: %d %v", a.status, a.body)
	}
	if a := f.register(t, "tkm_iat_nonsense-token-value", botMeta()); a.status != http.StatusUnauthorized {
		t.Fatalf("open registration with a bad token: %d, want 401", a.status)
	}
}

// A refusal names the field at fault with the error RFC 7591 section
// 3.2.2 gives it.
func TestPolicyRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(p *registration.Policy) { p.Open = true })
	with := func(k string, v any) map[string]any {
		m := botMeta()
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name  string
		meta  any
		code  string
		field string
	}{
		{"http redirect URI on a public host", with("redirect_uris", []string{"http://bot.example/cb"}), "invalid_redirect_uri", "redirect_uris[0]"},
		{"wildcard redirect URI", with("redirect_uris", []string{"https://bot.example/*"}), "invalid_redirect_uri", "redirect_uris[0]"},
		{"fragment in a redirect URI", with("redirect_uris", []string{"https://bot.example/cb#x"}), "invalid_redirect_uri", "redirect_uris[0]"},
		{"redirect URI off the client_uri host", with("redirect_uris", []string{"https://bot.example/cb", "https://evil.example/cb"}), "invalid_redirect_uri", "redirect_uris[1]"},
		{"custom scheme for a confidential client", with("redirect_uris", []string{"com.example.bot:/cb"}), "invalid_redirect_uri", "redirect_uris[0]"},
		{"no redirect URI for the code grant", with("redirect_uris", nil), "invalid_redirect_uri", "redirect_uris"},
		{"redirect_uris not a list", with("redirect_uris", "https://bot.example/cb"), "invalid_redirect_uri", "redirect_uris"},
		{"grant type not open", with("grant_types", []string{"client_credentials"}), "invalid_client_metadata", "grant_types"},
		{"auth method not open", with("token_endpoint_auth_method", "client_secret_post"), "invalid_client_metadata", "token_endpoint_auth_method"},
		{"unknown auth method", with("token_endpoint_auth_method", "tls_client_auth"), "invalid_client_metadata", "token_endpoint_auth_method"},
		{"unknown scope", with("scope", "openid im:everything"), "invalid_client_metadata", "scope"},
		{"the admin scope is not in the catalogue", with("scope", "admin"), "invalid_client_metadata", "scope"},
		{"implicit response type", with("response_types", []string{"token"}), "invalid_client_metadata", "response_types"},
		{"logo on another host", with("logo_uri", "https://cdn.example/logo.png"), "invalid_client_metadata", "logo_uri"},
		{"tos over http", with("tos_uri", "http://bot.example/tos"), "invalid_client_metadata", "tos_uri"},
		{"keys by value", with("jwks", map[string]any{"keys": []any{}}), "invalid_client_metadata", "jwks"},
		{"name too long", with("client_name", strings.Repeat("n", 101)), "invalid_client_metadata", "client_name"},
		{"contacts not strings", with("contacts", []any{1}), "invalid_client_metadata", "contacts"},
		{"dpop_bound_access_tokens not a boolean", with("dpop_bound_access_tokens", "yes"), "invalid_client_metadata", "dpop_bound_access_tokens"},
		{"a NUL in a name", with("client_name", "bot\x00"), "invalid_client_metadata", "client_name"},
		{"not an object", "[1,2]", "invalid_client_metadata", ""},
		{"not JSON", "{", "invalid_client_metadata", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var a answer
			if s, ok := tc.meta.(string); ok {
				a = f.call(t, http.MethodPost, "/oauth2/register", "", "application/json", s)
			} else {
				a = f.register(t, "", tc.meta.(map[string]any))
			}
			if a.status != http.StatusBadRequest || a.str("error") != tc.code || !strings.HasPrefix(a.str("error_description"), tc.field) {
				t.Fatalf("got %d %v, want 400 %s naming %q", a.status, a.body, tc.code, tc.field)
			}
		})
	}
}

// The endpoint takes JSON only, of a bounded size.
func TestJSONOnlyAndBounded(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(p *registration.Policy) { p.Open = true })
	raw, _ := json.Marshal(botMeta())
	if a := f.call(t, http.MethodPost, "/oauth2/register", "", "application/x-www-form-urlencoded", string(raw)); a.status != http.StatusBadRequest || a.str("error") != "invalid_client_metadata" {
		t.Fatalf("form content type: %d %v", a.status, a.body)
	}
	if a := f.call(t, http.MethodPost, "/oauth2/register", "", "application/json; charset=utf-8", string(raw)); a.status != http.StatusCreated {
		t.Fatalf("JSON with a charset: %d %v", a.status, a.body)
	}
	big := `{"client_name":"` + strings.Repeat("a", registration.DefaultMaxBody) + `"}`
	if a := f.call(t, http.MethodPost, "/oauth2/register", "", "application/json", big); a.status != http.StatusRequestEntityTooLarge || a.str("error") != "invalid_client_metadata" {
		t.Fatalf("large body: %d %v", a.status, a.body)
	}
}

// A write scope of the catalogue waits for an administrator's approval;
// once approved it stays while the client asks for it in updates.
func TestWriteScopesWaitForApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(p *registration.Policy) { p.Open = true })
	meta := botMeta()
	meta["scope"] = "openid im:messages.send"
	reg := f.register(t, "", meta)
	if reg.status != http.StatusCreated || reg.str("scope") != "openid" || reg.str("scope_pending_approval") != "im:messages.send" {
		t.Fatalf("register: %d %v", reg.status, reg.body)
	}
	id := reg.str("client_id")
	c, _ := f.store.GetClient(t.Context(), id)
	if len(c.RequestedScopes) != 1 || c.RequestedScopes[0] != "im:messages.send" {
		t.Fatalf("requested scopes %v", c.RequestedScopes)
	}
	// An administrator approves (what the console's approval does).
	if _, err := f.store.UpdateClient(t.Context(), id, func(c storage.Client) (storage.Client, error) {
		c.Scopes, c.RequestedScopes = append(c.Scopes, c.RequestedScopes...), nil
		return c, nil
	}); err != nil {
		t.Fatal(err)
	}
	meta["client_id"], meta["scope"] = id, "openid im:messages.send im:messages.read"
	upd := f.call(t, http.MethodPut, mgmtPath(t, reg), reg.str("registration_access_token"), "application/json", meta)
	if upd.status != http.StatusOK || upd.str("scope") != "openid im:messages.send" || upd.str("scope_pending_approval") != "im:messages.read" {
		t.Fatalf("update: %d %v", upd.status, upd.body)
	}
}

// Management needs the client's own registration access token: another
// client's, none, or one for a client an administrator made is 401, and
// an update must name the client and may not change its ID.
func TestManagementRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(p *registration.Policy) { p.Open = true })
	a, b := f.register(t, "", botMeta()), f.register(t, "", botMeta())
	if err := f.store.CreateClient(t.Context(), storage.Client{ID: "admin-made", Name: "x", Type: storage.ClientPublic}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ path, token string }{
		"another client's token":       {mgmtPath(t, a), b.str("registration_access_token")},
		"no token":                     {mgmtPath(t, a), ""},
		"a client not self-registered": {"/oauth2/register/admin-made", a.str("registration_access_token")},
		"an unknown client":            {"/oauth2/register/nobody", a.str("registration_access_token")},
	} {
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			if got := f.call(t, m, c.path, c.token, "application/json", botMeta()); got.status != http.StatusUnauthorized || got.str("error") != "invalid_token" {
				t.Errorf("%s, %s: %d %v, want 401 invalid_token", name, m, got.status, got.body)
			}
		}
	}
	meta := botMeta()
	meta["client_id"] = b.str("client_id")
	if got := f.call(t, http.MethodPut, mgmtPath(t, a), a.str("registration_access_token"), "application/json", meta); got.status != http.StatusBadRequest ||
		!strings.HasPrefix(got.str("error_description"), "client_id") {
		t.Errorf("update naming another client: %d %v", got.status, got.body)
	}
	meta["client_id"], meta["client_secret"] = a.str("client_id"), "tkm_cs_wrong"
	if got := f.call(t, http.MethodPut, mgmtPath(t, a), a.str("registration_access_token"), "application/json", meta); got.status != http.StatusBadRequest ||
		!strings.HasPrefix(got.str("error_description"), "client_secret") {
		t.Errorf("update with a wrong secret: %d %v", got.status, got.body)
	}
}

// An initial access token's spec is bounded.
func TestTokenSpecBounds(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	for name, spec := range map[string]registration.TokenSpec{
		"no life":       {Uses: 1},
		"too long":      {Life: registration.MaxTokenLife + time.Hour, Uses: 1},
		"no uses":       {Life: time.Hour},
		"too many uses": {Life: time.Hour, Uses: registration.MaxTokenUses + 1},
		"control name":  {Name: "a\nb", Life: time.Hour, Uses: 1},
	} {
		if _, _, err := f.tokens.Create(t.Context(), audit.Actor{Type: audit.ActorCLI}, spec); err != registration.ErrTokenSpec {
			t.Errorf("%s: %v, want ErrTokenSpec", name, err)
		}
	}
	plain, rec, err := f.tokens.Create(t.Context(), audit.Actor{Type: audit.ActorUser, ID: "u1"}, registration.TokenSpec{Name: " CI ", Life: time.Hour, Uses: 2})
	if err != nil || !strings.HasPrefix(plain, rec.Prefix) || rec.Name != "CI" || rec.MaxUses != 2 || rec.CreatedBy != "user:u1" || bytes.Contains(rec.Hash, []byte(plain)) {
		t.Fatalf("created %q %+v, %v", plain, rec, err)
	}
}
