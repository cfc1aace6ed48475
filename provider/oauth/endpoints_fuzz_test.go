package oauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/ory/fosite"
	"golang.org/x/net/http/httpguts"

	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

// The fuzz targets below send each input to a real provider on loopback,
// built once per target (per fuzzing process) over the memory store.

// annSignedIn is a browser where ann, a member, signed in with a
// password a minute ago.
type annSignedIn struct{ session.Signed }

func (s annSignedIn) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	return s.Signed, true, nil
}

// signInAnn stores ann and her browser session.
func signInAnn(t testing.TB, store storage.Store) annSignedIn {
	now := time.Now()
	s := annSignedIn{session.Signed{
		User:    storage.User{ID: "u-ann", Email: "ann@example.com", Name: "Ann", Role: "member", Status: storage.UserActive, CreatedAt: now},
		Session: storage.LoginSession{ID: "ls-ann", UserID: "u-ann", AuthTime: now, AMR: []string{"pwd"}, ACR: session.ACRPassword, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)},
	}}
	if err := store.CreateUser(t.Context(), s.User); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateLoginSession(t.Context(), s.Session); err != nil {
		t.Fatal(err)
	}
	return s
}

// Redirect URIs of the fuzz harness's apps.
const (
	webRedirect      = "https://app.example/cb"
	webRedirect2     = "https://app.example/cb2?tenant=1"
	nativeRedirect   = "com.example.native:/cb"
	loopbackRedirect = "http://127.0.0.1/cb"
)

// botScopes are what the bot may be given.
var botScopes = []string{"im:calls.read", "im:messages.send"}

// fuzzHarness is a provider with a signed-in browser and apps that skip
// consent: web (confidential, two redirect URIs), native (public, a
// private-use scheme and a loopback redirect URI), bot (client
// credentials) and svc (private_key_jwt).
type fuzzHarness struct {
	*harness
	webSecret, botSecret string
	svcKey               *ecdsa.PrivateKey
}

func newFuzzHarness(f *testing.F) *fuzzHarness {
	store := memory.New()
	ann := signInAnn(f, store)
	h := &fuzzHarness{harness: newHarness(f, store, func(cfg *oauth.Config) {
		cfg.Sessions, cfg.Pages = ann, errorKeys{}
		cfg.FlowLifespan = 15 * time.Minute
		cfg.RoleScopes = map[string][]string{"member": {"openid", "offline_access", "im:calls.read"}}
		cfg.AssertionAlgs = []string{"ES256"}
	})}
	code := []string{"authorization_code", "refresh_token"}
	scopes := []string{"openid", "offline_access", "im:calls.read"}
	h.webSecret = h.addClient(storage.Client{ID: "web", Name: "Web", Type: storage.ClientConfidential, GrantTypes: code, Scopes: scopes,
		RedirectURIs: []string{webRedirect, webRedirect2}, SkipConsent: true})
	h.addClient(storage.Client{ID: "native", Name: "Native", Type: storage.ClientPublic, GrantTypes: code, Scopes: scopes,
		RedirectURIs: []string{nativeRedirect, loopbackRedirect}, SkipConsent: true})
	h.botSecret = h.bot("bot", botScopes...)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	h.svcKey = key
	h.addClient(storage.Client{ID: "svc", Name: "Service", Type: storage.ClientConfidential, GrantTypes: []string{"client_credentials"},
		Scopes: botScopes, TokenEndpointAuthMethod: "private_key_jwt", TokenEndpointAuthSigningAlg: "ES256",
		JWKSURI: jwksServer(f, jose.JSONWebKey{Key: key.Public(), KeyID: "svc-1", Algorithm: "ES256", Use: "sig"})})
	return h
}

// with is the harness for one input, failing t.
func (h *fuzzHarness) with(t *testing.T) *harness {
	hh := *h.harness
	hh.t = t
	return &hh
}

// get sends a GET without following redirects.
func (h *harness) get(path string, header http.Header) *http.Response {
	h.t.Helper()
	req, err := http.NewRequestWithContext(h.t.Context(), http.MethodGet, h.url(path), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// tokenErrors are the error codes of the token endpoint (RFC 6749 section
// 5.2).
var tokenErrors = []string{"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope"}

// wantTokenError checks that r is a client's-mistake answer of the token
// endpoint: 400 or 401, an RFC 6749 section 5.2 JSON body, not cached.
func wantTokenError(t *testing.T, what string, r reply) {
	t.Helper()
	if (r.status != http.StatusBadRequest && r.status != http.StatusUnauthorized) || !slices.Contains(tokenErrors, r.str("error")) || r.str("error_description") == "" {
		t.Fatalf("%s: %d %s; want 400 or 401 with an RFC 6749 error", what, r.status, r.raw)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%s: error answered with Cache-Control %q", what, r.header.Get("Cache-Control"))
	}
}

// FuzzTokenClientAssertion: any client_assertion (and client_id) sent to
// the token endpoint is refused with an RFC 6749 error, never a server
// error; only a fresh assertion signed with the client's key is accepted,
// and only once (its jti is used up).
func FuzzTokenClientAssertion(f *testing.F) {
	h := newFuzzHarness(f)
	aud := h.url("/oauth2/token")
	valid := map[string]bool{}
	for i, jti := range []string{"jti-seed-1", "jti-seed-2"} {
		a := assertionWith(f, jose.ES256, h.svcKey, "svc-1", "svc", aud, jti, time.Now().Add(time.Hour))
		valid[a] = true
		f.Add(a, []string{"", "svc"}[i])
	}
	// Signed with another key, for another client, or expired.
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(assertionWith(f, jose.ES256, other, "svc-1", "svc", aud, "jti-other-key", time.Now().Add(time.Hour)), "svc")
	f.Add(assertionWith(f, jose.ES256, h.svcKey, "svc-1", "bot", aud, "jti-other-client", time.Now().Add(time.Hour)), "bot")
	f.Add(assertionWith(f, jose.ES256, h.svcKey, "svc-1", "svc", aud, "jti-expired", time.Now().Add(-time.Hour)), "")
	f.Add(assertionWith(f, jose.ES256, h.svcKey, "svc-1", "svc", "https://elsewhere.example/token", "jti-audience", time.Now().Add(time.Hour)), "")
	accepted := map[string]bool{}
	f.Fuzz(func(t *testing.T, assertion, clientID string) {
		hh := h.with(t)
		form := url.Values{
			"grant_type":            {"client_credentials"},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {assertion},
		}
		if clientID != "" {
			form.Set("client_id", clientID)
		}
		r := hh.post("/oauth2/token", form, "", "")
		if r.status == http.StatusOK {
			if !valid[assertion] || accepted[assertion] || (clientID != "" && clientID != "svc") {
				t.Fatalf("assertion %q (client_id %q) accepted: %s", assertion, clientID, r.raw)
			}
			accepted[assertion] = true
			return
		}
		wantTokenError(t, "client_assertion "+assertion, r)
	})
}

// s256 is the S256 code challenge of a verifier (RFC 7636 section 4.2).
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validVerifier reports whether v is a code verifier: 43 to 128
// characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~" (RFC 7636
// section 4.1).
func validVerifier(v string) bool {
	return len(v) >= 43 && len(v) <= 128 && strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") == ""
}

// authorizeQuery is an authorization request of native to its private-use
// redirect URI, with PKCE.
func authorizeQuery(clientID, redirect, challenge, method string) url.Values {
	return url.Values{
		"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {"im:calls.read"},
		"state": {"state-0123456789"}, "code_challenge": {challenge}, "code_challenge_method": {method},
	}
}

// backToApp returns the Location of an authorization response that sent
// the browser back to the app, or nil when it answered with a page.
func backToApp(t *testing.T, what string, resp *http.Response) *url.URL {
	t.Helper()
	switch {
	case resp.StatusCode >= 500:
		t.Fatalf("%s: %d", what, resp.StatusCode)
	case resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound:
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatalf("%s: Location %q: %v", what, resp.Header.Get("Location"), err)
		}
		if loc.Scheme == "" {
			t.Fatalf("%s: sent to our own %s, not back to the app", what, loc)
		}
		return loc
	case resp.StatusCode != http.StatusBadRequest:
		t.Fatalf("%s: %d, want a redirect or a 400 page", what, resp.StatusCode)
	}
	return nil
}

// FuzzAuthorizePKCE: any code_challenge and method gets a code only when
// the challenge is a base64url SHA-256 and the method S256, else an
// invalid_request back to the app, never a server error; the code is
// exchanged only with a verifier whose S256 is that challenge; any other
// code_verifier gets an RFC 6749 error. own makes the challenge the
// verifier's own.
func FuzzAuthorizePKCE(f *testing.F) {
	h := newFuzzHarness(f)
	f.Fuzz(func(t *testing.T, challenge, method, verifier string, own bool) {
		hh := h.with(t)
		if own {
			challenge = s256(verifier)
		}
		what := "code_challenge " + challenge + " (" + method + ")"
		query := authorizeQuery("native", nativeRedirect, challenge, method).Encode()
		loc := backToApp(t, what, hh.get("/oauth2/auth?"+query, nil))
		if len(challenge) > oauth.MaxParameter || len(method) > oauth.MaxParameter || len(query) > oauth.MaxAuthorizeQuery {
			// Too large to echo back: refused on a page, never redirected.
			if loc != nil {
				t.Fatalf("%s: an oversized request was sent back to the app: %v", what, loc)
			}
			return
		}
		if loc == nil || loc.Scheme+":"+loc.Opaque+loc.Path != nativeRedirect {
			t.Fatalf("%s: not sent back to the app's redirect URI: %v", what, loc)
		}
		q := loc.Query()
		if q.Get("state") != "state-0123456789" || q.Get("iss") != hh.srv.URL {
			t.Fatalf("%s: answer without its state or iss: %s", what, loc)
		}
		wellFormed := method == "S256" && len(challenge) == 43 && strings.Trim(challenge, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == ""
		code := q.Get("code")
		switch {
		case wellFormed && code == "":
			t.Fatalf("%s: no code: %s", what, loc)
		case !wellFormed && (code != "" || q.Get("error") != "invalid_request"):
			t.Fatalf("%s: %s, want invalid_request and no code", what, loc)
		case !wellFormed:
			return
		}
		r := hh.post("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {nativeRedirect},
			"client_id": {"native"}, "code_verifier": {verifier}}, "", "")
		matches := validVerifier(verifier) && s256(verifier) == challenge
		switch {
		case r.status == http.StatusOK && !matches:
			t.Fatalf("code_verifier %q redeemed a code of challenge %s: %s", verifier, challenge, r.raw)
		case r.status == http.StatusOK:
			if r.str("access_token") == "" {
				t.Fatalf("code_verifier %q: 200 without an access token: %s", verifier, r.raw)
			}
		case matches:
			t.Fatalf("code_verifier %q of challenge %s refused: %d %s", verifier, challenge, r.status, r.raw)
		default:
			wantTokenError(t, "code_verifier "+verifier, r)
		}
	})
}

// FuzzAuthorizeRedirectURI: whatever redirect_uri an authorization
// request names, the browser is sent back only to a URI registered for
// the client (a loopback one on any port, RFC 8252 section 7.3), else it
// is shown a page; never a server error. A registered URI gets its code.
func FuzzAuthorizeRedirectURI(f *testing.F) {
	h := newFuzzHarness(f)
	registered := map[string][]string{"web": {webRedirect, webRedirect2}, "native": {nativeRedirect, loopbackRedirect}}
	challenge := s256(strings.Repeat("v", 43))
	f.Fuzz(func(t *testing.T, redirect string, native bool) {
		hh := h.with(t)
		clientID := "web"
		if native {
			clientID = "native"
		}
		what := clientID + " redirect_uri " + redirect
		loc := backToApp(t, what, hh.get("/oauth2/auth?"+authorizeQuery(clientID, redirect, challenge, "S256").Encode(), nil))
		if loc == nil {
			if slices.Contains(registered[clientID], redirect) {
				t.Fatalf("%s: the registered URI got a page", what)
			}
			return
		}
		if loc.Fragment != "" {
			t.Fatalf("%s: sent to %s, with a fragment", what, loc)
		}
		if !slices.ContainsFunc(registered[clientID], func(r string) bool { return sameRedirect(loc, r) }) {
			t.Fatalf("%s: sent to %s, which is not registered", what, loc)
		}
		if slices.Contains(registered[clientID], redirect) && loc.Query().Get("code") == "" {
			t.Fatalf("%s: the registered URI got no code: %s", what, loc)
		}
	})
}

// sameRedirect reports whether loc, an authorization response, goes to
// the registered redirect URI reg: the same URI with the response's
// parameters added to its query, on any port for a loopback one.
func sameRedirect(loc *url.URL, reg string) bool {
	r, err := url.Parse(reg)
	if err != nil {
		return false
	}
	host := loc.Host
	if r.Scheme == "http" && r.Hostname() == "127.0.0.1" && loc.Hostname() == "127.0.0.1" {
		host = r.Host
	}
	if loc.Scheme != r.Scheme || host != r.Host || loc.Opaque != r.Opaque || loc.EscapedPath() != r.EscapedPath() || loc.User != nil {
		return false
	}
	q := loc.Query()
	for k, v := range r.Query() {
		if !slices.Equal(q[k], v) {
			return false
		}
	}
	return true
}

// FuzzUserinfoBearer: any Authorization header at the UserInfo endpoint
// is answered with an RFC 6750 challenge and a JSON error, never a server
// error; only the Bearer scheme (in any case), one or more spaces and the
// exact token of a live access token get past the token check (here to 403: the bot's
// token was not granted openid).
func FuzzUserinfoBearer(f *testing.F) {
	h := newFuzzHarness(f)
	r := h.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"im:calls.read"}}, "bot", h.botSecret)
	token := r.str("access_token")
	if token == "" {
		f.Fatalf("no bot token: %s", r.raw)
	}
	f.Add("Bearer " + token)
	f.Add("bearer " + token)
	f.Add("Bearer  " + token)
	f.Add("Bearer " + token + "x")
	f.Add("Basic " + token)
	f.Fuzz(func(t *testing.T, header string) {
		if !httpguts.ValidHeaderFieldValue(header) {
			return // no such header value can be sent
		}
		header = strings.Trim(header, " \t") // as it arrives
		hh := h.with(t)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, hh.url("/userinfo"), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", header)
		r := hh.do(req)
		// RFC 6750 section 2.1: "Bearer" 1*SP b64token.
		scheme, got, _ := strings.Cut(header, " ")
		live := strings.EqualFold(scheme, "Bearer") && strings.TrimLeft(got, " ") == token
		switch {
		case live && r.status != http.StatusForbidden:
			t.Fatalf("Authorization %q: %d %s, want 403 insufficient_scope", header, r.status, r.raw)
		case !live && r.status != http.StatusUnauthorized:
			t.Fatalf("Authorization %q: %d %s, want 401", header, r.status, r.raw)
		}
		if r.str("error") == "" || r.str("error_description") == "" || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer realm=") {
			t.Fatalf("Authorization %q: no RFC 6750 error: %s %q", header, r.raw, r.header.Get("WWW-Authenticate"))
		}
	})
}

// FuzzTokenScope: any scope a client-credentials request names is
// granted only as far as the client's scopes allow: the scopes granted
// are requested ones (split on spaces, RFC 6749 section 3.3, and
// trimmed, as fosite reads them) the bot may
// have, all of them when all are allowed, and the bot's scopes when none
// is named; asking again for what was granted grants the same; else
// invalid_scope, never a server error.
func FuzzTokenScope(f *testing.F) {
	h := newFuzzHarness(f)
	f.Fuzz(func(t *testing.T, scope string) {
		hh := h.with(t)
		grant := func(scope string) reply {
			return hh.post("/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}, "bot", h.botSecret)
		}
		r := grant(scope)
		// fosite splits on spaces and trims each scope (fosite.RemoveEmpty).
		requested := fosite.RemoveEmpty(strings.Split(scope, " "))
		allowed := !slices.ContainsFunc(requested, func(s string) bool { return !slices.Contains(botScopes, s) })
		if r.status != http.StatusOK {
			if allowed {
				t.Fatalf("scope %q, all the bot's, refused: %d %s", scope, r.status, r.raw)
			}
			wantTokenError(t, "scope "+scope, r)
			if r.str("error") != "invalid_scope" {
				t.Fatalf("scope %q: %s, want invalid_scope", scope, r.raw)
			}
			return
		}
		if !allowed {
			t.Fatalf("scope %q granted, though the bot may not have all of it: %s", scope, r.raw)
		}
		granted := strings.Fields(r.str("scope"))
		if len(requested) == 0 {
			requested = botScopes // a request naming none gets them all (RFC 6749 section 3.3)
		}
		for _, s := range granted {
			if !slices.Contains(requested, s) || !slices.Contains(botScopes, s) {
				t.Fatalf("scope %q granted %q", scope, r.str("scope"))
			}
		}
		for _, s := range requested {
			if !slices.Contains(granted, s) {
				t.Fatalf("scope %q granted %q, without %s", scope, r.str("scope"), s)
			}
		}
		if again := grant(r.str("scope")); again.status != http.StatusOK || again.str("scope") != r.str("scope") {
			t.Fatalf("asking again for %q: %d %s", r.str("scope"), again.status, again.raw)
		}
	})
}
