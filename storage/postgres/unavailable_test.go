package postgres_test

import (
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
