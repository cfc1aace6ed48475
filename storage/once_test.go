package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// TestOnce: a value is used once until it expires, under its prefix, on
// the memory store and on Postgres (skipped when unreachable, unless CI
// is set); without a store Once says it cannot tell.
func TestOnce(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	for name, open := range map[string]func(t *testing.T) storage.JTIs{
		"memory":   func(*testing.T) storage.JTIs { return memory.New() },
		"postgres": func(t *testing.T) storage.JTIs { return pgtest.Open(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := t0
			store := open(t)
			o := storage.Once{JTIs: store, Prefix: "saml:", Now: func() time.Time { return clock }}
			ctx := context.Background()
			for i, want := range []bool{true, false} {
				first, err := o.Use(ctx, "id-1", t0.Add(time.Minute))
				if err != nil || first != want {
					t.Fatalf("use %d = %v, %v; want %v", i, first, err, want)
				}
			}
			if seen, err := store.SeenJTI(ctx, "saml:id-1", clock); err != nil || !seen {
				t.Fatalf("the key under its prefix: seen %v, %v", seen, err)
			}
			if first, err := (storage.Once{JTIs: store, Now: o.Now}).Use(ctx, "id-1", t0.Add(time.Minute)); err != nil || !first {
				t.Fatalf("the same value under another prefix = %v, %v; want a first use", first, err)
			}
			clock = t0.Add(2 * time.Minute)
			if first, err := o.Use(ctx, "id-1", clock.Add(time.Minute)); err != nil || !first {
				t.Fatalf("after expiry = %v, %v; want a first use", first, err)
			}
		})
	}
	if _, err := (storage.Once{}).Use(context.Background(), "k", t0); err == nil {
		t.Error("Once without a store reported no error")
	}
}
