package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// Tokens issued to measure Redis memory, and by how many clients at once.
const (
	memoryTokens  = 5000
	memoryWorkers = 16
)

// redisMemory is what a cached access token costs Redis.
type redisMemory struct {
	tokens int
	// took is how long issuing them took.
	took time.Duration
	// before and after are INFO memory's used_memory.
	before, after int64
	// key is one token's key and keyBytes its MEMORY USAGE.
	key      string
	keyBytes int64
}

// perToken is the growth of used_memory per token.
func (m redisMemory) perToken() float64 {
	return float64(m.after-m.before) / float64(m.tokens)
}

// measureRedisMemory issues memoryTokens client-credentials tokens through
// node n, in parallel, and compares Redis's used_memory before and after.
// used_memory is the whole server's: anything else using the same Redis
// meanwhile shows up too, which MEMORY USAGE of one token key does not.
func measureRedisMemory(ctx context.Context, l *lab, n *testbed.Node) (redisMemory, error) {
	l.logger.Info("measuring redis memory", "tokens", memoryTokens)
	m := redisMemory{tokens: memoryTokens}
	var err error
	if m.before, err = l.usedMemory(ctx); err != nil {
		return redisMemory{}, err
	}
	start := time.Now()
	if _, err := issueTokens(ctx, l.botConfig(n), memoryTokens); err != nil {
		return redisMemory{}, err
	}
	m.took = time.Since(start)
	if m.after, err = l.usedMemory(ctx); err != nil {
		return redisMemory{}, err
	}
	if m.key, err = l.tokenKey(ctx); err != nil {
		return redisMemory{}, err
	}
	if m.keyBytes, err = l.rdb.MemoryUsage(ctx, m.key, 0).Result(); err != nil {
		return redisMemory{}, fmt.Errorf("redis: memory usage %s: %w", m.key, err)
	}
	return m, nil
}

// issueTokens gets count client-credentials access tokens with conf,
// memoryWorkers clients at once, and returns them.
func issueTokens(ctx context.Context, conf *clientcredentials.Config, count int) ([]string, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// One kept-alive connection per worker, rather than a new one for
	// most requests (http.DefaultTransport keeps two per host).
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = memoryWorkers
	defer transport.CloseIdleConnections()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: transport})
	tokens := make([]string, count)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range memoryWorkers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(count) && ctx.Err() == nil; i = next.Add(1) - 1 {
				tok, err := conf.Token(ctx)
				if err != nil {
					cancel(fmt.Errorf("issue tokens: %w", err))
					return
				}
				tokens[i] = tok.AccessToken
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return tokens, nil
}

// usedMemory is INFO memory's used_memory, in bytes.
func (l *lab) usedMemory(ctx context.Context) (int64, error) {
	info, err := l.rdb.InfoMap(ctx, "memory").Result()
	if err != nil {
		return 0, fmt.Errorf("redis: info memory: %w", err)
	}
	v, err := strconv.ParseInt(info["Memory"]["used_memory"], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("redis: info memory: used_memory: %w", err)
	}
	return v, nil
}

// tokenKey finds the key of one cached access token,
// <prefix>e<epoch>:{<shard tag>}t:<signature> (storage/redis).
func (l *lab) tokenKey(ctx context.Context) (string, error) {
	iter := l.rdb.Scan(ctx, 0, redisPrefix+"e*:{*}t:*", 1000).Iterator()
	if iter.Next(ctx) {
		return iter.Val(), nil
	}
	if err := iter.Err(); err != nil {
		return "", fmt.Errorf("redis: scan token keys: %w", err)
	}
	return "", fmt.Errorf("redis: no token key %se*:{*}t:* after issuing tokens", redisPrefix)
}
