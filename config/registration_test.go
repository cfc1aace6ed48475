package config

import (
	"slices"
	"testing"
)

func TestRegistration(t *testing.T) {
	t.Run("is off and closed by default, with the sign-in scopes", func(t *testing.T) {
		r := Default().Registration
		if r.Enabled || r.Open || !slices.Equal(r.GrantTypes, []string{"authorization_code", "refresh_token"}) ||
			!slices.Equal(r.AuthMethods, []string{"none", "client_secret_basic", "private_key_jwt"}) ||
			!slices.Equal(r.Scopes, []string{"openid", "profile", "email", "offline_access"}) {
			t.Fatalf("default registration %+v", r)
		}
		if rl := Default().RateLimit.Registration.PerIP; rl.Rate <= 0 || rl.Burst <= 0 {
			t.Fatalf("default registration rate limit %+v", rl)
		}
	})

	t.Run("the environment sets it", func(t *testing.T) {
		cfg, err := Load("", mapEnv(map[string]string{
			"TOKENIM_REGISTRATION_ENABLED": "true", "TOKENIM_REGISTRATION_OPEN": "true", "TOKENIM_REGISTRATION_SCOPES": "openid",
		}))
		if err != nil {
			t.Fatal(err)
		}
		if r := cfg.Registration; !r.Enabled || !r.Open || !slices.Equal(r.Scopes, []string{"openid"}) {
			t.Fatalf("registration %+v", r)
		}
	})

	for _, tt := range []struct {
		name   string
		modify func(*Config)
		path   string
		text   string
	}{
		{"open without enabled", func(c *Config) { c.Registration.Open = true }, "registration.open", "needs registration.enabled"},
		{"an unknown grant type", func(c *Config) { c.Registration.GrantTypes = []string{"authorization_code", "implicit"} }, "registration.grant_types[1]", "must be one of"},
		{"no grant type", func(c *Config) { c.Registration.Enabled, c.Registration.GrantTypes = true, nil }, "registration.grant_types", "at least one"},
		{"an unknown auth method", func(c *Config) { c.Registration.AuthMethods = []string{"tls_client_auth"} }, "registration.token_endpoint_auth_methods[0]", "must be one of"},
		{"no auth method", func(c *Config) { c.Registration.Enabled, c.Registration.AuthMethods = true, nil }, "registration.token_endpoint_auth_methods", "at least one"},
		{"the admin scope", func(c *Config) { c.Registration.Scopes = []string{"openid", "admin"} }, "registration.scopes[1]", "never given"},
		{"a scope not in the catalogue", func(c *Config) { c.Registration.Scopes = []string{"everything"} }, "registration.scopes[0]", "not in the scope catalogue"},
		{"a negative rate", func(c *Config) { c.RateLimit.Registration.PerIP.Rate = -1 }, "rate_limit.registration.per_ip.rate", "must not be negative"},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}
}
