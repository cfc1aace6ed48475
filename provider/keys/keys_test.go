package keys_test

import (
	"bytes"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newManager(t *testing.T, store storage.Keys, system, alg string, c *clock) *keys.Manager {
	t.Helper()
	ring, err := secret.NewKeyring(system)
	if err != nil {
		t.Fatal(err)
	}
	m, err := keys.New(keys.Config{Store: store, SealKey: ring.Derive(secret.PurposeSigningKeys), Algorithm: alg, CacheFor: time.Minute, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// verify signs a payload with the current key and verifies it against the
// published JWKS, as a relying party would.
func signWith(t *testing.T, m *keys.Manager) string {
	t.Helper()
	k, err := m.Current(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Algorithm), Key: jose.JSONWebKey{Key: k.Signer, KeyID: k.ID}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign([]byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func verifies(t *testing.T, m *keys.Manager, token string) bool {
	t.Helper()
	set, err := m.JWKS(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	found := set.Key(jws.Signatures[0].Header.KeyID)
	if len(found) == 0 {
		return false
	}
	_, err = jws.Verify(found[0])
	return err == nil
}

const system = "a-system-secret-of-at-least-32-characters"

func TestManager(t *testing.T) {
	for _, alg := range []string{keys.ES256, keys.RS256} {
		t.Run(alg+": first key is created once and signs tokens the JWKS verifies", func(t *testing.T) {
			c := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
			store := memory.New()
			m := newManager(t, store, system, alg, c)
			if err := m.Ensure(t.Context()); err != nil {
				t.Fatal(err)
			}
			if err := m.Ensure(t.Context()); err != nil {
				t.Fatal(err)
			}
			stored, _ := store.ListSigningKeys(t.Context())
			if len(stored) != 1 || stored[0].Algorithm != alg {
				t.Fatalf("stored keys = %d (%v), want one %s key", len(stored), stored, alg)
			}
			if !verifies(t, m, signWith(t, m)) {
				t.Fatal("token does not verify against the JWKS")
			}
			set, _ := m.JWKS(t.Context())
			if set.Keys[0].IsPublic() != true || set.Keys[0].Use != "sig" || set.Keys[0].Algorithm != alg {
				t.Fatalf("published key %+v: want a public %s signing key", set.Keys[0], alg)
			}
		})
	}

	t.Run("private keys are sealed at rest", func(t *testing.T) {
		c := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
		store := memory.New()
		m := newManager(t, store, system, keys.ES256, c)
		if err := m.Ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
		k, _ := m.Current(t.Context())
		der, _ := x509.MarshalPKCS8PrivateKey(k.Signer)
		stored, _ := store.ListSigningKeys(t.Context())
		if bytes.Contains(stored[0].PrivateKey, der) {
			t.Fatal("private key stored in clear")
		}
		if _, err := x509.ParsePKCS8PrivateKey(stored[0].PrivateKey); err == nil {
			t.Fatal("stored private key parses without the system secret")
		}
		other := newManager(t, store, strings.Repeat("z", 40), keys.ES256, c)
		if _, err := other.Current(t.Context()); err == nil || !strings.Contains(err.Error(), "secrets.system") {
			t.Fatalf("another system secret: got %v, want an error naming secrets.system", err)
		}
	})

	t.Run("after rotation old tokens verify until the old key retires", func(t *testing.T) {
		c := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
		store := memory.New()
		m := newManager(t, store, system, keys.ES256, c)
		if err := m.Ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
		before := signWith(t, m)
		oldKey, _ := m.Current(t.Context())
		kid, err := m.Rotate(t.Context(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		now, _ := m.Current(t.Context())
		if now.ID != kid || now.ID == oldKey.ID {
			t.Fatalf("current key %s after rotation to %s (old %s)", now.ID, kid, oldKey.ID)
		}
		after := signWith(t, m)
		if !verifies(t, m, before) || !verifies(t, m, after) {
			t.Fatal("a token signed before or after the rotation does not verify")
		}
		c.advance(2 * time.Hour)
		if verifies(t, m, before) {
			t.Fatal("token of a retired key still verifies")
		}
		gone, err := m.Prune(t.Context())
		if err != nil || len(gone) != 1 || gone[0] != oldKey.ID {
			t.Fatalf("prune = %v, %v; want [%s]", gone, err, oldKey.ID)
		}
		if !verifies(t, m, after) {
			t.Fatal("current key lost by pruning")
		}
	})

	t.Run("a rotation on another node shows after the cache period", func(t *testing.T) {
		c := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
		store := memory.New()
		a := newManager(t, store, system, keys.ES256, c)
		b := newManager(t, store, system, keys.ES256, c)
		if err := a.Ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
		first, _ := b.Current(t.Context())
		kid, err := a.Rotate(t.Context(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if k, _ := b.Current(t.Context()); k.ID != first.ID {
			t.Fatal("cache period ignored")
		}
		c.advance(2 * time.Minute)
		if k, _ := b.Current(t.Context()); k.ID != kid {
			t.Fatalf("node b signs with %s, want the rotated key %s", k.ID, kid)
		}
	})

	t.Run("unknown algorithm is refused", func(t *testing.T) {
		if _, err := keys.New(keys.Config{Store: memory.New(), SealKey: make([]byte, 32), Algorithm: "HS256"}); err == nil {
			t.Fatal("HS256 accepted")
		}
	})
}

func TestVerify(t *testing.T) {
	c := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	store := memory.New()
	m := newManager(t, store, system, keys.ES256, c)
	if err := m.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	token := signWith(t, m)
	t.Run("a token signed by a published key verifies and yields its payload", func(t *testing.T) {
		payload, err := m.Verify(t.Context(), token)
		if err != nil || string(payload) != "hello" {
			t.Fatalf("payload %q, err %v", payload, err)
		}
	})
	t.Run("a tampered token does not verify", func(t *testing.T) {
		parts := strings.Split(token, ".")
		parts[1] = "d29ybGQ" // "world"
		if _, err := m.Verify(t.Context(), strings.Join(parts, ".")); !errors.Is(err, keys.ErrUnverified) {
			t.Fatalf("got %v, want ErrUnverified", err)
		}
	})
	t.Run("a token from another provider does not verify", func(t *testing.T) {
		other := newManager(t, memory.New(), system, keys.ES256, c)
		if err := other.Ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Verify(t.Context(), signWith(t, other)); !errors.Is(err, keys.ErrUnverified) {
			t.Fatalf("got %v, want ErrUnverified", err)
		}
	})
	t.Run("garbage does not verify", func(t *testing.T) {
		if _, err := m.Verify(t.Context(), "not.a.jws"); !errors.Is(err, keys.ErrUnverified) {
			t.Fatalf("got %v, want ErrUnverified", err)
		}
	})
}

// A manager given another system secret than the one the keys were sealed
// with says so: Check and Ping fail with ErrWrongSecret, and Rotate
// refuses to seal a key under it beside the others.
func TestWrongSecret(t *testing.T) {
	t.Parallel()
	store := memory.New()
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	right := newManager(t, store, system, keys.ES256, c)
	if err := right.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := right.Rotate(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := right.Check(t.Context()); err != nil {
		t.Fatalf("the right secret: %v", err)
	}
	if err := right.Ping(t.Context()); err != nil {
		t.Fatalf("the right secret: %v", err)
	}

	wrong := newManager(t, store, "another-system-secret-of-32-characters", keys.ES256, c)
	if err := wrong.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := wrong.Check(t.Context()); !errors.Is(err, keys.ErrWrongSecret) {
		t.Errorf("Check: %v, want ErrWrongSecret", err)
	}
	if err := wrong.Ping(t.Context()); !errors.Is(err, keys.ErrWrongSecret) {
		t.Errorf("Ping: %v, want ErrWrongSecret", err)
	}
	stored, err := store.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.Rotate(t.Context(), time.Hour); !errors.Is(err, keys.ErrWrongSecret) {
		t.Errorf("Rotate: %v, want ErrWrongSecret", err)
	}
	after, err := store.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(stored) {
		t.Errorf("Rotate under the wrong secret stored a key: %d keys, had %d", len(after), len(stored))
	}
}

// newRotating is a manager whose current system secret is system and
// which still accepts previous.
func newRotating(t *testing.T, store storage.Keys, system string, previous []string, c *clock) *keys.Manager {
	t.Helper()
	ring, err := secret.NewKeyring(system)
	if err != nil {
		t.Fatal(err)
	}
	if ring, err = ring.WithPrevious(previous...); err != nil {
		t.Fatal(err)
	}
	m, err := keys.New(keys.Config{Store: store, SealKey: ring.Derive(secret.PurposeSigningKeys),
		PreviousSealKeys: ring.DerivePrevious(secret.PurposeSigningKeys), Algorithm: keys.ES256, CacheFor: time.Minute, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// During a rotation of the system secret, keys sealed under the previous
// secret pass Check and sign; Reseal seals them under the new one (once:
// run again it reseals none), after which the new secret alone opens
// them, and tokens signed before still verify.
func TestResealAfterSecretRotation(t *testing.T) {
	t.Parallel()
	const newSystem = "the-new-system-secret-of-32-characters"
	store := memory.New()
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	old := newManager(t, store, system, keys.ES256, c)
	if err := old.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Rotate(t.Context(), time.Hour); err != nil {
		t.Fatal(err)
	}
	token := signWith(t, old)

	if err := newManager(t, store, newSystem, keys.ES256, c).Check(t.Context()); !errors.Is(err, keys.ErrWrongSecret) {
		t.Fatalf("Check under the new secret alone before the reseal: %v, want ErrWrongSecret", err)
	}
	rotating := newRotating(t, store, newSystem, []string{system}, c)
	if err := rotating.Check(t.Context()); err != nil {
		t.Fatalf("Check with the old secret as previous: %v", err)
	}
	if !verifies(t, rotating, signWith(t, rotating)) {
		t.Fatal("a key sealed under the previous secret does not sign")
	}
	if stored, stale, err := rotating.Stale(t.Context()); err != nil || stored != 2 || stale != 2 {
		t.Fatalf("Stale = %d, %d, %v; want 2 stored, 2 stale", stored, stale, err)
	}
	before, _ := store.ListSigningKeys(t.Context())

	stored, resealed, err := rotating.Reseal(t.Context())
	if err != nil || stored != 2 || resealed != 2 {
		t.Fatalf("Reseal = %d, %d, %v; want 2 stored, 2 resealed", stored, resealed, err)
	}
	if _, resealed, err := rotating.Reseal(t.Context()); err != nil || resealed != 0 {
		t.Fatalf("Reseal again = %d resealed, %v; want none", resealed, err)
	}
	if _, stale, err := rotating.Stale(t.Context()); err != nil || stale != 0 {
		t.Fatalf("Stale after the reseal = %d, %v; want 0", stale, err)
	}
	after, _ := store.ListSigningKeys(t.Context())
	for i := range after {
		if after[i].ID != before[i].ID || !bytes.Equal(after[i].PublicKey, before[i].PublicKey) || bytes.Equal(after[i].PrivateKey, before[i].PrivateKey) {
			t.Fatalf("key %s: reseal changed more than the sealed private key, or not that", before[i].ID)
		}
	}

	alone := newManager(t, store, newSystem, keys.ES256, c)
	if err := alone.Check(t.Context()); err != nil {
		t.Fatalf("Check under the new secret alone after the reseal: %v", err)
	}
	if !verifies(t, alone, token) {
		t.Fatal("a token signed before the reseal no longer verifies")
	}
	if err := newManager(t, store, system, keys.ES256, c).Check(t.Context()); !errors.Is(err, keys.ErrWrongSecret) {
		t.Fatalf("Check under the old secret after the reseal: %v, want ErrWrongSecret", err)
	}
	if _, _, err := newManager(t, store, "a-third-system-secret-of-32-characters", keys.ES256, c).Reseal(t.Context()); !errors.Is(err, keys.ErrWrongSecret) {
		t.Fatalf("Reseal under a secret that opens nothing: %v, want ErrWrongSecret", err)
	}
}
