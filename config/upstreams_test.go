package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withUpstreams returns a valid configuration with an OIDC, an LDAP and
// a SAML connector.
func withUpstreams() Config {
	cfg := validConfig()
	cfg.Upstreams = []Upstream{
		{ID: "google", Kind: "oidc", Preset: "google", Name: "Google", ClientID: "id", ClientSecretEnv: "GOOGLE_SECRET",
			Domains: []string{"corp.example.com"}, OnlyWay: true, JIT: true, DefaultRole: "member",
			RoleMapping: []UpstreamRole{{Claim: "groups", Value: "admins", Role: "admin"}}},
		{ID: "ldap", Kind: "ldap", Name: "Directory", URL: "ldaps://ldap.example.com", BindDN: "cn=svc", BindPassword: "pw",
			UserSearch: LDAPSearch{BaseDN: "dc=example", Filter: "(uid=%s)"}},
		{ID: "saml", Kind: "saml", Name: "Partner", MetadataURL: "https://idp.example/metadata", EntityID: "https://auth.example.com/saml",
			Domains: []string{"partner.example"}},
	}
	return cfg
}

func TestUpstreamsAccepted(t *testing.T) {
	t.Parallel()
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		modify func(*Config)
	}{
		{"an OIDC, an LDAP and a SAML connector", func(*Config) {}},
		{"no connector", func(c *Config) { c.Upstreams = nil }},
		{"a secret file", func(c *Config) {
			c.Upstreams[0].ClientSecretEnv, c.Upstreams[0].ClientSecretFile = "", secretFile
		}},
		{"every OAuth 2.0 platform", func(c *Config) {
			c.Upstreams = append(c.Upstreams,
				Upstream{ID: "gh", Kind: "oauth2-github", Name: "GitHub", ClientID: "id", ClientSecret: "s"},
				Upstream{ID: "wecom", Kind: "wecom", Name: "WeCom", CorpID: "ww1", AgentID: "1000002", ClientSecret: "s"},
				Upstream{ID: "ding", Kind: "dingtalk", Name: "DingTalk", ClientID: "id", ClientSecret: "s"},
				Upstream{ID: "lark", Kind: "feishu", Name: "Feishu", ClientID: "id", ClientSecret: "s"},
				Upstream{ID: "wx", Kind: "wechat", Name: "WeChat", AppID: "wx1", ClientSecret: "s"})
		}},
		{"ldap:// with StartTLS", func(c *Config) { c.Upstreams[1].URL, c.Upstreams[1].StartTLS = "ldap://ldap.example.com", true }},
		{"a disabled connector's missing file", func(c *Config) {
			c.Upstreams[2].MetadataURL, c.Upstreams[2].MetadataFile, c.Upstreams[2].Disabled = "", "/nonexistent/metadata.xml", true
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := withUpstreams()
			tt.modify(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}
}

func TestUpstreamsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*Config)
		path   string
		text   string
	}{
		{"an unknown kind", func(c *Config) { c.Upstreams[1].Kind = "kerberos" }, "upstreams[1].kind", `unknown kind "kerberos"`},
		{"no kind", func(c *Config) { c.Upstreams[0].Kind = "" }, "upstreams[0].kind", "unknown kind"},
		{"an upper-case ID", func(c *Config) { c.Upstreams[0].ID = "Google" }, "upstreams[0].id", "lower-case"},
		{"no ID", func(c *Config) { c.Upstreams[0].ID = "" }, "upstreams[0].id", "lower-case"},
		{"an ID with a slash", func(c *Config) { c.Upstreams[0].ID = "a/b" }, "upstreams[0].id", "lower-case"},
		{"a duplicate ID", func(c *Config) { c.Upstreams[2].ID = "google" }, "upstreams[2].id", `"google" is also upstreams[0].id`},
		{"a duplicate domain", func(c *Config) { c.Upstreams[2].Domains = []string{"corp.example.com"} },
			"upstreams[2].domains[0]", "upstreams[0].domains[0]"},
		{"an upper-case domain", func(c *Config) { c.Upstreams[2].Domains = []string{"Partner.example"} }, "upstreams[2].domains[0]", "lower-case"},
		{"a domain that is not one", func(c *Config) { c.Upstreams[2].Domains = []string{"@partner"} }, "upstreams[2].domains[0]", "email domain"},
		{"only way without domains", func(c *Config) { c.Upstreams[0].Domains = nil }, "upstreams[0].only_way", "needs domains"},
		{"no name", func(c *Config) { c.Upstreams[1].Name = "" }, "upstreams[1].name", "required"},
		{"an unknown default role", func(c *Config) { c.Upstreams[0].DefaultRole = "boss" }, "upstreams[0].default_role", `unknown role "boss"`},
		{"a mapping to an unknown role", func(c *Config) { c.Upstreams[0].RoleMapping[0].Role = "boss" }, "upstreams[0].role_mapping[0].role", "unknown role"},
		{"a mapping without a claim", func(c *Config) { c.Upstreams[0].RoleMapping[0].Claim = "" }, "upstreams[0].role_mapping[0].claim", "required"},
		{"a mapping without a value", func(c *Config) { c.Upstreams[0].RoleMapping[0].Value = "" }, "upstreams[0].role_mapping[0].value", "required"},

		{"an OIDC connector without an issuer", func(c *Config) { c.Upstreams[0].Preset = "" }, "upstreams[0].issuer", "required for kind oidc"},
		{"an unknown preset", func(c *Config) { c.Upstreams[0].Preset = "yahoo" }, "upstreams[0].preset", `unknown preset "yahoo"`},
		{"a preset on another kind", func(c *Config) { c.Upstreams[1].Preset = "google" }, "upstreams[1].preset", "only for kind oidc"},
		{"okta without its issuer", func(c *Config) { c.Upstreams[0].Preset = "okta" }, "upstreams[0].issuer", "required"},
		{"entra without a tenant", func(c *Config) { c.Upstreams[0].Preset = "entra" }, "upstreams[0].tenant", "required"},
		{"apple without its key", func(c *Config) {
			c.Upstreams[0].Preset, c.Upstreams[0].TeamID, c.Upstreams[0].KeyID = "apple", "T", "K"
		}, "upstreams[0].private_key_file", "required"},
		{"apple's unreadable key", func(c *Config) {
			c.Upstreams[0].Preset, c.Upstreams[0].TeamID, c.Upstreams[0].KeyID, c.Upstreams[0].PrivateKeyFile = "apple", "T", "K", "/nonexistent.p8"
		}, "upstreams[0].private_key_file", "cannot read"},
		{"apple without a team", func(c *Config) { c.Upstreams[0].Preset = "apple" }, "upstreams[0].team_id", "required"},
		{"an issuer that is not a URL", func(c *Config) { c.Upstreams[0].Issuer = "sso.example.com" }, "upstreams[0].issuer", "absolute URL"},
		{"an http issuer", func(c *Config) { c.Upstreams[0].Issuer = "http://sso.example.com" }, "upstreams[0].issuer", "https"},
		{"a javascript issuer", func(c *Config) { c.Upstreams[0].Issuer = "javascript:alert(1)" }, "upstreams[0].issuer", "URL"},
		{"no client ID", func(c *Config) { c.Upstreams[0].ClientID = "" }, "upstreams[0].client_id", "required for kind oidc"},
		{"no client secret", func(c *Config) { c.Upstreams[0].ClientSecretEnv = "" }, "upstreams[0].client_secret", "client_secret_file or client_secret_env"},
		{"two client secrets", func(c *Config) { c.Upstreams[0].ClientSecret = "s" }, "upstreams[0].client_secret", "set one of"},
		{"an unreadable secret file", func(c *Config) {
			c.Upstreams[0].ClientSecretEnv, c.Upstreams[0].ClientSecretFile = "", "/nonexistent/secret"
		}, "upstreams[0].client_secret_file", "cannot read"},
		{"WeCom without an agent", func(c *Config) {
			c.Upstreams[0] = Upstream{ID: "wecom", Kind: "wecom", Name: "WeCom", CorpID: "ww1", ClientSecret: "s"}
		}, "upstreams[0].agent_id", "required for kind wecom"},
		{"WeChat without an AppID", func(c *Config) {
			c.Upstreams[0] = Upstream{ID: "wx", Kind: "wechat", Name: "WeChat", ClientSecret: "s"}
		}, "upstreams[0].app_id", "required for kind wechat"},
		{"GitHub without a secret", func(c *Config) {
			c.Upstreams[0] = Upstream{ID: "gh", Kind: "oauth2-github", Name: "GitHub", ClientID: "id"}
		}, "upstreams[0].client_secret", "required for kind oauth2-github"},

		{"LDAP without a URL", func(c *Config) { c.Upstreams[1].URL = "" }, "upstreams[1].url", "required for kind ldap"},
		{"LDAP over http", func(c *Config) { c.Upstreams[1].URL = "https://ldap.example.com" }, "upstreams[1].url", "ldap:// or ldaps://"},
		{"LDAP in clear", func(c *Config) { c.Upstreams[1].URL = "ldap://ldap.example.com" }, "upstreams[1].url", "in clear"},
		{"StartTLS over ldaps", func(c *Config) { c.Upstreams[1].StartTLS = true }, "upstreams[1].start_tls", "only for an ldap:// URL"},
		{"LDAP without a bind DN", func(c *Config) { c.Upstreams[1].BindDN = "" }, "upstreams[1].bind_dn", "required"},
		{"LDAP without a bind password", func(c *Config) { c.Upstreams[1].BindPassword = "" }, "upstreams[1].bind_password", "bind_password_file or bind_password_env"},
		{"LDAP without a user base", func(c *Config) { c.Upstreams[1].UserSearch.BaseDN = "" }, "upstreams[1].user_search.base_dn", "required"},
		{"LDAP with a filter lacking %s", func(c *Config) { c.Upstreams[1].UserSearch.Filter = "(uid=alice)" }, "upstreams[1].user_search.filter", "%s"},
		{"LDAP groups with a filter lacking %s", func(c *Config) { c.Upstreams[1].GroupSearch = LDAPSearch{BaseDN: "ou=groups"} },
			"upstreams[1].group_search.filter", "%s"},

		{"SAML without metadata", func(c *Config) { c.Upstreams[2].MetadataURL = "" }, "upstreams[2].metadata_url", "required for kind saml"},
		{"SAML with both metadata", func(c *Config) { c.Upstreams[2].MetadataFile = "/m.xml" }, "upstreams[2].metadata_url", "not both"},
		{"SAML metadata over http", func(c *Config) { c.Upstreams[2].MetadataURL = "http://idp.example/metadata" }, "upstreams[2].metadata_url", "https"},
		{"SAML's unreadable metadata file", func(c *Config) {
			c.Upstreams[2].MetadataURL, c.Upstreams[2].MetadataFile = "", "/nonexistent/metadata.xml"
		}, "upstreams[2].metadata_file", "cannot read"},
		{"SAML without an entity ID", func(c *Config) { c.Upstreams[2].EntityID = "" }, "upstreams[2].entity_id", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := withUpstreams()
			tt.modify(&cfg)
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}
}

func TestUpstreamSecretsAreNotQuoted(t *testing.T) {
	t.Parallel()
	cfg := withUpstreams()
	cfg.Upstreams[0].ClientSecret = "very-secret-value"
	cfg.Upstreams[1].BindPasswordEnv = "ALSO"
	err := cfg.Validate()
	requireProblem(t, err, "upstreams[0].client_secret", "set one of")
	if strings.Contains(err.Error(), "very-secret-value") || strings.Contains(err.Error(), `"pw"`) {
		t.Fatalf("a problem quotes a secret: %v", err)
	}
}

func TestUpstreamIssuerAndSecret(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		u    Upstream
		want string
	}{
		"google":       {Upstream{Preset: "google"}, "https://accounts.google.com"},
		"entra":        {Upstream{Preset: "entra", Tenant: "corp.example.com"}, "https://login.microsoftonline.com/corp.example.com/v2.0"},
		"gitlab":       {Upstream{Preset: "gitlab"}, "https://gitlab.com"},
		"self-hosted":  {Upstream{Preset: "gitlab", Issuer: "https://git.example.com"}, "https://git.example.com"},
		"apple":        {Upstream{Preset: "apple"}, "https://appleid.apple.com"},
		"okta, unset":  {Upstream{Preset: "okta"}, ""},
		"entra tenant": {Upstream{Preset: "entra", Tenant: "a/b"}, "https://login.microsoftonline.com/a%2Fb/v2.0"},
	}
	for name, tc := range cases {
		if got := tc.u.IssuerURL(); got != tc.want {
			t.Errorf("%s: issuer = %q, want %q", name, got, tc.want)
		}
	}

	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := mapEnv(map[string]string{"S": "from-env"})
	for _, tc := range []struct {
		u    Upstream
		want string
	}{
		{Upstream{ClientSecret: "inline"}, "inline"},
		{Upstream{ClientSecretFile: file}, "from-file"},
		{Upstream{ClientSecretEnv: "S"}, "from-env"},
		{Upstream{Kind: "ldap", BindPasswordEnv: "S", ClientSecret: "ignored"}, "from-env"},
	} {
		got, err := tc.u.Secret(env)
		if err != nil || got != tc.want {
			t.Errorf("secret of %+v = %q, %v; want %q", tc.u, got, err, tc.want)
		}
	}
	if _, err := (Upstream{ID: "x", ClientSecretEnv: "UNSET"}).Secret(env); err == nil {
		t.Error("an unset environment variable gave a secret")
	}
}
