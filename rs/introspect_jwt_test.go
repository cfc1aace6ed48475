package rs_test

import (
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

// signAnswers makes p sign its introspection answers with k, with the
// claims of RFC 9701 section 5 at now, changed by change.
func (p *fakeProvider) signAnswers(t *testing.T, k signingKey, now func() time.Time, change func(claims map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sign = func(answer map[string]any) string {
		claims := map[string]any{"iss": p.srv.URL, "aud": rsID, "iat": now().Unix(), "token_introspection": maps.Clone(answer)}
		if change != nil {
			change(claims)
		}
		return sign(t, k, "token-introspection+jwt", claims)
	}
}

// With SignedIntrospection, the Verifier asks for signed answers (RFC
// 9701) and takes nothing else: an answer unsigned, signed by a key the
// provider does not publish, for another audience, by another issuer or
// old is a provider fault, never a verdict on the token.
func TestSignedIntrospection(t *testing.T) {
	t.Parallel()
	good := func(t *testing.T) (*fakeProvider, *clock, signingKey) {
		p, c := newFakeProvider(t), newClock()
		k := newSigningKey(t, "k1")
		p.publish(k)
		p.issue("tok", "user-ann", c.Now().Add(time.Hour), "im:messages.read")
		return p, c, k
	}
	t.Run("a signed answer is read", func(t *testing.T) {
		t.Parallel()
		p, c, k := good(t)
		p.signAnswers(t, k, c.Now, nil)
		v := newVerifier(t, p, c, rs.Config{SignedIntrospection: true, CacheTTL: rs.NoCache})
		tok, err := v.Verify(t.Context(), "tok")
		if err != nil || tok.Subject != "user-ann" || !tok.HasScope("im:messages.read") {
			t.Fatalf("Verify: %+v, %v", tok, err)
		}
		if _, err := v.Verify(t.Context(), "unknown"); !errors.Is(err, rs.ErrInvalidToken) {
			t.Fatalf("a signed inactive answer: %v, want ErrInvalidToken", err)
		}
	})
	for _, tt := range []struct {
		name  string
		setup func(p *fakeProvider, c *clock, k signingKey, t *testing.T)
	}{
		{"an unsigned answer", func(*fakeProvider, *clock, signingKey, *testing.T) {}},
		{"a key the provider does not publish", func(p *fakeProvider, c *clock, _ signingKey, t *testing.T) {
			p.signAnswers(t, newSigningKey(t, "k1"), c.Now, nil)
		}},
		{"another audience", func(p *fakeProvider, c *clock, k signingKey, t *testing.T) {
			p.signAnswers(t, k, c.Now, func(m map[string]any) { m["aud"] = "another-service" })
		}},
		{"another issuer", func(p *fakeProvider, c *clock, k signingKey, t *testing.T) {
			p.signAnswers(t, k, c.Now, func(m map[string]any) { m["iss"] = "https://evil.example" })
		}},
		{"an answer two minutes old", func(p *fakeProvider, c *clock, k signingKey, t *testing.T) {
			p.signAnswers(t, k, c.Now, func(m map[string]any) { m["iat"] = c.Now().Add(-2 * time.Minute).Unix() })
		}},
		{"no token_introspection", func(p *fakeProvider, c *clock, k signingKey, t *testing.T) {
			p.signAnswers(t, k, c.Now, func(m map[string]any) { delete(m, "token_introspection") })
		}},
	} {
		t.Run(tt.name+" is a provider fault", func(t *testing.T) {
			t.Parallel()
			p, c, k := good(t)
			tt.setup(p, c, k, t)
			v := newVerifier(t, p, c, rs.Config{SignedIntrospection: true, CacheTTL: rs.NoCache})
			if _, err := v.Verify(t.Context(), "tok"); !errors.Is(err, rs.ErrUnavailable) {
				t.Fatalf("Verify: %v, want ErrUnavailable", err)
			}
		})
	}
}
