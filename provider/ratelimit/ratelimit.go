package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/tokenim/tokenim-auth/provider/defaults"
)

// Limit is a budget: Rate requests per Period, up to Burst of them at
// once. A Rate of 0 turns the limit off.
type Limit struct {
	Rate   int
	Period time.Duration
	// Burst is how many requests may come back to back after a quiet
	// spell; at least 1 when Rate is set.
	Burst int
}

// Off reports whether the limit lets everything through.
func (l Limit) Off() bool { return l.Rate <= 0 || l.Period <= 0 }

// Result is a Limiter's answer.
type Result struct {
	Allowed bool
	// RetryAfter is how long a refused caller must wait before the next
	// request can pass; 0 when allowed.
	RetryAfter time.Duration
}

// Defaults of Config.
const (
	// DefaultPrefix starts every Redis key of the limiter.
	DefaultPrefix = "tokenim:rl:"
	// DefaultTimeout bounds one Redis call: a budget that takes longer to
	// read is counted in the process instead.
	DefaultTimeout = 100 * time.Millisecond
	// DefaultMaxKeys bounds the budgets kept in the process.
	DefaultMaxKeys = 50_000
	// warnEvery spaces the warnings about a Redis fault.
	warnEvery = 10 * time.Second
)

// Config is what a Limiter is built from.
type Config struct {
	// Redis holds the budgets every node shares; nil (a nil interface,
	// not a typed nil client) keeps them in this process only.
	Redis goredis.UniversalClient
	// Prefix starts every Redis key; DefaultPrefix when empty.
	Prefix string
	// Timeout bounds each Redis call; DefaultTimeout when zero.
	Timeout time.Duration
	// MaxKeys bounds the budgets kept in the process; beyond it the least
	// recently used are forgotten (and start afresh if they come back).
	// DefaultMaxKeys when zero.
	MaxKeys int
	// OnLimited, when set, is told of every request Middleware refuses:
	// the rule's endpoint and "client" or "ip".
	OnLimited func(endpoint, by string)
	// Now is the clock of the in-process budgets; time.Now when nil.
	// Redis budgets follow the Redis server's clock.
	Now    func() time.Time
	Logger *slog.Logger
}

// Limiter spends budgets in Redis when it has one, in the process
// otherwise or when Redis fails. It is safe for concurrent use.
type Limiter struct {
	redis     *redis_rate.Limiter
	prefix    string
	timeout   time.Duration
	local     *local
	onLimited func(endpoint, by string)
	now       func() time.Time
	logger    *slog.Logger
	// warn spaces the Redis fault warnings; faults counts those not
	// logged since the last one.
	warn   *rate.Limiter
	faults atomic.Int64
}

// New returns a Limiter.
func New(cfg Config) *Limiter {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultMaxKeys
	}
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	l := &Limiter{
		prefix:    cfg.Prefix,
		timeout:   cfg.Timeout,
		local:     newLocal(cfg.MaxKeys),
		onLimited: cfg.OnLimited,
		now:       cfg.Now,
		logger:    cfg.Logger,
		warn:      rate.NewLimiter(rate.Every(warnEvery), 1),
	}
	if cfg.Redis != nil {
		l.redis = redis_rate.NewLimiter(cfg.Redis)
	}
	return l
}

// Allow spends one request of key's budget under limit, or says how long
// to wait. It never fails: when Redis does not answer in time the request
// is counted in the process, so a Redis outage loosens the limits (each
// node then counts on its own) rather than refusing or failing requests.
func (l *Limiter) Allow(ctx context.Context, key string, limit Limit) Result {
	if limit.Off() {
		return Result{Allowed: true}
	}
	limit.Burst = max(limit.Burst, 1)
	if l.redis != nil {
		res, err := l.allowRedis(ctx, key, limit)
		if err == nil {
			return res
		}
		l.fault(ctx, err)
	}
	return l.local.allow(key, limit, l.now())
}

func (l *Limiter) allowRedis(ctx context.Context, key string, limit Limit) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	res, err := l.redis.Allow(ctx, l.prefix+key, redis_rate.Limit{Rate: limit.Rate, Period: limit.Period, Burst: limit.Burst})
	if err != nil {
		return Result{}, err
	}
	if res.Allowed > 0 {
		return Result{Allowed: true}, nil
	}
	// A refusal always has a wait; never tell a caller to come back at once.
	return Result{RetryAfter: max(res.RetryAfter, time.Millisecond)}, nil
}

// fault logs a Redis error, at most once every warnEvery with the number
// of faults in between. A request whose own context ended (the client went
// away) is not Redis's fault and is not logged.
func (l *Limiter) fault(ctx context.Context, err error) {
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return
	}
	n := l.faults.Add(1)
	if !l.warn.AllowN(l.now(), 1) {
		return
	}
	l.faults.Add(-n)
	l.logger.WarnContext(ctx, "rate limit: redis unavailable, counting in process", "err", err, "faults", n)
}
