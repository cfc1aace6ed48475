package dpop

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzVerify feeds Verify arbitrary proofs, methods and access tokens: it
// never panics and refuses only with ErrInvalidProof or ErrUseNonce.
func FuzzVerify(f *testing.F) {
	ec := ecKey(f)
	nonces := NewNonces([]byte(strings.Repeat("k", MinNonceKey)), time.Minute)
	withNonce := proofClaims()
	withNonce["nonce"] = nonces.Current(now)
	withNonce["ath"] = AccessTokenHash("at")
	f.Add(sign(f, ec, proofClaims(), nil), "POST", "")
	f.Add(sign(f, ec, withNonce, nil), "POST", "at")
	f.Add(sign(f, edKey(f), proofClaims(), map[string]any{"typ": "JWT"}), "POST", "")
	f.Add(rfcCodeProof, "POST", "")
	f.Add(rfcResourceProof, "GET", rfcAccessToken)
	f.Add("a.b.c", "GET", "x")
	f.Add("", "", "")
	v, err := New(Config{Replays: &memReplays{}, Nonces: nonces, Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, proof, method, token string) {
		_, err := v.Verify(context.Background(), proof, method, tokenURL, token)
		if err != nil && !errors.Is(err, ErrInvalidProof) && !errors.Is(err, ErrUseNonce) {
			t.Fatalf("err = %v, want ErrInvalidProof or ErrUseNonce", err)
		}
	})
}

// FuzzNormalizeHTU checks that normalising an htu never panics and that a
// normalised URL normalises to itself.
func FuzzNormalizeHTU(f *testing.F) {
	for _, s := range []string{tokenURL, "HTTPS://A.example:443/%7e/./x/../y?q#f", "http://[::1]:80", "https://h/%zz", "https://h/a%2f.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := normalizeHTU(raw)
		if err != nil {
			return
		}
		again, err := normalizeHTU(n)
		if err != nil || again != n {
			t.Fatalf("normalizeHTU(%q) = %q, then %q, %v", raw, n, again, err)
		}
	})
}
