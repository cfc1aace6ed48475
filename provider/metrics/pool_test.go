package metrics_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/metrics"
	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

var _ metrics.PoolStater = (*postgres.Store)(nil)

func TestPool(t *testing.T) {
	store := pgtest.Open(t) // a pool of at most 8 connections
	m := metrics.New()
	if err := m.RegisterPool(store); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := store.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	value := func(name string) float64 {
		t.Helper()
		s := find(t, m.Registry(), name, nil)
		if s.GetGauge() != nil {
			return s.GetGauge().GetValue()
		}
		return s.GetCounter().GetValue()
	}

	t.Run("the pool's size and its connections are reported", func(t *testing.T) {
		if v := value("tokenim_db_pool_max_connections"); v != 8 {
			t.Fatalf("max connections %v, want 8", v)
		}
		total := value("tokenim_db_pool_total_connections")
		if total < 1 || total > 8 {
			t.Fatalf("total connections %v, want 1 to 8 after a ping", total)
		}
		if idle, acquired := value("tokenim_db_pool_idle_connections"), value("tokenim_db_pool_acquired_connections"); idle+acquired > total {
			t.Fatalf("idle %v + acquired %v > total %v", idle, acquired, total)
		}
	})
	t.Run("acquires are counted", func(t *testing.T) {
		before := value("tokenim_db_pool_acquires_total")
		if before < 3 {
			t.Fatalf("acquires %v after three pings", before)
		}
		if err := store.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
		if after := value("tokenim_db_pool_acquires_total"); after != before+1 {
			t.Fatalf("acquires went from %v to %v after one ping", before, after)
		}
	})
	t.Run("a second pool is refused", func(t *testing.T) {
		if err := m.RegisterPool(store); err == nil {
			t.Fatal("the same pool metrics registered twice")
		}
	})
}
