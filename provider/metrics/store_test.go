package metrics_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/metrics"
)

func TestStoreUp(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	var pgPings, redisPings atomic.Int32
	var redisDown atomic.Bool
	var deadline atomic.Int64 // how long the last Redis ping was given, in ns
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.RegisterStore("postgres", func(context.Context) error {
		pgPings.Add(1)
		return nil
	}))
	must(m.RegisterStore("redis", func(ctx context.Context) error {
		redisPings.Add(1)
		if d, ok := ctx.Deadline(); ok {
			deadline.Store(int64(time.Until(d)))
		}
		if redisDown.Load() {
			return errors.New("connection refused")
		}
		return nil
	}))
	up := func(store string) float64 {
		t.Helper()
		return find(t, m.Registry(), "tokenim_store_up", map[string]string{"store": store}).GetGauge().GetValue()
	}

	t.Run("a store that answers is up", func(t *testing.T) {
		if v := up("postgres"); v != 1 {
			t.Fatalf("postgres = %v, want 1", v)
		}
		if v := up("redis"); v != 1 {
			t.Fatalf("redis = %v, want 1", v)
		}
	})
	t.Run("a store that stops answering is down at the next scrape", func(t *testing.T) {
		redisDown.Store(true)
		if v := up("redis"); v != 0 {
			t.Fatalf("redis = %v, want 0", v)
		}
		if v := up("postgres"); v != 1 {
			t.Fatalf("postgres = %v, want 1: one store's fault shows on the other", v)
		}
	})
	t.Run("each scrape pings each store once, for at most a second", func(t *testing.T) {
		pg, rd := pgPings.Load(), redisPings.Load()
		if _, err := m.Registry().Gather(); err != nil {
			t.Fatal(err)
		}
		if n := pgPings.Load() - pg; n != 1 {
			t.Errorf("postgres pinged %d times in a scrape, want 1", n)
		}
		if n := redisPings.Load() - rd; n != 1 {
			t.Errorf("redis pinged %d times in a scrape, want 1", n)
		}
		if d := time.Duration(deadline.Load()); d <= 0 || d > time.Second {
			t.Errorf("a ping was given %v, want at most 1s", d)
		}
	})
	t.Run("a store is registered once", func(t *testing.T) {
		if err := m.RegisterStore("redis", func(context.Context) error { return nil }); err == nil {
			t.Fatal("a second redis gauge was registered")
		}
	})
}
