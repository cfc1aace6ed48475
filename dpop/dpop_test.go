package dpop

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const tokenURL = "https://auth.example.com/oauth2/token"

var now = time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)

// memReplays is an in-memory Replays.
type memReplays struct {
	mu   sync.Mutex
	seen map[string]time.Time
	err  error
}

func (m *memReplays) Use(_ context.Context, key string, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return false, m.err
	}
	if m.seen == nil {
		m.seen = map[string]time.Time{}
	}
	if _, ok := m.seen[key]; ok {
		return false, nil
	}
	m.seen[key] = until
	return true, nil
}

func newVerifier(t testing.TB, nonces Nonces) (*Verifier, *memReplays) {
	t.Helper()
	r := &memReplays{}
	v, err := New(Config{Replays: r, Nonces: nonces, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return v, r
}

type testKey struct {
	alg  jose.SignatureAlgorithm
	priv any
}

func ecKey(t testing.TB) testKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{jose.ES256, k}
}

func edKey(t testing.TB) testKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{jose.EdDSA, k}
}

func rsaKey(t testing.TB, bits int) testKey {
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{jose.RS256, k}
}

func (k testKey) public() *jose.JSONWebKey {
	j := jose.JSONWebKey{Key: k.priv}
	p := j.Public()
	return &p
}

// proofClaims are a valid proof's claims for a POST to tokenURL at now.
func proofClaims() map[string]any {
	return map[string]any{
		"jti": "e1j3V_bKic8-LAEB",
		"htm": "POST",
		"htu": tokenURL,
		"iat": now.Unix(),
	}
}

// sign makes a compact JWS of claims with k, with the dpop+jwt typ and the
// public key in jwk; headers replaces or (with a nil value) removes header
// fields.
func sign(t testing.TB, k testKey, claims any, headers map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{EmbedJWK: true}).WithType(Typ)
	for h, val := range headers {
		if h == "jwk" {
			opts.EmbedJWK = false
		}
		if val == nil {
			delete(opts.ExtraHeaders, jose.HeaderKey(h))
			continue
		}
		opts.WithHeader(jose.HeaderKey(h), val)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: k.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// unsigned makes a compact JWS from raw header and claims and sig.
func unsigned(t testing.TB, header, claims map[string]any, sig string) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + "." + sig
}

func TestVerifyAcceptsValidProof(t *testing.T) {
	t.Parallel()
	for name, mk := range map[string]func(testing.TB) testKey{
		"ES256": ecKey,
		"EdDSA": edKey,
		"RS256": func(t testing.TB) testKey { return rsaKey(t, 2048) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v, _ := newVerifier(t, nil)
			k := mk(t)
			claims := proofClaims()
			claims["htu"] = tokenURL + "?ignored=1#frag"
			got, err := v.Verify(context.Background(), sign(t, k, claims, nil), "POST", tokenURL, "")
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			want, err := Thumbprint(k.public())
			if err != nil {
				t.Fatal(err)
			}
			if got.JKT != want || got.JTI != "e1j3V_bKic8-LAEB" || !got.IAT.Equal(now) || got.HTM != "POST" {
				t.Errorf("proof = %+v, want JKT %s", got, want)
			}
			if !got.Key.IsPublic() {
				t.Error("returned key is not public")
			}
		})
	}
}

func TestVerifyAcceptsAccessTokenHash(t *testing.T) {
	t.Parallel()
	v, _ := newVerifier(t, nil)
	claims := proofClaims()
	claims["htm"] = "GET"
	claims["htu"] = "https://api.example.com/resource"
	claims["ath"] = AccessTokenHash("at-123")
	p, err := v.Verify(context.Background(), sign(t, ecKey(t), claims, nil), "GET", "https://api.example.com/resource?x=1", "at-123")
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if p.ATH != claims["ath"] {
		t.Errorf("ATH = %q", p.ATH)
	}
}

func TestVerifyRefuses(t *testing.T) {
	t.Parallel()
	ec := ecKey(t)
	hs := testKey{jose.HS256, []byte("0123456789abcdef0123456789abcdef")}
	small := rsaKey(t, 1024)
	privJWK := jose.JSONWebKey{Key: ec.priv}
	pubJWK := ec.public()
	with := func(name string, val any) map[string]any {
		c := proofClaims()
		if val == nil {
			delete(c, name)
		} else {
			c[name] = val
		}
		return c
	}
	valid := sign(t, ec, proofClaims(), nil)
	parts := strings.Split(valid, ".")
	other := sign(t, ecKey(t), proofClaims(), nil)
	otherSig := strings.Split(other, ".")[2]

	cases := []struct {
		name   string
		why    string // in the error: the proof is refused for this reason
		proof  string
		method string
		url    string
		token  string
	}{
		{name: "empty", why: "no proof", proof: ""},
		{name: "garbage", why: "compact JWS", proof: "not a jwt"},
		{name: "garbage parts", why: "compact JWS", proof: "a.b.c"},
		{name: "JSON serialization", why: "compact JWS", proof: `{"payload":"e30","signatures":[]}`},
		{name: "oversized", why: "longer than", proof: valid + strings.Repeat("A", MaxProofSize)},
		{name: "wrong typ", why: "typ", proof: sign(t, ec, proofClaims(), map[string]any{"typ": "JWT"})},
		{name: "no typ", why: "typ", proof: sign(t, ec, proofClaims(), map[string]any{"typ": nil})},
		{name: "alg none", why: "algorithm", proof: unsigned(t, map[string]any{"typ": Typ, "alg": "none", "jwk": pubJWK}, proofClaims(), "")},
		{name: "HS256", why: "algorithm", proof: sign(t, hs, proofClaims(), map[string]any{"jwk": pubJWK})},
		{name: "private jwk", why: "private", proof: sign(t, ec, proofClaims(), map[string]any{"jwk": privJWK})},
		{name: "no jwk", why: "no jwk", proof: sign(t, ec, proofClaims(), map[string]any{"jwk": nil, "kid": "k1"})},
		{name: "short RSA key", why: "RSA key shorter", proof: sign(t, small, proofClaims(), nil)},
		{name: "bad signature", why: "signature", proof: parts[0] + "." + parts[1] + "." + otherSig},
		{name: "signature by another key", why: "signature", proof: sign(t, ecKey(t), proofClaims(), map[string]any{"jwk": pubJWK})},
		{name: "claims not an object", why: "claims are not", proof: sign(t, ec, "claims", nil)},
		{name: "missing jti", why: "no jti", proof: sign(t, ec, with("jti", nil), nil)},
		{name: "long jti", why: "jti longer", proof: sign(t, ec, with("jti", strings.Repeat("j", maxJTILength+1)), nil)},
		{name: "jti not a string", why: "claims are not", proof: sign(t, ec, with("jti", 7), nil)},
		{name: "wrong htm", why: "htm", proof: valid, method: "GET"},
		{name: "lower-case htm", why: "htm", proof: sign(t, ec, with("htm", "post"), nil)},
		{name: "missing htm", why: "htm", proof: sign(t, ec, with("htm", nil), nil)},
		{name: "wrong htu path", why: "htu", proof: sign(t, ec, with("htu", "https://auth.example.com/oauth2/token/x"), nil)},
		{name: "wrong htu host", why: "htu", proof: sign(t, ec, with("htu", "https://evil.example.com/oauth2/token"), nil)},
		{name: "wrong htu scheme", why: "htu", proof: sign(t, ec, with("htu", "http://auth.example.com/oauth2/token"), nil)},
		{name: "wrong htu port", why: "htu", proof: sign(t, ec, with("htu", "https://auth.example.com:8443/oauth2/token"), nil)},
		{name: "htu with user", why: "htu", proof: sign(t, ec, with("htu", "https://u@auth.example.com/oauth2/token"), nil)},
		{name: "relative htu", why: "htu", proof: sign(t, ec, with("htu", "/oauth2/token"), nil)},
		{name: "missing htu", why: "htu", proof: sign(t, ec, with("htu", nil), nil)},
		{name: "missing iat", why: "no iat", proof: sign(t, ec, with("iat", nil), nil)},
		{name: "iat too old", why: "iat older", proof: sign(t, ec, with("iat", now.Add(-DefaultWindow-time.Second).Unix()), nil)},
		{name: "iat too far ahead", why: "in the future", proof: sign(t, ec, with("iat", now.Add(DefaultSkew+time.Second).Unix()), nil)},
		{name: "iat not a number", why: "claims are not", proof: sign(t, ec, with("iat", "now"), nil)},
		{name: "ath missing with token", why: "no ath", proof: valid, token: "at-123"},
		{name: "ath wrong", why: "ath does not match", proof: sign(t, ec, with("ath", AccessTokenHash("other")), nil), token: "at-123"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, r := newVerifier(t, nil)
			method, url := tc.method, tc.url
			if method == "" {
				method = "POST"
			}
			if url == "" {
				url = tokenURL
			}
			_, err := v.Verify(context.Background(), tc.proof, method, url, tc.token)
			if !errors.Is(err, ErrInvalidProof) || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("err = %v, want ErrInvalidProof for %q", err, tc.why)
			}
			if len(r.seen) != 0 {
				t.Error("a refused proof's jti was recorded")
			}
		})
	}
}

func TestVerifyRefusesReplay(t *testing.T) {
	t.Parallel()
	v, r := newVerifier(t, nil)
	proof := sign(t, ecKey(t), proofClaims(), nil)
	p, err := v.Verify(context.Background(), proof, "POST", tokenURL, "")
	if err != nil {
		t.Fatalf("first use: %v", err)
	}
	if until := r.seen[ReplayKey(p.JKT, p.JTI)]; !until.Equal(now.Add(DefaultWindow)) {
		t.Errorf("jti remembered until %v, want iat+window", until)
	}
	if _, err := v.Verify(context.Background(), proof, "POST", tokenURL, ""); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("second use: err = %v, want ErrInvalidProof", err)
	}
}

func TestVerifySameJTIOtherKey(t *testing.T) {
	t.Parallel()
	v, _ := newVerifier(t, nil)
	for i := range 2 {
		if _, err := v.Verify(context.Background(), sign(t, ecKey(t), proofClaims(), nil), "POST", tokenURL, ""); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
	}
}

func TestVerifyReplayStoreFailure(t *testing.T) {
	t.Parallel()
	v, r := newVerifier(t, nil)
	r.err = errors.New("connection refused")
	_, err := v.Verify(context.Background(), sign(t, ecKey(t), proofClaims(), nil), "POST", tokenURL, "")
	if !errors.Is(err, ErrReplayStore) || errors.Is(err, ErrInvalidProof) {
		t.Fatalf("err = %v, want ErrReplayStore only", err)
	}
}

func TestVerifyNonce(t *testing.T) {
	t.Parallel()
	const period = time.Minute
	nonces := NewNonces([]byte(strings.Repeat("k", MinNonceKey)), period)
	otherNode := NewNonces([]byte(strings.Repeat("k", MinNonceKey)), period)
	otherKey := NewNonces([]byte(strings.Repeat("x", MinNonceKey)), period)
	ec := ecKey(t)
	cases := []struct {
		name  string
		nonce any
		ok    bool
	}{
		{"current", nonces.Current(now), true},
		{"current from another node", otherNode.Current(now), true},
		{"previous window", nonces.Current(now.Add(-period)), true},
		{"missing", nil, false},
		{"stale", nonces.Current(now.Add(-2 * period)), false},
		{"future window", nonces.Current(now.Add(period)), false},
		{"other key", otherKey.Current(now), false},
		{"garbage", "abc", false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, _ := newVerifier(t, nonces)
			c := proofClaims()
			c["jti"] = strings.Repeat("n", i+1)
			if tc.nonce != nil {
				c["nonce"] = tc.nonce
			}
			p, err := v.Verify(context.Background(), sign(t, ec, c, nil), "POST", tokenURL, "")
			if tc.ok {
				if err != nil || p.Nonce != tc.nonce {
					t.Fatalf("err = %v, nonce %q", err, p.Nonce)
				}
				return
			}
			if !errors.Is(err, ErrUseNonce) {
				t.Fatalf("err = %v, want ErrUseNonce", err)
			}
		})
	}
}

func TestHTUNormalization(t *testing.T) {
	t.Parallel()
	same := []string{
		"https://auth.example.com/oauth2/token",
		"HTTPS://Auth.Example.COM/oauth2/token",
		"https://auth.example.com:443/oauth2/token",
		"https://auth.example.com/oauth2/./token",
		"https://auth.example.com/x/../oauth2/token",
		"https://auth.example.com/%6Fauth2/token",
		"https://auth.example.com/oauth2/token?q=1#f",
	}
	for _, u := range same {
		got, err := normalizeHTU(u)
		if err != nil || got != tokenURL {
			t.Errorf("normalizeHTU(%q) = %q, %v; want %q", u, got, err, tokenURL)
		}
	}
	pairs := [][2]string{
		{"http://h.example:80", "http://h.example/"},
		{"https://[::1]:443/a", "https://[::1]/a"},
		{"https://h.example/a%2fb", "https://h.example/a%2Fb"},
		{"https://h.example/a/b/..", "https://h.example/a/"},
	}
	for _, p := range pairs {
		got, err := normalizeHTU(p[0])
		if err != nil || got != p[1] {
			t.Errorf("normalizeHTU(%q) = %q, %v; want %q", p[0], got, err, p[1])
		}
	}
	for _, bad := range []string{"", "ftp://h.example/", "https:opaque", "https:///path", "//h.example/a", "https://u:p@h.example/"} {
		if got, err := normalizeHTU(bad); err == nil {
			t.Errorf("normalizeHTU(%q) = %q, want an error", bad, got)
		}
	}
}

func TestNewRefusesUnsafeConfig(t *testing.T) {
	t.Parallel()
	r := &memReplays{}
	for name, cfg := range map[string]Config{
		"HS256":         {Replays: r, Algs: []jose.SignatureAlgorithm{jose.HS256}},
		"none":          {Replays: r, Algs: []jose.SignatureAlgorithm{"none"}},
		"no replays":    {},
		"negative skew": {Replays: r, Skew: -time.Second},
		"weak nonces":   {Replays: r, Nonces: NewNonces([]byte("short"), time.Minute)},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted the config", name)
		}
	}
}

func TestVerifyAlgAllowList(t *testing.T) {
	t.Parallel()
	r := &memReplays{}
	v, err := New(Config{Replays: r, Algs: []jose.SignatureAlgorithm{jose.ES256}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), sign(t, edKey(t), proofClaims(), nil), "POST", tokenURL, ""); !errors.Is(err, ErrInvalidProof) {
		t.Fatalf("EdDSA proof with only ES256 allowed: err = %v", err)
	}
	if got := v.Algs(); len(got) != 1 || got[0] != "ES256" {
		t.Errorf("Algs = %v", got)
	}
}

func TestVerifyBadRequestURL(t *testing.T) {
	t.Parallel()
	v, _ := newVerifier(t, nil)
	_, err := v.Verify(context.Background(), sign(t, ecKey(t), proofClaims(), nil), "POST", "/relative", "")
	if err == nil || errors.Is(err, ErrInvalidProof) {
		t.Fatalf("err = %v, want the caller's error", err)
	}
}

func TestThumbprint(t *testing.T) {
	t.Parallel()
	ec := ecKey(t)
	pub, err := Thumbprint(ec.public())
	if err != nil {
		t.Fatal(err)
	}
	priv, err := Thumbprint(&jose.JSONWebKey{Key: ec.priv})
	if err != nil || priv != pub {
		t.Errorf("private key thumbprint = %q, %v; want %q", priv, err, pub)
	}
	if _, err := Thumbprint(&jose.JSONWebKey{Key: []byte("secret")}); err == nil {
		t.Error("symmetric key has a thumbprint")
	}
	if _, err := Thumbprint(nil); err == nil {
		t.Error("nil key has a thumbprint")
	}
}
