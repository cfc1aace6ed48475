package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeYAML writes content to a file in a fresh directory and returns its path.
func writeYAML(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tokenim.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadWithoutFileOrEnvironmentIsDefault(t *testing.T) {
	for name, env := range map[string]func(string) (string, bool){
		"empty environment": mapEnv(nil),
		"nil lookup":        nil,
	} {
		t.Run(name, func(t *testing.T) {
			cfg, err := Load("", env)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !reflect.DeepEqual(cfg, Default()) {
				t.Fatalf("Load = %+v, want Default()", cfg)
			}
		})
	}
}

func TestLoadYAML(t *testing.T) {
	t.Run("file overrides defaults and keeps the rest", func(t *testing.T) {
		path := writeYAML(t, `
issuer: https://auth.example.com
database:
  url: postgresql://tokenim@db.internal/tokenim
  max_conns: 3
  migrate: false
lifespans:
  flow: 15m
  access_token: 90s
  refresh_token: 2160h
log:
  format: text
clients:
  - id: web
    redirect_uris: [https://app.example.com/cb]
`)
		cfg, err := Load(path, mapEnv(nil))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"issuer", cfg.Issuer, "https://auth.example.com"},
			{"database.url", cfg.Database.URL, "postgresql://tokenim@db.internal/tokenim"},
			{"database.max_conns", cfg.Database.MaxConns, int32(3)},
			{"database.migrate", cfg.Database.Migrate, false},
			{"lifespans.flow", cfg.Lifespans.Flow, 15 * time.Minute},
			{"lifespans.access_token", cfg.Lifespans.AccessToken, 90 * time.Second},
			{"lifespans.refresh_token", cfg.Lifespans.RefreshToken, 2160 * time.Hour},
			{"log.format", cfg.Log.Format, "text"},
			// Untouched by the file: still the defaults.
			{"listen", cfg.Listen, "127.0.0.1:8080"},
			{"database.query_timeout", cfg.Database.QueryTimeout, 5 * time.Second},
			{"lifespans.id_token", cfg.Lifespans.IDToken, time.Hour},
			{"log.level", cfg.Log.Level, "info"},
			{"server.idle_timeout", cfg.Server.IdleTimeout, 120 * time.Second},
			{"clients[0].id", cfg.Clients[0].ID, "web"},
			{"clients[0].redirect_uris[0]", cfg.Clients[0].RedirectURIs[0], "https://app.example.com/cb"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
			}
		}
		if len(cfg.Scopes) != len(Default().Scopes) {
			t.Errorf("a file without scopes changed the catalogue: %d scopes", len(cfg.Scopes))
		}
	})

	t.Run("scopes in the file replace the default catalogue", func(t *testing.T) {
		path := writeYAML(t, `
scopes:
  - name: openid
    description: {en: Sign in, zh-CN: 登录}
  - name: im:stickers.read
    description: {en: See your stickers, zh-CN: 查看你的表情包}
`)
		cfg, err := Load(path, nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		var names []string
		for _, s := range cfg.Scopes {
			names = append(names, s.Name)
		}
		if want := []string{"openid", "im:stickers.read"}; !slices.Equal(names, want) {
			t.Fatalf("scopes = %v, want %v", names, want)
		}
		if got := cfg.Scopes[0].Description; !reflect.DeepEqual(got, map[string]string{"en": "Sign in", "zh-CN": "登录"}) {
			t.Fatalf("openid description = %v", got)
		}
	})

	t.Run("an empty file is the defaults", func(t *testing.T) {
		cfg, err := Load(writeYAML(t, "# nothing here\n"), nil)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if !reflect.DeepEqual(cfg, Default()) {
			t.Fatalf("Load = %+v, want Default()", cfg)
		}
	})

	errorCases := []struct {
		name    string
		content string
		want    []string // each must be in the error
	}{
		{"unknown top-level key is an error naming the key", "issuer: https://a.example\ndatabse:\n  url: memory\n", []string{"databse"}},
		{"unknown nested key is an error naming the key", "database:\n  maxconns: 3\n", []string{"maxconns"}},
		{"unknown key inside a client is an error naming the key", "clients:\n  - id: web\n    secrets: x\n", []string{"secrets"}},
		{"dev cannot be set from the file", "dev: true\n", []string{"dev"}},
		{"a bare number is not a duration", "lifespans:\n  flow: 900\n", []string{"line 2", "900"}},
		{"a malformed duration is an error", "lifespans:\n  flow: quarter-hour\n", []string{"line 2", "lifespans.flow must be a duration"}},
		{"a string is not an integer", "database:\n  max_conns: many\n", []string{"many"}},
		{"bad YAML syntax is an error", "issuer: [unterminated\n", []string{"yaml"}},
		{"a second document is an error", "issuer: https://a.example\n---\nissuer: https://b.example\n", []string{"more than one YAML document"}},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			path := writeYAML(t, tt.content)
			_, err := Load(path, nil)
			if err == nil {
				t.Fatal("Load: no error")
			}
			for _, want := range append([]string{path}, tt.want...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}

	t.Run("a missing file is an error naming it", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "absent.yaml")
		_, err := Load(path, nil)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("Load(%s) error = %v", path, err)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error %v does not wrap fs.ErrNotExist", err)
		}
	})
}

// TestLoadExplainsRefusedFiles: a file refused for its keys or values is
// explained in words, each problem with its line and YAML path, never in
// Go types; a misspelled key gets the nearest known one.
func TestLoadExplainsRefusedFiles(t *testing.T) {
	t.Parallel()
	const duration = "a duration such as 15m (a number with a unit: ms, s, m or h)"
	for _, tt := range []struct {
		name, content string
		want          string // the error after "config: parse PATH: "
	}{
		{"unknown top-level key", "issuer: https://a.example\ndatabse:\n  url: memory\n",
			`line 2: unknown key "databse" at the top level; did you mean "database"?`},
		{"unknown nested key", "lifespans:\n  access_token: 1h\n  acess_token: 2h\n",
			`line 3: unknown key "acess_token" in lifespans; did you mean "access_token"?`},
		{"unknown key inside a list item", "clients:\n  - id: web\n    scops: [openid]\n",
			`line 3: unknown key "scops" in clients[0]; did you mean "scopes"?`},
		{"unknown key in the third list item", "clients:\n  - id: a\n  - id: b\n  - id: c\n    redirect_uri: [https://c.example/cb]\n",
			`line 5: unknown key "redirect_uri" in clients[2]; did you mean "redirect_uris"?`},
		{"swapped letters are one edit", "database:\n  ulr: memory\n",
			`line 2: unknown key "ulr" in database; did you mean "url"?`},
		{"a key near none lists the keys there", "database:\n  frobnicate: 1\n",
			`line 2: unknown key "frobnicate" in database; the keys there are url, max_conns, query_timeout, migrate`},
		{"dev is not read from the file", "dev: true\n",
			`line 1: key "dev" at the top level is not read from the file`},
		{"a duration without a unit", "lifespans:\n  access_token: 900\n",
			`line 2: lifespans.access_token must be ` + duration + `, not "900"`},
		{"a duration in words", "lifespans:\n  access_token: 15 minutes\n",
			`line 2: lifespans.access_token must be ` + duration + `, not "15 minutes"`},
		{"a single value for a list", "clients:\n  - id: a\n  - id: b\n  - id: c\n    scopes: openid\n",
			`line 5: clients[2].scopes must be a list of strings, not a single value`},
		{"a word for a boolean", "redis:\n  tls: maybe\n",
			`line 2: redis.tls must be true or false, not "maybe"`},
		{"a word for an integer", "database:\n  max_conns: many\n",
			`line 2: database.max_conns must be a number, not "many"`},
		{"an integer too large for its field", "database:\n  max_conns: 99999999999\n",
			`line 2: database.max_conns must be a whole number from -2147483648 to 2147483647, not "99999999999"`},
		{"a single value for a section", "database: memory\n",
			`line 1: database must be a mapping with keys such as url, max_conns, query_timeout, not a single value`},
		{"a list for a string", "scopes:\n  - name: x\n    description: {en: [a], zh-CN: b}\n",
			`line 3: scopes[0].description.en must be a string, not a list`},
		{"a list for the whole file", "- issuer\n",
			`line 1: the file must be a mapping with keys such as issuer, listen, database, not a list`},
		{"a repeated key", "database:\n  url: memory\n  url: postgres://db/tokenim\n",
			`line 3: key "url" appears twice in database (first on line 2)`},
		{"a key that is not a name", "lifespans:\n  {a: 1}: 1h\n",
			`line 2: a key in lifespans must be a string, not a mapping`},
		{"a problem in a merged mapping", "database:\n  <<: {url: memory, max_con: 3}\n",
			`line 2: unknown key "max_con" in database; did you mean "max_conns"?`},
		{"a value put where a list of secrets belongs is not quoted", "secrets:\n  system_previous: an-old-system-secret-of-32-characters\n",
			`line 2: secrets.system_previous must be a list of strings, not a single value`},
		{"every problem is reported", "databse: {}\nlifespans:\n  flow: soon\nredis:\n  tls: 2\n",
			"3 problems:\n" +
				`  line 1: unknown key "databse" at the top level; did you mean "database"?` + "\n" +
				`  line 3: lifespans.flow must be ` + duration + `, not "soon"` + "\n" +
				`  line 5: redis.tls must be true or false, not "2"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeYAML(t, tt.content)
			_, err := Load(path, nil)
			if err == nil {
				t.Fatal("Load: no error")
			}
			if got, want := err.Error(), "config: parse "+path+": "+tt.want; got != want {
				t.Fatalf("error\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestLoadCutsALongListOfProblemsShort(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 25 {
		fmt.Fprintf(&b, "unknown_%d: 1\n", i)
	}
	_, err := Load(writeYAML(t, b.String()), nil)
	if err == nil {
		t.Fatal("Load: no error")
	}
	msg := err.Error()
	if !strings.Contains(msg, ": 25 problems:\n") || strings.Count(msg, "unknown key") != 20 || !strings.HasSuffix(msg, "\n  and 5 more") {
		t.Fatalf("error:\n%s", msg)
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"url", "url", 0}, {"", "abc", 3}, {"databse", "database", 1},
		{"ulr", "url", 1}, {"kitten", "sitting", 3}, {"登录", "登陆", 1},
	} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := editDistance(tt.b, tt.a); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestLoadEnvironment(t *testing.T) {
	path := writeYAML(t, `
issuer: https://from-file.example.com
database:
  url: memory
  max_conns: 3
  migrate: true
lifespans:
  access_token: 2h
log:
  level: warn
`)

	t.Run("environment overrides the file", func(t *testing.T) {
		cfg, err := Load(path, mapEnv(map[string]string{
			"TOKENIM_ISSUER":                  "https://from-env.example.com",
			"TOKENIM_DATABASE_MAX_CONNS":      "25",
			"TOKENIM_DATABASE_MIGRATE":        "false",
			"TOKENIM_LIFESPANS_ACCESS_TOKEN":  "30m",
			"TOKENIM_SECRETS_SYSTEM":          testSecret,
			"TOKENIM_SECRETS_SYSTEM_PREVIOUS": "old-system-secret-0123456789abcdef, older-system-secret-0123456789abcdef",
			"TOKENIM_LOG_FORMAT":              "text",
			"TOKENIM_SERVER_IDLE_TIMEOUT":     " 1m ",
		}))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"string", cfg.Issuer, "https://from-env.example.com"},
			{"int", cfg.Database.MaxConns, int32(25)},
			{"bool", cfg.Database.Migrate, false},
			{"duration", cfg.Lifespans.AccessToken, 30 * time.Minute},
			{"secret", cfg.Secrets.System, testSecret},
			{"previous secrets, comma separated", strings.Join(cfg.Secrets.SystemPrevious, "|"), "old-system-secret-0123456789abcdef|older-system-secret-0123456789abcdef"},
			{"default overridden", cfg.Log.Format, "text"},
			{"surrounding spaces around a duration ignored", cfg.Server.IdleTimeout, time.Minute},
			{"file value kept without a variable", cfg.Log.Level, "warn"},
			{"default kept without a variable", cfg.Lifespans.IDToken, time.Hour},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
			}
		}
	})

	t.Run("an empty variable sets an empty string", func(t *testing.T) {
		cfg, err := Load(path, mapEnv(map[string]string{"TOKENIM_LOG_LEVEL": ""}))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if cfg.Log.Level != "" {
			t.Fatalf("log.level = %q, want empty", cfg.Log.Level)
		}
	})

	t.Run("TOKENIM_DEV does not set dev mode", func(t *testing.T) {
		cfg, err := Load(path, mapEnv(map[string]string{"TOKENIM_DEV": "true"}))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if cfg.Dev {
			t.Fatal("Dev set from the environment")
		}
	})

	badValues := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"a word for an integer", map[string]string{"TOKENIM_DATABASE_MAX_CONNS": "abc"},
			`TOKENIM_DATABASE_MAX_CONNS (database.max_conns): not an integer: "abc"`},
		{"an integer too big for its field", map[string]string{"TOKENIM_DATABASE_MAX_CONNS": "99999999999"},
			`TOKENIM_DATABASE_MAX_CONNS (database.max_conns): integer out of range: "99999999999"`},
		{"a word for a boolean", map[string]string{"TOKENIM_DATABASE_MIGRATE": "sometimes"},
			`TOKENIM_DATABASE_MIGRATE (database.migrate): not a boolean`},
		{"a bare number for a duration", map[string]string{"TOKENIM_LIFESPANS_FLOW": "900"},
			`TOKENIM_LIFESPANS_FLOW (lifespans.flow): not a duration`},
	}
	for _, tt := range badValues {
		t.Run(tt.name+" is an error naming the variable and the field", func(t *testing.T) {
			_, err := Load(path, mapEnv(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want it to contain %q", err, tt.want)
			}
		})
	}

	t.Run("every bad variable is reported", func(t *testing.T) {
		_, err := Load(path, mapEnv(map[string]string{
			"TOKENIM_DATABASE_MAX_CONNS":   "abc",
			"TOKENIM_SERVER_WRITE_TIMEOUT": "soon",
		}))
		for _, want := range []string{"TOKENIM_DATABASE_MAX_CONNS", "TOKENIM_SERVER_WRITE_TIMEOUT (server.write_timeout)"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Load error = %v, want it to mention %s", err, want)
			}
		}
	})
}

func TestEnvName(t *testing.T) {
	tests := []struct{ path, want string }{
		{"issuer", "TOKENIM_ISSUER"},
		{"listen", "TOKENIM_LISTEN"},
		{"database.url", "TOKENIM_DATABASE_URL"},
		{"database.max_conns", "TOKENIM_DATABASE_MAX_CONNS"},
		{"secrets.system", "TOKENIM_SECRETS_SYSTEM"},
		{"secrets.system_previous", "TOKENIM_SECRETS_SYSTEM_PREVIOUS"},
		{"lifespans.access_token", "TOKENIM_LIFESPANS_ACCESS_TOKEN"},
		{"log.format", "TOKENIM_LOG_FORMAT"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := EnvName(tt.path); got != tt.want {
				t.Fatalf("EnvName(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func TestEnvironmentReachesEveryScalarSectionField(t *testing.T) {
	cfg := Default()
	var got []string
	for _, f := range envFields(reflect.ValueOf(&cfg).Elem(), "", nil) {
		got = append(got, EnvName(f.path))
	}
	// Not Dev (flag only), nor anything inside scopes, clients or users.
	want := []string{
		"TOKENIM_ISSUER", "TOKENIM_LISTEN",
		"TOKENIM_DATABASE_URL", "TOKENIM_DATABASE_MAX_CONNS", "TOKENIM_DATABASE_QUERY_TIMEOUT", "TOKENIM_DATABASE_MIGRATE",
		"TOKENIM_REDIS_URL", "TOKENIM_REDIS_ADDRS", "TOKENIM_REDIS_MASTER_NAME", "TOKENIM_REDIS_USERNAME", "TOKENIM_REDIS_PASSWORD",
		"TOKENIM_REDIS_DB", "TOKENIM_REDIS_TLS", "TOKENIM_REDIS_CA_FILE", "TOKENIM_REDIS_PREFIX", "TOKENIM_REDIS_TIMEOUT",
		"TOKENIM_REDIS_TOKEN_TTL", "TOKENIM_REDIS_OBJECT_TTL", "TOKENIM_REDIS_LOCAL_TTL", "TOKENIM_REDIS_LOCAL_SIZE",
		"TOKENIM_REDIS_EPOCH_CHECK", "TOKENIM_REDIS_BREAK_AFTER", "TOKENIM_REDIS_RETRY_AFTER",
		"TOKENIM_SECRETS_SYSTEM", "TOKENIM_SECRETS_SYSTEM_PREVIOUS",
		"TOKENIM_LIFESPANS_AUTHORIZE_CODE", "TOKENIM_LIFESPANS_ACCESS_TOKEN", "TOKENIM_LIFESPANS_REFRESH_TOKEN",
		"TOKENIM_LIFESPANS_ID_TOKEN", "TOKENIM_LIFESPANS_LOGIN_SESSION", "TOKENIM_LIFESPANS_FLOW", "TOKENIM_LIFESPANS_CONSENT", "TOKENIM_LIFESPANS_PAR",
		"TOKENIM_LIFESPANS_DEVICE_CODE", "TOKENIM_LIFESPANS_CLIENT_ASSERTION", "TOKENIM_LIFESPANS_REFRESH_REUSE_WINDOW", "TOKENIM_LIFESPANS_BROWSER_REFRESH_TOKEN", "TOKENIM_DEVICE_POLL_INTERVAL",
		"TOKENIM_KEYS_ALGORITHM", "TOKENIM_KEYS_REFRESH",
		"TOKENIM_SERVER_READ_HEADER_TIMEOUT", "TOKENIM_SERVER_READ_TIMEOUT", "TOKENIM_SERVER_WRITE_TIMEOUT",
		"TOKENIM_SERVER_IDLE_TIMEOUT", "TOKENIM_SERVER_SHUTDOWN_TIMEOUT", "TOKENIM_SERVER_GC_PERCENT",
		"TOKENIM_SERVER_HSTS_ENABLED", "TOKENIM_SERVER_HSTS_MAX_AGE", "TOKENIM_SERVER_HSTS_INCLUDE_SUBDOMAINS", "TOKENIM_SERVER_HSTS_PRELOAD",
		"TOKENIM_LOG_LEVEL", "TOKENIM_LOG_FORMAT",
		"TOKENIM_ACCOUNTS_REGISTRATION", "TOKENIM_ACCOUNTS_ACTIVATION_LINK", "TOKENIM_ACCOUNTS_RESET_LINK", "TOKENIM_ACCOUNTS_MFA_ISSUER", "TOKENIM_ACCOUNTS_MFA_REQUIRED_ROLES",
		"TOKENIM_ACCOUNTS_PASSKEYS_RP_ID", "TOKENIM_ACCOUNTS_PASSKEYS_ORIGINS",
		"TOKENIM_THROTTLE_ACCOUNT_FREE", "TOKENIM_THROTTLE_ACCOUNT_BASE", "TOKENIM_THROTTLE_ACCOUNT_MAX", "TOKENIM_THROTTLE_ACCOUNT_FORGET_AFTER",
		"TOKENIM_THROTTLE_IP_FREE", "TOKENIM_THROTTLE_IP_BASE", "TOKENIM_THROTTLE_IP_MAX", "TOKENIM_THROTTLE_IP_FORGET_AFTER",
		"TOKENIM_THROTTLE_REGISTRATION_FREE", "TOKENIM_THROTTLE_REGISTRATION_BASE", "TOKENIM_THROTTLE_REGISTRATION_MAX", "TOKENIM_THROTTLE_REGISTRATION_FORGET_AFTER",
		"TOKENIM_RATE_LIMIT_ENABLED",
		"TOKENIM_RATE_LIMIT_TOKEN_PER_CLIENT_RATE", "TOKENIM_RATE_LIMIT_TOKEN_PER_CLIENT_PERIOD", "TOKENIM_RATE_LIMIT_TOKEN_PER_CLIENT_BURST",
		"TOKENIM_RATE_LIMIT_TOKEN_PER_IP_RATE", "TOKENIM_RATE_LIMIT_TOKEN_PER_IP_PERIOD", "TOKENIM_RATE_LIMIT_TOKEN_PER_IP_BURST",
		"TOKENIM_RATE_LIMIT_INTROSPECT_PER_CLIENT_RATE", "TOKENIM_RATE_LIMIT_INTROSPECT_PER_CLIENT_PERIOD", "TOKENIM_RATE_LIMIT_INTROSPECT_PER_CLIENT_BURST",
		"TOKENIM_RATE_LIMIT_INTROSPECT_PER_IP_RATE", "TOKENIM_RATE_LIMIT_INTROSPECT_PER_IP_PERIOD", "TOKENIM_RATE_LIMIT_INTROSPECT_PER_IP_BURST",
		"TOKENIM_RATE_LIMIT_LOGIN_PER_IP_RATE", "TOKENIM_RATE_LIMIT_LOGIN_PER_IP_PERIOD", "TOKENIM_RATE_LIMIT_LOGIN_PER_IP_BURST",
		"TOKENIM_RATE_LIMIT_ACCOUNTS_PER_IP_RATE", "TOKENIM_RATE_LIMIT_ACCOUNTS_PER_IP_PERIOD", "TOKENIM_RATE_LIMIT_ACCOUNTS_PER_IP_BURST",
		"TOKENIM_RATE_LIMIT_ACCOUNT_CHANGES_PER_IP_RATE", "TOKENIM_RATE_LIMIT_ACCOUNT_CHANGES_PER_IP_PERIOD", "TOKENIM_RATE_LIMIT_ACCOUNT_CHANGES_PER_IP_BURST",
		"TOKENIM_RATE_LIMIT_REGISTRATION_PER_IP_RATE", "TOKENIM_RATE_LIMIT_REGISTRATION_PER_IP_PERIOD", "TOKENIM_RATE_LIMIT_REGISTRATION_PER_IP_BURST",
		"TOKENIM_MAIL_FROM", "TOKENIM_MAIL_SMTP_HOST", "TOKENIM_MAIL_SMTP_PORT", "TOKENIM_MAIL_SMTP_USERNAME",
		"TOKENIM_MAIL_SMTP_PASSWORD", "TOKENIM_MAIL_SMTP_SECURITY",
		"TOKENIM_API_KEYS_LIFETIME", "TOKENIM_API_KEYS_GRACE", "TOKENIM_API_KEYS_WARN",
		"TOKENIM_JANITOR_ENABLED", "TOKENIM_JANITOR_INTERVAL", "TOKENIM_JANITOR_BATCH",
		"TOKENIM_DPOP_ENABLED", "TOKENIM_DPOP_NONCE", "TOKENIM_DPOP_REQUIRED_FOR", "TOKENIM_DPOP_PROOF_WINDOW", "TOKENIM_DPOP_ALGORITHMS",
		"TOKENIM_REGISTRATION_ENABLED", "TOKENIM_REGISTRATION_OPEN", "TOKENIM_REGISTRATION_GRANT_TYPES", "TOKENIM_REGISTRATION_TOKEN_ENDPOINT_AUTH_METHODS", "TOKENIM_REGISTRATION_SCOPES",
		"TOKENIM_AUTHORIZATION_DETAILS_LOOKUP_URL", "TOKENIM_AUTHORIZATION_DETAILS_LOOKUP_TIMEOUT", "TOKENIM_AUTHORIZATION_DETAILS_LOOKUP_CACHE_TTL", "TOKENIM_AUTHORIZATION_DETAILS_LOOKUP_CACHE_SIZE",
		"TOKENIM_AUDIT_RETENTION", "TOKENIM_AUDIT_SEAL_INTERVAL",
		"TOKENIM_METRICS_LISTEN", "TOKENIM_METRICS_PPROF",
		"TOKENIM_TRACING_OTLP_ENDPOINT", "TOKENIM_TRACING_INSECURE", "TOKENIM_TRACING_SERVICE_NAME", "TOKENIM_TRACING_SAMPLE_RATIO",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("variables =\n%v\nwant\n%v", got, want)
	}
}

// envTarget has every kind of field the environment walk must handle; Config
// itself has no []string, unsigned or float field outside its lists.
type envTarget struct {
	Name   string   `yaml:"name"`
	Tags   []string `yaml:"tags"`
	Nested struct {
		Count uint16  `yaml:"count"`
		Ratio float64 `yaml:"ratio"`
	} `yaml:"nested"`
	Embedded struct {
		Flag bool `yaml:"flag"`
	} `yaml:",inline"`
	Items  []struct{ X string } `yaml:"items"`
	Labels map[string]string    `yaml:"labels"`
	Hidden string               `yaml:"-"`
	Plain  int                  // yaml.v3 would call it "plain"
}

func TestApplyEnvFieldKinds(t *testing.T) {
	apply := func(t *testing.T, env map[string]string) (envTarget, error) {
		t.Helper()
		v := envTarget{Tags: []string{"from-file"}, Hidden: "kept", Labels: map[string]string{"a": "b"}}
		err := applyEnv(reflect.ValueOf(&v).Elem(), mapEnv(env))
		return v, err
	}

	t.Run("a list is split on commas and trimmed", func(t *testing.T) {
		v, err := apply(t, map[string]string{"TOKENIM_TAGS": " a, b,,c ,"})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"a", "b", "c"}; !slices.Equal(v.Tags, want) {
			t.Fatalf("tags = %q, want %q", v.Tags, want)
		}
	})

	t.Run("an empty variable empties a list", func(t *testing.T) {
		v, err := apply(t, map[string]string{"TOKENIM_TAGS": ""})
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Tags) != 0 {
			t.Fatalf("tags = %q, want none", v.Tags)
		}
	})

	t.Run("nested unsigned, float, inline and untagged fields are set", func(t *testing.T) {
		v, err := apply(t, map[string]string{
			"TOKENIM_NESTED_COUNT": "7",
			"TOKENIM_NESTED_RATIO": "0.25",
			"TOKENIM_FLAG":         "true",
			"TOKENIM_PLAIN":        "-4",
			"TOKENIM_NAME":         "n",
		})
		if err != nil {
			t.Fatal(err)
		}
		if v.Nested.Count != 7 || v.Nested.Ratio != 0.25 || !v.Embedded.Flag || v.Plain != -4 || v.Name != "n" {
			t.Fatalf("got %+v", v)
		}
	})

	t.Run("hidden fields, maps and lists of structs are not reachable", func(t *testing.T) {
		v, err := apply(t, map[string]string{
			"TOKENIM_HIDDEN": "changed",
			"TOKENIM_LABELS": "x",
			"TOKENIM_ITEMS":  "x",
		})
		if err != nil {
			t.Fatal(err)
		}
		if v.Hidden != "kept" || v.Labels["a"] != "b" || len(v.Labels) != 1 || v.Items != nil {
			t.Fatalf("got %+v", v)
		}
	})

	t.Run("a negative number for an unsigned field is an error", func(t *testing.T) {
		_, err := apply(t, map[string]string{"TOKENIM_NESTED_COUNT": "-1"})
		if err == nil || !strings.Contains(err.Error(), "TOKENIM_NESTED_COUNT (nested.count)") {
			t.Fatalf("error = %v", err)
		}
	})
}
