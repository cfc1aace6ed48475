package ratelimit_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/ratelimit"
)

// BenchmarkAllow spends budgets of many keys, each generous enough never
// to refuse, in process and in Redis.
func BenchmarkAllow(b *testing.B) {
	limit := ratelimit.Limit{Rate: 1 << 30, Period: time.Second, Burst: 1 << 20}
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "token:client:" + strconv.Itoa(i)
	}
	run := func(b *testing.B, l *ratelimit.Limiter) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if !l.Allow(b.Context(), keys[i%len(keys)], limit).Allowed {
				b.Fatal("refused")
			}
			i++
		}
	}
	b.Run("in process", func(b *testing.B) { run(b, ratelimit.New(ratelimit.Config{})) })
	b.Run("redis", func(b *testing.B) { run(b, ratelimit.New(ratelimit.Config{Redis: redisClient(b)})) })
}
