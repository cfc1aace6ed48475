package oidc_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc/oidctest"
)

// jtis is an in-memory oidc.JTIs on the test's clock.
type jtis struct {
	mu   sync.Mutex
	now  func() time.Time
	seen map[string]time.Time
	err  error
}

func newJTIs(now func() time.Time) *jtis { return &jtis{now: now, seen: map[string]time.Time{}} }

func (j *jtis) Use(_ context.Context, key string, until time.Time) (bool, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return false, j.err
	}
	if u, ok := j.seen[key]; ok && j.now().Before(u) {
		return false, nil
	}
	j.seen[key] = until
	return true, nil
}

// countDiscovery counts the requests for the OP's discovery document.
func countDiscovery(n *atomic.Int32) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/.well-known/openid-configuration" {
				n.Add(1)
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestEndSessionURL(t *testing.T) {
	t.Parallel()
	var discoveries atomic.Int32
	o := options()
	o.Middleware = countDiscovery(&discoveries)
	op := oidctest.Start(t, o)
	clk := &clock{}
	c := connector(t, op.Issuer, clk, func(cfg *oidc.Config) { cfg.JTIs = newJTIs(clk.now) })

	got, ok, err := c.EndSessionURL(t.Context(), "the.id.token", "https://auth.example/logout/done", "st-1")
	if err != nil || !ok {
		t.Fatalf("EndSessionURL = %q %v %v", got, ok, err)
	}
	u, _ := url.Parse(got)
	if base := strings.Split(got, "?")[0]; base != op.EndSession {
		t.Fatalf("endpoint %q, want %q", base, op.EndSession)
	}
	want := url.Values{"id_token_hint": {"the.id.token"}, "post_logout_redirect_uri": {"https://auth.example/logout/done"}, "state": {"st-1"}}
	if q := u.Query(); !maps.EqualFunc(q, want, func(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }) {
		t.Fatalf("query %v, want %v", q, want)
	}
	// Without the ID token the client names itself; nothing else is sent
	// that was not given.
	got, ok, err = c.EndSessionURL(t.Context(), "", "", "")
	if err != nil || !ok {
		t.Fatalf("EndSessionURL = %q %v %v", got, ok, err)
	}
	u, _ = url.Parse(got)
	if q := u.Query(); len(q) != 1 || q.Get("client_id") != "tokenim" {
		t.Fatalf("query %v, want client_id alone", q)
	}
	// Signing in and verifying a logout token discover nothing again.
	if _, err := signIn(t, c); err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifyLogoutToken(t.Context(), op.SignToken(t, op.LogoutClaims("alice-42", "", clk.now()), "logout+jwt")); err != nil {
		t.Fatal(err)
	}
	if n := discoveries.Load(); n != 1 {
		t.Fatalf("discovered %d times, want once", n)
	}
}

func TestEndSessionURLWithoutEndpoint(t *testing.T) {
	t.Parallel()
	o := options()
	o.NoEndSession = true
	op := oidctest.Start(t, o)
	c := connector(t, op.Issuer, &clock{}, nil)
	got, ok, err := c.EndSessionURL(t.Context(), "the.id.token", "https://auth.example/logout/done", "st-1")
	if err != nil || ok || got != "" {
		t.Fatalf("EndSessionURL = %q %v %v, want nothing", got, ok, err)
	}
	// The rest of the upstream works as before.
	if _, err := signIn(t, c); err != nil {
		t.Fatal(err)
	}
}

func TestEndSessionURLUpstreamDown(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	op.SetDown(true)
	_, ok, err := connector(t, op.Issuer, &clock{}, nil).EndSessionURL(t.Context(), "", "", "")
	if ok {
		t.Fatal("an end-session URL from an upstream never discovered")
	}
	wantErr(t, err, upstream.ErrUnavailable, "discovery")
}

func TestSignInKeepsUpstreamSessionAndIDToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, sid, want string }{
		{"a sid is kept", "op-session-9", "op-session-9"},
		{"a sid storage could not hold is dropped", "op\x00session", ""},
		{"no sid", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := options()
			var opKey *rsa.PrivateKey
			o.Middleware = rewriteIDToken(func(claims map[string]any) {
				if tc.sid != "" {
					claims["sid"] = tc.sid
				}
			}, func() *rsa.PrivateKey { return opKey })
			op := oidctest.Start(t, o)
			opKey = op.Key
			c := connector(t, op.Issuer, &clock{}, nil)
			id, err := signIn(t, c)
			if err != nil {
				t.Fatal(err)
			}
			if id.SessionID != tc.want {
				t.Fatalf("SessionID %q, want %q", id.SessionID, tc.want)
			}
			// The raw ID token is the one the upstream signed: its
			// claims name the user.
			parts := strings.Split(id.IDToken, ".")
			if len(parts) != 3 {
				t.Fatalf("IDToken %q is not a JWS", id.IDToken)
			}
			payload, err := base64.RawURLEncoding.DecodeString(parts[1])
			if err != nil {
				t.Fatal(err)
			}
			var claims map[string]any
			if err := json.Unmarshal(payload, &claims); err != nil || claims["sub"] != "alice-42" || claims["aud"] == nil {
				t.Fatalf("IDToken claims %v, %v", claims, err)
			}
		})
	}
}

func TestLogoutTokenAccepted(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	clk := &clock{}
	c := connector(t, op.Issuer, clk, func(cfg *oidc.Config) { cfg.JTIs = newJTIs(clk.now) })
	for _, tc := range []struct {
		name, sub, sid, typ string
	}{
		{"sub alone", "alice-42", "", "logout+jwt"},
		{"sid alone", "", "op-session-9", "logout+jwt"},
		{"sub and sid", "alice-42", "op-session-9", "application/logout+jwt"},
		{"untyped, as earlier implementations send", "alice-42", "op-session-9", ""},
	} {
		claims := op.LogoutClaims(tc.sub, tc.sid, clk.now().Add(-time.Minute))
		if tc.name == "sid alone" {
			delete(claims, "exp") // exp is not required of every upstream
		}
		got, err := c.VerifyLogoutToken(t.Context(), op.SignToken(t, claims, tc.typ))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != (upstream.Logout{Subject: tc.sub, SID: tc.sid}) {
			t.Fatalf("%s: logout %+v", tc.name, got)
		}
	}
}

func TestLogoutTokenRefused(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	clk := &clock{}
	c := connector(t, op.Issuer, clk, nil)
	forger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	valid := func() map[string]any { return op.LogoutClaims("alice-42", "op-session-9", clk.now()) }
	with := func(change func(map[string]any)) string {
		claims := valid()
		change(claims)
		return op.SignToken(t, claims, "logout+jwt")
	}
	unsigned := func(header string, claims map[string]any) string {
		payload, _ := json.Marshal(claims)
		return base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(payload) + "."
	}
	for _, tc := range []struct {
		name, token, says string
	}{
		{"empty", "", "missing"},
		{"not a JWT", "not-a-token", "not a JWS"},
		{"too long", strings.Repeat("a", 17<<10), "longer than"},
		{"wrong audience", with(func(c map[string]any) { c["aud"] = "someone-else" }), "audience"},
		{"several audiences, azp another's", with(func(c map[string]any) { c["aud"] = []string{"tokenim", "other"}; c["azp"] = "other" }), "azp"},
		{"wrong issuer", with(func(c map[string]any) { c["iss"] = "https://evil.example" }), "issued by a different provider"},
		{"no iat", with(func(c map[string]any) { delete(c, "iat") }), "no iat"},
		{"iat too old", with(func(c map[string]any) { c["iat"] = clk.now().Add(-6 * time.Minute).Unix(); delete(c, "exp") }), "ago"},
		{"iat in the future", with(func(c map[string]any) { c["iat"] = clk.now().Add(3 * time.Minute).Unix() }), "in the future"},
		{"expired", with(func(c map[string]any) { c["exp"] = clk.now().Add(-time.Second).Unix() }), "expired"},
		{"a nonce", with(func(c map[string]any) { c["nonce"] = "n-1" }), "nonce"},
		{"no events", with(func(c map[string]any) { delete(c, "events") }), "events"},
		{"another event", with(func(c map[string]any) {
			c["events"] = map[string]any{"https://schemas.openid.net/secevent/risc/event-type/sessions-revoked": map[string]any{}}
		}), "events"},
		{"the event not an object", with(func(c map[string]any) {
			c["events"] = map[string]any{"http://schemas.openid.net/event/backchannel-logout": true}
		}), "events"},
		{"no jti", with(func(c map[string]any) { delete(c, "jti") }), "jti"},
		{"neither sub nor sid", with(func(c map[string]any) { delete(c, "sub"); delete(c, "sid") }), "neither sub nor sid"},
		{"a sid that is not text", with(func(c map[string]any) { c["sid"] = 42 }), "sid claim"},
		{"a sid with a control character", with(func(c map[string]any) { c["sid"] = "op\nsession" }), "sid claim"},
		{"signed with another key", tokenSignedWith(t, forger, valid()), "signature"},
		{"alg none", unsigned(`{"alg":"none","typ":"logout+jwt"}`, valid()), "not a JWS"},
		{"an ID token's type", op.SignToken(t, valid(), "JWT"), "type"},
		{"an access token's type", op.SignToken(t, valid(), "at+jwt"), "type"},
	} {
		got, err := c.VerifyLogoutToken(t.Context(), tc.token)
		if !errors.Is(err, upstream.ErrRefused) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %+v, %v; want ErrRefused saying %q", tc.name, got, err, tc.says)
		}
	}
}

func tokenSignedWith(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	return oidctest.SignWith(t, key, claims, "logout+jwt")
}

func TestLogoutTokenReplayRefused(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	clk := &clock{}
	seen := newJTIs(clk.now)
	c := connector(t, op.Issuer, clk, func(cfg *oidc.Config) { cfg.JTIs = seen })
	token := op.SignToken(t, op.LogoutClaims("alice-42", "", clk.now()), "logout+jwt")
	if _, err := c.VerifyLogoutToken(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	_, err := c.VerifyLogoutToken(t.Context(), token)
	wantErr(t, err, upstream.ErrRefused, "replayed")
	// Another connector's jti are its own, in the same store.
	other := connector(t, op.Issuer, clk, func(cfg *oidc.Config) { cfg.ID, cfg.JTIs = "corp-2", seen })
	if _, err := other.VerifyLogoutToken(t.Context(), token); err != nil {
		t.Fatalf("another connector: %v", err)
	}
	// A store that fails is neither the token's fault nor the upstream's.
	seen.err = errors.New("store down")
	_, err = c.VerifyLogoutToken(t.Context(), op.SignToken(t, op.LogoutClaims("alice-42", "", clk.now()), "logout+jwt"))
	if err == nil || errors.Is(err, upstream.ErrRefused) || errors.Is(err, upstream.ErrUnavailable) || !strings.Contains(err.Error(), "store down") {
		t.Fatalf("store failure: %v", err)
	}
}

func TestLogoutTokenWithUpstreamDown(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	clk := &clock{}
	token := op.SignToken(t, op.LogoutClaims("alice-42", "", clk.now()), "logout+jwt")
	// Discovered, but the keys were never fetched: they cannot be now.
	c := connector(t, op.Issuer, clk, nil)
	if _, _, err := c.EndSessionURL(t.Context(), "", "", ""); err != nil {
		t.Fatal(err)
	}
	op.SetDown(true)
	_, err := c.VerifyLogoutToken(t.Context(), token)
	wantErr(t, err, upstream.ErrUnavailable, "logout token")
	// Never discovered.
	_, err = connector(t, op.Issuer, clk, nil).VerifyLogoutToken(t.Context(), token)
	wantErr(t, err, upstream.ErrUnavailable, "discovery")
	// Back up, the same token is accepted.
	op.SetDown(false)
	if _, err := c.VerifyLogoutToken(t.Context(), token); err != nil {
		t.Fatalf("after the upstream came back: %v", err)
	}
}

func TestLogoutTokenWithMappedSubject(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	clk := &clock{}
	// Sessions of this connector record the email as the subject: the
	// token's sub names none of them.
	c := connector(t, op.Issuer, clk, func(cfg *oidc.Config) { cfg.Claims.Subject = "email" })
	got, err := c.VerifyLogoutToken(t.Context(), op.SignToken(t, op.LogoutClaims("alice-42", "op-session-9", clk.now()), "logout+jwt"))
	if err != nil || got != (upstream.Logout{SID: "op-session-9"}) {
		t.Fatalf("sub and sid: %+v %v", got, err)
	}
	_, err = c.VerifyLogoutToken(t.Context(), op.SignToken(t, op.LogoutClaims("alice-42", "", clk.now()), "logout+jwt"))
	wantErr(t, err, upstream.ErrRefused, "only sub")
}

func TestKeysUnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	o := options()
	o.Middleware = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/keys" {
				http.Error(w, "keys down", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	op := oidctest.Start(t, o)
	clk := &clock{}
	c := connector(t, op.Issuer, clk, nil)
	// The sign-in's ID token cannot be checked: the upstream is at fault,
	// not the token.
	_, err := signIn(t, c)
	wantErr(t, err, upstream.ErrUnavailable, "ID token")
	_, err = c.VerifyLogoutToken(t.Context(), op.SignToken(t, op.LogoutClaims("alice-42", "", clk.now()), "logout+jwt"))
	wantErr(t, err, upstream.ErrUnavailable, "logout token")
}

func TestLogoutTokenMultiTenant(t *testing.T) {
	t.Parallel()
	const t1, t2 = "11111111-2222-3333-4444-555555555555", "99999999-8888-7777-6666-555555555555"
	f := startFake(t, "/common/v2.0")
	iss := func(tid string) string { return f.srv.URL + "/" + tid + "/v2.0" }
	clk := &clock{}
	c := connector(t, f.srv.URL+"/common/v2.0", clk, func(c *oidc.Config) {
		c.Preset, c.Tenant, c.Tenants, c.UserInfo = oidc.Entra, "common", []string{t1}, false
	})
	token := func(issuer string, tid any) string {
		claims := map[string]any{
			"iss": issuer, "aud": "tokenim", "sub": "u-1", "iat": clk.now().Unix(), "jti": rand.Text(),
			"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
		}
		if tid != nil {
			claims["tid"] = tid
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: f.key}, (&jose.SignerOptions{}).WithType("logout+jwt").WithHeader("kid", "k1"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := jwt.Signed(signer).Claims(claims).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	got, err := c.VerifyLogoutToken(t.Context(), token(iss(t1), t1))
	if err != nil || got != (upstream.Logout{Subject: "u-1"}) {
		t.Fatalf("the allowed tenant's token: %+v %v", got, err)
	}
	for _, tc := range []struct {
		name, token, says string
	}{
		{"iss of another tenant than tid", token(iss(t2), t1), "is not tenant"},
		{"no tid", token(iss(t1), nil), "tid"},
		{"a tenant not allowed", token(iss(t2), t2), "may not sign in"},
	} {
		_, err := c.VerifyLogoutToken(t.Context(), tc.token)
		if !errors.Is(err, upstream.ErrRefused) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
