package rs_test

import (
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/rs"
)

func TestIntrospectionCache(t *testing.T) {
	const tok = "ory_at_ann.sig"
	// setup issues tok to user-ann, valid for life, and returns a
	// Verifier with cfg over a fresh provider.
	setup := func(t *testing.T, life time.Duration, cfg rs.Config) (*fakeProvider, *clock, *rs.Verifier) {
		p, c := newFakeProvider(t), newClock()
		p.issue(tok, "user-ann", c.Now().Add(life), "im:messages.read")
		return p, c, newVerifier(t, p, c, cfg)
	}
	verify := func(t *testing.T, v *rs.Verifier, raw string) error {
		t.Helper()
		_, err := v.Verify(t.Context(), raw)
		return err
	}
	calls := func(t *testing.T, p *fakeProvider, want int32) {
		t.Helper()
		if got := p.introspections.Load(); got != want {
			t.Fatalf("%d introspections, want %d", got, want)
		}
	}

	t.Run("an active answer is reused for CacheTTL, then asked again", func(t *testing.T) {
		p, c, v := setup(t, time.Hour, rs.Config{CacheTTL: 10 * time.Second})
		for range 3 {
			if err := verify(t, v, tok); err != nil {
				t.Fatal(err)
			}
		}
		calls(t, p, 1)
		c.Advance(9 * time.Second)
		_ = verify(t, v, tok)
		calls(t, p, 1)
		c.Advance(time.Second)
		_ = verify(t, v, tok)
		calls(t, p, 2)
	})
	t.Run("an answer is not reused past the token's exp", func(t *testing.T) {
		p, c, v := setup(t, 3*time.Second, rs.Config{CacheTTL: time.Minute})
		_ = verify(t, v, tok)
		c.Advance(2 * time.Second)
		_ = verify(t, v, tok)
		calls(t, p, 1)
		// The provider has forgotten the expired token; the cached
		// answer must not outlive it.
		c.Advance(time.Second)
		p.revoke(tok)
		if err := verify(t, v, tok); !errors.Is(err, rs.ErrInvalidToken) {
			t.Fatalf("after exp: %v, want ErrInvalidToken", err)
		}
		calls(t, p, 2)
	})
	t.Run("an active answer already past its exp is refused", func(t *testing.T) {
		_, c, v := setup(t, time.Hour, rs.Config{})
		c.Advance(time.Hour)
		if err := verify(t, v, tok); !errors.Is(err, rs.ErrInvalidToken) {
			t.Fatalf("got %v, want ErrInvalidToken", err)
		}
	})
	t.Run("an inactive answer is reused for NegativeTTL only", func(t *testing.T) {
		p, c, v := setup(t, time.Hour, rs.Config{NegativeTTL: 2 * time.Second})
		for range 5 {
			if err := verify(t, v, "ory_at_revoked.sig"); !errors.Is(err, rs.ErrInvalidToken) {
				t.Fatalf("got %v, want ErrInvalidToken", err)
			}
		}
		calls(t, p, 1)
		c.Advance(2 * time.Second)
		_ = verify(t, v, "ory_at_revoked.sig")
		calls(t, p, 2)
	})
	t.Run("Invalidate drops one token, so its revocation shows at once", func(t *testing.T) {
		p, _, v := setup(t, time.Hour, rs.Config{})
		p.issue("ory_at_other.sig", "user-ann", newClock().Now().Add(time.Hour), "im:messages.read")
		_, _ = verify(t, v, tok), verify(t, v, "ory_at_other.sig")
		p.revoke(tok)
		if err := verify(t, v, tok); err != nil {
			t.Fatalf("before Invalidate the cached answer stands: %v", err)
		}
		v.Invalidate(tok)
		if err := verify(t, v, tok); !errors.Is(err, rs.ErrInvalidToken) {
			t.Fatalf("after Invalidate: %v, want ErrInvalidToken", err)
		}
		_ = verify(t, v, "ory_at_other.sig")
		calls(t, p, 3)
	})
	t.Run("InvalidateSubject drops the subject's tokens only", func(t *testing.T) {
		p, c, v := setup(t, time.Hour, rs.Config{})
		p.issue("ory_at_ann2.sig", "user-ann", c.Now().Add(time.Hour), "im:messages.read")
		p.issue("ory_at_bob.sig", "user-bob", c.Now().Add(time.Hour), "im:messages.read")
		for _, raw := range []string{tok, "ory_at_ann2.sig", "ory_at_bob.sig"} {
			_ = verify(t, v, raw)
		}
		calls(t, p, 3)
		v.InvalidateSubject("user-ann")
		for _, raw := range []string{tok, "ory_at_ann2.sig", "ory_at_bob.sig"} {
			_ = verify(t, v, raw)
		}
		calls(t, p, 5)
	})
	t.Run("InvalidateAll drops everything", func(t *testing.T) {
		p, _, v := setup(t, time.Hour, rs.Config{})
		_, _ = verify(t, v, tok), verify(t, v, "ory_at_revoked.sig")
		v.InvalidateAll()
		_, _ = verify(t, v, tok), verify(t, v, "ory_at_revoked.sig")
		calls(t, p, 4)
	})
	t.Run("NoCache asks every time, inactive answers included", func(t *testing.T) {
		p, _, v := setup(t, time.Hour, rs.Config{CacheTTL: rs.NoCache})
		_, _ = verify(t, v, tok), verify(t, v, tok)
		_, _ = verify(t, v, "ory_at_revoked.sig"), verify(t, v, "ory_at_revoked.sig")
		calls(t, p, 4)
	})
	t.Run("the cache holds CacheSize answers", func(t *testing.T) {
		p, c, v := setup(t, time.Hour, rs.Config{CacheSize: 1})
		p.issue("ory_at_bob.sig", "user-bob", c.Now().Add(time.Hour), "im:messages.read")
		_, _, _ = verify(t, v, tok), verify(t, v, "ory_at_bob.sig"), verify(t, v, tok)
		calls(t, p, 3)
	})
}

func TestNewRefusesABadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  rs.Config
		want []string
	}{
		{"nothing set", rs.Config{}, []string{"issuer: required", "client id: required", "client secret: required"}},
		{"an issuer that is not a URL", rs.Config{Issuer: "auth.example.com", ClientID: "a", ClientSecret: "b"}, []string{"issuer: not an http(s) URL"}},
		{"negative durations", rs.Config{Issuer: "https://a.example", ClientID: "a", ClientSecret: "b", CacheTTL: -time.Second, Leeway: -1}, []string{"cache ttl: negative", "leeway: negative"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rs.New(tc.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !containsText(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestConcurrentRequestsShareOneIntrospection(t *testing.T) {
	for _, tc := range []struct {
		name   string
		token  string
		active bool
	}{
		{"an active token", "ory_at_ann.sig", true},
		{"a revoked token", "ory_at_revoked.sig", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c := newFakeProvider(t), newClock()
			p.issue("ory_at_ann.sig", "user-ann", c.Now().Add(time.Hour), "im:messages.read")
			v := newVerifier(t, p, c, rs.Config{})
			release := p.holdIntrospections()
			errs := make(chan error, 20)
			for range 20 {
				go func() {
					_, err := v.Verify(t.Context(), tc.token)
					errs <- err
				}()
			}
			for p.introspections.Load() == 0 {
				runtime.Gosched()
			}
			release()
			for range 20 {
				if err := <-errs; (err == nil) != tc.active {
					t.Fatalf("got %v, want active %v", err, tc.active)
				}
			}
			if n := p.introspections.Load(); n != 1 {
				t.Fatalf("%d introspections for 20 concurrent requests, want 1", n)
			}
		})
	}
}

func TestInvalidateDuringAnIntrospection(t *testing.T) {
	p, c := newFakeProvider(t), newClock()
	const tok = "ory_at_ann.sig"
	p.issue(tok, "user-ann", c.Now().Add(time.Hour), "im:messages.read")
	v := newVerifier(t, p, c, rs.Config{})
	release := p.holdIntrospections()
	first := make(chan error, 1)
	go func() {
		_, err := v.Verify(t.Context(), tok)
		first <- err
	}()
	for p.held.Load() == 0 {
		runtime.Gosched()
	}
	// The token is revoked while its introspection is in flight.
	p.revoke(tok)
	v.Invalidate(tok)
	release()
	if err := <-first; err != nil {
		t.Fatalf("the request already asking gets the provider's earlier answer: %v", err)
	}
	if _, err := v.Verify(t.Context(), tok); !errors.Is(err, rs.ErrInvalidToken) {
		t.Fatalf("the answer from before the invalidation was cached: %v", err)
	}
}
