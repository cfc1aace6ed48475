package config

import "time"

// Janitor configures the deletion of expired records: codes and tokens,
// login sessions, flows, one-time links, client assertion IDs and
// forgotten failure counters.
type Janitor struct {
	// Enabled runs the janitor in the background of serve. Every node may
	// run it: a round runs on one node at a time. "tokenim-auth janitor"
	// runs a round whether or not it is enabled.
	Enabled bool `yaml:"enabled"`
	// Interval is the time between two rounds.
	Interval time.Duration `yaml:"interval"`
	// Batch is the most records one statement deletes: small batches keep
	// each statement, and the locks it takes, short.
	Batch int `yaml:"batch"`
}

// Bounds of janitor.batch.
const (
	MinJanitorBatch = 1
	MaxJanitorBatch = 10000
)

func defaultJanitor() Janitor {
	return Janitor{Enabled: true, Interval: 10 * time.Minute, Batch: 500}
}

func (c Config) validateJanitor(p *problems) {
	j := c.Janitor
	if j.Interval < time.Second {
		p.add("janitor.interval", "must be at least 1s, got %s", j.Interval)
	}
	if j.Batch < MinJanitorBatch || j.Batch > MaxJanitorBatch {
		p.add("janitor.batch", "must be between %d and %d, got %d", MinJanitorBatch, MaxJanitorBatch, j.Batch)
	}
	// While a round runs, in serve or "tokenim-auth janitor", its lock
	// holds a pooled connection of its own besides the one each delete
	// takes.
	if c.Database.URL != "memory" && c.Database.MaxConns == 1 {
		p.add("database.max_conns", "must be at least 2 on Postgres (the janitor's lock holds a connection of its own)")
	}
}

// ForgetAfter is the longest quiet period after which the throttle forgets
// failures, of any of its limits: a counter whose last failure is older
// counts for nothing.
func (t Throttle) ForgetAfter() time.Duration {
	return max(t.Account.ForgetAfter, t.IP.ForgetAfter, t.Registration.ForgetAfter)
}
