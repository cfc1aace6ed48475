package redis_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
	"github.com/tokenim/tokenim-auth/storage/redis"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
	"github.com/tokenim/tokenim-auth/storage/storagetest"
)

// counts records the cache's outcomes.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counts) add(cache, result string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[cache+"/"+result]++
}

func (c *counts) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// node is one provider node's cache: its own client and in-process
// cache, over a shared store and Redis prefix.
type node struct {
	*redis.Store
	counts *counts
}

type options struct {
	// client, when set, is the node's Redis client (a Cluster's, say);
	// else it connects to addr, by default the test server.
	client   goredis.UniversalClient
	addr     string
	prefix   string
	localTTL time.Duration
	now      func() time.Time
	onKeys   func()
	// onClients is told of client changes (OnClientsChanged).
	onClients func()
}

func newNode(t *testing.T, inner storage.LockingStore, o options) node {
	t.Helper()
	if o.client == nil {
		if o.addr == "" {
			o.addr = redistest.Addr(t)
		}
		o.client = redistest.ClientAt(t, o.addr)
	}
	if o.now == nil {
		o.now = time.Now
	}
	c := &counts{}
	s, err := redis.New(t.Context(), inner, redis.Config{
		Client: o.client, Prefix: o.prefix,
		Timeout: 250 * time.Millisecond, TokenTTL: time.Hour, ObjectTTL: time.Minute,
		LocalTTL: o.localTTL, LocalSize: 1000, EpochCheck: 50 * time.Millisecond,
		BreakAfter: 2, RetryAfter: 200 * time.Millisecond,
		OnResult: c.add, Now: o.now,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.onKeys != nil {
		s.OnKeysChanged(o.onKeys)
	}
	if o.onClients != nil {
		s.OnClientsChanged(o.onClients)
	}
	s.Start(context.WithoutCancel(t.Context()))
	t.Cleanup(s.Close)
	return node{Store: s, counts: c}
}

// conformance opens the cache over inner for the storage suite, with the
// suite's clock so that its tokens are live and get cached.
func conformance(inner func(t *testing.T) storage.LockingStore, localTTL time.Duration) storagetest.Opener {
	return func(t *testing.T) storage.Store {
		return newNode(t, inner(t), options{prefix: redistest.Prefix(t), localTTL: localTTL, now: storagetest.Now}).Store
	}
}

func memoryStore(*testing.T) storage.LockingStore { return memory.New() }

func postgresStore(t *testing.T) storage.LockingStore { return pgtest.Open(t) }

// The suites run in parallel with each other and with their cases (each
// case has a store, a key prefix and nodes of its own); the tests of the
// cache's timing stay out of their way, run before them.

func TestConformance(t *testing.T) {
	t.Parallel()
	t.Run("over memory", inParallel(storagetest.Run, conformance(memoryStore, 0)))
	t.Run("over memory with the in-process cache", inParallel(storagetest.Run, conformance(memoryStore, time.Second)))
	t.Run("over postgres", inParallel(storagetest.Run, conformance(postgresStore, time.Second)))
}

func TestConcurrency(t *testing.T) {
	t.Parallel()
	t.Run("over memory", inParallel(storagetest.RunConcurrent, conformance(memoryStore, time.Second)))
	t.Run("over postgres", inParallel(storagetest.RunConcurrent, conformance(postgresStore, time.Second)))
}

// inParallel is a parallel subtest running suite on the stores open makes.
func inParallel(suite func(*testing.T, storagetest.Opener), open storagetest.Opener) func(*testing.T) {
	return func(t *testing.T) {
		t.Parallel()
		suite(t, open)
	}
}
