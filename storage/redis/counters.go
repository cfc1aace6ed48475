package redis

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"

	"github.com/tokenim/tokenim-auth/storage"
)

// Failure counters (brute-force protection) live in Redis when it is
// configured: every sign-in attempt counts there, shared by every node,
// and none writes to the database. They are not a cache: the epoch does
// not apply to them. When Redis fails, the wrapped store counts instead
// until it answers again, so protection never stops.
//
// A counter is a hash {f: failures, l: last failure in microseconds}
// that expires once it would be forgotten anyway, and an entry in its
// shard's index (a sorted set by last failure) through which the janitor
// purges it. A counter and its index share the shard's hash tag, so that
// a script updating both runs on one Cluster node.

// counterPrefix starts the keys of shard's counters.
func (s *Store) counterPrefix(shard int) string { return s.cfg.Prefix + s.shards.tag(shard) + "ctr:" }

func (s *Store) counterKey(key string) string { return s.counterPrefix(s.shards.of(key)) + key }

func (s *Store) counterIndex(key string) string { return s.counterIndexOf(s.shards.of(key)) }

func (s *Store) counterIndexOf(shard int) string {
	return s.cfg.Prefix + s.shards.tag(shard) + "ctr-index"
}

// addFailureScript counts one failure and returns the count.
//
// KEYS[1] the counter, KEYS[2] the index; ARGV[1] now (µs), ARGV[2] the
// quiet period after which failures are forgotten (µs), ARGV[3] the
// counter's name, ARGV[4] its lifetime (ms).
var addFailureScript = goredis.NewScript(`
local f = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local l = tonumber(redis.call('HGET', KEYS[1], 'l') or '0')
local now = tonumber(ARGV[1])
if f > 0 and now - l > tonumber(ARGV[2]) then
  f = 0
end
f = f + 1
redis.call('HSET', KEYS[1], 'f', f, 'l', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[3])
return f
`)

// purgeCountersScript deletes at most ARGV[2] counters of a shard whose
// last failure is before ARGV[1] (µs) and returns how many. KEYS[1] the
// shard's index; ARGV[3] its counters' key prefix, which holds its tag.
var purgeCountersScript = goredis.NewScript(`
local names = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, n in ipairs(names) do
  redis.call('DEL', ARGV[3] .. n)
  redis.call('ZREM', KEYS[1], n)
end
return #names
`)

// AddFailure implements storage.Counters in Redis.
func (s *Store) AddFailure(ctx context.Context, key string, now time.Time, forgetAfter time.Duration) (storage.Counter, error) {
	if s.inTx(ctx) || s.breakerOpen() {
		return s.Store.AddFailure(ctx, key, now, forgetAfter)
	}
	// The hash lives as long as a failure can count, and a minute more.
	life := max(forgetAfter, 0) + time.Minute
	res, err := s.call(ctx, func(ctx context.Context) (any, error) {
		return addFailureScript.Run(ctx, s.rdb, []string{s.counterKey(key), s.counterIndex(key)},
			now.UnixMicro(), forgetAfter.Microseconds(), key, life.Milliseconds()).Int()
	})
	if err != nil {
		s.logger.WarnContext(ctx, "count a failure in redis; counting in the database", "err", err)
		return s.Store.AddFailure(ctx, key, now, forgetAfter)
	}
	return storage.Counter{Key: key, Failures: res.(int), LastFailure: now}, nil
}

// GetCounter implements storage.Counters: the Redis counter, or the
// wrapped store's when Redis has none (failures counted there while Redis
// was failing) or fails.
func (s *Store) GetCounter(ctx context.Context, key string) (storage.Counter, error) {
	if s.inTx(ctx) || s.breakerOpen() {
		return s.Store.GetCounter(ctx, key)
	}
	res, err := s.call(ctx, func(ctx context.Context) (any, error) {
		return s.rdb.HMGet(ctx, s.counterKey(key), "f", "l").Result()
	})
	if err != nil {
		return s.Store.GetCounter(ctx, key)
	}
	vals := res.([]any)
	f, _ := vals[0].(string)
	l, _ := vals[1].(string)
	if f == "" {
		return s.Store.GetCounter(ctx, key)
	}
	failures, err1 := strconv.Atoi(f)
	last, err2 := strconv.ParseInt(l, 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return storage.Counter{}, fmt.Errorf("redis: counter %s: %w", key, err)
	}
	return storage.Counter{Key: key, Failures: failures, LastFailure: time.UnixMicro(last).UTC()}, nil
}

// ClearCounter implements storage.Counters, in Redis and in the wrapped
// store.
func (s *Store) ClearCounter(ctx context.Context, key string) error {
	if !s.inTx(ctx) && !s.breakerOpen() {
		if _, err := s.call(ctx, func(ctx context.Context) (any, error) {
			pipe := s.rdb.TxPipeline()
			pipe.Del(ctx, s.counterKey(key))
			pipe.ZRem(ctx, s.counterIndex(key), key)
			_, err := pipe.Exec(ctx)
			return nil, err
		}); err != nil {
			s.logger.WarnContext(ctx, "clear a counter in redis", "err", err)
		}
	}
	return s.Store.ClearCounter(ctx, key)
}

// Purge implements storage.Purger: counters are purged from Redis first,
// then from the wrapped store; every other area is the wrapped store's.
// In Redis it takes two round trips whatever the number of shards: one
// pipeline counts each shard's stale counters, a second purges the shards
// that have some, each given its share of limit.
func (s *Store) Purge(ctx context.Context, area storage.PurgeArea, before time.Time, limit int) (int, error) {
	if area != storage.PurgeCounters || limit < 1 {
		return s.Store.Purge(ctx, area, before, limit)
	}
	until := "(" + strconv.FormatInt(before.UnixMicro(), 10)
	res, err := s.call(ctx, func(ctx context.Context) (any, error) {
		pipe := s.rdb.Pipeline()
		counts := make([]*goredis.IntCmd, shardCount)
		for shard := range shardCount {
			counts[shard] = pipe.ZCount(ctx, s.counterIndexOf(shard), "-inf", until)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, err
		}
		type share struct{ shard, n int }
		var shares []share
		left := limit
		for shard, c := range counts {
			if n := int(min(c.Val(), int64(left))); n > 0 {
				shares = append(shares, share{shard, n})
				left -= n
			}
		}
		if len(shares) == 0 {
			return 0, nil
		}
		cmds, err := s.runPipelined(ctx, purgeCountersScript, len(shares), func(i int) ([]string, []any) {
			sh := shares[i]
			return []string{s.counterIndexOf(sh.shard)}, []any{before.UnixMicro(), sh.n, s.counterPrefix(sh.shard)}
		})
		if err != nil {
			return nil, err
		}
		n := 0
		for _, cmd := range cmds {
			m, err := cmd.Int()
			if err != nil {
				return nil, err
			}
			n += m
		}
		return n, nil
	})
	if err != nil {
		return 0, fmt.Errorf("redis: purge counters: %w", err)
	}
	n := res.(int)
	if n == limit {
		return n, nil
	}
	m, err := s.Store.Purge(ctx, area, before, limit-n)
	return n + m, err
}

func (s *Store) breakerOpen() bool { return s.breaker.State() == gobreaker.StateOpen }
