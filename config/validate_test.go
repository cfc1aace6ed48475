package config

import (
	"strings"
	"testing"
	"time"
)

// Secrets long enough to validate, and a real argon2id hash.
const (
	webSecret = "web-client-secret-0123456789abcdef"
	apiSecret = "api-client-secret-0123456789abcdef"
	testHash  = "$argon2id$v=19$m=19456,t=2,p=1$RDHcU85WKUZZvL02O7yaBA$If8IHLMFBuAcNyYVIeT3SPoCUUAhGKbJFGYo+hUY/Dk"
)

// validConfig returns a production configuration that validates, with one
// client of each type and two users, for the cases below to break.
func validConfig() Config {
	cfg := Default()
	cfg.Issuer = "https://auth.example.com"
	cfg.Secrets.System = testSecret
	cfg.Database.URL = "postgres://tokenim@db.example.com:5432/tokenim?sslmode=verify-full"
	cfg.Clients = []Client{
		{
			ID:                     "web",
			Name:                   "TokenIM Web",
			Type:                   ClientConfidential,
			Secret:                 webSecret,
			RedirectURIs:           []string{"https://im.example.com/cb"},
			PostLogoutRedirectURIs: []string{"https://im.example.com/"},
			Scopes:                 []string{"openid", "profile", "offline_access", "im:messages.read"},
		},
		{
			ID:           "com.tokenim.app",
			Name:         "TokenIM App",
			Type:         ClientPublic,
			RedirectURIs: []string{"com.tokenim.app:/cb"},
			Scopes:       []string{"openid", "offline_access"},
		},
		{
			ID:     "messages-api",
			Name:   "Messages API",
			Type:   ClientResourceServer,
			Secret: apiSecret,
		},
	}
	cfg.Users = []User{
		{Email: "alice@example.com", Name: "Alice", Password: "correct horse"},
		{Email: "bob@example.com", Name: "Bob", PasswordHash: testHash},
	}
	return cfg
}

func TestValidConfigIsValid(t *testing.T) {
	if err := validConfig().Validate(); err != nil {
		t.Fatalf("the base of the cases below does not validate: %v", err)
	}
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
	}{
		{"a custom role given to a user", func(c *Config) {
			c.Roles = append(c.Roles, Role{Name: "support", Scopes: []string{"openid", "im:messages.read"}})
			c.Users[0].Role = "support"
		}},
		{"registration with a mail server", func(c *Config) { c.Accounts.Registration = true; c.Mail.SMTP.Host = "smtp.example.com" }},
		{"registration in dev mode without a mail server (the dev outbox)", func(c *Config) { c.Accounts.Registration = true; c.Dev = true }},
		{"an http issuer on 127.0.0.1", func(c *Config) { c.Issuer = "http://127.0.0.1:8080" }},
		{"an http issuer on ::1", func(c *Config) { c.Issuer = "http://[::1]:8080" }},
		{"an http issuer on localhost", func(c *Config) { c.Issuer = "http://localhost:8080" }},
		{"an issuer with a path", func(c *Config) { c.Issuer = "https://example.com/auth" }},
		{"listening on every interface", func(c *Config) { c.Listen = ":8080" }},
		{"one Redis server by URL", func(c *Config) { c.Redis.URL = "rediss://:pw@cache.example.com:6380/2" }},
		{"Redis Sentinels", func(c *Config) {
			c.Redis.Addrs, c.Redis.MasterName = []string{"s1.example.com:26379", "s2.example.com:26379"}, "tokenim"
		}},
		{"a Redis Cluster", func(c *Config) {
			c.Redis.Addrs, c.Redis.Prefix = []string{"n1.example.com:6379", "n2.example.com:6379"}, "tokenim:"
		}},
		{"no in-process cache", func(c *Config) { c.Redis.URL = "redis://cache:6379"; c.Redis.LocalTTL = 0 }},
		{"listening on a random port", func(c *Config) { c.Listen = "127.0.0.1:0" }},
		{"listening on an IPv6 address", func(c *Config) { c.Listen = "[::1]:8443" }},
		{"the memory database", func(c *Config) { c.Database.URL = "memory" }},
		{"a postgresql:// URL", func(c *Config) { c.Database.URL = "postgresql://u:p@h/db" }},
		{"a socket-only postgres URL", func(c *Config) { c.Database.URL = "postgres:///tokenim?host=/run/postgresql" }},
		{"consent that never expires", func(c *Config) { c.Lifespans.Consent = 0 }},
		{"consent for 90 days", func(c *Config) { c.Lifespans.Consent = 2160 * time.Hour }},
		{"authorize codes of exactly 1s", func(c *Config) { c.Lifespans.AuthorizeCode = time.Second }},
		{"authorize codes of exactly 10m", func(c *Config) { c.Lifespans.AuthorizeCode = 10 * time.Minute }},
		{"refresh tokens as long as access tokens", func(c *Config) { c.Lifespans.RefreshToken = c.Lifespans.AccessToken }},
		{"RS256 keys", func(c *Config) { c.Keys.Algorithm = "RS256" }},
		{"debug text logs", func(c *Config) { c.Log = Log{Level: "debug", Format: "text"} }},
		{"an http loopback redirect for a confidential client", func(c *Config) {
			c.Clients[0].RedirectURIs = append(c.Clients[0].RedirectURIs, "http://127.0.0.1:3000/cb")
		}},
		{"an http loopback redirect for a native app", func(c *Config) {
			c.Clients[1].RedirectURIs = []string{"http://127.0.0.1/cb"}
		}},
		{"a redirect URI with a query", func(c *Config) {
			c.Clients[0].RedirectURIs = []string{"https://im.example.com/cb?tenant=1"}
		}},
		{"client_secret_post", func(c *Config) { c.Clients[0].TokenEndpointAuthMethod = AuthClientSecretPost }},
		{"private_key_jwt with an https JWKS URI and no secret", func(c *Config) {
			c.Clients[0].TokenEndpointAuthMethod = AuthPrivateKeyJWT
			c.Clients[0].JWKSURI = "https://im.example.com/jwks.json"
			c.Clients[0].Secret = ""
		}},
		{"a confidential client using client_credentials too", func(c *Config) {
			c.Clients[0].GrantTypes = []string{"authorization_code", "refresh_token", "client_credentials"}
		}},
		{"a confidential client with client_credentials only and no redirect URI", func(c *Config) {
			c.Clients[0].GrantTypes = []string{"client_credentials"}
			c.Clients[0].RedirectURIs = nil
		}},
		{"a first-party client skipping consent", func(c *Config) { c.Clients[0].SkipConsent = true }},
		{"a web client requiring pushed requests", func(c *Config) { c.Clients[0].RequirePushedAuthorizationRequests = true }},
		{"a client requiring DPoP", func(c *Config) { c.Clients[0].DPoPBoundAccessTokens = true }},
		{"a client with JWT access tokens", func(c *Config) { c.Clients[0].AccessTokenFormat = "jwt" }},
		{"a client with opaque access tokens", func(c *Config) { c.Clients[0].AccessTokenFormat = "opaque" }},
		{"a client with ES256 ID tokens", func(c *Config) { c.Clients[0].IDTokenSignedResponseAlg = "ES256" }},
		{"a client with RS256 ID tokens", func(c *Config) { c.Clients[1].IDTokenSignedResponseAlg = "RS256" }},
		{"pushed requests living 5s", func(c *Config) { c.Lifespans.PAR = 5 * time.Second }},
		{"no refresh reuse window", func(c *Config) { c.Lifespans.RefreshReuseWindow = 0 }},
		{"a client with its refresh reuse window off", func(c *Config) { c.Clients[0].RefreshTokenReuseWindow = new(time.Duration(0)) }},
		{"a refresh reuse window of exactly a minute", func(c *Config) { c.Lifespans.RefreshReuseWindow = time.Minute }},
		{"a browser app: a public client with https and loopback origins", func(c *Config) {
			c.Clients[1].RedirectURIs = []string{"https://spa.example.com/callback", "http://localhost:5173/callback"}
			c.Clients[1].AllowedOrigins = []string{"https://spa.example.com", "http://localhost:5173", "http://127.0.0.1:5173", "http://[::1]:5173", "HTTPS://Spa.Example.com:443"}
		}},
		{"a confidential client called from a browser", func(c *Config) { c.Clients[0].AllowedOrigins = []string{"https://im.example.com:8443"} }},
		{"an http origin in dev mode", func(c *Config) { c.Dev = true; c.Clients[0].AllowedOrigins = []string{"http://im.test:8080"} }},
		{"browser refresh tokens bounded at a day", func(c *Config) { c.Lifespans.BrowserRefreshToken = 24 * time.Hour }},
		{"browser refresh tokens bounded at a minute", func(c *Config) { c.Lifespans.BrowserRefreshToken = time.Minute }},
		{"no clients and no users", func(c *Config) { c.Clients, c.Users = nil, nil }},
		{"a password of exactly 8 characters", func(c *Config) { c.Users[0].Password = "12345678" }},
		{"a password of exactly 128 characters", func(c *Config) { c.Users[0].Password = strings.Repeat("x", 128) }},
		{"a password of 8 Chinese characters", func(c *Config) { c.Users[0].Password = "我的密码非常安全" }},
		{"a system secret of exactly 32 characters", func(c *Config) { c.Secrets.System = strings.Repeat("s", 32) }},
		{"two previous system secrets during a rotation", func(c *Config) {
			c.Secrets.SystemPrevious = []string{strings.Repeat("p", 32), strings.Repeat("q", 40)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		path   string // the field the problem must name
		text   string // and a part of its message
	}{
		// issuer
		{"a missing issuer", func(c *Config) { c.Issuer = "" }, "issuer", "required"},
		{"a relative issuer", func(c *Config) { c.Issuer = "auth.example.com" }, "issuer", "absolute URL"},
		{"an issuer with a query", func(c *Config) { c.Issuer = "https://auth.example.com?tenant=1" }, "issuer", "query"},
		{"an issuer with a fragment", func(c *Config) { c.Issuer = "https://auth.example.com#top" }, "issuer", "fragment"},
		{"an issuer with a trailing slash", func(c *Config) { c.Issuer = "https://auth.example.com/" }, "issuer", "slash"},
		{"an http issuer on a public host", func(c *Config) { c.Issuer = "http://auth.example.com" }, "issuer", "https"},
		{"an ftp issuer", func(c *Config) { c.Issuer = "ftp://auth.example.com" }, "issuer", "https"},
		{"an issuer with a password", func(c *Config) { c.Issuer = "https://u:p@auth.example.com" }, "issuer", "user name"},
		{"an issuer with no host", func(c *Config) { c.Issuer = "https:///path" }, "issuer", "host"},

		// listen
		{"listen without a port", func(c *Config) { c.Listen = "127.0.0.1" }, "listen", "HOST:PORT"},
		{"listen on a port above 65535", func(c *Config) { c.Listen = "127.0.0.1:70000" }, "listen", "0 to 65535"},
		{"listen on a named port", func(c *Config) { c.Listen = ":http" }, "listen", "0 to 65535"},
		{"an empty listen address", func(c *Config) { c.Listen = "" }, "listen", "HOST:PORT"},

		// database
		{"a missing database URL", func(c *Config) { c.Database.URL = "" }, "database.url", "required"},
		{"a MySQL URL", func(c *Config) { c.Database.URL = "mysql://u@h/db" }, "database.url", `not "memory" or a postgres:// URL`},
		{"a database path", func(c *Config) { c.Database.URL = "/var/lib/tokenim.db" }, "database.url", `not "memory" or a postgres:// URL`},
		{"zero max conns", func(c *Config) { c.Database.MaxConns = 0 }, "database.max_conns", "at least 1"},
		{"a zero query timeout", func(c *Config) { c.Database.QueryTimeout = 0 }, "database.query_timeout", "greater than 0"},

		// redis
		{"a Redis URL and addresses", func(c *Config) { c.Redis.URL = "redis://cache:6379"; c.Redis.Addrs = []string{"cache:6379"} }, "redis.url", "not both"},
		{"an http Redis URL", func(c *Config) { c.Redis.URL = "http://cache:6379" }, "redis.url", "redis://"},
		{"a Redis address without a port", func(c *Config) { c.Redis.Addrs = []string{"cache"} }, "redis.addrs[0]", "HOST:PORT"},
		{"a Cluster prefix with a hash tag, which would put every key on one node", func(c *Config) {
			c.Redis.Addrs, c.Redis.Prefix = []string{"n1:6379", "n2:6379"}, "{tokenim}:"
		}, "redis.prefix", "must not hold { or }"},
		{"a prefix with a brace", func(c *Config) { c.Redis.URL, c.Redis.Prefix = "redis://cache:6379", "tokenim}" }, "redis.prefix", "must not hold { or }"},
		{"a Cluster with a database number", func(c *Config) {
			c.Redis.Addrs, c.Redis.DB = []string{"n1:6379", "n2:6379"}, 3
		}, "redis.db", "only database 0"},
		{"a Sentinel master with a URL", func(c *Config) { c.Redis.URL = "redis://cache:6379"; c.Redis.MasterName = "m" }, "redis.master_name", "redis.addrs"},
		{"an empty Redis prefix", func(c *Config) { c.Redis.Prefix = "" }, "redis.prefix", "required"},
		{"a zero Redis timeout", func(c *Config) { c.Redis.Timeout = 0 }, "redis.timeout", "greater than 0"},
		{"a local cache kept a minute", func(c *Config) { c.Redis.LocalTTL = time.Minute }, "redis.local_ttl", "at most 10s"},
		{"a missing Redis CA file", func(c *Config) { c.Redis.CAFile = "/nonexistent/ca.pem" }, "redis.ca_file", "cannot read"},
		{"a breaker that never opens", func(c *Config) { c.Redis.BreakAfter = 0 }, "redis.break_after", "at least 1"},

		// secrets
		{"a missing system secret", func(c *Config) { c.Secrets.System = "" }, "secrets.system", "required"},
		{"a placeholder system secret", func(c *Config) { c.Secrets.System = "change-me" }, "secrets.system", "must be at least 32 characters"},
		{"a 31-character system secret", func(c *Config) { c.Secrets.System = strings.Repeat("s", 31) }, "secrets.system", "at least 32"},
		{"a short previous system secret", func(c *Config) { c.Secrets.SystemPrevious = []string{strings.Repeat("p", 40), "old"} },
			"secrets.system_previous[1]", "at least 32"},
		{"the system secret as a previous one", func(c *Config) { c.Secrets.SystemPrevious = []string{c.Secrets.System} },
			"secrets.system_previous[0]", "is secrets.system"},
		{"a previous system secret twice", func(c *Config) { c.Secrets.SystemPrevious = []string{strings.Repeat("p", 40), strings.Repeat("p", 40)} },
			"secrets.system_previous[1]", "given twice"},

		// lifespans
		{"a zero authorize code lifespan", func(c *Config) { c.Lifespans.AuthorizeCode = 0 }, "lifespans.authorize_code", "must be between 1s and 10m"},
		{"an 11-minute authorize code", func(c *Config) { c.Lifespans.AuthorizeCode = 11 * time.Minute }, "lifespans.authorize_code", "must be between 1s and 10m"},
		{"a pushed request living under 5s", func(c *Config) { c.Lifespans.PAR = 4 * time.Second }, "lifespans.par", "must be between 5s and 10m"},
		{"a pushed request living over 10m", func(c *Config) { c.Lifespans.PAR = 11 * time.Minute }, "lifespans.par", "must be between 5s and 10m"},
		{"client assertions valid for a year", func(c *Config) { c.Lifespans.ClientAssertion = 365 * 24 * time.Hour }, "lifespans.client_assertion", "must be between 1m and 1h"},
		{"no client assertion lifespan", func(c *Config) { c.Lifespans.ClientAssertion = 0 }, "lifespans.client_assertion", "must be between 1m and 1h"},
		{"a refresh reuse window over a minute", func(c *Config) { c.Lifespans.RefreshReuseWindow = 61 * time.Second }, "lifespans.refresh_reuse_window", "must be between 0s (off) and 1m"},
		{"a negative refresh reuse window", func(c *Config) { c.Lifespans.RefreshReuseWindow = -time.Second }, "lifespans.refresh_reuse_window", "must be between 0s (off) and 1m"},
		{"a client's refresh reuse window over a minute", func(c *Config) { c.Clients[0].RefreshTokenReuseWindow = new(2 * time.Minute) }, "clients[0].refresh_token_reuse_window", "must be between 0s (off) and 1m"},
		{"an origin with a path", func(c *Config) {
			c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "https://spa.example.com/app"}
		}, "clients[1].allowed_origins[1]", `no path`},
		{"an origin with a trailing slash", func(c *Config) {
			c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "https://spa.example.com/"}
		}, "clients[1].allowed_origins[1]", `no path`},
		{"an origin with a query", func(c *Config) {
			c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "https://spa.example.com?x=1"}
		}, "clients[1].allowed_origins[1]", `no path, query`},
		{"an origin with a fragment", func(c *Config) {
			c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "https://spa.example.com#x"}
		}, "clients[1].allowed_origins[1]", `no path, query or fragment`},
		{"an origin with user information", func(c *Config) {
			c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "https://user@spa.example.com"}
		}, "clients[1].allowed_origins[1]", `user name or password`},
		{"a wildcard origin", func(c *Config) {
			c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "https://*.example.com"}
		}, "clients[1].allowed_origins[1]", `without a wildcard`},
		{"the wildcard alone", func(c *Config) { c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "*"} }, "clients[1].allowed_origins[1]", `without a wildcard`},
		{"the null origin", func(c *Config) { c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "null"} }, "clients[1].allowed_origins[1]", `"null" is not an origin`},
		{"a plain http origin", func(c *Config) {
			c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "http://spa.example.com"}
		}, "clients[1].allowed_origins[1]", `must use https`},
		{"an origin of another scheme", func(c *Config) {
			c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "chrome-extension://abcdef"}
		}, "clients[1].allowed_origins[1]", `must be an https origin`},
		{"an origin without a scheme", func(c *Config) { c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "spa.example.com"} }, "clients[1].allowed_origins[1]", `must be an https origin`},
		{"an origin without a host", func(c *Config) { c.Clients[1].AllowedOrigins = []string{"https://ok.example.com", "https://"} }, "clients[1].allowed_origins[1]", `must have a host`},
		{"browser refresh tokens longer than a day", func(c *Config) { c.Lifespans.BrowserRefreshToken = 25 * time.Hour }, "lifespans.browser_refresh_token", "must be between 1m and 24h"},
		{"no browser refresh token lifespan", func(c *Config) { c.Lifespans.BrowserRefreshToken = 0 }, "lifespans.browser_refresh_token", "must be between 1m and 24h"},
		{"a zero access token lifespan", func(c *Config) { c.Lifespans.AccessToken = 0 }, "lifespans.access_token", "greater than 0"},
		{"a zero refresh token lifespan", func(c *Config) { c.Lifespans.RefreshToken = 0 }, "lifespans.refresh_token", "greater than 0"},
		{"a negative ID token lifespan", func(c *Config) { c.Lifespans.IDToken = -time.Hour }, "lifespans.id_token", "greater than 0"},
		{"a zero login session", func(c *Config) { c.Lifespans.LoginSession = 0 }, "lifespans.login_session", "greater than 0"},
		{"a zero flow lifespan", func(c *Config) { c.Lifespans.Flow = 0 }, "lifespans.flow", "greater than 0"},
		{"a negative consent lifespan", func(c *Config) { c.Lifespans.Consent = -time.Second }, "lifespans.consent", "negative"},
		{"refresh tokens shorter than access tokens", func(c *Config) {
			c.Lifespans.AccessToken, c.Lifespans.RefreshToken = 2*time.Hour, time.Hour
		}, "lifespans.refresh_token", "shorter than lifespans.access_token"},

		// keys, log, server
		{"HS256 keys", func(c *Config) { c.Keys.Algorithm = "HS256" }, "keys.algorithm", `"HS256"`},
		{"lower-case es256", func(c *Config) { c.Keys.Algorithm = "es256" }, "keys.algorithm", "RS256, ES256"},
		{"a one-minute-short activation link", func(c *Config) { c.Accounts.ActivationLink = time.Second }, "accounts.activation_link", "between 1m and 720h"},
		{"a day-long reset link is the longest", func(c *Config) { c.Accounts.ResetLink = 25 * time.Hour }, "accounts.reset_link", "between 1m and 24h"},
		{"a role scope outside the catalogue", func(c *Config) { c.Roles[3].Scopes = append(c.Roles[3].Scopes, "im:everything") }, "roles[3].scopes[7]", `"im:everything" is not in the scope catalogue`},
		{"a role granting the admin scope", func(c *Config) { c.Roles[0].Scopes = append(c.Roles[0].Scopes, "admin") }, "roles[0].scopes[9]", "admin is for services"},
		{"a built-in role removed", func(c *Config) { c.Roles = c.Roles[:3] }, "roles", `the built-in role "guest" is missing`},
		{"a role declared twice", func(c *Config) { c.Roles = append(c.Roles, Role{Name: "guest"}) }, "roles[4].name", "declared twice"},
		{"an unknown role requiring MFA", func(c *Config) { c.Accounts.MFARequiredRoles = []string{"root"} }, "accounts.mfa_required_roles[0]", `unknown role "root"`},
		{"a bootstrap user with an unknown role", func(c *Config) { c.Users[0].Role = "owner" }, "users[0].role", `unknown role "owner"`},
		{"an MFA issuer with a colon", func(c *Config) { c.Accounts.MFAIssuer = "Token:IM" }, "accounts.mfa_issuer", "without a colon"},
		{"a passkey relying party that is an IP address", func(c *Config) { c.Accounts.Passkeys.RPID = "10.0.0.1" }, "accounts.passkeys.rp_id", "IP address"},
		{"a passkey relying party that is a URL", func(c *Config) { c.Accounts.Passkeys.RPID = "https://example.com" }, "accounts.passkeys.rp_id", "not a host name"},
		{"a passkey origin off the relying party", func(c *Config) {
			c.Accounts.Passkeys.RPID, c.Accounts.Passkeys.Origins = "example.com", []string{"https://example.org"}
		}, "accounts.passkeys.origins", `not on "example.com"`},
		{"a passkey origin over http", func(c *Config) { c.Accounts.Passkeys.Origins = []string{"http://auth.example.com"} }, "accounts.passkeys.origins", "must use https"},
		{"no free failures", func(c *Config) { c.Throttle.Account.Free = 0 }, "throttle.account.free", "at least 1"},
		{"a max wait below the base", func(c *Config) { c.Throttle.IP.Max = time.Millisecond }, "throttle.ip.max", "max at least base"},
		{"no free registrations", func(c *Config) { c.Throttle.Registration.Free = 0 }, "throttle.registration.free", "at least 1"},
		{"forgetting before the max wait", func(c *Config) { c.Throttle.Account.ForgetAfter = time.Minute }, "throttle.account.forget_after", "at least max"},
		{"a sender that is not an address", func(c *Config) { c.Mail.From = "TokenIM" }, "mail.from", "not an email address"},
		{"registration without a mail server", func(c *Config) { c.Accounts.Registration = true }, "mail.smtp.host", "required when accounts.registration is on"},
		{"an unknown SMTP security", func(c *Config) { c.Mail.SMTP.Host = "smtp.example.com"; c.Mail.SMTP.Security = "ssl" }, "mail.smtp.security", "starttls, tls, none"},
		{"an SMTP port out of range", func(c *Config) { c.Mail.SMTP.Host = "smtp.example.com"; c.Mail.SMTP.Port = 0 }, "mail.smtp.port", "between 1 and 65535"},
		{"a 10-minute API key", func(c *Config) { c.APIKeys.Lifetime = 10 * time.Minute }, "api_keys.lifetime", "at least 1h"},
		{"a grace period longer than the lifetime", func(c *Config) { c.APIKeys.Grace = 100 * 24 * time.Hour }, "api_keys.grace", "between 0 and api_keys.lifetime"},
		{"a key refresh of zero", func(c *Config) { c.Keys.Refresh = 0 }, "keys.refresh", "between 1s and 10m"},
		{"a key refresh of an hour", func(c *Config) { c.Keys.Refresh = time.Hour }, "keys.refresh", "between 1s and 10m"},
		{"an unknown log level", func(c *Config) { c.Log.Level = "verbose" }, "log.level", "debug, info, warn, error"},
		{"an unknown log format", func(c *Config) { c.Log.Format = "xml" }, "log.format", "json, text"},
		{"a zero read header timeout", func(c *Config) { c.Server.ReadHeaderTimeout = 0 }, "server.read_header_timeout", "greater than 0"},
		{"a zero read timeout", func(c *Config) { c.Server.ReadTimeout = 0 }, "server.read_timeout", "greater than 0"},
		{"a zero write timeout", func(c *Config) { c.Server.WriteTimeout = 0 }, "server.write_timeout", "greater than 0"},
		{"a zero idle timeout", func(c *Config) { c.Server.IdleTimeout = 0 }, "server.idle_timeout", "greater than 0"},
		{"a negative shutdown timeout", func(c *Config) { c.Server.ShutdownTimeout = -time.Second }, "server.shutdown_timeout", "greater than 0"},
		{"a garbage collector target of 5%", func(c *Config) { c.Server.GCPercent = 5 }, "server.gc_percent", "from 25 to 10000"},
		{"a negative HSTS max-age", func(c *Config) { c.Server.HSTS.MaxAge = -time.Hour }, "server.hsts.max_age", "whole seconds"},
		{"an HSTS max-age in milliseconds", func(c *Config) { c.Server.HSTS.MaxAge = 1500 * time.Millisecond }, "server.hsts.max_age", "whole seconds"},
		{"HSTS preload without subdomains", func(c *Config) { c.Server.HSTS.Preload = true }, "server.hsts.preload", "include_subdomains"},
		{"HSTS preload for a month", func(c *Config) {
			c.Server.HSTS.Preload, c.Server.HSTS.IncludeSubdomains, c.Server.HSTS.MaxAge = true, true, 720*time.Hour
		}, "server.hsts.preload", "at least 8760h"},

		// scopes
		{"a scope without a name", func(c *Config) { c.Scopes[2].Name = "" }, "scopes[2].name", "required"},
		{"a scope name with a space", func(c *Config) { c.Scopes[2].Name = "read all" }, "scopes[2].name", "without spaces"},
		{"a scope name with a quote", func(c *Config) { c.Scopes[2].Name = `say"hi` }, "scopes[2].name", "RFC 6749"},
		{"a duplicate scope name", func(c *Config) { c.Scopes[3].Name = "profile" }, "scopes[3].name", "also scopes[1].name"},
		{"a scope without a Chinese description", func(c *Config) { delete(c.Scopes[2].Description, "zh-CN") }, "scopes[2].description", "missing zh-CN"},
		{"a scope with a blank English description", func(c *Config) { c.Scopes[4].Description["en"] = "  " }, "scopes[4].description", "missing en"},
		{"a scope without descriptions", func(c *Config) { c.Scopes[4].Description = nil }, "scopes[4].description", "missing zh-CN"},
		{"a catalogue without openid", func(c *Config) { c.Scopes = c.Scopes[1:] }, "scopes", "openid must be in the catalogue"},

		// clients: identity
		{"a client without an id", func(c *Config) { c.Clients[1].ID = "" }, "clients[1].id", "required"},
		{"a client id with a slash and a space", func(c *Config) { c.Clients[1].ID = "my app/1" }, "clients[1].id", "only letters, digits"},
		{"a client id with non-ASCII letters", func(c *Config) { c.Clients[1].ID = "客户端" }, "clients[1].id", "only letters, digits"},
		{"a duplicate client id", func(c *Config) { c.Clients[2].ID = "web" }, "clients[2].id", "also clients[0].id"},
		{"a client without a name", func(c *Config) { c.Clients[0].Name = " " }, "clients[0].name", "required"},
		{"a client name longer than the consent page shows", func(c *Config) { c.Clients[0].Name = strings.Repeat("名", 101) }, "clients[0].name", "at most 100 characters"},
		{"an unknown client type", func(c *Config) { c.Clients[0].Type = "trusted" }, "clients[0].type", "confidential, public, resource_server"},

		// clients: secrets
		{"a confidential client without a secret", func(c *Config) { c.Clients[0].Secret = "" }, "clients[0].secret", "required"},
		{"a confidential client with a short secret", func(c *Config) { c.Clients[0].Secret = "s3cret" }, "clients[0].secret", "at least 32"},
		{"a public client with a secret", func(c *Config) { c.Clients[1].Secret = webSecret }, "clients[1].secret", "must be empty"},
		{"a resource server without a secret", func(c *Config) { c.Clients[2].Secret = "" }, "clients[2].secret", "required"},

		// clients: redirect URIs
		{"a relative redirect URI", func(c *Config) { c.Clients[0].RedirectURIs = []string{"/cb"} }, "clients[0].redirect_uris[0]", "absolute"},
		{"a redirect URI with a fragment", func(c *Config) {
			c.Clients[0].RedirectURIs = []string{"https://im.example.com/cb", "https://im.example.com/cb#x"}
		}, "clients[0].redirect_uris[1]", "fragment"},
		{"an http redirect URI on a public host", func(c *Config) { c.Clients[0].RedirectURIs = []string{"http://im.example.com/cb"} }, "clients[0].redirect_uris[0]", "https"},
		{"an https redirect URI without a host", func(c *Config) { c.Clients[0].RedirectURIs = []string{"https:/cb"} }, "clients[0].redirect_uris[0]", "host"},
		{"a custom-scheme redirect for a confidential client", func(c *Config) {
			c.Clients[0].RedirectURIs = []string{"com.example.app:/cb"}
		}, "clients[0].redirect_uris[0]", "only for public clients"},
		{"a javascript: redirect for a public client", func(c *Config) {
			c.Clients[1].RedirectURIs = []string{"javascript:alert(1)"}
		}, "clients[1].redirect_uris[0]", "not allowed"},
		{"a post-logout URI with a fragment", func(c *Config) {
			c.Clients[0].PostLogoutRedirectURIs = []string{"https://im.example.com/#bye"}
		}, "clients[0].post_logout_redirect_uris[0]", "fragment"},
		{"an http post-logout URI on a public host", func(c *Config) {
			c.Clients[0].PostLogoutRedirectURIs = []string{"http://im.example.com/"}
		}, "clients[0].post_logout_redirect_uris[0]", "https"},

		// clients: scopes and grants
		{"a client scope not in the catalogue", func(c *Config) { c.Clients[0].Scopes = []string{"openid", "im:files.read"} }, "clients[0].scopes[1]", "not in the scope catalogue"},
		{"an unknown grant type", func(c *Config) { c.Clients[0].GrantTypes = []string{"authorization_code", "implicit"} }, "clients[0].grant_types[1]", `"implicit"`},
		{"the password grant", func(c *Config) { c.Clients[0].GrantTypes = []string{"password"} }, "clients[0].grant_types[0]", "authorization_code, refresh_token, client_credentials"},
		{"a public client using client_credentials", func(c *Config) {
			c.Clients[1].GrantTypes = []string{"authorization_code", "client_credentials"}
		}, "clients[1].grant_types", "public client may not use client_credentials"},
		{"authorization_code without a redirect URI", func(c *Config) { c.Clients[0].RedirectURIs = nil }, "clients[0].redirect_uris", "required for authorization_code"},
		{"a public client without a redirect URI", func(c *Config) { c.Clients[1].RedirectURIs = nil }, "clients[1].redirect_uris", "required for authorization_code"},
		{"a resource server using authorization_code", func(c *Config) {
			c.Clients[2].GrantTypes = []string{"client_credentials", "authorization_code"}
			c.Clients[2].RedirectURIs = []string{"https://api.example.com/cb"}
		}, "clients[2].grant_types", "may only use client_credentials"},
		{"refresh_token without authorization_code", func(c *Config) {
			c.Clients[0].GrantTypes = []string{"client_credentials", "refresh_token"}
		}, "clients[0].grant_types", "refresh_token requires authorization_code"},
		{"a resource server requiring pushed requests", func(c *Config) { c.Clients[2].RequirePushedAuthorizationRequests = true },
			"clients[2].require_pushed_authorization_requests", "only for a client using authorization_code"},
		{"a client requiring DPoP while DPoP is off", func(c *Config) {
			c.DPoP.Enabled = false
			c.Clients[1].DPoPBoundAccessTokens = true
		}, "clients[1].dpop_bound_access_tokens", "DPoP is turned off on this provider (dpop.enabled: false)"},
		{"an unknown access token format", func(c *Config) { c.Clients[0].AccessTokenFormat = "JWT" },
			"clients[0].access_token_format", `must be one of opaque, jwt, got "JWT"`},
		{"an ID token algorithm without a key", func(c *Config) { c.Clients[0].IDTokenSignedResponseAlg = "PS256" },
			"clients[0].id_token_signed_response_alg", `must be one of RS256, ES256, got "PS256"`},
		{"unsigned ID tokens", func(c *Config) { c.Clients[1].IDTokenSignedResponseAlg = "none" },
			"clients[1].id_token_signed_response_alg", `got "none"`},
		{"a back-channel logout URI over plain http to a public host", func(c *Config) { c.Clients[0].BackchannelLogoutURI = "http://rp.example/logout" },
			"clients[0].backchannel_logout_uri", "http://rp.example/logout"},
		{"a back-channel logout URI with a fragment", func(c *Config) { c.Clients[0].BackchannelLogoutURI = "https://rp.example/logout#x" },
			"clients[0].backchannel_logout_uri", "must not have a fragment"},
		{"a relative back-channel logout URI", func(c *Config) { c.Clients[0].BackchannelLogoutURI = "/logout" },
			"clients[0].backchannel_logout_uri", "must be an absolute URL"},
		{"a back-channel logout URI with a custom scheme", func(c *Config) { c.Clients[1].BackchannelLogoutURI = "com.example.app:/logout" },
			"clients[1].backchannel_logout_uri", "custom scheme"},
		{"a session required without a back-channel logout URI", func(c *Config) { c.Clients[0].BackchannelLogoutSessionRequired = true },
			"clients[0].backchannel_logout_session_required", "used only with backchannel_logout_uri"},

		// clients: token endpoint authentication
		{"an unknown auth method", func(c *Config) { c.Clients[0].TokenEndpointAuthMethod = "tls_client_auth" }, "clients[0].token_endpoint_auth_method", "client_secret_basic, client_secret_post, private_key_jwt, none"},
		{"none for a confidential client", func(c *Config) { c.Clients[0].TokenEndpointAuthMethod = AuthNone }, "clients[0].token_endpoint_auth_method", "only for public clients"},
		{"none for a resource server", func(c *Config) { c.Clients[2].TokenEndpointAuthMethod = AuthNone }, "clients[2].token_endpoint_auth_method", "only for public clients"},
		{"client_secret_basic for a public client", func(c *Config) {
			c.Clients[1].TokenEndpointAuthMethod = AuthClientSecretBasic
		}, "clients[1].token_endpoint_auth_method", "must be none for a public client"},
		{"private_key_jwt without a JWKS URI", func(c *Config) {
			c.Clients[0].TokenEndpointAuthMethod = AuthPrivateKeyJWT
		}, "clients[0].jwks_uri", "required for private_key_jwt"},
		{"an unknown assertion algorithm", func(c *Config) {
			c.Clients[0].TokenEndpointAuthMethod = AuthPrivateKeyJWT
			c.Clients[0].JWKSURI = "https://im.example.com/jwks.json"
			c.Clients[0].Secret = ""
			c.Clients[0].TokenEndpointAuthSigningAlg = "HS256"
		}, "clients[0].token_endpoint_auth_signing_alg", "must be one of RS256, PS256, ES256"},
		{"an assertion algorithm without private_key_jwt", func(c *Config) {
			c.Clients[0].TokenEndpointAuthSigningAlg = "ES256"
		}, "clients[0].token_endpoint_auth_signing_alg", "used only with token_endpoint_auth_method private_key_jwt"},
		{"a secret with private_key_jwt", func(c *Config) {
			c.Clients[0].TokenEndpointAuthMethod = AuthPrivateKeyJWT
			c.Clients[0].JWKSURI = "https://im.example.com/jwks.json"
		}, "clients[0].secret", "must be empty for a client authenticating with private_key_jwt"},
		{"a JWKS URI without private_key_jwt", func(c *Config) {
			c.Clients[0].JWKSURI = "https://im.example.com/jwks.json"
		}, "clients[0].jwks_uri", "only with token_endpoint_auth_method private_key_jwt"},
		{"an http JWKS URI on a public host", func(c *Config) {
			c.Clients[0].TokenEndpointAuthMethod = AuthPrivateKeyJWT
			c.Clients[0].JWKSURI = "http://im.example.com/jwks.json"
		}, "clients[0].jwks_uri", "https"},
		{"encrypted introspection answers without a JWKS URI", func(c *Config) {
			c.Clients[2].IntrospectionEncryptedResponseAlg = "ECDH-ES"
		}, "clients[2].jwks_uri", "required with introspection_encrypted_response_alg"},
		{"RSA1_5 for introspection answers", func(c *Config) {
			c.Clients[2].IntrospectionEncryptedResponseAlg = "RSA1_5"
			c.Clients[2].JWKSURI = "https://im.example.com/jwks.json"
		}, "clients[2].introspection_encrypted_response_alg", "must be one of RSA-OAEP-256"},
		{"a content encryption alone", func(c *Config) {
			c.Clients[2].IntrospectionEncryptedResponseEnc = "A128GCM"
		}, "clients[2].introspection_encrypted_response_enc", "used only with introspection_encrypted_response_alg"},

		// users
		{"an email without @", func(c *Config) { c.Users[0].Email = "alice.example.com" }, "users[0].email", "not an email address"},
		{"an email with two @", func(c *Config) { c.Users[0].Email = "alice@home@example.com" }, "users[0].email", "not an email address"},
		{"an email with nothing before @", func(c *Config) { c.Users[0].Email = "@example.com" }, "users[0].email", "not an email address"},
		{"an empty email", func(c *Config) { c.Users[0].Email = "" }, "users[0].email", "not an email address"},
		{"an email mail cannot be sent to", func(c *Config) { c.Users[0].Email = "alice..smith@example.com" }, "users[0].email", "not an email address"},
		{"the same email in another case", func(c *Config) { c.Users[1].Email = "Alice@Example.COM" }, "users[1].email", "also users[0].email"},
		{"a user with neither password nor hash", func(c *Config) { c.Users[0].Password = "" }, "users[0].password", "set password or password_hash"},
		{"a user with both password and hash", func(c *Config) { c.Users[1].Password = "correct horse" }, "users[1].password", "not both"},
		{"a 7-character password", func(c *Config) { c.Users[0].Password = "1234567" }, "users[0].password", "8 to 128 characters"},
		{"a 129-character password", func(c *Config) { c.Users[0].Password = strings.Repeat("x", 129) }, "users[0].password", "8 to 128 characters"},
		{"a bcrypt hash", func(c *Config) {
			c.Users[1].PasswordHash = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
		}, "users[1].password_hash", "not an argon2id PHC string"},
		{"an argon2i hash", func(c *Config) {
			c.Users[1].PasswordHash = strings.Replace(testHash, "argon2id", "argon2i", 1)
		}, "users[1].password_hash", "argon2id"},
		{"an argon2id hash without parameters", func(c *Config) {
			c.Users[1].PasswordHash = "$argon2id$v=19$RDHcU85WKUZZvL02O7yaBA$If8IHLMFBuAcNyYVIeT3SPoCUUAhGKbJFGYo+hUY/Dk"
		}, "users[1].password_hash", "argon2id"},
		{"an argon2id hash missing the parallelism", func(c *Config) {
			c.Users[1].PasswordHash = strings.Replace(testHash, ",p=1", "", 1)
		}, "users[1].password_hash", "argon2id"},
		{"an argon2id hash whose salt is not base64", func(c *Config) {
			c.Users[1].PasswordHash = strings.Replace(testHash, "RDHcU85WKUZZvL02O7yaBA", "not*base64", 1)
		}, "users[1].password_hash", "argon2id"},
		{"an argon2id hash with an unknown parameter", func(c *Config) {
			c.Users[1].PasswordHash = strings.Replace(testHash, ",p=1", ",p=1,x=2", 1)
		}, "users[1].password_hash", "argon2id"},
		{"an argon2id hash with zero iterations", func(c *Config) {
			c.Users[1].PasswordHash = strings.Replace(testHash, "t=2", "t=0", 1)
		}, "users[1].password_hash", "argon2id"},
		{"just the argon2id prefix", func(c *Config) { c.Users[1].PasswordHash = "$argon2id$" }, "users[1].password_hash", "argon2id"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	cfg := validConfig()
	cfg.Issuer = "ftp://auth.example.com/"
	cfg.Listen = "nowhere"
	cfg.Database.URL = "sqlite://tokenim.db"
	cfg.Secrets.System = "change-me"
	cfg.Lifespans.AuthorizeCode = time.Hour
	cfg.Keys.Algorithm = "none"
	cfg.Scopes[2].Description = map[string]string{"en": "See your email address"}
	cfg.Clients[1].Secret = "oops"
	cfg.Users[0].Password = "short"

	err := cfg.Validate()
	want := []struct{ path, text string }{
		{"issuer", "https"},
		{"issuer", "slash"},
		{"listen", "HOST:PORT"},
		{"database.url", "postgres"},
		{"secrets.system", "at least 32"},
		{"lifespans.authorize_code", "between 1s and 10m"},
		{"keys.algorithm", "ES256"},
		{"scopes[2].description", "missing zh-CN"},
		{"clients[1].secret", "must be empty"},
		{"users[0].password", "8 to 128"},
	}
	for _, w := range want {
		requireProblem(t, err, w.path, w.text)
	}
	if lines := strings.Count(err.Error(), "\n") + 1; lines != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", lines, len(want), err)
	}
}

func TestValidateNeverQuotesSecrets(t *testing.T) {
	const (
		dbPassword     = "db-pw-do-not-print"
		systemSecret   = "sys-do-not-print"
		clientSecret   = "client-do-not-print"
		publicSecret   = "public-do-not-print"
		userPassword   = "pw-do-not-print-" // 16 characters, then made too long
		userPassword2  = "short-pw"
		hashLikeSecret = "$argon2id$hash-do-not-print"
		previousSecret = "previous-do-not-print"
	)
	cfg := validConfig()
	cfg.Database.URL = "mysql://u:" + dbPassword + "@h/db"
	cfg.Secrets.System = systemSecret
	cfg.Secrets.SystemPrevious = []string{previousSecret}
	cfg.Clients[0].Secret = clientSecret
	cfg.Clients[1].Secret = publicSecret
	cfg.Users[0].Password = strings.Repeat(userPassword, 9)
	cfg.Users[1].Password = userPassword2
	cfg.Users = append(cfg.Users, User{Email: "carol@example.com", PasswordHash: hashLikeSecret})

	err := cfg.Validate()
	if err == nil {
		t.Fatal("Validate: no error")
	}
	for _, secret := range []string{dbPassword, systemSecret, previousSecret, clientSecret, publicSecret, userPassword, userPassword2, hashLikeSecret} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error quotes %q:\n%v", secret, err)
		}
	}
}

func TestValidateDevMode(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		path   string // the problem in production; dev mode has none
	}{
		{"an http issuer on a public host", func(c *Config) { c.Issuer = "http://auth.dev.example.com:8080" }, "issuer"},
		{"an http redirect URI on a public host", func(c *Config) {
			c.Clients[0].RedirectURIs = []string{"http://im.dev.example.com/cb"}
		}, "clients[0].redirect_uris[0]"},
		{"an http post-logout URI on a public host", func(c *Config) {
			c.Clients[0].PostLogoutRedirectURIs = []string{"http://im.dev.example.com/"}
		}, "clients[0].post_logout_redirect_uris[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is allowed with --dev", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			cfg.Dev = true
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
		t.Run(tt.name+" is refused in production", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			requireProblem(t, cfg.Validate(), tt.path, "https")
		})
	}

	t.Run("dev mode still refuses an issuer that is not http or https", func(t *testing.T) {
		cfg := validConfig()
		cfg.Dev = true
		cfg.Issuer = "ws://auth.dev.example.com"
		requireProblem(t, cfg.Validate(), "issuer", "https")
	})
}

// TestCheckClient: a client registered while the provider runs is checked
// by the rules of a configured one, each problem naming the client's own
// field, but for the secret, which the provider makes.
func TestCheckClient(t *testing.T) {
	t.Parallel()
	cfg := validConfig()
	ok := Client{ID: "svc", Name: "Service", Type: ClientConfidential, GrantTypes: []string{GrantClientCredentials}, Scopes: []string{ScopeOpenID}}
	if err := cfg.CheckClient(ok); err != nil {
		t.Fatalf("a good client without a secret: %v", err)
	}
	bad := Client{ID: "my svc", Type: ClientPublic, GrantTypes: []string{GrantClientCredentials}, RedirectURIs: []string{"/cb"}, Scopes: []string{"root"}}
	err := cfg.CheckClient(bad)
	for _, path := range []string{"id", "name", "grant_types", "redirect_uris[0]", "scopes[0]"} {
		requireProblem(t, err, path, "")
	}
	if strings.Contains(err.Error(), "clients[") || strings.Contains(err.Error(), "\n.") || strings.HasPrefix(err.Error(), ".") {
		t.Fatalf("a problem names the configuration's path: %v", err)
	}
	cfg.Clients = []Client{ok}
	requireProblem(t, cfg.Validate(), "clients[0].secret", "required")
}
