package config

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/tokenim/tokenim-auth/provider/clientrules"
	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/upstream"
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
	ID string `yaml:"id" json:"-"`
	// Kind is one of storage.ConnectorKinds.
	Kind string `yaml:"kind" json:"-"`
	// Preset fills an oidc connector's issuer: google, entra (with
	// tenant), okta (issuer still required: the organisation's URL),
	// gitlab (issuer optional, for a self-hosted GitLab) or apple (with
	// team_id, key_id and private_key_file instead of a client secret).
	Preset string `yaml:"preset" json:"preset,omitzero"`
	// Name and NameZH are the display names in English and Simplified
	// Chinese.
	Name   string `yaml:"name" json:"-"`
	NameZH string `yaml:"name_zh" json:"-"`
	// Icon is a known icon name (upstream.Icons: google, github, ...),
	// optional.
	Icon string `yaml:"icon" json:"-"`
	// Domains are the email domains routed here, unique across
	// connectors.
	Domains []string `yaml:"domains" json:"-"`
	// OnlyWay makes the connector the only way in for its domains.
	OnlyWay bool `yaml:"only_way" json:"-"`
	// JIT creates an account with DefaultRole (a role's name) on a first
	// sign-in.
	JIT         bool   `yaml:"jit" json:"-"`
	DefaultRole string `yaml:"default_role" json:"-"`
	// LinkUnverifiedEmail lets an email the upstream did not verify link
	// an existing account.
	LinkUnverifiedEmail bool `yaml:"link_unverified_email" json:"-"`
	// RoleMapping gives roles by claim or group values.
	RoleMapping []UpstreamRole `yaml:"role_mapping" json:"-"`
	// Disabled keeps the connector out of use (and its files unread).
	Disabled bool `yaml:"disabled" json:"-"`

	// Issuer is an oidc connector's issuer URL (its discovery document's
	// base).
	Issuer string `yaml:"issuer" json:"issuer,omitzero"`
	// Tenant is an entra preset's directory (tenant ID or domain).
	Tenant string `yaml:"tenant" json:"tenant,omitzero"`
	// ClientID and the client secret of the OAuth 2.0 kinds (WeCom's
	// secret is its app's, WeChat's its AppSecret).
	ClientID         string   `yaml:"client_id" json:"client_id,omitzero"`
	ClientSecret     string   `yaml:"client_secret" json:"-"`
	ClientSecretFile string   `yaml:"client_secret_file" json:"-"`
	ClientSecretEnv  string   `yaml:"client_secret_env" json:"-"`
	Scopes           []string `yaml:"scopes" json:"scopes,omitzero"`
	// EndUpstreamSession (oidc only; default off): when a session this
	// connector signed in ends by our logout, the browser goes on to the
	// upstream's end_session_endpoint (RP-Initiated Logout), so the user
	// is signed out there too, then comes back to our issuer +
	// "/login/upstream/logged-out/" + ID: the post-logout redirect URI to
	// register at the upstream. Off for a consumer account (Google) whose
	// user expects to stay signed in there; on for a company's SSO.
	EndUpstreamSession bool `yaml:"end_upstream_session" json:"end_upstream_session,omitzero"`
	// BaseURL is a GitHub Enterprise Server's address (oauth2-github;
	// empty: github.com).
	BaseURL string `yaml:"base_url" json:"base_url,omitzero"`
	// Lark signs in through Lark, Feishu's international edition
	// (larksuite.com), instead of Feishu (feishu.cn) (feishu only).
	Lark bool `yaml:"lark" json:"lark,omitzero"`
	// TeamID, KeyID and PrivateKeyFile sign Sign in with Apple's client
	// secret (preset apple).
	TeamID         string `yaml:"team_id" json:"team_id,omitzero"`
	KeyID          string `yaml:"key_id" json:"key_id,omitzero"`
	PrivateKeyFile string `yaml:"private_key_file" json:"-"`
	// CorpID and AgentID name a WeCom (企业微信) corporation and app.
	CorpID  string `yaml:"corp_id" json:"corp_id,omitzero"`
	AgentID string `yaml:"agent_id" json:"agent_id,omitzero"`
	// AppID is a WeChat (微信) app's AppID.
	AppID string `yaml:"app_id" json:"app_id,omitzero"`

	// URL is an LDAP server's ldap:// or ldaps:// URL.
	URL string `yaml:"url" json:"url,omitzero"`
	// StartTLS upgrades an ldap:// connection with StartTLS.
	StartTLS bool `yaml:"start_tls" json:"start_tls,omitzero"`
	// BindDN and its password are the directory account searches run as.
	BindDN           string     `yaml:"bind_dn" json:"bind_dn,omitzero"`
	BindPassword     string     `yaml:"bind_password" json:"-"`
	BindPasswordFile string     `yaml:"bind_password_file" json:"-"`
	BindPasswordEnv  string     `yaml:"bind_password_env" json:"-"`
	UserSearch       LDAPSearch `yaml:"user_search" json:"user_search,omitzero"`
	GroupSearch      LDAPSearch `yaml:"group_search" json:"group_search,omitzero"`
	// CAFile is a PEM bundle of the certificates that verify the
	// directory's (ldaps:// or StartTLS); empty: the system's.
	CAFile string `yaml:"ca_file" json:"-"`
	// EnabledFilter is an LDAP filter the user's entry must match to
	// sign in, such as (!(pwdAccountLockedTime=*)); empty: the
	// directory's own lock marks only.
	EnabledFilter string `yaml:"enabled_filter" json:"enabled_filter,omitzero"`
	// Attributes name what an identity is read from: an LDAP entry's
	// attributes (empty: the defaults of provider/upstream/ldap), or a
	// SAML assertion's (email, name, username and groups only).
	Attributes UpstreamAttributes `yaml:"attributes" json:"attributes,omitzero"`
	// EmailVerified says whether the directory's mail (ldap) or the
	// assertion's email attribute (saml) counts as verified when an
	// account is created or linked (default false: neither protocol says).
	EmailVerified bool `yaml:"email_verified" json:"email_verified,omitzero"`

	// MetadataURL or MetadataFile is a SAML identity provider's metadata;
	// EntityID is ours, as the identity provider knows us.
	MetadataURL  string `yaml:"metadata_url" json:"metadata_url,omitzero"`
	MetadataFile string `yaml:"metadata_file" json:"-"`
	EntityID     string `yaml:"entity_id" json:"entity_id,omitzero"`
	// SPKeyFile and SPCertificateFile are PEM files of our key and its
	// certificate: with them our AuthnRequests are signed and encrypted
	// assertions decrypted. Both or neither.
	SPKeyFile         string `yaml:"sp_key_file" json:"-"`
	SPCertificateFile string `yaml:"sp_certificate_file" json:"-"`
}

// UpstreamAttributes name the attributes an identity is read from (ldap,
// and saml but for Subject and GroupName); empty takes the connector's
// default.
type UpstreamAttributes struct {
	// Subject is stable for the entry's life (entryUUID, objectGUID).
	Subject string `yaml:"subject" json:"subject,omitzero"`
	Email   string `yaml:"email" json:"email,omitzero"`
	Name    string `yaml:"name" json:"name,omitzero"`
	// Username is the login name (uid, sAMAccountName).
	Username string `yaml:"username" json:"username,omitzero"`
	// Groups holds the user's groups (memberOf).
	Groups string `yaml:"groups" json:"groups,omitzero"`
	// GroupName is read from the group search's entries (cn).
	GroupName string `yaml:"group_name" json:"group_name,omitzero"`
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
	BaseDN string `yaml:"base_dn" json:"base_dn,omitzero"`
	Filter string `yaml:"filter" json:"filter,omitzero"`
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
	taken := upstreamsTaken{ids: map[string]string{}, domains: map[string]string{}}
	for i, u := range c.Upstreams {
		path := fmt.Sprintf("upstreams[%d]", i)
		c.checkUpstream(p, path, u, false, taken)
		taken.add(u, func(field string) string { return path + "." + field })
	}
}

// upstreamsTaken are the IDs and email domains connectors hold already,
// each with who holds it, as a problem names it.
type upstreamsTaken struct {
	ids, domains map[string]string
}

// add takes u's ID and domains, naming their holder by where(field):
// an unchecked value that is not an ID or a domain takes nothing.
func (t upstreamsTaken) add(u Upstream, where func(field string) string) {
	if _, dup := t.ids[u.ID]; !dup && upstreamID.MatchString(u.ID) {
		t.ids[u.ID] = where("id")
	}
	for k, d := range u.Domains {
		key := strings.ToLower(d)
		if _, dup := t.domains[key]; !dup {
			t.domains[key] = where(fmt.Sprintf("domains[%d]", k))
		}
	}
}

// checkUpstream checks one connector at path, whose ID and domains must
// not be taken already; sealed: it has a secret sealed in the store (a
// connector made in the console).
func (c Config) checkUpstream(p *problems, path string, u Upstream, sealed bool, taken upstreamsTaken) {
	switch other, dup := taken.ids[u.ID]; {
	case !upstreamID.MatchString(u.ID):
		p.add(path+".id", "must be 1 to 32 lower-case letters, digits, \"-\" or \"_\": %q", u.ID)
	case dup:
		p.add(path+".id", "%q is also %s", u.ID, other)
	}
	seen := map[string]bool{}
	for k, d := range u.Domains {
		dpath := fmt.Sprintf("%s.domains[%d]", path, k)
		key := strings.ToLower(d)
		switch other, dup := taken.domains[key]; {
		case d != key || !mailaddr.Valid("user@"+d):
			p.add(dpath, "not a lower-case email domain: %q", d)
		case dup:
			p.add(dpath, "%q is also %s", d, other)
		case seen[key]:
			p.add(dpath, "%q is listed twice", d)
		}
		seen[key] = true
	}
	if u.OnlyWay && len(u.Domains) == 0 {
		p.add(path+".only_way", "needs domains: the ones this connector is the only way in for")
	}
	if u.Name == "" {
		p.add(path+".name", "required: the name on the sign-in button")
	}
	for _, f := range []struct{ name, value string }{{"name", u.Name}, {"name_zh", u.NameZH}} {
		if !upstream.CleanText(f.value) {
			p.add(path+"."+f.name, "not text: it holds a control character or bytes that are not UTF-8")
		}
	}
	if u.Icon != "" && !slices.Contains(upstream.Icons(), u.Icon) {
		p.add(path+".icon", "unknown icon %q (want one of %s)", u.Icon, strings.Join(upstream.Icons(), ", "))
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
	c.validateUpstreamKind(p, path, u, sealed)
	checkKindFields(p, path, u)
}

// validateUpstreamKind checks the fields the connector's kind needs.
func (c Config) validateUpstreamKind(p *problems, path string, u Upstream, sealed bool) {
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
		c.validateUpstreamSecret(p, path, u, sealed)
	case storage.ConnectorGitHub, storage.ConnectorDingTalk, storage.ConnectorFeishu:
		required("client_id", u.ClientID, "the app's client ID (App Key, App ID)")
		if u.BaseURL != "" {
			c.checkURL(p, path+".base_url", u.BaseURL)
		}
		c.validateUpstreamSecret(p, path, u, sealed)
	case storage.ConnectorWeCom:
		required("corp_id", u.CorpID, "the WeCom corporation ID")
		required("agent_id", u.AgentID, "the WeCom app's AgentId")
		c.validateUpstreamSecret(p, path, u, sealed)
	case storage.ConnectorWeChat:
		required("app_id", u.AppID, "the WeChat app's AppID")
		c.validateUpstreamSecret(p, path, u, sealed)
	case storage.ConnectorLDAP:
		c.validateLDAP(p, path, u, sealed)
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
		checkSPKeyPair(p, path, u)
	default:
		p.add(path+".kind", "unknown kind %q (want one of %s)", u.Kind, strings.Join(storage.ConnectorKinds, ", "))
	}
}

func (c Config) validateLDAP(p *problems, path string, u Upstream, sealed bool) {
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
	c.validateUpstreamSecret(p, path, u, sealed)
	if u.UserSearch.BaseDN == "" {
		p.add(path+".user_search.base_dn", "required for kind ldap: where users are")
	}
	if !strings.Contains(u.UserSearch.Filter, "%s") {
		p.add(path+".user_search.filter", "required for kind ldap, with %%s for the user name, such as (uid=%%s)")
	}
	if u.GroupSearch.BaseDN != "" && !strings.Contains(u.GroupSearch.Filter, "%s") {
		p.add(path+".group_search.filter", "needs %%s for the user's DN, such as (member=%%s)")
	}
	if u.EnabledFilter != "" {
		if _, err := goldap.CompileFilter(u.EnabledFilter); err != nil {
			p.add(path+".enabled_filter", "not an LDAP filter, such as (!(pwdAccountLockedTime=*)): %q", u.EnabledFilter)
		}
	}
	if checkFile(p, path+".ca_file", u, u.CAFile, false) {
		if pem, err := os.ReadFile(u.CAFile); err != nil || !x509.NewCertPool().AppendCertsFromPEM(pem) {
			p.add(path+".ca_file", "holds no PEM certificate: %q", u.CAFile)
		}
	}
}

// validateUpstreamSecret checks that the connector's secret comes from one
// place and, for a file, that it can be read; sealed: a secret sealed in
// the store stands for it when none is given. No message quotes it.
func (c Config) validateUpstreamSecret(p *problems, path string, u Upstream, sealed bool) {
	value, file, env, name := u.secretSource()
	n := 0
	for _, s := range []string{value, file, env} {
		if s != "" {
			n++
		}
	}
	if sealed && value == "" {
		n++
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
// connector's files are not read. It reports whether the file is there
// to be read further.
func checkFile(p *problems, path string, u Upstream, name string, required bool) bool {
	switch {
	case name == "" && required:
		p.add(path, "required")
	case name != "" && !u.Disabled:
		if _, err := os.Stat(name); err != nil {
			p.add(path, "cannot read %q: %v", name, err)
			return false
		}
		return true
	}
	return false
}

// checkSPKeyPair checks a saml connector's key and certificate: both or
// neither, and a pair that matches.
func checkSPKeyPair(p *problems, path string, u Upstream) {
	switch {
	case u.SPKeyFile == "" && u.SPCertificateFile == "":
		return
	case u.SPKeyFile == "":
		p.add(path+".sp_key_file", "required with sp_certificate_file: set both or neither")
		return
	case u.SPCertificateFile == "":
		p.add(path+".sp_certificate_file", "required with sp_key_file: set both or neither")
		return
	}
	key := checkFile(p, path+".sp_key_file", u, u.SPKeyFile, true)
	cert := checkFile(p, path+".sp_certificate_file", u, u.SPCertificateFile, true)
	if key && cert {
		if _, err := tls.LoadX509KeyPair(u.SPCertificateFile, u.SPKeyFile); err != nil {
			p.add(path+".sp_key_file", "not a PEM key matching sp_certificate_file's certificate: %v", err)
		}
	}
}

// ldapAttribute is an LDAP attribute description: a name or an OID, with
// options (RFC 4512 section 2.5).
var ldapAttribute = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*|[0-9]+(\.[0-9]+)+)(;[A-Za-z0-9-]+)*$`)

// checkKindFields refuses the fields of the ldap and saml kinds on a
// connector of another kind, and checks the attribute names.
func checkKindFields(p *problems, path string, u Upstream) {
	ldap, saml, oidc := u.Kind == storage.ConnectorLDAP, u.Kind == storage.ConnectorSAML, u.Kind == storage.ConnectorOIDC
	only := func(field string, set, ok bool, kinds string) {
		if set && !ok {
			p.add(path+"."+field, "only for kind %s", kinds)
		}
	}
	only("ca_file", u.CAFile != "", ldap, "ldap")
	only("enabled_filter", u.EnabledFilter != "", ldap, "ldap")
	only("email_verified", u.EmailVerified, ldap || saml, "ldap or saml")
	only("sp_key_file", u.SPKeyFile != "", saml, "saml")
	only("sp_certificate_file", u.SPCertificateFile != "", saml, "saml")
	only("end_upstream_session", u.EndUpstreamSession, oidc, "oidc")
	only("base_url", u.BaseURL != "", u.Kind == storage.ConnectorGitHub, storage.ConnectorGitHub)
	only("lark", u.Lark, u.Kind == storage.ConnectorFeishu, storage.ConnectorFeishu)
	only("attributes", u.Attributes != UpstreamAttributes{}, ldap || saml, "ldap or saml")
	only("attributes.subject", u.Attributes.Subject != "", !saml, "ldap")
	only("attributes.group_name", u.Attributes.GroupName != "", !saml, "ldap")
	if !ldap && !saml {
		return
	}
	a := u.Attributes
	for _, f := range []struct{ name, value string }{
		{"subject", a.Subject}, {"email", a.Email}, {"name", a.Name}, {"username", a.Username}, {"groups", a.Groups}, {"group_name", a.GroupName},
	} {
		switch {
		case f.value == "":
		case ldap && !ldapAttribute.MatchString(f.value):
			p.add(path+".attributes."+f.name, "not an LDAP attribute name, such as mail: %q", f.value)
		case saml && (len(f.value) > 256 || strings.TrimSpace(f.value) != f.value || !upstream.CleanText(f.value)):
			p.add(path+".attributes."+f.name, "not a SAML attribute name, such as urn:oid:0.9.2342.19200300.100.1.3: %q", f.value)
		}
	}
}

// Problem is one thing wrong with a connector checked on its own
// (CheckUpstream): Field is the YAML path of the field at fault within
// the connector ("client_id", "user_search.filter", "domains[0]"), and
// Message what is wrong, as validation says it of a configured one.
type Problem struct {
	Field   string
	Message string
}

// Error returns "field: message".
func (p Problem) Error() string { return p.Field + ": " + p.Message }

// Path returns the field at fault.
func (p Problem) Path() string { return p.Field }

// CheckUpstream checks a connector made in the console by the rules of a
// configured one, in c's mode and against c's roles, and returns every
// problem. others are the connectors whose IDs and domains it must not
// take (the configured ones and the other stored ones). hasSecret: a
// secret is typed or kept sealed, standing for client_secret or
// bind_password. A console connector reads no file on the server: its
// settings (ConnectorUpstream) hold none.
func (c Config) CheckUpstream(u Upstream, hasSecret bool, others []Upstream) []Problem {
	var p problems
	taken := upstreamsTaken{ids: map[string]string{}, domains: map[string]string{}}
	for _, o := range others {
		taken.add(o, func(field string) string {
			if field == "id" {
				return fmt.Sprintf("the ID of connector %q", o.ID)
			}
			return fmt.Sprintf("a domain of connector %q", o.ID)
		})
	}
	if u.Preset == "apple" {
		p.add(".preset", "apple signs with a key file on the server: configure it in the configuration file")
	}
	c.checkUpstream(&p, "", u, hasSecret, taken)
	out := make([]Problem, 0, len(p))
	for _, e := range p {
		field, msg, _ := strings.Cut(e.Error(), ": ")
		out = append(out, Problem{Field: field, Message: msg})
	}
	return out
}

// CheckConnector checks a connector the console is about to store
// (CheckUpstream against the configured connectors and stored, the other
// stored ones: a changed connector's own record left out) and returns it with its settings as ConnectorSettings writes
// them, or its problems, each a Problem. secretTyped: a new secret comes
// with it; else its sealed one, if any, stays.
func (c Config) CheckConnector(sc storage.Connector, secretTyped bool, stored []storage.Connector) (storage.Connector, []error) {
	u, err := ConnectorUpstream(sc)
	if err != nil {
		return sc, []error{err}
	}
	others := slices.Clone(c.Upstreams)
	for _, o := range stored {
		others = append(others, Upstream{ID: o.ID, Domains: o.Domains})
	}
	var errs []error
	for _, pr := range c.CheckUpstream(u, secretTyped || len(sc.SealedSecret) > 0, others) {
		errs = append(errs, pr)
	}
	if len(errs) > 0 {
		return sc, errs
	}
	sc = sc.Clone()
	if sc.Settings, err = ConnectorSettings(u); err != nil {
		return sc, []error{err}
	}
	return sc, nil
}

// ConfiguredConnectors returns the configured connectors as the console
// shows them (read-only): their settings as ConnectorSettings writes
// them, never a secret.
func (c Config) ConfiguredConnectors() []storage.Connector {
	out := make([]storage.Connector, 0, len(c.Upstreams))
	for _, u := range c.Upstreams {
		// Settings of text and booleans always marshal.
		sc, _ := upstreamConnector(u)
		out = append(out, sc)
	}
	return out
}

// upstreamConnector returns u as the store would keep it: the inverse of
// ConnectorUpstream, without a secret.
func upstreamConnector(u Upstream) (storage.Connector, error) {
	settings, err := ConnectorSettings(u)
	sc := storage.Connector{ID: u.ID, Kind: u.Kind, Name: u.Name, NameZH: u.NameZH, Icon: u.Icon, Settings: settings,
		Domains: slices.Clone(u.Domains), OnlyWay: u.OnlyWay, JIT: u.JIT, DefaultRole: u.DefaultRole,
		LinkUnverifiedEmail: u.LinkUnverifiedEmail, Disabled: u.Disabled}
	for _, m := range u.RoleMapping {
		sc.RoleMapping = append(sc.RoleMapping, storage.RoleMapping(m))
	}
	return sc, err
}

// ConnectorUpstream returns the stored connector sc as a configured one,
// without its secret (OpenConnector opens it too). Its settings are
// decoded strictly, by the YAML keys: an unknown key, a secret
// (client_secret, bind_password and their _file and _env) or a file on
// the server (private_key_file, metadata_file, ca_file, sp_key_file,
// sp_certificate_file) is a Problem naming it.
func ConnectorUpstream(sc storage.Connector) (Upstream, error) {
	var u Upstream
	if len(sc.Settings) > 0 {
		dec := json.NewDecoder(bytes.NewReader(sc.Settings))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&u); err != nil {
			return Upstream{}, settingsProblem(err)
		}
		if dec.More() {
			return Upstream{}, Problem{Field: "settings", Message: "one JSON object, nothing after it"}
		}
	}
	u.ID, u.Kind, u.Name, u.NameZH, u.Icon = sc.ID, sc.Kind, sc.Name, sc.NameZH, sc.Icon
	u.Domains, u.OnlyWay, u.JIT, u.DefaultRole = slices.Clone(sc.Domains), sc.OnlyWay, sc.JIT, sc.DefaultRole
	u.LinkUnverifiedEmail, u.Disabled = sc.LinkUnverifiedEmail, sc.Disabled
	for _, m := range sc.RoleMapping {
		u.RoleMapping = append(u.RoleMapping, UpstreamRole(m))
	}
	return u, nil
}

// settingsProblem describes why a connector's settings did not decode.
func settingsProblem(err error) Problem {
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return Problem{Field: cmp.Or(strings.Trim(name, `"`), "settings"), Message: "not a setting a connector made in the console keeps: " +
			"a secret goes in its own write-only field, and files on the server are set in the configuration file only"}
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		want := "an object"
		switch typ.Type.Kind() {
		case reflect.String:
			want = "text"
		case reflect.Bool:
			want = "true or false"
		case reflect.Slice:
			want = "a list of text"
		}
		return Problem{Field: cmp.Or(typ.Field, "settings"), Message: "must be " + want}
	}
	return Problem{Field: "settings", Message: "not a JSON object"}
}

// ConnectorSettings returns u's settings as the store keeps them
// (storage.Connector.Settings): only the fields of its kind, by their
// YAML keys, never a secret nor a file on the server.
func ConnectorSettings(u Upstream) (json.RawMessage, error) {
	var k Upstream
	switch u.Kind {
	case storage.ConnectorOIDC:
		k.Preset, k.Issuer, k.Tenant, k.ClientID, k.Scopes, k.TeamID, k.KeyID = u.Preset, u.Issuer, u.Tenant, u.ClientID, u.Scopes, u.TeamID, u.KeyID
		k.EndUpstreamSession = u.EndUpstreamSession
	case storage.ConnectorGitHub:
		k.ClientID, k.Scopes, k.BaseURL = u.ClientID, u.Scopes, u.BaseURL
	case storage.ConnectorFeishu:
		k.ClientID, k.Lark = u.ClientID, u.Lark
	case storage.ConnectorDingTalk:
		k.ClientID = u.ClientID
	case storage.ConnectorWeCom:
		k.CorpID, k.AgentID = u.CorpID, u.AgentID
	case storage.ConnectorWeChat:
		k.AppID = u.AppID
	case storage.ConnectorLDAP:
		k.URL, k.StartTLS, k.BindDN, k.UserSearch, k.GroupSearch = u.URL, u.StartTLS, u.BindDN, u.UserSearch, u.GroupSearch
		k.EnabledFilter, k.Attributes, k.EmailVerified = u.EnabledFilter, u.Attributes, u.EmailVerified
	case storage.ConnectorSAML:
		k.MetadataURL, k.EntityID, k.EmailVerified = u.MetadataURL, u.EntityID, u.EmailVerified
		k.Attributes = UpstreamAttributes{Email: u.Attributes.Email, Name: u.Attributes.Name, Username: u.Attributes.Username, Groups: u.Attributes.Groups}
	}
	b, err := json.Marshal(k)
	if err != nil {
		return nil, fmt.Errorf("config: connector %s: settings: %w", u.ID, err)
	}
	return b, nil
}

// OpenConnector returns the stored connector sc as a configured one with
// its secret opened (s is the sealer for secret.PurposeUpstreams) into
// client_secret or bind_password: what the sign-in wiring builds a
// console connector from. A connector with no sealed secret has none.
func OpenConnector(sc storage.Connector, s secret.Sealer) (Upstream, error) {
	u, err := ConnectorUpstream(sc)
	if err != nil {
		return Upstream{}, fmt.Errorf("config: connector %s: %w", sc.ID, err)
	}
	if len(sc.SealedSecret) == 0 {
		return u, nil
	}
	plain, err := upstream.OpenSecret(s, sc.ID, sc.SealedSecret)
	if err != nil {
		return Upstream{}, err
	}
	if u.Kind == storage.ConnectorLDAP {
		u.BindPassword = plain
	} else {
		u.ClientSecret = plain
	}
	return u, nil
}
