package config

import (
	"testing"
	"time"
)

func TestAudit(t *testing.T) {
	t.Run("keeps a year and seals within a second by default", func(t *testing.T) {
		a := Default().Audit
		if a.Retention != 365*24*time.Hour || a.SealInterval != time.Second {
			t.Fatalf("default audit %+v", a)
		}
	})
	t.Run("the environment sets it", func(t *testing.T) {
		cfg, err := Load("", mapEnv(map[string]string{"TOKENIM_AUDIT_RETENTION": "0s", "TOKENIM_AUDIT_SEAL_INTERVAL": "250ms"}))
		if err != nil {
			t.Fatal(err)
		}
		if a := cfg.Audit; a.Retention != 0 || a.SealInterval != 250*time.Millisecond {
			t.Fatalf("audit %+v", a)
		}
	})
	for _, tt := range []struct {
		name   string
		modify func(*Config)
		path   string
		text   string
	}{
		{"a retention of an hour", func(c *Config) { c.Audit.Retention = time.Hour }, "audit.retention", "at least 24h0m0s"},
		{"a negative retention", func(c *Config) { c.Audit.Retention = -time.Hour }, "audit.retention", "at least 24h0m0s"},
		{"a zero seal interval", func(c *Config) { c.Audit.SealInterval = 0 }, "audit.seal_interval", "between 100ms and 1m0s"},
		{"a seal interval of an hour", func(c *Config) { c.Audit.SealInterval = time.Hour }, "audit.seal_interval", "between 100ms and 1m0s"},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}
	t.Run("keeping every record is accepted", func(t *testing.T) {
		cfg := validConfig()
		cfg.Audit.Retention = 0
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}
