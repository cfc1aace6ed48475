package config

import (
	"testing"
	"time"
)

func TestJanitor(t *testing.T) {
	t.Run("is on by default, every 10 minutes, 500 records a statement", func(t *testing.T) {
		j := Default().Janitor
		if !j.Enabled || j.Interval != 10*time.Minute || j.Batch != 500 {
			t.Fatalf("default janitor %+v", j)
		}
	})

	t.Run("the environment sets it", func(t *testing.T) {
		cfg, err := Load("", mapEnv(map[string]string{
			"TOKENIM_JANITOR_ENABLED": "false", "TOKENIM_JANITOR_INTERVAL": "90s", "TOKENIM_JANITOR_BATCH": "50",
		}))
		if err != nil {
			t.Fatal(err)
		}
		if j := cfg.Janitor; j.Enabled || j.Interval != 90*time.Second || j.Batch != 50 {
			t.Fatalf("janitor %+v", j)
		}
	})

	for _, tt := range []struct {
		name   string
		modify func(*Config)
		path   string
		text   string
	}{
		{"a zero interval", func(c *Config) { c.Janitor.Interval = 0 }, "janitor.interval", "at least 1s"},
		{"a sub-second interval", func(c *Config) { c.Janitor.Interval = 500 * time.Millisecond }, "janitor.interval", "at least 1s"},
		{"a zero batch", func(c *Config) { c.Janitor.Batch = 0 }, "janitor.batch", "must be between 1 and 10000"},
		{"a batch of 10001", func(c *Config) { c.Janitor.Batch = 10001 }, "janitor.batch", "must be between 1 and 10000"},
		{"one Postgres connection for the janitor and the rest", func(c *Config) { c.Database.MaxConns = 1 }, "database.max_conns", "at least 2 on Postgres"},
		{"one Postgres connection, even without the janitor's rounds", func(c *Config) { c.Database.MaxConns, c.Janitor.Enabled = 1, false }, "database.max_conns", "at least 2 on Postgres"},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}

	for _, tt := range []struct {
		name   string
		modify func(*Config)
	}{
		{"bounds", func(c *Config) { c.Janitor.Interval, c.Janitor.Batch = time.Second, 10000 }},
		{"a batch of one", func(c *Config) { c.Janitor.Batch = 1 }},
		{"one connection on the memory store", func(c *Config) { c.Database.MaxConns, c.Database.URL = 1, "memory" }},
	} {
		t.Run(tt.name+" is accepted", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}

	t.Run("counters are forgotten after the longest quiet period of any limit", func(t *testing.T) {
		th := Default().Throttle
		th.IP.ForgetAfter = 48 * time.Hour
		if got := th.ForgetAfter(); got != 48*time.Hour {
			t.Fatalf("ForgetAfter = %s", got)
		}
		if got := Default().Throttle.ForgetAfter(); got != 24*time.Hour {
			t.Fatalf("default ForgetAfter = %s", got)
		}
	})
}
