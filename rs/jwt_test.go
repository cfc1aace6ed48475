package rs_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/tokenim/tokenim-auth/rs"
)

func TestJWTAccessToken(t *testing.T) {
	p, c := newFakeProvider(t), newClock()
	k1 := newSigningKey(t, "k1")
	p.publish(k1)
	v := newVerifier(t, p, c, rs.Config{Audience: "https://im.example.com", Leeway: 5 * time.Second})
	h := service(v)
	// with returns the standard claims changed by edit.
	with := func(edit func(m map[string]any)) map[string]any {
		m := p.atClaims(c.Now())
		edit(m)
		return m
	}

	t.Run("a valid token is verified locally, with every claim", func(t *testing.T) {
		raw := sign(t, k1, "at+jwt", p.atClaims(c.Now()))
		tok, err := v.Verify(t.Context(), raw)
		if err != nil {
			t.Fatal(err)
		}
		if tok.Format != rs.FormatJWT || tok.Subject != "user-ann" || tok.ClientID != "chat-web" || tok.ID != "jti-1" ||
			!tok.HasScope("im:messages.send") || !tok.Expiry.Equal(c.Now().Add(5*time.Minute).Truncate(time.Second)) ||
			!tok.AuthTime.Equal(c.Now().Add(-time.Minute).Truncate(time.Second)) || tok.ACR != "2" || !slices.Equal(tok.AMR, []string{"pwd", "otp", "mfa"}) {
			t.Fatalf("token %+v", tok)
		}
		if p.introspections.Load() != 0 {
			t.Fatal("a JWT access token was introspected")
		}
		if a := call(t, h, "POST", "Bearer "+raw); a.status != 200 {
			t.Fatalf("through the middleware: %d %s", a.status, a.text)
		}
		if a := call(t, h, "DELETE", "Bearer "+raw); a.status != 403 || !strings.Contains(a.challenge, `scope="im:messages.delete im:admin"`) {
			t.Fatalf("missing scopes: %d %q", a.status, a.challenge)
		}
	})
	t.Run("application/at+jwt is an access token too", func(t *testing.T) {
		if _, err := v.Verify(t.Context(), sign(t, k1, "application/at+jwt", p.atClaims(c.Now()))); err != nil {
			t.Fatal(err)
		}
	})

	for _, tc := range []struct {
		name   string
		raw    func(t *testing.T) string
		reason string
	}{
		{"an expired token", func(t *testing.T) string {
			return sign(t, k1, "at+jwt", with(func(m map[string]any) { m["exp"] = c.Now().Add(-10 * time.Second).Unix() }))
		}, "expired"},
		{"a token not valid yet", func(t *testing.T) string {
			return sign(t, k1, "at+jwt", with(func(m map[string]any) { m["nbf"] = c.Now().Add(time.Minute).Unix() }))
		}, "not valid yet"},
		{"a token of another issuer", func(t *testing.T) string {
			return sign(t, k1, "at+jwt", with(func(m map[string]any) { m["iss"] = "https://evil.example.com" }))
		}, "another authorization server"},
		{"a token for another audience", func(t *testing.T) string {
			return sign(t, k1, "at+jwt", with(func(m map[string]any) { m["aud"] = "https://mail.example.com" }))
		}, "not meant for this resource server"},
		{"an ID token (typ JWT)", func(t *testing.T) string { return sign(t, k1, "JWT", p.atClaims(c.Now())) }, "typ header must be at+jwt"},
		{"a token without typ", func(t *testing.T) string { return sign(t, k1, "", p.atClaims(c.Now())) }, "typ header must be at+jwt"},
		{"a token lacking RFC 9068 claims", func(t *testing.T) string {
			return sign(t, k1, "at+jwt", with(func(m map[string]any) { delete(m, "client_id"); delete(m, "jti") }))
		}, "lacks required claims: client_id, jti"},
		{"a token signed by an impostor with a published kid", func(t *testing.T) string {
			return sign(t, newSigningKey(t, "k1"), "at+jwt", p.atClaims(c.Now()))
		}, "signature does not verify"},
		{"a token with alg none", func(t *testing.T) string {
			raw := sign(t, k1, "at+jwt", p.atClaims(c.Now()))
			parts := strings.Split(raw, ".")
			return "eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0." + parts[1] + "."
		}, "not a well-formed signed JWT"},
		{"a token with a shared-secret alg", func(t *testing.T) string {
			signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte("0123456789abcdef0123456789abcdef")}, (&jose.SignerOptions{}).WithType("at+jwt"))
			raw, _ := jwt.Signed(signer).Claims(p.atClaims(c.Now())).Serialize()
			return raw
		}, "not a well-formed signed JWT"},
	} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			raw := tc.raw(t)
			_, err := v.Verify(t.Context(), raw)
			var bad *rs.InvalidTokenError
			if !errors.As(err, &bad) || !strings.Contains(bad.Reason, tc.reason) {
				t.Fatalf("got %v, want an invalid token because %q", err, tc.reason)
			}
			a := call(t, h, "GET", "Bearer "+raw)
			if a.status != 401 || !strings.HasPrefix(a.challenge, `Bearer realm="tokenim", error="invalid_token", error_description="`) {
				t.Fatalf("through the middleware: %d %q", a.status, a.challenge)
			}
		})
	}
	t.Run("within the leeway an expired token still passes", func(t *testing.T) {
		raw := sign(t, k1, "at+jwt", with(func(m map[string]any) { m["exp"] = c.Now().Add(-2 * time.Second).Unix() }))
		if _, err := v.Verify(t.Context(), raw); err != nil {
			t.Fatal(err)
		}
	})
}

func TestJWKSRotation(t *testing.T) {
	p, c := newFakeProvider(t), newClock()
	k1, k2, k3 := newSigningKey(t, "k1"), newSigningKey(t, "k2"), newSigningKey(t, "k3")
	p.publish(k1)
	v := newVerifier(t, p, c, rs.Config{JWKSRefreshInterval: time.Minute})
	verify := func(k signingKey) error {
		_, err := v.Verify(t.Context(), sign(t, k, "at+jwt", p.atClaims(c.Now())))
		return err
	}
	fetches := func(want int32) {
		t.Helper()
		if got := p.jwksFetches.Load(); got != want {
			t.Fatalf("%d JWKS fetches, want %d", got, want)
		}
	}

	if err := verify(k1); err != nil {
		t.Fatal(err)
	}
	if err := verify(k1); err != nil {
		t.Fatal(err)
	}
	fetches(1)

	// The provider rotates to k2: a token naming k2 triggers a refresh.
	c.Advance(time.Minute)
	p.publish(k1, k2)
	if err := verify(k2); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	fetches(2)

	// An unknown kid right after a refresh is refused without a fetch:
	// forged kids cannot make the verifier hammer the provider.
	for range 3 {
		if err := verify(k3); !errors.Is(err, rs.ErrInvalidToken) {
			t.Fatalf("unknown kid: %v", err)
		}
	}
	fetches(2)
	// Once the interval has passed, the next unknown kid refreshes again.
	c.Advance(time.Minute)
	p.publish(k2, k3)
	if err := verify(k3); err != nil {
		t.Fatal(err)
	}
	fetches(3)
	if err := verify(k1); !errors.Is(err, rs.ErrInvalidToken) {
		t.Fatalf("a key the provider retired: %v", err)
	}
}

func TestJWKSUnreachable(t *testing.T) {
	p, c := newFakeProvider(t), newClock()
	k1 := newSigningKey(t, "k1")
	p.publish(k1)
	h := service(newVerifier(t, p, c, rs.Config{}))
	raw := sign(t, k1, "at+jwt", p.atClaims(c.Now()))
	p.srv.Close()
	a := call(t, h, "GET", "Bearer "+raw)
	if a.status != http.StatusServiceUnavailable || a.body["error"] != "temporarily_unavailable" {
		t.Fatalf("JWKS unreachable: %d %v", a.status, a.body)
	}
}
