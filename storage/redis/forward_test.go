package redis_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
)

// Both databases have the lock between nodes the cache passes on.
var (
	_ storage.LockingStore = (*memory.Store)(nil)
	_ storage.LockingStore = (*postgres.Store)(nil)
)

// TestTryLockIsTheWrappedStores: the lock taken through the cache is the
// wrapped store's, so a node holding it through one cache keeps another
// node out, until it unlocks.
func TestTryLockIsTheWrappedStores(t *testing.T) {
	t.Parallel()
	inner, prefix := memory.New(), redistest.Prefix(t)
	a := newNode(t, inner, options{prefix: prefix})
	b := newNode(t, inner, options{prefix: prefix})
	unlock, ok, err := a.Store.TryLock(t.Context(), "janitor")
	if err != nil || !ok {
		t.Fatalf("first TryLock = %v, %v", ok, err)
	}
	if _, ok, err := b.Store.TryLock(t.Context(), "janitor"); err != nil || ok {
		t.Fatalf("TryLock of a held lock = %v, %v; want false", ok, err)
	}
	if _, ok, err := inner.TryLock(t.Context(), "janitor"); err != nil || ok {
		t.Fatalf("TryLock on the wrapped store of a lock held through the cache = %v, %v; want false", ok, err)
	}
	unlock()
	unlock2, ok, err := b.Store.TryLock(t.Context(), "janitor")
	if err != nil || !ok {
		t.Fatalf("TryLock after unlock = %v, %v", ok, err)
	}
	unlock2()
}
