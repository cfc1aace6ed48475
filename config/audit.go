package config

import "time"

// Audit configures the authorization records.
type Audit struct {
	// Retention is how long records are kept; older ones are pruned by
	// the janitor, leaving a checkpoint from which the chain still
	// verifies. 0 keeps every record.
	Retention time.Duration `yaml:"retention"`
	// SealInterval is the longest a committed record waits before it is
	// sealed into the hash chain.
	SealInterval time.Duration `yaml:"seal_interval"`
}

// Bounds of audit.seal_interval and audit.retention.
const (
	MinAuditSealInterval = 100 * time.Millisecond
	MaxAuditSealInterval = time.Minute
	MinAuditRetention    = 24 * time.Hour
)

func defaultAudit() Audit {
	return Audit{Retention: 365 * 24 * time.Hour, SealInterval: time.Second}
}

func (c Config) validateAudit(p *problems) {
	a := c.Audit
	if a.SealInterval < MinAuditSealInterval || a.SealInterval > MaxAuditSealInterval {
		p.add("audit.seal_interval", "must be between %s and %s, got %s", MinAuditSealInterval, MaxAuditSealInterval, a.SealInterval)
	}
	if a.Retention != 0 && a.Retention < MinAuditRetention {
		p.add("audit.retention", "must be 0 (keep every record) or at least %s, got %s", MinAuditRetention, a.Retention)
	}
}
