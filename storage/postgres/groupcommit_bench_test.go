package postgres_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// BenchmarkIssue measures issuances (a token with its record, committed)
// from 16 concurrent callers, as a node's client-credentials requests make
// them: with group commit, and with each written alone (as many slots as
// callers). Compare the two ns/op on one machine.
func BenchmarkIssue(b *testing.B) {
	for _, mode := range []struct {
		name  string
		slots int
	}{{"group commit", 0}, {"one commit each", 1 << 10}} {
		b.Run(mode.name, func(b *testing.B) {
			s := pgtest.Open(b)
			if mode.slots > 0 {
				s.SetIssueSlots(mode.slots)
			}
			ctx := b.Context()
			now := time.Now().UTC().Truncate(time.Second)
			if err := s.CreateClient(ctx, storage.Client{ID: "bot", Name: "Bot", Type: storage.ClientConfidential, CreatedAt: now, UpdatedAt: now}); err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64
			b.SetParallelism(8) // 16 callers on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					tok, rec := issued(fmt.Sprint("bench-", n.Add(1)), "bot", now)
					if err := s.CreateTokenRecorded(ctx, tok, rec); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
