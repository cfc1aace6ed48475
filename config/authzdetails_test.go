package config

import (
	"testing"
	"time"
)

func TestAuthorizationDetailsLookup(t *testing.T) {
	if l := Default().AuthorizationDetails.Lookup; l.URL != "" || l.Timeout != 2*time.Second || l.CacheTTL != 5*time.Minute || l.CacheSize != 10000 {
		t.Fatalf("default lookup %+v", l)
	}
	for _, tt := range []struct {
		name   string
		modify func(*Config)
		path   string
		text   string
	}{
		{"a URL that is not http(s)", func(c *Config) { c.AuthorizationDetails.Lookup.URL = "ftp://im.example/names" }, "authorization_details.lookup.url", "http(s) URL"},
		{"plain http off loopback", func(c *Config) { c.AuthorizationDetails.Lookup.URL = "http://im.example/names" }, "authorization_details.lookup.url", "must be https"},
		{"no timeout", func(c *Config) { c.AuthorizationDetails.Lookup.Timeout = 0 }, "authorization_details.lookup.timeout", "between 10ms and 10s"},
		{"a minute's timeout", func(c *Config) { c.AuthorizationDetails.Lookup.Timeout = time.Minute }, "authorization_details.lookup.timeout", "between 10ms and 10s"},
		{"no cache", func(c *Config) { c.AuthorizationDetails.Lookup.CacheSize = 0 }, "authorization_details.lookup.cache_size", "between 1 and 1000000"},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}
	for _, u := range []string{"https://im.example/names", "http://127.0.0.1:9000/names"} {
		cfg := validConfig()
		cfg.AuthorizationDetails.Lookup.URL = u
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}
