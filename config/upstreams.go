package config

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/clientrules"
	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/storage"
)

// Upstream is an upstream identity provider ("connector") configured in
// YAML (upstreams:). Configured connectors are never stored: the console's
// are (storage.Connector), and a configured one shadows a stored one of
// the same ID. The environment does not reach list entries; a secret comes
// from the file itself, a file (*_file) or an environment variable
// (*_env), one of the three.
type Upstream struct {
	// ID is short, unique and lower-case (a-z, 0-9, "-", "_"): it names
	// the connector in URLs and in linked identities, so it must not
	// change.
	ID string `yaml:"id"`
	// Kind is one of storage.ConnectorKinds.
	Kind string `yaml:"kind"`
	// Preset fills an oidc connector's issuer: google, entra (with
	// tenant), okta (issuer still required: the organisation's URL),
	// gitlab (issuer optional, for a self-hosted GitLab) or apple (with
	// team_id, key_id and private_key_file instead of a client secret).
	Preset string `yaml:"preset"`
	// Name and NameZH are the display names in English and Simplified
	// Chinese.
	Name   string `yaml:"name"`
	NameZH string `yaml:"name_zh"`
	// Icon is a known icon name (google, github, ...), optional.
	Icon string `yaml:"icon"`
	// Domains are the email domains routed here, unique across
	// connectors.
	Domains []string `yaml:"domains"`
	// OnlyWay makes the connector the only way in for its domains.
	OnlyWay bool `yaml:"only_way"`
	// JIT creates an account with DefaultRole (a role's name) on a first
	// sign-in.
	JIT         bool   `yaml:"jit"`
	DefaultRole string `yaml:"default_role"`
	// LinkUnverifiedEmail lets an email the upstream did not verify link
	// an existing account.
	LinkUnverifiedEmail bool `yaml:"link_unverified_email"`
	// RoleMapping gives roles by claim or group values.
	RoleMapping []UpstreamRole `yaml:"role_mapping"`
	// Disabled keeps the connector out of use (and its files unread).
	Disabled bool `yaml:"disabled"`

	// Issuer is an oidc connector's issuer URL (its discovery document's
	// base).
	Issuer string `yaml:"issuer"`
	// Tenant is an entra preset's directory (tenant ID or domain).
	Tenant string `yaml:"tenant"`
	// ClientID and the client secret of the OAuth 2.0 kinds (WeCom's
	// secret is its app's, WeChat's its AppSecret).
	ClientID         string   `yaml:"client_id"`
	ClientSecret     string   `yaml:"client_secret"`
	ClientSecretFile string   `yaml:"client_secret_file"`
	ClientSecretEnv  string   `yaml:"client_secret_env"`
	Scopes           []string `yaml:"scopes"`
	// TeamID, KeyID and PrivateKeyFile sign Sign in with Apple's client
	// secret (preset apple).
	TeamID         string `yaml:"team_id"`
	KeyID          string `yaml:"key_id"`
	PrivateKeyFile string `yaml:"private_key_file"`
	// CorpID and AgentID name a WeCom (企业微信) corporation and app.
	CorpID  string `yaml:"corp_id"`
	AgentID string `yaml:"agent_id"`
	// AppID is a WeChat (微信) app's AppID.
	AppID string `yaml:"app_id"`

	// URL is an LDAP server's ldap:// or ldaps:// URL.
	URL string `yaml:"url"`
	// StartTLS upgrades an ldap:// connection with StartTLS.
	StartTLS bool `yaml:"start_tls"`
	// BindDN and its password are the directory account searches run as.
	BindDN           string     `yaml:"bind_dn"`
	BindPassword     string     `yaml:"bind_password"`
	BindPasswordFile string     `yaml:"bind_password_file"`
	BindPasswordEnv  string     `yaml:"bind_password_env"`
	UserSearch       LDAPSearch `yaml:"user_search"`
	GroupSearch      LDAPSearch `yaml:"group_search"`

	// MetadataURL or MetadataFile is a SAML identity provider's metadata;
	// EntityID is ours, as the identity provider knows us.
	MetadataURL  string `yaml:"metadata_url"`
	MetadataFile string `yaml:"metadata_file"`
	EntityID     string `yaml:"entity_id"`
}

// UpstreamRole gives Role to a user whose Claim (a claim name, or
// "groups") holds Value.
type UpstreamRole struct {
	Claim string `yaml:"claim"`
	Value string `yaml:"value"`
	Role  string `yaml:"role"`
}

// LDAPSearch is an LDAP search: under BaseDN, with Filter (%s stands for
// the user name typed, or the user's DN in a group search).
type LDAPSearch struct {
	BaseDN string `yaml:"base_dn"`
	Filter string `yaml:"filter"`
}

// The oidc presets' issuers; entra's holds the tenant.
var presetIssuers = map[string]string{
	"google": "https://accounts.google.com",
	"entra":  "https://login.microsoftonline.com/%s/v2.0",
	"okta":   "",
	"gitlab": "https://gitlab.com",
	"apple":  "https://appleid.apple.com",
}

// UpstreamCallbackPath is where an upstream sends the browser back,
// under the issuer, for the connector named by its ID at the end.
const UpstreamCallbackPath = "/login/upstream/callback/"

// RedirectURL returns the redirect URI to register at the upstream for
// the connector id: the provider's issuer and UpstreamCallbackPath.
func (c Config) RedirectURL(id string) string {
	return c.Issuer + UpstreamCallbackPath + id
}

// IssuerURL returns the connector's issuer: Issuer when set, else its
// preset's.
func (u Upstream) IssuerURL() string {
	if u.Issuer != "" {
		return u.Issuer
	}
	issuer := presetIssuers[u.Preset]
	if strings.Contains(issuer, "%s") {
		return fmt.Sprintf(issuer, url.PathEscape(u.Tenant))
	}
	return issuer
}

// Secret returns the connector's secret (a client secret, an LDAP bind
// password) from the YAML, its file or its environment variable, looked
// up with lookupEnv; "" when it has none.
func (u Upstream) Secret(lookupEnv func(string) (string, bool)) (string, error) {
	value, file, env, _ := u.secretSource()
	switch {
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("config: upstream %s: read the secret: %w", u.ID, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	case env != "":
		v, ok := lookupEnv(env)
		if !ok || v == "" {
			return "", fmt.Errorf("config: upstream %s: the environment variable %s is not set", u.ID, env)
		}
		return v, nil
	}
	return value, nil
}

// secretSource returns the connector's secret fields and the name of the
// plain one (client_secret or bind_password).
func (u Upstream) secretSource() (value, file, env, name string) {
	if u.Kind == storage.ConnectorLDAP {
		return u.BindPassword, u.BindPasswordFile, u.BindPasswordEnv, "bind_password"
	}
	return u.ClientSecret, u.ClientSecretFile, u.ClientSecretEnv, "client_secret"
}

var upstreamID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

func (c Config) validateUpstreams(p *problems) {
	ids := map[string]int{}
	domains := map[string]string{}
	for i, u := range c.Upstreams {
		path := fmt.Sprintf("upstreams[%d]", i)
		switch j, dup := ids[u.ID]; {
		case !upstreamID.MatchString(u.ID):
			p.add(path+".id", "must be 1 to 32 lower-case letters, digits, \"-\" or \"_\": %q", u.ID)
		case dup:
			p.add(path+".id", "%q is also upstreams[%d].id", u.ID, j)
		default:
			ids[u.ID] = i
		}
		for k, d := range u.Domains {
			dpath := fmt.Sprintf("%s.domains[%d]", path, k)
			key := strings.ToLower(d)
			switch other, dup := domains[key]; {
			case d != key || !mailaddr.Valid("user@"+d):
				p.add(dpath, "not a lower-case email domain: %q", d)
			case dup:
				p.add(dpath, "%q is also %s", d, other)
			default:
				domains[key] = dpath
			}
		}
		if u.OnlyWay && len(u.Domains) == 0 {
			p.add(path+".only_way", "needs domains: the ones this connector is the only way in for")
		}
		if u.Name == "" {
			p.add(path+".name", "required: the name on the sign-in button")
		}
		if u.DefaultRole != "" && !slices.Contains(c.RoleNames(), u.DefaultRole) {
			p.add(path+".default_role", "unknown role %q (want one of %s)", u.DefaultRole, strings.Join(c.RoleNames(), ", "))
		}
		for k, m := range u.RoleMapping {
			mpath := fmt.Sprintf("%s.role_mapping[%d]", path, k)
			if m.Claim == "" {
				p.add(mpath+".claim", "required: a claim name, or \"groups\"")
			}
			if m.Value == "" {
				p.add(mpath+".value", "required")
			}
			if !slices.Contains(c.RoleNames(), m.Role) {
				p.add(mpath+".role", "unknown role %q (want one of %s)", m.Role, strings.Join(c.RoleNames(), ", "))
			}
		}
		c.validateUpstreamKind(p, path, u)
	}
}

// validateUpstreamKind checks the fields the connector's kind needs.
func (c Config) validateUpstreamKind(p *problems, path string, u Upstream) {
	required := func(field, value, what string) {
		if value == "" {
			p.add(path+"."+field, "required for kind %s: %s", u.Kind, what)
		}
	}
	if u.Preset != "" && u.Kind != storage.ConnectorOIDC {
		p.add(path+".preset", "only for kind oidc")
	}
	switch u.Kind {
	case storage.ConnectorOIDC:
		if _, ok := presetIssuers[u.Preset]; u.Preset != "" && !ok {
			p.add(path+".preset", "unknown preset %q (want one of google, entra, okta, gitlab, apple)", u.Preset)
		}
		if u.Preset == "entra" {
			required("tenant", u.Tenant, "the Entra ID tenant (its ID or domain)")
		}
		if u.IssuerURL() == "" {
			p.add(path+".issuer", "required for kind oidc: the issuer URL, such as https://sso.example.com")
		} else {
			c.checkURL(p, path+".issuer", u.IssuerURL())
		}
		required("client_id", u.ClientID, "the client ID the upstream issued")
		if u.Preset == "apple" {
			required("team_id", u.TeamID, "the Apple developer team ID")
			required("key_id", u.KeyID, "the ID of the Sign in with Apple key")
			checkFile(p, path+".private_key_file", u, u.PrivateKeyFile, true)
			return
		}
		c.validateUpstreamSecret(p, path, u)
	case storage.ConnectorGitHub, storage.ConnectorDingTalk, storage.ConnectorFeishu:
		required("client_id", u.ClientID, "the app's client ID (App Key, App ID)")
		c.validateUpstreamSecret(p, path, u)
	case storage.ConnectorWeCom:
		required("corp_id", u.CorpID, "the WeCom corporation ID")
		required("agent_id", u.AgentID, "the WeCom app's AgentId")
		c.validateUpstreamSecret(p, path, u)
	case storage.ConnectorWeChat:
		required("app_id", u.AppID, "the WeChat app's AppID")
		c.validateUpstreamSecret(p, path, u)
	case storage.ConnectorLDAP:
		c.validateLDAP(p, path, u)
	case storage.ConnectorSAML:
		switch {
		case u.MetadataURL == "" && u.MetadataFile == "":
			p.add(path+".metadata_url", "required for kind saml: set metadata_url or metadata_file")
		case u.MetadataURL != "" && u.MetadataFile != "":
			p.add(path+".metadata_url", "set metadata_url or metadata_file, not both")
		case u.MetadataURL != "":
			c.checkURL(p, path+".metadata_url", u.MetadataURL)
		default:
			checkFile(p, path+".metadata_file", u, u.MetadataFile, true)
		}
		required("entity_id", u.EntityID, "the entity ID the identity provider knows this provider by")
	default:
		p.add(path+".kind", "unknown kind %q (want one of %s)", u.Kind, strings.Join(storage.ConnectorKinds, ", "))
	}
}

func (c Config) validateLDAP(p *problems, path string, u Upstream) {
	if u.URL == "" {
		p.add(path+".url", "required for kind ldap: the directory's URL, such as ldaps://ldap.example.com")
	} else if l, err := url.Parse(u.URL); err != nil || (l.Scheme != "ldap" && l.Scheme != "ldaps") || l.Host == "" {
		p.add(path+".url", "must be an ldap:// or ldaps:// URL with a host: %q", u.URL)
	} else {
		if l.Scheme == "ldaps" && u.StartTLS {
			p.add(path+".start_tls", "only for an ldap:// URL: ldaps:// is TLS already")
		}
		if l.Scheme == "ldap" && !u.StartTLS && !c.Dev && !clientrules.IsLoopback(l.Hostname()) {
			p.add(path+".url", "ldap:// sends the bind password in clear: use ldaps:// or start_tls")
		}
	}
	if u.BindDN == "" {
		p.add(path+".bind_dn", "required for kind ldap: the DN searches bind as")
	}
	c.validateUpstreamSecret(p, path, u)
	if u.UserSearch.BaseDN == "" {
		p.add(path+".user_search.base_dn", "required for kind ldap: where users are")
	}
	if !strings.Contains(u.UserSearch.Filter, "%s") {
		p.add(path+".user_search.filter", "required for kind ldap, with %%s for the user name, such as (uid=%%s)")
	}
	if u.GroupSearch.BaseDN != "" && !strings.Contains(u.GroupSearch.Filter, "%s") {
		p.add(path+".group_search.filter", "needs %%s for the user's DN, such as (member=%%s)")
	}
}

// validateUpstreamSecret checks that the connector's secret comes from one
// place and, for a file, that it can be read. No message quotes it.
func (c Config) validateUpstreamSecret(p *problems, path string, u Upstream) {
	value, file, env, name := u.secretSource()
	n := 0
	for _, s := range []string{value, file, env} {
		if s != "" {
			n++
		}
	}
	switch {
	case n == 0:
		p.add(path+"."+name, "required for kind %s: set %s, %s_file or %s_env", u.Kind, name, name, name)
	case n > 1:
		p.add(path+"."+name, "set one of %s, %s_file and %s_env", name, name, name)
	case file != "":
		checkFile(p, path+"."+name+"_file", u, file, false)
	}
}

// checkURL adds a problem at path unless raw is an https URL (http for a
// loopback host or in dev mode).
func (c Config) checkURL(p *problems, path, raw string) {
	u, err := url.Parse(raw)
	if err != nil {
		p.add(path, "not a URL: %q", raw)
		return
	}
	if msg := clientrules.WebURLProblem(u, c.Dev); msg != "" {
		p.add(path, "%s: %q", msg, raw)
	}
}

// checkFile adds a problem at path when the file name is missing
// (required) or, for a connector in use, cannot be read: a disabled
// connector's files are not read.
func checkFile(p *problems, path string, u Upstream, name string, required bool) {
	switch {
	case name == "" && required:
		p.add(path, "required")
	case name != "" && !u.Disabled:
		if _, err := os.Stat(name); err != nil {
			p.add(path, "cannot read %q: %v", name, err)
		}
	}
}
