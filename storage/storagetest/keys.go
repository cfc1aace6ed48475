package storagetest

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

func keyTests() []test {
	return []test{
		{"first key is current and reads back", func(t *testing.T, s storage.Store) {
			k := sampleKey("k1", at(0))
			must(t, s.CreateSigningKey(t.Context(), k), "create")
			got, err := s.ListSigningKeys(t.Context())
			must(t, err, "list")
			same(t, "keys", got, []storage.SigningKey{k})
			if !got[0].Current() {
				t.Fatal("first key is not current")
			}
		}},
		{"a second first key is ErrAlreadyExists", func(t *testing.T, s storage.Store) {
			must(t, s.CreateSigningKey(t.Context(), sampleKey("k1", at(0))), "create")
			mustBe(t, s.CreateSigningKey(t.Context(), sampleKey("k2", at(time.Minute))), storage.ErrAlreadyExists, "second create")
			got, _ := s.ListSigningKeys(t.Context())
			if len(got) != 1 {
				t.Fatalf("%d keys stored, want 1", len(got))
			}
		}},
		{"rotation makes the new key current and retires the old one later", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateSigningKey(ctx, sampleKey("k1", at(0))), "create")
			must(t, s.RotateSigningKey(ctx, sampleKey("k2", at(time.Hour)), at(3*time.Hour)), "rotate")
			got, err := s.ListSigningKeys(ctx)
			must(t, err, "list")
			old := sampleKey("k1", at(0))
			old.RetireAt = at(3 * time.Hour)
			same(t, "keys newest first", got, []storage.SigningKey{sampleKey("k2", at(time.Hour)), old})
			// A key created after a rotation is refused: k2 is current.
			mustBe(t, s.CreateSigningKey(ctx, sampleKey("k3", at(2*time.Hour))), storage.ErrAlreadyExists, "create while a key is current")
		}},
		{"rotation on an empty store makes the first key", func(t *testing.T, s storage.Store) {
			must(t, s.RotateSigningKey(t.Context(), sampleKey("k1", at(0)), at(time.Hour)), "rotate")
			got, _ := s.ListSigningKeys(t.Context())
			if len(got) != 1 || !got[0].Current() {
				t.Fatalf("keys = %+v, want one current key", got)
			}
		}},
		{"rotating to an existing key ID is ErrConflict and changes nothing", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateSigningKey(ctx, sampleKey("k1", at(0))), "create")
			mustBe(t, s.RotateSigningKey(ctx, sampleKey("k1", at(time.Hour)), at(time.Hour)), storage.ErrConflict, "rotate")
			got, _ := s.ListSigningKeys(ctx)
			if len(got) != 1 || !got[0].Current() {
				t.Fatalf("keys = %+v, want k1 still current", got)
			}
		}},
		{"each algorithm has its own current key", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			es, rs := sampleKeyOf("es1", "ES256", at(0)), sampleKeyOf("rs1", "RS256", at(time.Second))
			must(t, s.CreateSigningKey(ctx, es), "create ES256")
			must(t, s.CreateSigningKey(ctx, rs), "create RS256 beside it")
			mustBe(t, s.CreateSigningKey(ctx, sampleKeyOf("es2", "ES256", at(time.Minute))), storage.ErrAlreadyExists, "second ES256")
			mustBe(t, s.CreateSigningKey(ctx, sampleKeyOf("rs2", "RS256", at(time.Minute))), storage.ErrAlreadyExists, "second RS256")
			got, err := s.ListSigningKeys(ctx)
			must(t, err, "list")
			same(t, "keys newest first", got, []storage.SigningKey{rs, es})
		}},
		{"rotating one algorithm's key leaves the other's current", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateSigningKey(ctx, sampleKeyOf("es1", "ES256", at(0))), "create ES256")
			must(t, s.CreateSigningKey(ctx, sampleKeyOf("rs1", "RS256", at(0))), "create RS256")
			must(t, s.RotateSigningKey(ctx, sampleKeyOf("rs2", "RS256", at(time.Hour)), at(3*time.Hour)), "rotate RS256")
			got, err := s.ListSigningKeys(ctx)
			must(t, err, "list")
			old := sampleKeyOf("rs1", "RS256", at(0))
			old.RetireAt = at(3 * time.Hour)
			same(t, "keys newest first", got, []storage.SigningKey{sampleKeyOf("rs2", "RS256", at(time.Hour)), sampleKeyOf("es1", "ES256", at(0)), old})
			must(t, s.RotateSigningKey(ctx, sampleKeyOf("es2", "ES256", at(2*time.Hour)), at(4*time.Hour)), "rotate ES256")
			got, err = s.ListSigningKeys(ctx)
			must(t, err, "list")
			current := map[string]string{}
			for _, k := range got {
				if k.Current() {
					if current[k.Algorithm] != "" {
						t.Fatalf("two current %s keys: %s and %s", k.Algorithm, current[k.Algorithm], k.ID)
					}
					current[k.Algorithm] = k.ID
				}
			}
			same(t, "current keys", current, map[string]string{"ES256": "es2", "RS256": "rs2"})
		}},
		{"deleted key is gone", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateSigningKey(ctx, sampleKey("k1", at(0))), "create")
			must(t, s.RotateSigningKey(ctx, sampleKey("k2", at(time.Hour)), at(2*time.Hour)), "rotate")
			must(t, s.DeleteSigningKey(ctx, "k1"), "delete")
			got, _ := s.ListSigningKeys(ctx)
			if len(got) != 1 || got[0].ID != "k2" {
				t.Fatalf("keys = %+v, want only k2", got)
			}
			mustBe(t, s.DeleteSigningKey(ctx, "k1"), storage.ErrNotFound, "delete again")
		}},
		{"reseal replaces only the sealed private key, and only from what it was", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			must(t, s.CreateSigningKey(ctx, sampleKey("k1", at(0))), "create")
			must(t, s.RotateSigningKey(ctx, sampleKey("k2", at(time.Hour)), at(2*time.Hour)), "rotate")
			before, _ := s.ListSigningKeys(ctx)
			old := before[1].PrivateKey
			must(t, s.ResealSigningKey(ctx, "k1", old, []byte("resealed")), "reseal")
			want := before
			want[1].PrivateKey = []byte("resealed")
			got, err := s.ListSigningKeys(ctx)
			must(t, err, "list")
			same(t, "keys after reseal", got, want)
			mustBe(t, s.ResealSigningKey(ctx, "k1", old, []byte("again")), storage.ErrConflict, "reseal from a stale value")
			mustBe(t, s.ResealSigningKey(ctx, "k9", old, []byte("again")), storage.ErrNotFound, "reseal an unknown key")
			got, _ = s.ListSigningKeys(ctx)
			same(t, "keys after refused reseals", got, want)
		}},
	}
}
