package config

import (
	"testing"
	"time"
)

func TestRateLimitValidation(t *testing.T) {
	accepts := []struct {
		name   string
		modify func(*RateLimit)
	}{
		{"the defaults", func(*RateLimit) {}},
		{"every limit off", func(r *RateLimit) { *r = RateLimit{} }},
		{"introspection limited per client", func(r *RateLimit) {
			r.Introspect.PerClient = RequestRate{Rate: 100000, Period: time.Minute, Burst: 5000}
		}},
		{"a rate per second with a burst of one", func(r *RateLimit) {
			r.Login.PerIP = RequestRate{Rate: 1, Period: time.Second, Burst: 1}
		}},
		{"a limit turned off with its period and burst left", func(r *RateLimit) { r.Token.PerIP.Rate = 0 }},
	}
	for _, tt := range accepts {
		t.Run(tt.name+" is accepted", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg.RateLimit)
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
	refuses := []struct {
		name   string
		modify func(*RateLimit)
		path   string
		text   string
	}{
		{"a negative rate", func(r *RateLimit) { r.Token.PerIP.Rate = -1 }, "rate_limit.token.per_ip.rate", "must not be negative"},
		{"a negative burst", func(r *RateLimit) { r.Introspect.PerIP.Burst = -5 }, "rate_limit.introspect.per_ip.burst", "must not be negative"},
		{"a negative period", func(r *RateLimit) { r.Token.PerClient.Period = -time.Second }, "rate_limit.token.per_client.period", "must not be negative"},
		{"a rate without a period", func(r *RateLimit) { r.Login.PerIP.Period = 0 }, "rate_limit.login.per_ip.period", "must be positive when rate is set"},
		{"a period under a millisecond", func(r *RateLimit) { r.Token.PerClient.Period = time.Microsecond }, "rate_limit.token.per_client.period", "at least 1ms"},
		{"a rate without a burst", func(r *RateLimit) { r.Token.PerClient.Burst = 0 }, "rate_limit.token.per_client.burst", "at least 1 when rate is set"},
		{"an account pages' rate without a burst", func(r *RateLimit) { r.Accounts.PerIP.Burst = 0 }, "rate_limit.accounts.per_ip.burst", "at least 1 when rate is set"},
		{"a negative account changes' rate", func(r *RateLimit) { r.AccountChanges.PerIP.Rate = -1 }, "rate_limit.account_changes.per_ip.rate", "must not be negative"},
		{"an account changes' rate without a period", func(r *RateLimit) { r.AccountChanges.PerIP.Period = 0 }, "rate_limit.account_changes.per_ip.period", "must be positive when rate is set"},
		{"an introspection rate without a burst", func(r *RateLimit) { r.Introspect.PerClient.Rate = 10 }, "rate_limit.introspect.per_client.burst", "at least 1"},
	}
	for _, tt := range refuses {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg.RateLimit)
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}
}

func TestRateLimitFromEnvironment(t *testing.T) {
	cfg, err := Load("", mapEnv(map[string]string{
		"TOKENIM_RATE_LIMIT_ENABLED":                      "false",
		"TOKENIM_RATE_LIMIT_TOKEN_PER_CLIENT_RATE":        "5",
		"TOKENIM_RATE_LIMIT_LOGIN_PER_IP_PERIOD":          "10s",
		"TOKENIM_RATE_LIMIT_ACCOUNTS_PER_IP_RATE":         "7",
		"TOKENIM_RATE_LIMIT_ACCOUNT_CHANGES_PER_IP_BURST": "3",
	}))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.RateLimit
	if r.Enabled || r.Token.PerClient.Rate != 5 || r.Login.PerIP.Period != 10*time.Second || r.Accounts.PerIP.Rate != 7 || r.AccountChanges.PerIP.Burst != 3 {
		t.Fatalf("rate_limit = %+v", r)
	}
}
