package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// testSecret is a system secret long enough to validate.
const testSecret = "test-system-secret-0123456789abcdef"

// mapEnv stands in for os.LookupEnv.
func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

// requireProblem fails unless err has a line starting with path + ": " that
// contains text.
func requireProblem(t *testing.T, err error, path, text string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s: ...%s...", path, text)
	}
	for line := range strings.SplitSeq(err.Error(), "\n") {
		if strings.HasPrefix(line, path+": ") && strings.Contains(line, text) {
			return
		}
	}
	t.Fatalf("no problem %q containing %q in:\n%v", path+": ", text, err)
}

func TestDefault(t *testing.T) {
	t.Run("with an issuer and a system secret it validates", func(t *testing.T) {
		cfg := Default()
		cfg.Issuer = "https://auth.example.com"
		cfg.Secrets.System = testSecret
		cfg.Database.URL = "memory"
		if err := cfg.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
	})

	t.Run("alone it does not validate: issuer, secret and database are required", func(t *testing.T) {
		err := Default().Validate()
		requireProblem(t, err, "issuer", "required")
		requireProblem(t, err, "secrets.system", "required")
		requireProblem(t, err, "database.url", "required")
	})

	t.Run("has the documented defaults", func(t *testing.T) {
		cfg := Default()
		checks := []struct {
			name      string
			got, want any
		}{
			{"listen", cfg.Listen, "127.0.0.1:8080"},
			{"database.max_conns", cfg.Database.MaxConns, int32(10)},
			{"database.query_timeout", cfg.Database.QueryTimeout, 5 * time.Second},
			{"database.migrate", cfg.Database.Migrate, true},
			{"lifespans.authorize_code", cfg.Lifespans.AuthorizeCode, time.Minute},
			{"lifespans.access_token", cfg.Lifespans.AccessToken, time.Hour},
			{"lifespans.refresh_token", cfg.Lifespans.RefreshToken, 720 * time.Hour},
			{"lifespans.id_token", cfg.Lifespans.IDToken, time.Hour},
			{"lifespans.login_session", cfg.Lifespans.LoginSession, 24 * time.Hour},
			{"lifespans.flow", cfg.Lifespans.Flow, 15 * time.Minute},
			{"lifespans.consent", cfg.Lifespans.Consent, time.Duration(0)},
			{"keys.algorithm", cfg.Keys.Algorithm, "ES256"},
			{"keys.refresh", cfg.Keys.Refresh, 30 * time.Second},
			{"server.read_header_timeout", cfg.Server.ReadHeaderTimeout, 5 * time.Second},
			{"server.read_timeout", cfg.Server.ReadTimeout, 15 * time.Second},
			{"server.write_timeout", cfg.Server.WriteTimeout, 30 * time.Second},
			{"server.idle_timeout", cfg.Server.IdleTimeout, 120 * time.Second},
			{"server.shutdown_timeout", cfg.Server.ShutdownTimeout, 20 * time.Second},
			{"server.hsts.enabled", cfg.Server.HSTS.Enabled, true},
			{"server.hsts.max_age", cfg.Server.HSTS.MaxAge, 365 * 24 * time.Hour},
			{"server.hsts.include_subdomains", cfg.Server.HSTS.IncludeSubdomains, false},
			{"server.hsts.preload", cfg.Server.HSTS.Preload, false},
			{"log.level", cfg.Log.Level, "info"},
			{"log.format", cfg.Log.Format, "json"},
			{"dev", cfg.Dev, false},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
	})

	t.Run("catalogue lists the standard and IM scopes in both languages", func(t *testing.T) {
		want := []string{
			"openid", "profile", "email", "offline_access",
			"im:messages.read", "im:messages.send", "im:contacts.read", "im:calls.read", "im:presence.read", "admin",
		}
		var got []string
		for _, s := range Default().Scopes {
			got = append(got, s.Name)
			if s.Description["en"] == "" || s.Description["zh-CN"] == "" {
				t.Errorf("scope %s: description %v lacks en or zh-CN", s.Name, s.Description)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("scopes = %v, want %v", got, want)
		}
		send, _ := Default().Scope("im:messages.send")
		if send.Description["en"] != "Send messages on your behalf" || send.Description["zh-CN"] != "以您的身份发送消息" {
			t.Errorf("im:messages.send description = %v", send.Description)
		}
	})

	t.Run("each call returns its own catalogue", func(t *testing.T) {
		a := Default()
		a.Scopes[0].Description["en"] = "changed"
		a.Scopes[1].Name = "changed"
		b := Default()
		if b.Scopes[0].Description["en"] == "changed" || b.Scopes[1].Name == "changed" {
			t.Fatal("a change to one Default leaked into the next")
		}
	})
}

func TestConfigScope(t *testing.T) {
	cfg := Default()
	tests := []struct {
		name   string
		scope  string
		wantOK bool
	}{
		{"finds a standard scope", "openid", true},
		{"finds an IM scope", "im:calls.read", true},
		{"misses an unknown scope", "im:calls.write", false},
		{"misses the empty name", "", false},
		{"is case-sensitive", "OpenID", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ok := cfg.Scope(tt.scope)
			if ok != tt.wantOK {
				t.Fatalf("Scope(%q) ok = %v, want %v", tt.scope, ok, tt.wantOK)
			}
			if ok && s.Name != tt.scope {
				t.Fatalf("Scope(%q).Name = %q", tt.scope, s.Name)
			}
		})
	}
}

func TestClientEffectiveGrantTypes(t *testing.T) {
	tests := []struct {
		name   string
		client Client
		want   []string
	}{
		{"confidential defaults to code and refresh", Client{Type: ClientConfidential}, []string{"authorization_code", "refresh_token"}},
		{"public defaults to code and refresh", Client{Type: ClientPublic}, []string{"authorization_code", "refresh_token"}},
		{"resource server defaults to client credentials", Client{Type: ClientResourceServer}, []string{"client_credentials"}},
		{"unknown type has no default", Client{Type: "robot"}, nil},
		{"explicit grant types win", Client{Type: ClientConfidential, GrantTypes: []string{"client_credentials"}}, []string{"client_credentials"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.client.EffectiveGrantTypes(); !slices.Equal(got, tt.want) {
				t.Fatalf("EffectiveGrantTypes() = %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("result is a copy", func(t *testing.T) {
		c := Client{Type: ClientConfidential, GrantTypes: []string{"authorization_code"}}
		c.EffectiveGrantTypes()[0] = "changed"
		if c.GrantTypes[0] != "authorization_code" {
			t.Fatal("changing the result changed the client")
		}
	})
}

func TestClientEffectiveAuthMethod(t *testing.T) {
	tests := []struct {
		name   string
		client Client
		want   string
	}{
		{"public defaults to none", Client{Type: ClientPublic}, "none"},
		{"confidential defaults to client_secret_basic", Client{Type: ClientConfidential}, "client_secret_basic"},
		{"resource server defaults to client_secret_basic", Client{Type: ClientResourceServer}, "client_secret_basic"},
		{"explicit method wins", Client{Type: ClientConfidential, TokenEndpointAuthMethod: "private_key_jwt"}, "private_key_jwt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.client.EffectiveAuthMethod(); got != tt.want {
				t.Fatalf("EffectiveAuthMethod() = %q, want %q", got, tt.want)
			}
		})
	}
}
