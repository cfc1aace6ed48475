package config

import (
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Redis configures the token cache and the state several nodes share.
// Leave URL and Addrs empty to run without Redis: every read then goes to
// the database, and a single node needs nothing more.
type Redis struct {
	// URL is a redis:// or rediss:// (TLS) URL of one server, such as
	// redis://:password@cache:6379/0. Set URL or Addrs, not both.
	URL string `yaml:"url"`
	// Addrs are HOST:PORT addresses: the Sentinels when MasterName is set,
	// else the seed nodes of a Redis Cluster (or one server).
	Addrs []string `yaml:"addrs"`
	// MasterName is the Sentinel master to follow.
	MasterName string `yaml:"master_name"`
	// Username and Password authenticate (Redis 6 ACL, or the password
	// alone); with URL they may also be in the URL.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// DB is the database number (not for a Cluster).
	DB int `yaml:"db"`
	// TLS turns TLS on for Addrs (a rediss:// URL turns it on for URL).
	TLS bool `yaml:"tls"`
	// CAFile is a PEM file of the CAs to trust for TLS, instead of the
	// system's.
	CAFile string `yaml:"ca_file"`
	// Prefix starts every key. It holds no brace: the cache puts a hash
	// tag of its own after it, so that a Redis Cluster spreads the keys
	// over every node, and a tag in the prefix would put them all on one.
	Prefix string `yaml:"prefix"`
	// Timeout bounds each Redis call: past it the call counts as failed
	// and the request is answered from the database.
	Timeout time.Duration `yaml:"timeout"`
	// TokenTTL caps how long an access token stays cached (never longer
	// than the token lives).
	TokenTTL time.Duration `yaml:"token_ttl"`
	// ObjectTTL is how long a client or a user stays cached.
	ObjectTTL time.Duration `yaml:"object_ttl"`
	// LocalTTL is how long a node keeps a record in its own memory in
	// front of Redis; 0 turns the in-process cache off. Revocations reach
	// every node through Redis at once, and never later than LocalTTL.
	LocalTTL time.Duration `yaml:"local_ttl"`
	// LocalSize caps the records of the in-process cache.
	LocalSize int `yaml:"local_size"`
	// EpochCheck is how often a node reads the cache epoch from the
	// database: after a revocation that could not reach Redis, every node
	// stops trusting what Redis held before within this period.
	EpochCheck time.Duration `yaml:"epoch_check"`
	// BreakAfter is how many Redis failures in a row open the circuit
	// breaker: Redis is then left alone for RetryAfter before one call
	// tries it again.
	BreakAfter int           `yaml:"break_after"`
	RetryAfter time.Duration `yaml:"retry_after"`
}

// Enabled reports whether Redis is configured.
func (r Redis) Enabled() bool { return r.URL != "" || len(r.Addrs) > 0 }

// IsCluster reports whether Addrs name a Redis Cluster: several addresses
// and no Sentinel master.
func (r Redis) IsCluster() bool { return len(r.Addrs) > 1 && r.MasterName == "" }

func defaultRedis() Redis {
	return Redis{
		Addrs:      []string{},
		Prefix:     "tokenim:",
		Timeout:    250 * time.Millisecond,
		TokenTTL:   time.Hour,
		ObjectTTL:  time.Minute,
		LocalTTL:   time.Second,
		LocalSize:  100_000,
		EpochCheck: 500 * time.Millisecond,
		BreakAfter: 3,
		RetryAfter: 2 * time.Second,
	}
}

func (c Config) validateRedis(p *problems) {
	r := c.Redis
	if r.URL != "" && len(r.Addrs) > 0 {
		p.add("redis.url", "set redis.url or redis.addrs, not both")
	}
	if r.URL != "" {
		// The URL may hold a password: never quote it.
		u, err := url.Parse(r.URL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			p.add("redis.url", "not a redis:// or rediss:// URL with a host")
		}
		if r.MasterName != "" {
			p.add("redis.master_name", "needs redis.addrs (the Sentinels), not redis.url")
		}
	}
	for i, a := range r.Addrs {
		host, port, err := net.SplitHostPort(a)
		if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
			p.add("redis.addrs["+strconv.Itoa(i)+"]", "not HOST:PORT: %q", a)
		}
	}
	if r.DB < 0 {
		p.add("redis.db", "must not be negative, got %d", r.DB)
	}
	if r.IsCluster() && r.DB != 0 {
		p.add("redis.db", "a Redis Cluster has only database 0")
	}
	if r.CAFile != "" {
		if _, err := os.Stat(r.CAFile); err != nil {
			p.add("redis.ca_file", "cannot read %q: %v", r.CAFile, err)
		}
	}
	if r.Prefix == "" {
		p.add("redis.prefix", "required, such as \"tokenim:\"")
	} else if strings.ContainsAny(r.Prefix, "{}") {
		p.add("redis.prefix", "must not hold { or }: the cache adds its own hash tags, which spread the keys over a Redis Cluster's nodes; use a prefix such as \"tokenim:\"")
	}
	positive := []struct {
		path string
		d    time.Duration
	}{
		{"redis.timeout", r.Timeout}, {"redis.token_ttl", r.TokenTTL}, {"redis.object_ttl", r.ObjectTTL},
		{"redis.epoch_check", r.EpochCheck}, {"redis.retry_after", r.RetryAfter},
	}
	for _, f := range positive {
		if f.d <= 0 {
			p.add(f.path, "must be greater than 0, got %s", f.d)
		}
	}
	if r.LocalTTL < 0 {
		p.add("redis.local_ttl", "must not be negative (0 turns the in-process cache off), got %s", r.LocalTTL)
	} else if r.LocalTTL > 10*time.Second {
		p.add("redis.local_ttl", "at most 10s: it bounds how late a revocation may reach a node, got %s", r.LocalTTL)
	}
	if r.LocalTTL > 0 && r.LocalSize < 1 {
		p.add("redis.local_size", "must be at least 1 when redis.local_ttl is set, got %d", r.LocalSize)
	}
	if r.BreakAfter < 1 {
		p.add("redis.break_after", "must be at least 1, got %d", r.BreakAfter)
	}
}
