package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"

	goredis "github.com/redis/go-redis/v9"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/redis"
)

// cached is the store the provider runs on: the one openStore opened,
// behind the Redis cache when redis is configured.
type cached struct {
	storage.LockingStore
	// rdb is the Redis client, a nil interface without Redis (the rate
	// limiter tells the two apart).
	rdb goredis.UniversalClient
	// cache is the Redis cache, nil without Redis.
	cache *redis.Store
}

// withCache puts the Redis cache in front of store when the redis section
// is configured. The cache closes the client when it is closed.
func withCache(ctx context.Context, cfg config.Config, store storage.LockingStore, onResult func(cache, result string), logger *slog.Logger) (cached, error) {
	if !cfg.Redis.Enabled() {
		return cached{LockingStore: store}, nil
	}
	rdb, err := newRedisClient(cfg.Redis)
	if err != nil {
		return cached{}, err
	}
	goredis.SetLogger(redisLogger{logger})
	r := cfg.Redis
	c, err := redis.New(ctx, store, redis.Config{
		Client: rdb, CloseClient: true, Prefix: r.Prefix, Timeout: r.Timeout,
		TokenTTL: r.TokenTTL, ObjectTTL: r.ObjectTTL, LocalTTL: r.LocalTTL, LocalSize: r.LocalSize,
		EpochCheck: r.EpochCheck, BreakAfter: r.BreakAfter, RetryAfter: r.RetryAfter,
		OnResult: onResult, Logger: logger,
	})
	if err != nil {
		rdb.Close()
		return cached{}, err
	}
	return cached{LockingStore: c, rdb: rdb, cache: c}, nil
}

// newRedisClient connects to the configured Redis: one server by URL, or
// Sentinels, a Cluster or one server by address. Calls fail fast (one
// dial attempt, no retry, short deadlines): the cache answers from the
// database rather than wait.
func newRedisClient(r config.Redis) (goredis.UniversalClient, error) {
	opts := &goredis.UniversalOptions{
		Addrs: r.Addrs, MasterName: r.MasterName, Username: r.Username, Password: r.Password, DB: r.DB,
	}
	if r.URL != "" {
		u, err := goredis.ParseURL(r.URL)
		if err != nil {
			// The URL may hold a password: do not quote it.
			return nil, usagef("redis.url: not a valid redis:// URL")
		}
		opts.Addrs, opts.DB, opts.TLSConfig = []string{u.Addr}, u.DB, u.TLSConfig
		if u.Username != "" || u.Password != "" {
			opts.Username, opts.Password = u.Username, u.Password
		}
	}
	if r.TLS && opts.TLSConfig == nil {
		opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if r.CAFile != "" {
		if opts.TLSConfig == nil {
			return nil, usagef("redis.ca_file: set redis.tls (or use a rediss:// URL) to use it")
		}
		pem, err := os.ReadFile(r.CAFile)
		if err != nil {
			return nil, usagef("redis.ca_file: %v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, usagef("redis.ca_file: no PEM certificate in %s", r.CAFile)
		}
		opts.TLSConfig.RootCAs = pool
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = r.Timeout, r.Timeout, r.Timeout
	opts.MaxRetries, opts.DialerRetries = -1, 1
	return goredis.NewUniversalClient(opts), nil
}

// redisLogger sends go-redis's own messages (connection pool trouble) to
// the process logger at warn level, the text under "detail": a record's
// own message is already "msg", and a JSON line with two would lose one
// in most log pipelines.
type redisLogger struct{ logger *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.logger.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}
