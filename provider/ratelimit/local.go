package ratelimit

import (
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/time/rate"
)

// local keeps budgets in the process: one token bucket per key, which for
// one request at a time admits exactly what GCRA admits (Burst at once,
// then one every Period/Rate). Only the maxKeys most recently used keys
// are kept, so a caller inventing keys (client IDs, addresses) cannot grow
// memory without bound; a forgotten key comes back with a full budget.
type local struct {
	keys *lru.Cache[string, *bucket]
}

// bucket is one key's budget, and the limit it was made for.
type bucket struct {
	limit Limit
	*rate.Limiter
}

func newLocal(maxKeys int) *local {
	c, err := lru.New[string, *bucket](maxKeys)
	if err != nil {
		// Only a size below 1, which New never passes.
		panic(err)
	}
	return &local{keys: c}
}

func (c *local) allow(key string, limit Limit, now time.Time) Result {
	b, ok := c.keys.Get(key)
	if !ok || b.limit != limit {
		fresh := &bucket{limit, rate.NewLimiter(rate.Limit(float64(limit.Rate)/limit.Period.Seconds()), limit.Burst)}
		if ok {
			c.keys.Add(key, fresh)
			b = fresh
		} else if prev, found, _ := c.keys.PeekOrAdd(key, fresh); found {
			b = prev // another request made it first
		} else {
			b = fresh
		}
	}
	r := b.ReserveN(now, 1)
	if !r.OK() {
		return Result{RetryAfter: limit.Period}
	}
	if wait := r.DelayFrom(now); wait > 0 {
		// Refused: give the token back, so waiting callers do not push
		// each other further out.
		r.CancelAt(now)
		return Result{RetryAfter: wait}
	}
	return Result{Allowed: true}
}
