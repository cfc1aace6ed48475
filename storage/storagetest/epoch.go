package storagetest

import (
	"sync"
	"testing"

	"github.com/tokenim/tokenim-auth/storage"
)

func epochTests() []test {
	return []test{
		{"the cache epoch starts at 0 and each bump adds one, none lost to a race", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			e, err := s.CacheEpoch(ctx)
			must(t, err, "read")
			if e != 0 {
				t.Fatalf("a new store's epoch is %d, want 0", e)
			}
			const bumps = 8
			var wg sync.WaitGroup
			got := make(chan int64, bumps)
			for range bumps {
				wg.Go(func() {
					e, err := s.BumpCacheEpoch(ctx)
					if err != nil {
						t.Errorf("bump: %v", err)
					}
					got <- e
				})
			}
			wg.Wait()
			close(got)
			seen := map[int64]bool{}
			for e := range got {
				seen[e] = true
			}
			if len(seen) != bumps {
				t.Errorf("concurrent bumps returned %d distinct epochs, want %d: %v", len(seen), bumps, seen)
			}
			e, err = s.CacheEpoch(ctx)
			must(t, err, "read after bumps")
			if e != bumps {
				t.Fatalf("epoch after %d bumps is %d", bumps, e)
			}
		}},
		{"a bump rolled back with its transaction is undone", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			txCtx, err := s.BeginTx(ctx)
			must(t, err, "begin")
			_, err = s.BumpCacheEpoch(txCtx)
			must(t, err, "bump")
			must(t, s.Rollback(txCtx), "rollback")
			e, err := s.CacheEpoch(ctx)
			must(t, err, "read")
			if e != 0 {
				t.Fatalf("epoch after a rolled-back bump is %d, want 0", e)
			}
		}},
	}
}
