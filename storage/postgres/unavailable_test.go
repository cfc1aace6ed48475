package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// A database that cannot be reached is storage.ErrUnavailable, whatever
// the call: the connections in the pool are lost and new ones refused.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	s, proxy := pgtest.OpenProxied(t)
	ctx := t.Context()
	if err := s.CreateClient(ctx, storage.Client{ID: "app", Name: "app", Type: storage.ClientConfidential}); err != nil {
		t.Fatal(err)
	}
	proxy.Break()
	for name, call := range map[string]func() error{
		"a read": func() error { _, err := s.GetClient(ctx, "app"); return err },
		"a write": func() error {
			return s.CreateClient(ctx, storage.Client{ID: "other", Name: "other", Type: storage.ClientPublic})
		},
		"a transaction":    func() error { _, err := s.BeginTx(ctx); return err },
		"a read once more": func() error { _, err := s.GetToken(ctx, storage.KindAccessToken, "sig"); return err },
	} {
		err := call()
		if !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("%s during the outage: %v, want storage.ErrUnavailable", name, err)
		}
		if errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s during the outage says not found: %v", name, err)
		}
	}
	proxy.Mend()
	if _, err := s.GetClient(ctx, "app"); err != nil {
		t.Fatalf("after the outage: %v", err)
	}
}

// Connections cut together (a restart, a failover, the network between)
// are dropped together: once the database answers again, the next calls
// are served at once, not failed one by one on each connection cut while
// it sat idle in the pool.
func TestCutConnectionsAreDroppedTogether(t *testing.T) {
	t.Parallel()
	s, proxy := pgtest.OpenProxied(t)
	ctx := t.Context()
	if err := s.CreateClient(ctx, storage.Client{ID: "app", Name: "app", Type: storage.ClientConfidential}); err != nil {
		t.Fatal(err)
	}
	// Open transactions side by side, so that the pool holds as many
	// connections, idle once they end.
	const conns = 4
	var txs []context.Context
	for range conns {
		tx, err := s.BeginTx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	for _, tx := range txs {
		if err := s.Rollback(tx); err != nil {
			t.Fatal(err)
		}
	}
	proxy.Break()
	if _, err := s.GetClient(ctx, "app"); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("during the outage: %v, want storage.ErrUnavailable", err)
	}
	proxy.Mend()
	for i := range conns {
		if _, err := s.GetClient(ctx, "app"); err != nil {
			t.Fatalf("call %d after the outage: %v", i+1, err)
		}
	}
}
