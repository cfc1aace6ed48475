package dpop

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// stores are the shared stores StoreReplays is tested on; Postgres is
// skipped when unreachable, unless CI is set.
var stores = map[string]func(t *testing.T) JTIStore{
	"memory":   func(*testing.T) JTIStore { return memory.New() },
	"postgres": func(t *testing.T) JTIStore { return pgtest.Open(t) },
}

func TestStoreReplays(t *testing.T) {
	t.Parallel()
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := now
			r := StoreReplays{JTIs: open(t), Now: func() time.Time { return clock }}
			ctx := context.Background()
			key := ReplayKey("jkt", "jti")
			for i, want := range []bool{true, false} {
				first, err := r.Use(ctx, key, now.Add(time.Minute))
				if err != nil || first != want {
					t.Fatalf("use %d = %v, %v; want %v", i, first, err, want)
				}
			}
			clock = now.Add(2 * time.Minute)
			if first, err := r.Use(ctx, key, clock.Add(time.Minute)); err != nil || !first {
				t.Fatalf("after expiry = %v, %v; want a first use", first, err)
			}
		})
	}
	if _, err := (StoreReplays{}).Use(context.Background(), "k", now); err == nil {
		t.Error("StoreReplays without a store reported no error")
	}
}

// TestVerifyWithStore checks that a proof is refused on a second node
// sharing the store after a first node accepted it.
func TestVerifyWithStore(t *testing.T) {
	t.Parallel()
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := open(t)
			nodes := make([]*Verifier, 2)
			for i := range nodes {
				v, err := New(Config{Replays: StoreReplays{JTIs: store, Now: func() time.Time { return now }}, Now: func() time.Time { return now }})
				if err != nil {
					t.Fatal(err)
				}
				nodes[i] = v
			}
			proof := sign(t, ecKey(t), proofClaims(), nil)
			if _, err := nodes[0].Verify(context.Background(), proof, "POST", tokenURL, ""); err != nil {
				t.Fatalf("node 0: %v", err)
			}
			_, err := nodes[1].Verify(context.Background(), proof, "POST", tokenURL, "")
			if !errors.Is(err, ErrInvalidProof) || !strings.Contains(err.Error(), "jti already used") {
				t.Fatalf("node 1: err = %v, want the jti refused", err)
			}
		})
	}
}
