package ratelimit_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/provider/ratelimit"
)

// testDB is the Redis database these tests own; it is emptied before and
// after each test that uses it.
const (
	redisAddr = "127.0.0.1:6379"
	testDB    = 12
)

// redisClient connects to the test database, emptied now and when t ends.
// Without Redis the test is skipped, unless CI=true, where it fails.
func redisClient(t testing.TB) *goredis.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: needs Redis")
	}
	c := goredis.NewClient(&goredis.Options{Addr: redisAddr, DB: testDB, DialTimeout: 2 * time.Second})
	if err := c.Ping(t.Context()).Err(); err != nil {
		c.Close()
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis unreachable at %s: %v (CI=true: Redis must be running)", redisAddr, err)
		}
		t.Skipf("redis unreachable at %s (%v): skipping", redisAddr, err)
	}
	if err := c.FlushDB(t.Context()).Err(); err != nil {
		t.Fatalf("flush redis db %d: %v", testDB, err)
	}
	t.Cleanup(func() {
		defer c.Close()
		// t.Context is over by now.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.FlushDB(ctx).Err(); err != nil {
			t.Errorf("flush redis db %d: %v", testDB, err)
		}
	})
	return c
}

// deadRedis is a client of an address nothing listens on.
func deadRedis(t *testing.T) *goredis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := goredis.NewClient(&goredis.Options{Addr: addr})
	t.Cleanup(func() { c.Close() })
	return c
}

// clock is a settable clock for the in-process budgets.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// backend is where a limiter keeps its budgets, and how a test lets time
// pass for it.
type backend struct {
	name string
	// open returns a limiter and a function that lets d pass.
	open func(t *testing.T, cfg ratelimit.Config) (*ratelimit.Limiter, func(time.Duration))
}

func backends() []backend {
	return []backend{
		{"in process", func(t *testing.T, cfg ratelimit.Config) (*ratelimit.Limiter, func(time.Duration)) {
			c := newClock()
			cfg.Now = c.Now
			return ratelimit.New(cfg), c.advance
		}},
		{"redis", func(t *testing.T, cfg ratelimit.Config) (*ratelimit.Limiter, func(time.Duration)) {
			cfg.Redis = redisClient(t)
			return ratelimit.New(cfg), time.Sleep
		}},
	}
}

// spend makes n requests for key and returns how many were allowed and
// the last refusal's wait.
func spend(t *testing.T, l *ratelimit.Limiter, key string, limit ratelimit.Limit, n int) (allowed int, wait time.Duration) {
	t.Helper()
	for range n {
		res := l.Allow(t.Context(), key, limit)
		if res.Allowed {
			if res.RetryAfter != 0 {
				t.Errorf("allowed with a wait of %v", res.RetryAfter)
			}
			allowed++
			continue
		}
		if res.RetryAfter <= 0 {
			t.Fatalf("refused with a wait of %v: a refusal must say how long to wait", res.RetryAfter)
		}
		wait = res.RetryAfter
	}
	return allowed, wait
}

func TestLimiter(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Run("past the burst a key is refused with a wait of about one interval", func(t *testing.T) {
				l, _ := b.open(t, ratelimit.Config{})
				limit := ratelimit.Limit{Rate: 6, Period: time.Minute, Burst: 3}
				allowed, wait := spend(t, l, "token:client:a", limit, 5)
				if allowed != 3 {
					t.Fatalf("%d of 5 allowed, want the burst of 3", allowed)
				}
				// One request every 10 s: the next one is at most that far.
				if wait > 10*time.Second {
					t.Fatalf("wait %v, want at most one interval (10s)", wait)
				}
			})
			t.Run("keys have budgets of their own", func(t *testing.T) {
				l, _ := b.open(t, ratelimit.Config{})
				limit := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 2}
				if allowed, _ := spend(t, l, "token:client:a", limit, 3); allowed != 2 {
					t.Fatalf("a: %d allowed, want 2", allowed)
				}
				if allowed, _ := spend(t, l, "token:client:b", limit, 3); allowed != 2 {
					t.Fatalf("b: %d allowed after a ran out, want 2", allowed)
				}
				if allowed, _ := spend(t, l, "token:ip:a", limit, 1); allowed != 1 {
					t.Fatal("an address's budget is spent by a client's of the same name")
				}
			})
			t.Run("after the period the budget is back", func(t *testing.T) {
				l, wait := b.open(t, ratelimit.Config{})
				limit := ratelimit.Limit{Rate: 3, Period: 300 * time.Millisecond, Burst: 3}
				if allowed, _ := spend(t, l, "login:ip:192.0.2.1", limit, 4); allowed != 3 {
					t.Fatalf("%d allowed, want 3", allowed)
				}
				wait(limit.Period)
				if allowed, _ := spend(t, l, "login:ip:192.0.2.1", limit, 4); allowed != 3 {
					t.Fatalf("%d allowed after the period, want the whole burst of 3", allowed)
				}
			})
			t.Run("a refused request does not spend the budget", func(t *testing.T) {
				l, wait := b.open(t, ratelimit.Config{})
				limit := ratelimit.Limit{Rate: 2, Period: 400 * time.Millisecond, Burst: 1}
				spend(t, l, "k", limit, 20)
				// One interval (200 ms) after the last allowed request,
				// however many were refused since, one more passes.
				wait(200 * time.Millisecond)
				if allowed, _ := spend(t, l, "k", limit, 2); allowed != 1 {
					t.Fatalf("%d allowed one interval later, want 1: refusals pushed the budget back", allowed)
				}
			})
			t.Run("a limit with rate 0 lets everything through", func(t *testing.T) {
				l, _ := b.open(t, ratelimit.Config{})
				if allowed, _ := spend(t, l, "k", ratelimit.Limit{Period: time.Minute, Burst: 1}, 50); allowed != 50 {
					t.Fatalf("%d of 50 allowed", allowed)
				}
			})
		})
	}
}

func TestLimiterInRedis(t *testing.T) {
	t.Run("nodes sharing a Redis share one budget", func(t *testing.T) {
		first := redisClient(t)
		second := goredis.NewClient(&goredis.Options{Addr: redisAddr, DB: testDB})
		t.Cleanup(func() { second.Close() })
		a := ratelimit.New(ratelimit.Config{Redis: first})
		b := ratelimit.New(ratelimit.Config{Redis: second})
		limit := ratelimit.Limit{Rate: 4, Period: time.Hour, Burst: 4}
		allowedA, _ := spend(t, a, "token:client:bot", limit, 2)
		allowedB, _ := spend(t, b, "token:client:bot", limit, 3)
		if allowedA != 2 || allowedB != 2 {
			t.Fatalf("node A allowed %d of 2, node B %d of 3: want 2 and 2 (one budget of 4)", allowedA, allowedB)
		}
		if res := a.Allow(t.Context(), "token:client:bot", limit); res.Allowed {
			t.Fatal("node A allowed a request after node B spent the budget")
		}
	})
	t.Run("keys live under the prefix", func(t *testing.T) {
		c := redisClient(t)
		l := ratelimit.New(ratelimit.Config{Redis: c, Prefix: "test:rl:"})
		l.Allow(t.Context(), "token:ip:192.0.2.9", ratelimit.Limit{Rate: 1, Period: time.Minute, Burst: 1})
		keys, err := c.Keys(t.Context(), "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || !strings.Contains(keys[0], "test:rl:token:ip:192.0.2.9") {
			t.Fatalf("keys %q, want one holding test:rl:token:ip:192.0.2.9", keys)
		}
		ttl, err := c.PTTL(t.Context(), keys[0]).Result()
		if err != nil || ttl <= 0 {
			t.Fatalf("key ttl %v (%v): a budget must expire once full again", ttl, err)
		}
	})
	t.Run("the default prefix is tokenim:rl:", func(t *testing.T) {
		c := redisClient(t)
		ratelimit.New(ratelimit.Config{Redis: c}).Allow(t.Context(), "login:ip:x", ratelimit.Limit{Rate: 1, Period: time.Minute, Burst: 1})
		keys, _ := c.Keys(t.Context(), "*tokenim:rl:login:ip:x").Result()
		if len(keys) != 1 {
			t.Fatalf("keys %q", keys)
		}
	})
}

func TestRedisFailure(t *testing.T) {
	var log bytes.Buffer
	c := newClock()
	l := ratelimit.New(ratelimit.Config{
		Redis:  deadRedis(t),
		Now:    c.Now,
		Logger: slog.New(slog.NewTextHandler(&log, nil)),
	})
	limit := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 2}
	t.Run("requests are counted in process", func(t *testing.T) {
		allowed, wait := spend(t, l, "token:client:bot", limit, 4)
		if allowed != 2 || wait <= 0 {
			t.Fatalf("%d of 4 allowed (wait %v), want the in-process budget of 2 then a wait", allowed, wait)
		}
		if allowed, _ := spend(t, l, "token:client:other", limit, 1); allowed != 1 {
			t.Fatal("another key was refused")
		}
	})
	t.Run("the fault is logged at warn, at most every ten seconds", func(t *testing.T) {
		if n := strings.Count(log.String(), "level=WARN msg=\"rate limit: redis unavailable"); n != 1 {
			t.Fatalf("%d warnings for five faults within a second, want 1:\n%s", n, log.String())
		}
		c.advance(11 * time.Second)
		spend(t, l, "token:client:bot", limit, 1)
		if n := strings.Count(log.String(), "redis unavailable"); n != 2 {
			t.Fatalf("%d warnings after ten seconds, want 2:\n%s", n, log.String())
		}
		if !strings.Contains(log.String(), "faults=5") {
			t.Fatalf("the second warning does not count the faults since the first:\n%s", log.String())
		}
	})
}

func TestInProcessKeysAreBounded(t *testing.T) {
	l := ratelimit.New(ratelimit.Config{MaxKeys: 3, Now: newClock().Now})
	limit := ratelimit.Limit{Rate: 1, Period: time.Hour, Burst: 1}
	spend(t, l, "first", limit, 1)
	if allowed, _ := spend(t, l, "first", limit, 1); allowed != 0 {
		t.Fatal("a spent key was allowed again")
	}
	for i := range 3 {
		spend(t, l, fmt.Sprintf("other-%d", i), limit, 1)
	}
	// "first" was the least recently used of four keys: forgotten, it
	// starts afresh.
	if allowed, _ := spend(t, l, "first", limit, 1); allowed != 1 {
		t.Fatal("the least recently used key was kept beyond MaxKeys")
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for _, tc := range []struct {
		wait time.Duration
		want int
	}{
		{0, 1}, {time.Millisecond, 1}, {time.Second, 1}, {1001 * time.Millisecond, 2}, {2500 * time.Millisecond, 3}, {time.Minute, 60},
	} {
		if got := ratelimit.RetryAfterSeconds(tc.wait); got != tc.want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", tc.wait, got, tc.want)
		}
	}
}
