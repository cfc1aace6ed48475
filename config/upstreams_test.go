package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/storage"
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
		{"an OIDC connector ending the upstream's session", func(c *Config) { c.Upstreams[0].EndUpstreamSession = true }},
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
		{"a name with a NUL", func(c *Config) { c.Upstreams[1].Name = "a\x00b" }, "upstreams[1].name", "not text"},
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
		{"GitHub Enterprise in clear", func(c *Config) {
			c.Upstreams[0] = Upstream{ID: "gh", Kind: "oauth2-github", Name: "GitHub", ClientID: "id", ClientSecret: "s", BaseURL: "http://github.corp.example"}
		}, "upstreams[0].base_url", "https"},

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

// writePEM writes a self-signed certificate and its key as PEM files and
// returns their names.
func writePEM(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sp"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<33, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "sp.crt"), filepath.Join(dir, "sp.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestUpstreamDirectoryAndSAMLFields(t *testing.T) {
	t.Parallel()
	certFile, keyFile := writePEM(t)
	other, _ := writePEM(t)
	accepted := withUpstreams()
	accepted.Upstreams[1].CAFile, accepted.Upstreams[1].EnabledFilter, accepted.Upstreams[1].EmailVerified = certFile, "(!(pwdAccountLockedTime=*))", true
	accepted.Upstreams[1].Attributes = UpstreamAttributes{Subject: "objectGUID", Email: "mail", Username: "sAMAccountName", Groups: "memberOf", GroupName: "cn"}
	accepted.Upstreams[2].SPKeyFile, accepted.Upstreams[2].SPCertificateFile = keyFile, certFile
	accepted.Upstreams[2].Attributes = UpstreamAttributes{Email: "urn:oid:0.9.2342.19200300.100.1.3", Name: "http://schemas.microsoft.com/identity/claims/displayname"}
	if err := accepted.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}

	for _, tt := range []struct {
		name   string
		modify func(*Config)
		path   string
		text   string
	}{
		{"a filter that is not one", func(c *Config) { c.Upstreams[1].EnabledFilter = "(!(locked=*)" }, "upstreams[1].enabled_filter", "not an LDAP filter"},
		{"a CA file with no certificate", func(c *Config) { c.Upstreams[1].CAFile = keyFile }, "upstreams[1].ca_file", "no PEM certificate"},
		{"an unreadable CA file", func(c *Config) { c.Upstreams[1].CAFile = "/nonexistent/ca.pem" }, "upstreams[1].ca_file", "cannot read"},
		{"a CA file on an OIDC connector", func(c *Config) { c.Upstreams[0].CAFile = certFile }, "upstreams[0].ca_file", "only for kind ldap"},
		{"a verified mail on an OIDC connector", func(c *Config) { c.Upstreams[0].EmailVerified = true }, "upstreams[0].email_verified", "only for kind ldap or saml"},
		{"a GitHub Enterprise address on an OIDC connector", func(c *Config) { c.Upstreams[0].BaseURL = "https://github.corp.example" }, "upstreams[0].base_url", "only for kind oauth2-github"},
		{"Lark on an OIDC connector", func(c *Config) { c.Upstreams[0].Lark = true }, "upstreams[0].lark", "only for kind feishu"},
		{"an attribute that is not an LDAP name", func(c *Config) { c.Upstreams[1].Attributes.Email = "mail address" }, "upstreams[1].attributes.email", "LDAP attribute"},
		{"attributes on an OIDC connector", func(c *Config) { c.Upstreams[0].Attributes.Email = "mail" }, "upstreams[0].attributes", "only for kind ldap or saml"},
		{"a SAML subject attribute", func(c *Config) { c.Upstreams[2].Attributes.Subject = "uid" }, "upstreams[2].attributes.subject", "only for kind ldap"},
		{"a SAML key without its certificate", func(c *Config) { c.Upstreams[2].SPKeyFile = keyFile }, "upstreams[2].sp_certificate_file", "both or neither"},
		{"a SAML certificate without its key", func(c *Config) { c.Upstreams[2].SPCertificateFile = certFile }, "upstreams[2].sp_key_file", "both or neither"},
		{"a SAML key of another certificate", func(c *Config) { c.Upstreams[2].SPKeyFile, c.Upstreams[2].SPCertificateFile = keyFile, other },
			"upstreams[2].sp_key_file", "not a PEM key matching"},
		{"a SAML key on an LDAP connector", func(c *Config) { c.Upstreams[1].SPKeyFile = keyFile }, "upstreams[1].sp_key_file", "only for kind saml"},
		{"ending the upstream's session on an LDAP connector", func(c *Config) { c.Upstreams[1].EndUpstreamSession = true }, "upstreams[1].end_upstream_session", "only for kind oidc"},
		{"ending the upstream's session on a SAML connector", func(c *Config) { c.Upstreams[2].EndUpstreamSession = true }, "upstreams[2].end_upstream_session", "only for kind oidc"},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := withUpstreams()
			tt.modify(&cfg)
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}
}

// stored is a connector as the console stores it.
func stored(t *testing.T, u Upstream) storage.Connector {
	t.Helper()
	sc, err := upstreamConnector(u)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestConnectorSettingsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, u := range withUpstreams().Upstreams {
		u.ClientSecret, u.ClientSecretEnv, u.BindPassword = "", "", ""
		if u.Kind == "ldap" {
			u.EnabledFilter, u.EmailVerified, u.Attributes = "(objectClass=person)", true, UpstreamAttributes{Email: "mail"}
		}
		if u.Kind == "oidc" {
			u.EndUpstreamSession = true
		}
		sc := stored(t, u)
		got, err := ConnectorUpstream(sc)
		if err != nil {
			t.Fatalf("%s: %v", u.ID, err)
		}
		if !reflect.DeepEqual(got, u) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v", u.ID, got, u)
		}
	}
	// Only the kind's fields are kept.
	b, err := ConnectorSettings(Upstream{Kind: "wechat", AppID: "wx1", URL: "ldaps://x", ClientSecret: "s3cret", MetadataFile: "/etc/passwd"})
	if err != nil || string(b) != `{"app_id":"wx1"}` {
		t.Fatalf("settings %s, %v", b, err)
	}
	// The console keeps an oidc connector's end_upstream_session, and no
	// other kind's.
	b, err = ConnectorSettings(Upstream{Kind: "oidc", Issuer: "https://sso.example", EndUpstreamSession: true})
	if err != nil || string(b) != `{"issuer":"https://sso.example","end_upstream_session":true}` {
		t.Fatalf("oidc settings %s, %v", b, err)
	}
	b, err = ConnectorSettings(Upstream{Kind: "saml", EntityID: "e", EndUpstreamSession: true})
	if err != nil || strings.Contains(string(b), "end_upstream_session") {
		t.Fatalf("saml settings %s, %v: end_upstream_session kept", b, err)
	}
}

func TestConnectorUpstreamRefusesSettings(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ settings, field, text string }{
		{`{"client_id":"a","colour":"red"}`, "colour", "not a setting"},
		{`{"client_secret":"s3cret"}`, "client_secret", "write-only field"},
		{`{"bind_password_file":"/etc/shadow"}`, "bind_password_file", "not a setting"},
		{`{"metadata_file":"/etc/passwd"}`, "metadata_file", "configuration file only"},
		{`{"id":"other"}`, "id", "not a setting"},
		{`{"client_id":7}`, "client_id", "must be text"},
		{`{"scopes":"openid"}`, "scopes", "must be a list of text"},
		{`{"user_search":{"base_dn":"dc=x","scope":"sub"}}`, "scope", "not a setting"},
		{`[1]`, "settings", "must be an object"},
		{`{} {}`, "settings", "nothing after it"},
	} {
		_, err := ConnectorUpstream(storage.Connector{ID: "x", Kind: "oidc", Settings: json.RawMessage(tc.settings)})
		var p Problem
		if !errors.As(err, &p) || p.Field != tc.field || !strings.Contains(p.Message, tc.text) {
			t.Errorf("%s: %v, want %s: ...%s...", tc.settings, err, tc.field, tc.text)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the problem quotes the secret: %v", tc.settings, err)
		}
	}
}

func TestCheckConnector(t *testing.T) {
	t.Parallel()
	cfg := withUpstreams()
	okta := Upstream{ID: "okta", Kind: "oidc", Name: "Okta", Issuer: "https://example.okta.com", ClientID: "0oa1", Domains: []string{"okta.example"}}
	mine := stored(t, okta)
	others := []storage.Connector{stored(t, Upstream{ID: "gh", Kind: "oauth2-github", Name: "GitHub", ClientID: "x", Domains: []string{"gh.example"}})}

	got, errs := cfg.CheckConnector(mine, true, others)
	if len(errs) != 0 || string(got.Settings) != `{"issuer":"https://example.okta.com","client_id":"0oa1"}` {
		t.Fatalf("a good connector: %s, %v", got.Settings, errs)
	}
	sealed := mine
	sealed.SealedSecret = []byte("sealed")
	if _, errs := cfg.CheckConnector(sealed, false, others); len(errs) != 0 {
		t.Fatalf("a connector keeping its sealed secret: %v", errs)
	}
	for _, tc := range []struct {
		name   string
		modify func(*storage.Connector)
		typed  bool
		field  string
		text   string
	}{
		{"no secret", func(*storage.Connector) {}, false, "client_secret", "required for kind oidc"},
		{"a domain of a configured connector", func(c *storage.Connector) { c.Domains = []string{"corp.example.com"} }, true,
			"domains[0]", `"corp.example.com" is also a domain of connector "google"`},
		{"a domain of another stored connector", func(c *storage.Connector) { c.Domains = []string{"gh.example"} }, true,
			"domains[0]", `a domain of connector "gh"`},
		{"the ID of a configured connector", func(c *storage.Connector) { c.ID = "ldap" }, true, "id", `the ID of connector "ldap"`},
		{"the ID of a stored connector", func(c *storage.Connector) { c.ID = "gh" }, true, "id", `the ID of connector "gh"`},
		{"an unknown kind", func(c *storage.Connector) { c.Kind = "kerberos" }, true, "kind", `unknown kind "kerberos"`},
		{"no client ID", func(c *storage.Connector) { c.Settings = json.RawMessage(`{"issuer":"https://example.okta.com"}`) }, true,
			"client_id", "required for kind oidc"},
		{"an unknown role", func(c *storage.Connector) { c.DefaultRole = "boss" }, true, "default_role", `unknown role "boss"`},
		{"a role mapping's empty value", func(c *storage.Connector) { c.RoleMapping = []storage.RoleMapping{{Claim: "groups", Role: "admin"}} }, true,
			"role_mapping[0].value", "required"},
		{"Sign in with Apple", func(c *storage.Connector) {
			c.Settings = json.RawMessage(`{"preset":"apple","client_id":"x","team_id":"T","key_id":"K"}`)
		}, true, "preset", "configuration file"},
		{"a file setting", func(c *storage.Connector) { c.Settings = json.RawMessage(`{"client_secret_file":"/etc/shadow"}`) }, true,
			"client_secret_file", "not a setting"},
	} {
		c := mine.Clone()
		tc.modify(&c)
		_, errs := cfg.CheckConnector(c, tc.typed, others)
		found := false
		for _, err := range errs {
			var p Problem
			if errors.As(err, &p) && p.Path() == tc.field && strings.Contains(p.Message, tc.text) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: problems %v, want %s: ...%s...", tc.name, errs, tc.field, tc.text)
		}
	}
}

func TestConfiguredConnectorsAndOpenConnector(t *testing.T) {
	t.Parallel()
	cfg := withUpstreams()
	list := cfg.ConfiguredConnectors()
	if len(list) != 3 || list[0].ID != "google" || len(list[0].RoleMapping) != 1 || list[1].Kind != "ldap" {
		t.Fatalf("configured connectors: %+v", list)
	}
	for _, c := range list {
		if len(c.SealedSecret) != 0 || strings.Contains(string(c.Settings), "pw") || strings.Contains(string(c.Settings), "GOOGLE_SECRET") {
			t.Fatalf("a configured connector shows its secret: %s %s", c.ID, c.Settings)
		}
	}

	ring, err := secret.NewKeyring(strings.Repeat("k", 32))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := ring.Sealer(secret.PurposeUpstreams)
	if err != nil {
		t.Fatal(err)
	}
	dir := stored(t, cfg.Upstreams[1])
	dir.SealedSecret = upstream.SealSecret(sealer, "ldap", "bind-pw")
	u, err := OpenConnector(dir, sealer)
	if err != nil || u.BindPassword != "bind-pw" || u.ClientSecret != "" || u.BindDN != "cn=svc" {
		t.Fatalf("opened %+v, %v", u, err)
	}
	dir.ID = "other"
	if _, err := OpenConnector(dir, sealer); !errors.Is(err, secret.ErrUnsealable) {
		t.Fatalf("a secret sealed for another connector opened: %v", err)
	}
}

// FuzzConnectorUpstream: whatever settings a store holds, decoding them
// never panics, and what decodes is written back as the same upstream's
// settings.
func FuzzConnectorUpstream(f *testing.F) {
	for _, s := range []string{`{"issuer":"https://x","client_id":"a"}`, `{"user_search":{"base_dn":"dc=x"}}`, `{"attributes":{"email":"m"}}`, `null`, `{"a":1}`, `[`,
		`{"url":"ldap://x","enabled_filter":"(&(a=b)(!(c=*)))","attributes":{"subject":"1.2.3;x"}}`, `{"metadata_url":"https://i","entity_id":"e"}`} {
		f.Add("oidc", s)
		f.Add("ldap", s)
		f.Add("saml", s)
	}
	f.Fuzz(func(t *testing.T, kind, settings string) {
		u, err := ConnectorUpstream(storage.Connector{ID: "x", Kind: kind, Settings: json.RawMessage(settings)})
		if err != nil {
			var p Problem
			if !errors.As(err, &p) || p.Field == "" {
				t.Fatalf("%q: %v is not a Problem naming a field", settings, err)
			}
			return
		}
		// The rules take any decoded settings without panicking, and
		// every problem names a field.
		for _, p := range validConfig().CheckUpstream(u, true, nil) {
			if p.Field == "" || p.Message == "" {
				t.Fatalf("%q: a problem without a field or message: %+v", settings, p)
			}
		}
		b, err := ConnectorSettings(u)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ConnectorUpstream(storage.Connector{ID: "x", Kind: kind, Settings: b})
		if err != nil {
			t.Fatalf("settings written %s do not read back: %v", b, err)
		}
		if b2, _ := ConnectorSettings(again); string(b2) != string(b) {
			t.Fatalf("settings %s read back as %s", b, b2)
		}
	})
}
