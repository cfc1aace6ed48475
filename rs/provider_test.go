package rs_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/rs"
)

const (
	rsID     = "im-gateway"
	rsSecret = "gateway secret/with+odd=chars"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeProvider is an httptest authorization server: discovery, a JWKS and
// an introspection endpoint answering from a table of tokens.
type fakeProvider struct {
	srv *httptest.Server
	// mux routes the provider's endpoints; a test may add one.
	mux *http.ServeMux
	mu  sync.Mutex
	// answers are the introspection answers per token; a token not in
	// the table is inactive.
	answers map[string]map[string]any
	keys    jose.JSONWebKeySet
	// status, when set, is the introspection endpoint's answer instead.
	status int
	// hang makes the introspection endpoint wait until the caller gives up.
	hang bool
	// gate, when set, holds introspections until it is closed.
	gate chan struct{}
	// introspections and jwksFetches count the calls.
	introspections atomic.Int32
	jwksFetches    atomic.Int32
	// held counts the answers decided and held at the gate.
	held atomic.Int32
	// sign, when set, answers a request accepting
	// application/token-introspection+jwt with what it returns of the
	// answer (RFC 9701), as that media type.
	sign func(answer map[string]any) string
}

func newFakeProvider(t testing.TB) *fakeProvider {
	t.Helper()
	p := &fakeProvider{answers: map[string]map[string]any{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": p.srv.URL, "jwks_uri": p.srv.URL + "/jwks"})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		p.jwksFetches.Add(1)
		p.mu.Lock()
		defer p.mu.Unlock()
		_ = json.NewEncoder(w).Encode(p.keys)
	})
	mux.HandleFunc("POST /oauth2/introspect", p.introspect)
	p.mux = mux
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakeProvider) introspect(w http.ResponseWriter, r *http.Request) {
	p.introspections.Add(1)
	p.mu.Lock()
	status, hang, gate := p.status, p.hang, p.gate
	p.mu.Unlock()
	if hang {
		// Reading the body lets the server notice the caller leaving.
		_ = r.ParseForm()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return
	}
	if status != 0 {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"error":"server_error"}`)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok || id != rsID || secret != "gateway+secret%2Fwith%2Bodd%3Dchars" {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	if r.PostFormValue("token_type_hint") != "access_token" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	answer, found := p.answers[r.PostFormValue("token")]
	p.mu.Unlock()
	if !found {
		answer = map[string]any{"active": false}
	}
	if gate != nil {
		// The answer is decided; it is sent once the test releases it.
		p.held.Add(1)
		<-gate
	}
	p.mu.Lock()
	sign := p.sign
	p.mu.Unlock()
	if sign != nil && r.Header.Get("Accept") == "application/token-introspection+jwt" {
		w.Header().Set("Content-Type", "application/token-introspection+jwt")
		_, _ = io.WriteString(w, sign(answer))
		return
	}
	_ = json.NewEncoder(w).Encode(answer)
}

// issue makes token active with scopes until exp.
func (p *fakeProvider) issue(token, sub string, exp time.Time, scope string) {
	p.set(token, map[string]any{
		"active": true, "sub": sub, "client_id": "chat-bot", "scope": scope, "token_type": "Bearer",
		"token_use": "access_token", "exp": exp.Unix(), "iat": exp.Add(-time.Hour).Unix(), "iss": p.srv.URL,
	})
}

// set sets the introspection answer for token.
func (p *fakeProvider) set(token string, answer map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.answers[token] = answer
}

// revoke makes token inactive.
func (p *fakeProvider) revoke(token string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.answers, token)
}

func (p *fakeProvider) setStatus(status int, hang bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status, p.hang = status, hang
}

// signingKey is a key the fake provider signs JWT access tokens with.
type signingKey struct {
	kid  string
	priv *ecdsa.PrivateKey
}

func newSigningKey(t *testing.T, kid string) signingKey {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid: kid, priv: priv}
}

// publish replaces the JWKS with the public halves of keys.
func (p *fakeProvider) publish(keys ...signingKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys = jose.JSONWebKeySet{}
	for _, k := range keys {
		p.keys.Keys = append(p.keys.Keys, jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: string(jose.ES256), Use: "sig"})
	}
}

// sign makes a JWT with typ and claims, signed by k.
func sign(t *testing.T, k signingKey, typ string, claims map[string]any) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k.priv, KeyID: k.kid}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// atClaims are the claims of an RFC 9068 access token issued by p at now.
func (p *fakeProvider) atClaims(now time.Time) map[string]any {
	return map[string]any{
		"iss": p.srv.URL, "sub": "user-ann", "aud": []string{"https://im.example.com"}, "client_id": "chat-web",
		"scope": "im:messages.read im:messages.send", "jti": "jti-1",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"auth_time": now.Add(-time.Minute).Unix(), "acr": "2", "amr": []string{"pwd", "otp", "mfa"},
	}
}

// newVerifier is a Verifier for p with cfg's non-zero fields.
func newVerifier(t testing.TB, p *fakeProvider, c *clock, cfg rs.Config) *rs.Verifier {
	t.Helper()
	cfg.Issuer, cfg.ClientID, cfg.ClientSecret, cfg.Now = p.srv.URL, rsID, rsSecret, c.Now
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	v, err := rs.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// holdIntrospections makes the introspection endpoint wait until the
// returned release is called.
func (p *fakeProvider) holdIntrospections() (release func()) {
	gate := make(chan struct{})
	p.mu.Lock()
	p.gate = gate
	p.mu.Unlock()
	return sync.OnceFunc(func() { close(gate) })
}
