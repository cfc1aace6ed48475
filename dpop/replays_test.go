package dpop

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// stores are the shared stores a proof's jti is remembered in; Postgres
// is skipped when unreachable, unless CI is set.
var stores = map[string]func(t *testing.T) storage.JTIs{
	"memory":   func(*testing.T) storage.JTIs { return memory.New() },
	"postgres": func(t *testing.T) storage.JTIs { return pgtest.Open(t) },
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
				v, err := New(Config{Replays: storage.Once{JTIs: store, Now: func() time.Time { return now }}, Now: func() time.Time { return now }})
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
