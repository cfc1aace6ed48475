package keys_test

import (
	"bytes"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"sync"
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

// signWith signs a payload with the current key of the manager's own
// algorithm.
func signWith(t *testing.T, m *keys.Manager) string {
	t.Helper()
	k, err := m.Current(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return sign(t, k)
}

// signWithAlg signs a payload with the current key of alg.
func signWithAlg(t *testing.T, m *keys.Manager, alg string) string {
	t.Helper()
	k, err := m.CurrentOf(t.Context(), alg)
	if err != nil {
		t.Fatal(err)
	}
	if k.Algorithm != alg {
		t.Fatalf("the current %s key is a %s key", alg, k.Algorithm)
	}
	return sign(t, k)
}

func sign(t *testing.T, k keys.Key) string {
	t.Helper()
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
	for _, own := range []string{keys.ES256, keys.RS256} {
		t.Run(own+" own: a first key of each algorithm is created once and signs tokens the JWKS verifies", func(t *testing.T) {
			c := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
			store := memory.New()
			m := newManager(t, store, system, own, c)
			if err := m.Ensure(t.Context()); err != nil {
				t.Fatal(err)
			}
			if err := m.Ensure(t.Context()); err != nil {
				t.Fatal(err)
			}
			stored, _ := store.ListSigningKeys(t.Context())
			if got := currentAlgs(stored); len(stored) != 2 || !slices.Equal(got, []string{keys.ES256, keys.RS256}) {
				t.Fatalf("stored keys = %d (current %v), want one current key of each algorithm", len(stored), got)
			}
			for _, alg := range keys.Algorithms() {
				if !verifies(t, m, signWithAlg(t, m, alg)) {
					t.Fatalf("a token of the %s key does not verify against the JWKS", alg)
				}
			}
			if k, err := m.Current(t.Context()); err != nil || k.Algorithm != own {
				t.Fatalf("Current = %s key, %v; want the %s key", k.Algorithm, err, own)
			}
			set, _ := m.JWKS(t.Context())
			var algs []string
			for _, k := range set.Keys {
				if !k.IsPublic() || k.Use != "sig" || k.KeyID == "" {
					t.Fatalf("published key %+v: want a public signing key with a kid", k)
				}
				algs = append(algs, k.Algorithm)
			}
			if slices.Sort(algs); !slices.Equal(algs, []string{keys.ES256, keys.RS256}) || set.Keys[0].KeyID == set.Keys[1].KeyID {
				t.Fatalf("published keys of %v, want an ES256 and an RS256 key, each with its kid", algs)
			}
		})
	}

	t.Run("a store with an ES256 key only gets an RS256 key beside it", func(t *testing.T) {
		c := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
		store := memory.New()
		ring, err := secret.NewKeyring(system)
		if err != nil {
			t.Fatal(err)
		}
		es := sealedKey(t, ring, keys.ES256, c)
		if err := store.CreateSigningKey(t.Context(), es); err != nil {
			t.Fatal(err)
		}
		m := newManager(t, store, system, keys.ES256, c)
		if err := m.Ping(t.Context()); err == nil || !strings.Contains(err.Error(), "RS256") {
			t.Fatalf("Ping without an RS256 key: %v, want an error naming RS256", err)
		}
		if err := m.Ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := m.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
		if k, _ := m.CurrentOf(t.Context(), keys.ES256); k.ID != es.ID {
			t.Fatalf("the ES256 key is %s, want the stored %s kept", k.ID, es.ID)
		}
		if !verifies(t, m, signWithAlg(t, m, keys.RS256)) {
			t.Fatal("the new RS256 key's token does not verify")
		}
	})

	t.Run("private keys are sealed at rest", func(t *testing.T) {
		c := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
		store := memory.New()
		m := newManager(t, store, system, keys.ES256, c)
		if err := m.Ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
		stored, _ := store.ListSigningKeys(t.Context())
		for _, sk := range stored {
			k, _ := m.CurrentOf(t.Context(), sk.Algorithm)
			der, _ := x509.MarshalPKCS8PrivateKey(k.Signer)
			if bytes.Contains(sk.PrivateKey, der) {
				t.Fatalf("%s private key stored in clear", sk.Algorithm)
			}
			if _, err := x509.ParsePKCS8PrivateKey(sk.PrivateKey); err == nil {
				t.Fatalf("stored %s private key parses without the system secret", sk.Algorithm)
			}
		}
		other := newManager(t, store, strings.Repeat("z", 40), keys.ES256, c)
		if _, err := other.Current(t.Context()); err == nil || !strings.Contains(err.Error(), "secrets.system") {
			t.Fatalf("another system secret: got %v, want an error naming secrets.system", err)
		}
	})

	t.Run("rotation renews the keys of both algorithms; old tokens verify until the old keys retire", func(t *testing.T) {
		c := &clock{time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
		store := memory.New()
		m := newManager(t, store, system, keys.ES256, c)
		if err := m.Ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
		before, old := map[string]string{}, map[string]string{}
		for _, alg := range keys.Algorithms() {
			before[alg] = signWithAlg(t, m, alg)
			k, _ := m.CurrentOf(t.Context(), alg)
			old[alg] = k.ID
		}
		rotated, err := m.Rotate(t.Context(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(rotated) != 2 || rotated[0].Algorithm != keys.RS256 || rotated[1].Algorithm != keys.ES256 {
			t.Fatalf("rotated %+v, want an RS256 then an ES256 key", rotated)
		}
		after := map[string]string{}
		for _, r := range rotated {
			now, _ := m.CurrentOf(t.Context(), r.Algorithm)
			if now.ID != r.ID || now.ID == old[r.Algorithm] {
				t.Fatalf("current %s key %s after rotation to %s (old %s)", r.Algorithm, now.ID, r.ID, old[r.Algorithm])
			}
			after[r.Algorithm] = signWithAlg(t, m, r.Algorithm)
			if !verifies(t, m, before[r.Algorithm]) || !verifies(t, m, after[r.Algorithm]) {
				t.Fatalf("an %s token signed before or after the rotation does not verify", r.Algorithm)
			}
		}
		c.advance(2 * time.Hour)
		for alg, token := range before {
			if verifies(t, m, token) {
				t.Fatalf("token of a retired %s key still verifies", alg)
			}
		}
		gone, err := m.Prune(t.Context())
		slices.Sort(gone)
		want := []string{old[keys.ES256], old[keys.RS256]}
		slices.Sort(want)
		if err != nil || !slices.Equal(gone, want) {
			t.Fatalf("prune = %v, %v; want %v", gone, err, want)
		}
		for alg, token := range after {
			if !verifies(t, m, token) {
				t.Fatalf("current %s key lost by pruning", alg)
			}
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
		rotated, err := a.Rotate(t.Context(), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		kid := rotated[1].ID // ES256, b's own algorithm
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
	t.Run("a token of either algorithm verifies", func(t *testing.T) {
		for _, alg := range keys.Algorithms() {
			if payload, err := m.Verify(t.Context(), signWithAlg(t, m, alg)); err != nil || string(payload) != "hello" {
				t.Fatalf("%s: payload %q, err %v", alg, payload, err)
			}
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

// Several nodes starting at once on an empty store: one key of each
// algorithm is created, and every node signs with those.
func TestEnsureRace(t *testing.T) {
	t.Parallel()
	store := memory.New()
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	const nodes = 4
	managers := make([]*keys.Manager, nodes)
	for i := range managers {
		managers[i] = newManager(t, store, system, keys.ES256, c)
	}
	var wg sync.WaitGroup
	errs := make([]error, nodes)
	for i, m := range managers {
		wg.Go(func() { errs[i] = m.Ensure(t.Context()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	stored, err := store.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := currentAlgs(stored); len(stored) != 2 || !slices.Equal(got, []string{keys.ES256, keys.RS256}) {
		t.Fatalf("%d keys stored (current %v), want one of each algorithm", len(stored), got)
	}
	for _, alg := range keys.Algorithms() {
		want, _ := managers[0].CurrentOf(t.Context(), alg)
		for i, m := range managers[1:] {
			if k, err := m.CurrentOf(t.Context(), alg); err != nil || k.ID != want.ID {
				t.Fatalf("node %d signs %s with %s (%v), node 0 with %s", i+1, alg, k.ID, err, want.ID)
			}
		}
	}
}

// currentAlgs are the algorithms of the current keys among stored, sorted.
func currentAlgs(stored []storage.SigningKey) []string {
	var algs []string
	for _, k := range stored {
		if k.Current() {
			algs = append(algs, k.Algorithm)
		}
	}
	slices.Sort(algs)
	return algs
}

// sealedKey makes a key of alg as the manager stores it, sealed under
// ring: another manager over an empty store generates it.
func sealedKey(t *testing.T, ring secret.Keyring, alg string, c *clock) storage.SigningKey {
	t.Helper()
	scratch := memory.New()
	m, err := keys.New(keys.Config{Store: scratch, SealKey: ring.Derive(secret.PurposeSigningKeys), Algorithm: alg, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	stored, err := scratch.ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range stored {
		if k.Algorithm == alg {
			return k
		}
	}
	t.Fatalf("no %s key generated", alg)
	return storage.SigningKey{}
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
	// A key of each algorithm, rotated once: four keys.
	if stored, stale, err := rotating.Stale(t.Context()); err != nil || stored != 4 || stale != 4 {
		t.Fatalf("Stale = %d, %d, %v; want 4 stored, 4 stale", stored, stale, err)
	}
	before, _ := store.ListSigningKeys(t.Context())

	stored, resealed, err := rotating.Reseal(t.Context())
	if err != nil || stored != 4 || resealed != 4 {
		t.Fatalf("Reseal = %d, %d, %v; want 4 stored, 4 resealed", stored, resealed, err)
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
