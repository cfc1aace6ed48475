// Package redistest gives tests a Redis connection of their own: a client
// of the local server (TOKENIM_TEST_REDIS_ADDR, or 127.0.0.1:6379) and a
// random key prefix whose keys are deleted when the test ends, so tests
// run in parallel on one server without seeing each other's keys.
//
// Cluster starts a Redis Cluster of its own for a test (three masters on
// free loopback ports), from Debian's redis-server.
//
// When Redis cannot be reached (or, for Cluster, redis-server is not
// installed) the test is skipped, unless CI=true, where it fails: a CI run
// must not pass by testing nothing.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/storage/storagetest/faultproxy"
)

// DefaultAddr is the server tests use when TOKENIM_TEST_REDIS_ADDR is
// not set.
const DefaultAddr = "127.0.0.1:6379"

// DB is the database number the project's tests use.
const DB = 10

// Addr returns the Redis address tests use, skipping (or failing under
// CI=true) when nothing answers there.
func Addr(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: needs Redis")
	}
	addr := os.Getenv("TOKENIM_TEST_REDIS_ADDR")
	if addr == "" {
		addr = DefaultAddr
	}
	c := goredis.NewClient(&goredis.Options{Addr: addr, DB: DB, DialTimeout: 2 * time.Second, MaxRetries: -1})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redistest: redis unreachable at %s: %v (CI=true: Redis must be running)", addr, err)
		}
		t.Skipf("redis unreachable at %s: %v (set CI=true to make this fatal)", addr, err)
	}
	return addr
}

// Client returns a client of the test server, closed when t ends.
func Client(t testing.TB) *goredis.Client {
	t.Helper()
	return ClientAt(t, Addr(t))
}

// ClientAt returns a client of the server at addr (a Proxy, say) with the
// short timeouts the provider uses, closed when t ends.
func ClientAt(t testing.TB, addr string) *goredis.Client {
	t.Helper()
	c := goredis.NewClient(&goredis.Options{
		Addr: addr, DB: DB,
		DialTimeout: 250 * time.Millisecond, ReadTimeout: 250 * time.Millisecond, WriteTimeout: 250 * time.Millisecond,
		MaxRetries: -1, DialerRetries: 1,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// Prefix returns a fresh key prefix; its keys are deleted when t ends.
func Prefix(t testing.TB) string {
	t.Helper()
	addr := Addr(t)
	b := make([]byte, 6)
	rand.Read(b)
	prefix := "tokenim-test:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		c := goredis.NewClient(&goredis.Options{Addr: addr, DB: DB})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return prefix
}

// Proxy forwards TCP connections to a Redis server until Break, which
// drops every connection and refuses new ones until Mend: a Redis outage
// a test controls.
type Proxy = faultproxy.Proxy

// NewProxy starts a proxy to the test server on a loopback port, stopped
// when t ends.
func NewProxy(t testing.TB) *Proxy {
	t.Helper()
	return faultproxy.New(t, Addr(t))
}
