package oidc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"crypto/rand"
	"crypto/rsa"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc/oidctest"
)

const redirectURI = "http://127.0.0.1:1/login/upstream/callback"

var alice = oidctest.User{
	Subject: "alice-42", Email: "alice@example.com", EmailVerified: true,
	Name: "Alice Liddell", Username: "alice", Groups: []string{"staff", "ops"},
}

func options() oidctest.Options {
	return oidctest.Options{ClientID: "tokenim", ClientSecret: "s3cret", RedirectURI: redirectURI, User: alice, AMR: []string{"pwd", "otp"}}
}

// clock is an injected clock a test can move.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

func connector(t testing.TB, issuer string, clk *clock, change func(*oidc.Config)) *oidc.Connector {
	t.Helper()
	cfg := oidc.Config{
		ID: "corp", Issuer: issuer, ClientID: "tokenim", ClientSecret: "s3cret", RedirectURL: redirectURI,
		UserInfo: true, HTTPClient: &http.Client{Timeout: 5 * time.Second}, Now: clk.now,
	}
	if change != nil {
		change(&cfg)
	}
	c, err := oidc.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type flow struct{ state, nonce, verifier string }

func newFlow() flow {
	return flow{state: rand.Text(), nonce: rand.Text(), verifier: oauth2.GenerateVerifier()}
}

// authorize drives a browser through the OP's authorization endpoint and
// its (auto-approving) login, and returns the callback's query.
func authorize(t *testing.T, c *oidc.Connector, f flow, opts ...oauth2.AuthCodeOption) url.Values {
	t.Helper()
	u, err := c.AuthCodeURL(t.Context(), f.state, f.nonce, f.verifier, opts...)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 5 * time.Second, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(r.URL.String(), redirectURI) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := browser.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirectURI) {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("authorization ended at %d %q: %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	q := loc.Query()
	if q.Get("state") != f.state {
		t.Fatalf("state %q came back, want %q", q.Get("state"), f.state)
	}
	return q
}

// callback runs a sign-in up to the callback and returns its flow and
// code.
func callback(t *testing.T, c *oidc.Connector) (flow, string) {
	t.Helper()
	f := newFlow()
	code, err := c.CheckCallback(t.Context(), authorize(t, c, f))
	if err != nil {
		t.Fatal(err)
	}
	return f, code
}

func signIn(t *testing.T, c *oidc.Connector) (upstream.Identity, error) {
	t.Helper()
	f, code := callback(t, c)
	return c.Finish(t.Context(), code, f.verifier, f.nonce)
}

func wantErr(t *testing.T, err, kind error, contains string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error %v, want %v", err, kind)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Fatalf("error %q does not say %q", err, contains)
	}
}

func TestCodeFlowMapsIdentity(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	c := connector(t, op.Issuer, &clock{}, nil)
	f := newFlow()
	u, err := c.AuthCodeURL(t.Context(), f.state, f.nonce, f.verifier, oidc.LoginHint("alice@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	q, _ := url.Parse(u)
	for k, want := range map[string]string{"code_challenge_method": "S256", "code_challenge": oauth2.S256ChallengeFromVerifier(f.verifier), "nonce": f.nonce, "state": f.state, "login_hint": "alice@example.com", "scope": "openid email profile", "response_type": "code"} {
		if got := q.Query().Get(k); got != want {
			t.Errorf("authorization URL %s=%q, want %q", k, got, want)
		}
	}
	code, err := c.CheckCallback(t.Context(), authorize(t, c, f))
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.Finish(t.Context(), code, f.verifier, f.nonce)
	if err != nil {
		t.Fatal(err)
	}
	want := upstream.Identity{Connector: "corp", Subject: "alice-42", Email: "alice@example.com", EmailVerified: true,
		Name: "Alice Liddell", Username: "alice", Groups: []string{"staff", "ops"}, AMR: []string{"pwd", "otp"}}
	if !equal(id, want) {
		t.Fatalf("identity %+v, want %+v", id, want)
	}
	// The code is spent: redeeming it again is refused.
	_, err = c.Finish(t.Context(), code, f.verifier, f.nonce)
	wantErr(t, err, upstream.ErrRefused, "token exchange")
}

func equal(a, b upstream.Identity) bool {
	return a.Connector == b.Connector && a.Subject == b.Subject && a.Email == b.Email && a.EmailVerified == b.EmailVerified &&
		a.Name == b.Name && a.Username == b.Username && slices.Equal(a.Groups, b.Groups) && slices.Equal(a.AMR, b.AMR)
}

func TestWrongPKCEVerifierRefused(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	c := connector(t, op.Issuer, &clock{}, nil)
	f, code := callback(t, c)
	_, err := c.Finish(t.Context(), code, oauth2.GenerateVerifier(), f.nonce)
	wantErr(t, err, upstream.ErrRefused, "token exchange")
}

func TestWrongAudienceRefused(t *testing.T) {
	t.Parallel()
	o := options()
	o.ExtraAudience = []string{"someone-else"}
	op := oidctest.Start(t, o)
	c := connector(t, op.Issuer, &clock{}, nil)
	// Several audiences with azp = our client: accepted.
	if _, err := signIn(t, c); err != nil {
		t.Fatal(err)
	}
	// A token for another client: refused. Rewrite aud/azp in front of
	// the token endpoint, re-signed with the OP's own key so only the
	// audience is wrong.
	o = options()
	var opKey *rsa.PrivateKey
	o.Middleware = rewriteIDToken(func(claims map[string]any) { claims["aud"] = []string{"someone-else"}; delete(claims, "azp") }, func() *rsa.PrivateKey { return opKey })
	op2 := oidctest.Start(t, o)
	opKey = op2.Key
	_, err := signIn(t, connector(t, op2.Issuer, &clock{}, nil))
	wantErr(t, err, upstream.ErrRefused, "audience")
}

func TestSeveralAudiencesWithoutOurAzpRefused(t *testing.T) {
	t.Parallel()
	o := options()
	var opKey *rsa.PrivateKey
	o.Middleware = rewriteIDToken(func(claims map[string]any) {
		claims["aud"] = []string{"tokenim", "someone-else"}
		claims["azp"] = "someone-else"
	}, func() *rsa.PrivateKey { return opKey })
	op := oidctest.Start(t, o)
	opKey = op.Key
	_, err := signIn(t, connector(t, op.Issuer, &clock{}, nil))
	wantErr(t, err, upstream.ErrRefused, "azp")
}

func TestExpiredIDTokenRefused(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	clk := &clock{}
	c := connector(t, op.Issuer, clk, nil)
	f, code := callback(t, c)
	clk.advance(time.Hour) // the OP's ID tokens live 5 minutes
	_, err := c.Finish(t.Context(), code, f.verifier, f.nonce)
	wantErr(t, err, upstream.ErrRefused, "expired")
}

// rewriteIDToken sits in front of the OP's token endpoint and replaces
// the ID token with one whose claims change() edited, signed by key()
// with the OP's key ID.
func rewriteIDToken(change func(map[string]any), key func() *rsa.PrivateKey) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/oauth/token" {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var body map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["id_token"] == nil {
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
				return
			}
			tok, err := jwt.ParseSigned(body["id_token"].(string), []jose.SignatureAlgorithm{jose.RS256})
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			var claims map[string]any
			if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			change(claims)
			signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key()}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "op-key"))
			if err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			if body["id_token"], err = jwt.Signed(signer).Claims(claims).Serialize(); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(body)
		})
	}
}

func TestForgedSignatureRefused(t *testing.T) {
	t.Parallel()
	forger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	o := options()
	o.Middleware = rewriteIDToken(func(claims map[string]any) { claims["sub"] = "admin" }, func() *rsa.PrivateKey { return forger })
	op := oidctest.Start(t, o)
	_, err = signIn(t, connector(t, op.Issuer, &clock{}, nil))
	wantErr(t, err, upstream.ErrRefused, "signature")
}

func TestNonceMismatchAndReplayRefused(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	c := connector(t, op.Issuer, &clock{}, nil)
	// Another sign-in's nonce (an ID token replayed into this one).
	f, code := callback(t, c)
	_, err := c.Finish(t.Context(), code, f.verifier, newFlow().nonce)
	wantErr(t, err, upstream.ErrRefused, "nonce")
	// An ID token with no nonce at all.
	o := options()
	var opKey *rsa.PrivateKey
	o.Middleware = rewriteIDToken(func(claims map[string]any) { delete(claims, "nonce") }, func() *rsa.PrivateKey { return opKey })
	op2 := oidctest.Start(t, o)
	opKey = op2.Key
	_, err = signIn(t, connector(t, op2.Issuer, &clock{}, nil))
	wantErr(t, err, upstream.ErrRefused, "nonce")
}

func TestUserinfoSubjectMismatchRefused(t *testing.T) {
	t.Parallel()
	o := options()
	o.Middleware = func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/userinfo" {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(bytes.Replace(rec.Body.Bytes(), []byte(`"sub":"alice-42"`), []byte(`"sub":"mallory"`), 1))
		})
	}
	op := oidctest.Start(t, o)
	_, err := signIn(t, connector(t, op.Issuer, &clock{}, nil))
	wantErr(t, err, upstream.ErrRefused, "userinfo names subject")
	// Without userinfo the same OP's ID token is enough.
	if _, err := signIn(t, connector(t, op.Issuer, &clock{}, func(c *oidc.Config) { c.UserInfo = false })); err != nil {
		t.Fatal(err)
	}
}

func TestUpstreamDownThenBack(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	op.SetDown(true)
	clk := &clock{}
	c := connector(t, op.Issuer, clk, nil)
	f := newFlow()
	_, err := c.AuthCodeURL(t.Context(), f.state, f.nonce, f.verifier)
	wantErr(t, err, upstream.ErrUnavailable, "503")
	_, err = c.Finish(t.Context(), "code", f.verifier, f.nonce)
	wantErr(t, err, upstream.ErrUnavailable, "discovery")
	op.SetDown(false)
	// Within the backoff the remembered failure answers at once.
	_, err = c.AuthCodeURL(t.Context(), f.state, f.nonce, f.verifier)
	wantErr(t, err, upstream.ErrUnavailable, "503")
	clk.advance(time.Minute)
	if _, err := signIn(t, c); err != nil {
		t.Fatalf("after the upstream came back: %v", err)
	}
	// Discovered once, a token endpoint that fails is unavailable too.
	f, code := callback(t, c)
	op.SetDown(true)
	_, err = c.Finish(t.Context(), code, f.verifier, f.nonce)
	wantErr(t, err, upstream.ErrUnavailable, "token exchange")
}

func TestUpstreamUnreachable(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	op.Close()
	c := connector(t, op.Issuer, &clock{}, nil)
	f := newFlow()
	_, err := c.AuthCodeURL(context.Background(), f.state, f.nonce, f.verifier)
	wantErr(t, err, upstream.ErrUnavailable, "discovery")
}

func TestCheckCallback(t *testing.T) {
	t.Parallel()
	op := oidctest.Start(t, options())
	c := connector(t, op.Issuer, &clock{}, nil)
	for _, tc := range []struct {
		name  string
		q     url.Values
		kind  error
		words string
	}{
		{"mix-up", url.Values{"code": {"c"}, "iss": {"https://evil.example"}}, upstream.ErrRefused, "mix-up"},
		{"denied", url.Values{"error": {"access_denied"}, "error_description": {"user said no"}}, upstream.ErrRefused, "access_denied"},
		{"busy", url.Values{"error": {"temporarily_unavailable"}}, upstream.ErrUnavailable, "temporarily_unavailable"},
		{"no code", url.Values{}, upstream.ErrRefused, "no code"},
	} {
		_, err := c.CheckCallback(t.Context(), tc.q)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.words) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	code, err := c.CheckCallback(t.Context(), url.Values{"code": {"c"}, "iss": {op.Issuer}})
	if err != nil || code != "c" {
		t.Fatalf("matching iss: %q %v", code, err)
	}
}
