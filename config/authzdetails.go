package config

import (
	"net/url"
	"time"
)

// AuthorizationDetails configures grants as narrow as one conversation
// (RFC 9396 authorization_details).
type AuthorizationDetails struct {
	// Lookup names conversations and channels on the consent page.
	Lookup DetailsLookup `yaml:"lookup"`
}

// DetailsLookup is the IM platform's callback naming conversations: the
// provider POSTs {"locations": ["conv:123", ...]} and reads
// {"names": {"conv:123": "#launch-team"}}. Without a URL, or when the
// callback fails or is late, the consent page shows the IDs.
type DetailsLookup struct {
	// URL is the callback; empty turns the lookup off.
	URL string `yaml:"url"`
	// Timeout bounds each call: the consent page waits no longer.
	Timeout time.Duration `yaml:"timeout"`
	// CacheTTL is how long a name is reused.
	CacheTTL time.Duration `yaml:"cache_ttl"`
	// CacheSize bounds the names kept in each node's memory.
	CacheSize int `yaml:"cache_size"`
}

func defaultAuthorizationDetails() AuthorizationDetails {
	return AuthorizationDetails{Lookup: DetailsLookup{Timeout: 2 * time.Second, CacheTTL: 5 * time.Minute, CacheSize: 10000}}
}

func (c Config) validateAuthorizationDetails(p *problems) {
	l := c.AuthorizationDetails.Lookup
	if l.URL != "" {
		u, err := url.Parse(l.URL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			p.add("authorization_details.lookup.url", "must be an http(s) URL, got %q", l.URL)
		case u.Scheme == "http" && !c.Dev && !loopbackHost(u.Hostname()):
			p.add("authorization_details.lookup.url", "must be https (http only for a loopback address or in dev mode), got %q", l.URL)
		}
	}
	if l.Timeout < 10*time.Millisecond || l.Timeout > 10*time.Second {
		p.add("authorization_details.lookup.timeout", "must be between 10ms and 10s, got %s", l.Timeout)
	}
	if l.CacheTTL < 0 {
		p.add("authorization_details.lookup.cache_ttl", "must not be negative, got %s", l.CacheTTL)
	}
	if l.CacheSize < 1 || l.CacheSize > 1_000_000 {
		p.add("authorization_details.lookup.cache_size", "must be between 1 and 1000000, got %d", l.CacheSize)
	}
}

// loopbackHost reports whether host is a loopback name or address.
func loopbackHost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
