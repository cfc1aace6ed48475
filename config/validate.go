package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tokenim/tokenim-auth/provider/clientrules"
	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/relyingparty"
)

// Limits Validate enforces.
const (
	// MinSecretLen is the least number of characters of secrets.system and
	// of a client secret.
	MinSecretLen = clientrules.MinSecretLen
	// MinAuthorizeCodeLifespan and MaxAuthorizeCodeLifespan bound
	// lifespans.authorize_code; RFC 6749 §4.1.2 recommends at most ten minutes.
	MinAuthorizeCodeLifespan = time.Second
	// MaxAuthorizeCodeLifespan is the upper bound of lifespans.authorize_code.
	MaxAuthorizeCodeLifespan = 10 * time.Minute
	// MinPARLifespan and MaxPARLifespan bound lifespans.par: long enough
	// for the browser to reach the authorization endpoint, short as RFC
	// 9126 §2.2 asks.
	MinPARLifespan = 5 * time.Second
	// MaxPARLifespan is the upper bound of lifespans.par.
	MaxPARLifespan = 10 * time.Minute
	// MinDeviceCodeLifespan and MaxDeviceCodeLifespan bound
	// lifespans.device_code: long enough to walk to a phone and approve,
	// short enough that a user code cannot be guessed while it lives.
	MinDeviceCodeLifespan = time.Minute
	// MaxDeviceCodeLifespan is the upper bound of lifespans.device_code.
	MaxDeviceCodeLifespan = 30 * time.Minute
	// MinClientAssertionLifespan and MaxClientAssertionLifespan bound
	// lifespans.client_assertion: room for clock skew, and short enough
	// that a leaked assertion is soon useless.
	MinClientAssertionLifespan = time.Minute
	// MaxClientAssertionLifespan is the upper bound of
	// lifespans.client_assertion.
	MaxClientAssertionLifespan = time.Hour
	// MaxRefreshReuseWindow bounds lifespans.refresh_reuse_window: long
	// enough for a retry over a bad network, short enough that a stolen
	// refresh token used after its owner's refresh is still a detected
	// reuse.
	MaxRefreshReuseWindow = clientrules.MaxReuseWindow
	// MinBrowserRefreshToken and MaxBrowserRefreshToken bound
	// lifespans.browser_refresh_token: a browser keeps its refresh tokens
	// where a script injected into the app could read them, so a sign-in
	// there ends within a day at most.
	MinBrowserRefreshToken = time.Minute
	// MaxBrowserRefreshToken is the upper bound of
	// lifespans.browser_refresh_token.
	MaxBrowserRefreshToken = 24 * time.Hour
	// MinDevicePollInterval and MaxDevicePollInterval bound
	// device.poll_interval.
	MinDevicePollInterval = time.Second
	// MaxDevicePollInterval is the upper bound of device.poll_interval.
	MaxDevicePollInterval = time.Minute
)

// Validate checks the whole configuration and returns every problem it finds,
// joined with errors.Join, or nil. Each problem is one line starting with the
// path of the field at fault, such as "clients[1].secret: ...". No message
// quotes a secret or a password.
func (c Config) Validate() error {
	var p problems
	c.validateIssuer(&p)
	c.validateListen(&p)
	c.validateDatabase(&p)
	c.validateRedis(&p)
	c.validateSecrets(&p)
	c.validateLifespans(&p)
	c.validateKeysServerLog(&p)
	c.validateScopes(&p)
	c.validateClients(&p)
	c.validateUsers(&p)
	c.validateUpstreams(&p)
	c.validateJanitor(&p)
	c.validateDPoP(&p)
	c.validateResources(&p)
	c.validateTokenExchange(&p)
	c.validateRegistration(&p)
	c.validateAuthorizationDetails(&p)
	c.validateAudit(&p)
	c.validateRateLimit(&p)
	c.validateMetrics(&p)
	return errors.Join(p...)
}

// problems collects what Validate finds.
type problems []error

// add records a problem with the field at path. A path starting with a
// dot names a field of a value checked on its own (CheckClient), whose
// path is empty: the dot goes.
func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, errors.New(strings.TrimPrefix(path, ".")+": "+fmt.Sprintf(format, args...)))
}

func (c Config) validateIssuer(p *problems) {
	const path = "issuer"
	if c.Issuer == "" {
		p.add(path, "required: the public base URL, such as https://auth.example.com")
		return
	}
	u, err := url.Parse(c.Issuer)
	if err != nil {
		p.add(path, "not a URL: %q", c.Issuer)
		return
	}
	if msg := clientrules.WebURLProblem(u, c.Dev); msg != "" {
		p.add(path, "%s", msg)
	}
	// OpenID Connect Discovery 1.0 §3: the issuer has no query or fragment;
	// without a trailing slash, "/.well-known/..." can be appended as is.
	if u.RawQuery != "" || u.ForceQuery {
		p.add(path, "must not have a query")
	}
	if strings.Contains(c.Issuer, "#") {
		p.add(path, "must not have a fragment")
	}
	if strings.HasSuffix(c.Issuer, "/") {
		p.add(path, "must not end with a slash")
	}
}

func (c Config) validateListen(p *problems) {
	const path = "listen"
	_, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		p.add(path, "not HOST:PORT: %q", c.Listen)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		p.add(path, "port must be a number from 0 to 65535: %q", c.Listen)
	}
}

func (c Config) validateDatabase(p *problems) {
	db := c.Database
	switch {
	case db.URL == "":
		p.add("database.url", `required: "memory" or a postgres:// URL`)
	case db.URL == "memory":
	default:
		// The URL may hold a password: never quote it.
		u, err := url.Parse(db.URL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			p.add("database.url", `not "memory" or a postgres:// URL`)
		}
	}
	if db.MaxConns < 1 {
		p.add("database.max_conns", "must be at least 1, got %d", db.MaxConns)
	}
	if db.QueryTimeout <= 0 {
		p.add("database.query_timeout", "must be greater than 0, got %s", db.QueryTimeout)
	}
}

func (c Config) validateSecrets(p *problems) {
	const path = "secrets.system"
	switch s := c.Secrets.System; {
	case s == "":
		p.add(path, "required: at least %d random characters", MinSecretLen)
	case utf8.RuneCountInString(s) < MinSecretLen:
		p.add(path, "must be at least %d characters", MinSecretLen)
	}
	seen := map[string]bool{c.Secrets.System: true}
	for i, s := range c.Secrets.SystemPrevious {
		path := fmt.Sprintf("secrets.system_previous[%d]", i)
		switch {
		case utf8.RuneCountInString(s) < MinSecretLen:
			p.add(path, "must be at least %d characters", MinSecretLen)
		case s == c.Secrets.System:
			p.add(path, "is secrets.system: a previous secret is the one rotated away from")
		case seen[s]:
			p.add(path, "is given twice")
		}
		seen[s] = true
	}
}

func (c Config) validateLifespans(p *problems) {
	l := c.Lifespans
	if l.AuthorizeCode < MinAuthorizeCodeLifespan || l.AuthorizeCode > MaxAuthorizeCodeLifespan {
		p.add("lifespans.authorize_code", "must be between %s and %s, got %s",
			clientrules.ShortDuration(MinAuthorizeCodeLifespan), clientrules.ShortDuration(MaxAuthorizeCodeLifespan), l.AuthorizeCode)
	}
	if l.PAR < MinPARLifespan || l.PAR > MaxPARLifespan {
		p.add("lifespans.par", "must be between %s and %s, got %s",
			clientrules.ShortDuration(MinPARLifespan), clientrules.ShortDuration(MaxPARLifespan), l.PAR)
	}
	if l.DeviceCode < MinDeviceCodeLifespan || l.DeviceCode > MaxDeviceCodeLifespan {
		p.add("lifespans.device_code", "must be between %s and %s, got %s",
			clientrules.ShortDuration(MinDeviceCodeLifespan), clientrules.ShortDuration(MaxDeviceCodeLifespan), l.DeviceCode)
	}
	if l.ClientAssertion < MinClientAssertionLifespan || l.ClientAssertion > MaxClientAssertionLifespan {
		p.add("lifespans.client_assertion", "must be between %s and %s, got %s",
			clientrules.ShortDuration(MinClientAssertionLifespan), clientrules.ShortDuration(MaxClientAssertionLifespan), l.ClientAssertion)
	}
	reuseWindow(p, "lifespans.refresh_reuse_window", l.RefreshReuseWindow)
	if l.BrowserRefreshToken < MinBrowserRefreshToken || l.BrowserRefreshToken > MaxBrowserRefreshToken {
		p.add("lifespans.browser_refresh_token", "must be between %s and %s, got %s",
			clientrules.ShortDuration(MinBrowserRefreshToken), clientrules.ShortDuration(MaxBrowserRefreshToken), l.BrowserRefreshToken)
	}
	if i := c.Device.PollInterval; i < MinDevicePollInterval || i > MaxDevicePollInterval || i%time.Second != 0 {
		p.add("device.poll_interval", "must be whole seconds between %s and %s, got %s",
			clientrules.ShortDuration(MinDevicePollInterval), clientrules.ShortDuration(MaxDevicePollInterval), i)
	}
	positive := []struct {
		path string
		d    time.Duration
	}{
		{"lifespans.access_token", l.AccessToken},
		{"lifespans.refresh_token", l.RefreshToken},
		{"lifespans.id_token", l.IDToken},
		{"lifespans.login_session", l.LoginSession},
		{"lifespans.flow", l.Flow},
	}
	for _, f := range positive {
		if f.d <= 0 {
			p.add(f.path, "must be greater than 0, got %s", f.d)
		}
	}
	if l.Consent < 0 {
		p.add("lifespans.consent", "must not be negative (0 means never expires), got %s", l.Consent)
	}
	if l.AccessToken > 0 && l.RefreshToken > 0 && l.RefreshToken < l.AccessToken {
		p.add("lifespans.refresh_token", "must not be shorter than lifespans.access_token (%s), got %s",
			l.AccessToken, l.RefreshToken)
	}
}

// reuseWindow checks a refresh token reuse window at path (see
// clientrules.ReuseWindowProblem).
func reuseWindow(p *problems, path string, w time.Duration) {
	if msg := clientrules.ReuseWindowProblem(w); msg != "" {
		p.add(path, "%s", msg)
	}
}

func (c Config) validateKeysServerLog(p *problems) {
	oneOf(p, "keys.algorithm", c.Keys.Algorithm, SigningAlgs()...)
	if c.Keys.Refresh < time.Second || c.Keys.Refresh > 10*time.Minute {
		p.add("keys.refresh", "must be between 1s and 10m")
	}
	c.validateAccounts(p)
	c.validateRoles(p)
	if k := c.APIKeys; k.Lifetime < 0 || (k.Lifetime > 0 && k.Lifetime < time.Hour) {
		p.add("api_keys.lifetime", "must be 0 (never expire) or at least 1h")
	}
	if k := c.APIKeys; k.Grace < 0 || (k.Lifetime > 0 && k.Grace > k.Lifetime) {
		p.add("api_keys.grace", "must be between 0 and api_keys.lifetime")
	}
	if c.APIKeys.Warn < 0 {
		p.add("api_keys.warn", "must not be negative")
	}
	oneOf(p, "log.level", c.Log.Level, "debug", "info", "warn", "error")
	oneOf(p, "log.format", c.Log.Format, "json", "text")
	s := c.Server
	timeouts := []struct {
		path string
		d    time.Duration
	}{
		{"server.read_header_timeout", s.ReadHeaderTimeout},
		{"server.read_timeout", s.ReadTimeout},
		{"server.write_timeout", s.WriteTimeout},
		{"server.idle_timeout", s.IdleTimeout},
		{"server.shutdown_timeout", s.ShutdownTimeout},
	}
	for _, t := range timeouts {
		if t.d <= 0 {
			p.add(t.path, "must be greater than 0, got %s", t.d)
		}
	}
	if s.GCPercent != -1 && (s.GCPercent < 25 || s.GCPercent > 10000) {
		p.add("server.gc_percent", "must be -1 (no collection) or from 25 to 10000, got %d", s.GCPercent)
	}
	s.HSTS.validate(p)
}

// validate checks the Strict-Transport-Security policy; hstspreload.org
// refuses a preload without subdomains or with less than a year.
func (h HSTS) validate(p *problems) {
	const year = 365 * 24 * time.Hour
	if h.MaxAge < 0 || h.MaxAge%time.Second != 0 {
		p.add("server.hsts.max_age", "must be 0 or more whole seconds, got %s", h.MaxAge)
	}
	if h.Preload && (!h.IncludeSubdomains || h.MaxAge < year) {
		p.add("server.hsts.preload", "needs server.hsts.include_subdomains and a max_age of at least 8760h (a year)")
	}
}

// oneOf records a problem unless value is one of allowed.
func oneOf(p *problems, path, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		p.add(path, "must be one of %s, got %q", strings.Join(allowed, ", "), value)
	}
}

func (c Config) validateScopes(p *problems) {
	seen := make(map[string]int)
	for i, s := range c.Scopes {
		path := fmt.Sprintf("scopes[%d]", i)
		switch {
		case s.Name == "":
			p.add(path+".name", "required")
		case !isScopeToken(s.Name):
			p.add(path+".name", "must be printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3): %q", s.Name)
		}
		if j, dup := seen[s.Name]; dup && s.Name != "" {
			p.add(path+".name", "%q is also scopes[%d].name", s.Name, j)
		} else {
			seen[s.Name] = i
		}
		for _, loc := range []string{"en", "zh-CN"} { // the consent page's locales
			if strings.TrimSpace(s.Description[loc]) == "" {
				p.add(path+".description", "missing %s", loc)
			}
		}
	}
	if _, ok := seen[ScopeOpenID]; !ok {
		p.add("scopes", "%s must be in the catalogue", ScopeOpenID)
	}
}

// isScopeToken reports whether s is a scope-token of RFC 6749 §3.3:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func isScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		b := s[i]
		if b < 0x21 || b > 0x7E || b == '"' || b == '\\' {
			return false
		}
	}
	return true
}

func (c Config) validateClients(p *problems) {
	seen := make(map[string]int)
	for i, cl := range c.Clients {
		path := fmt.Sprintf("clients[%d]", i)
		if j, dup := seen[cl.ID]; dup && cl.ID != "" {
			p.add(path+".id", "%q is also clients[%d].id", cl.ID, j)
		} else {
			seen[cl.ID] = i
		}
		c.validateClient(p, path, cl, true)
	}
}

// CheckClient checks a client registered while the provider runs (by the
// command line) by the rules of a configured one, in c's mode and against
// c's scope catalogue, but for its secret, which the provider makes. It
// returns every problem, joined, each starting with the client's field
// ("redirect_uris[0]: ..."), or nil.
func (c Config) CheckClient(cl Client) error {
	var p problems
	c.validateClient(&p, "", cl, false)
	return errors.Join(p...)
}

// validateClient checks a client by clientrules.Check, its secret too
// when withSecret, each problem under path.
func (c Config) validateClient(p *problems, path string, cl Client, withSecret bool) {
	o := clientrules.Options{Dev: c.Dev, Scopes: c.scopeNames(), Secret: withSecret, DPoPOff: !c.DPoP.Enabled}
	for _, pr := range clientrules.Check(cl.rules(), o) {
		p.add(path+"."+pr.Path(), "%s", pr.Message)
	}
}

// scopeNames are the names in the scope catalogue.
func (c Config) scopeNames() []string {
	names := make([]string, 0, len(c.Scopes))
	for _, s := range c.Scopes {
		names = append(names, s.Name)
	}
	return names
}

func (c Config) validateUsers(p *problems) {
	seen := make(map[string]int)
	for i, u := range c.Users {
		path := fmt.Sprintf("users[%d]", i)
		key := strings.ToLower(u.Email)
		switch j, dup := seen[key]; {
		case !mailaddr.Valid(u.Email):
			p.add(path+".email", "not an email address: %q", u.Email)
		case dup:
			p.add(path+".email", "%q is also users[%d].email", u.Email, j)
		default:
			seen[key] = i
		}
		switch {
		case u.Password == "" && u.PasswordHash == "":
			p.add(path+".password", "set password or password_hash")
		case u.Password != "" && u.PasswordHash != "":
			p.add(path+".password", "set password or password_hash, not both")
		case u.Password != "":
			if password.Check(u.Password) != nil {
				p.add(path+".password", "must be %d to %d characters", password.MinLength, password.MaxLength)
			}
		default:
			if !isArgon2idPHC(u.PasswordHash) {
				p.add(path+".password_hash", "not an argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash)")
			}
		}
		if u.Role != "" && !slices.Contains(c.RoleNames(), u.Role) {
			p.add(path+".role", "unknown role %q (want one of %s)", u.Role, strings.Join(c.RoleNames(), ", "))
		}
	}
}

// isArgon2idPHC reports whether s is an argon2id hash in PHC string format,
// as golang.org/x/crypto/argon2 users write it:
// $argon2id$v=19$m=MEMORY,t=TIME,p=THREADS$SALT$HASH, salt and hash in
// unpadded standard base64.
func isArgon2idPHC(s string) bool {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return false
	}
	params := make(map[string]bool)
	for kv := range strings.SplitSeq(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 || params[k] {
			return false
		}
		params[k] = true
	}
	if len(params) != 3 || !params["m"] || !params["t"] || !params["p"] {
		return false
	}
	for _, b := range parts[4:] {
		raw, err := base64.RawStdEncoding.DecodeString(b)
		if err != nil || len(raw) == 0 {
			return false
		}
	}
	return true
}

// validateAccounts checks registration, links, throttling and mail.
func (c Config) validateAccounts(p *problems) {
	a := c.Accounts
	if a.ActivationLink < time.Minute || a.ActivationLink > 30*24*time.Hour {
		p.add("accounts.activation_link", "must be between 1m and 720h")
	}
	if a.ResetLink < time.Minute || a.ResetLink > 24*time.Hour {
		p.add("accounts.reset_link", "must be between 1m and 24h")
	}
	if strings.TrimSpace(a.MFAIssuer) == "" || strings.Contains(a.MFAIssuer, ":") {
		p.add("accounts.mfa_issuer", "required, without a colon")
	}
	for i, r := range a.MFARequiredRoles {
		if !slices.Contains(c.RoleNames(), r) {
			p.add(fmt.Sprintf("accounts.mfa_required_roles[%d]", i), "unknown role %q (want one of %s)", r, strings.Join(c.RoleNames(), ", "))
		}
	}
	if pk := a.Passkeys; pk.RPID != "" || len(pk.Origins) > 0 {
		// Configured: it must work. (Derived from the issuer, passkeys
		// are simply off where browsers would refuse them.)
		rpID, origins, _ := c.RelyingParty()
		if err := relyingparty.Check(rpID, origins); err != nil {
			path := "accounts.passkeys.origins"
			if pk.RPID != "" && relyingparty.Check(rpID, []string{"https://" + rpID}) != nil {
				path = "accounts.passkeys.rp_id"
			}
			p.add(path, "%v", err)
		}
	}
	for _, l := range []struct {
		path  string
		limit Limit
	}{{"throttle.account", c.Throttle.Account}, {"throttle.ip", c.Throttle.IP}, {"throttle.registration", c.Throttle.Registration}} {
		if l.limit.Free < 1 {
			p.add(l.path+".free", "must be at least 1")
		}
		if l.limit.Base <= 0 || l.limit.Max < l.limit.Base {
			p.add(l.path+".max", "base must be positive and max at least base")
		}
		if l.limit.ForgetAfter < l.limit.Max {
			p.add(l.path+".forget_after", "must be at least max")
		}
	}
	m := c.Mail
	if _, err := mail.ParseAddress(m.From); err != nil {
		p.add("mail.from", "not an email address (like \"TokenIM <no-reply@example.com>\")")
	}
	if m.SMTP.Host == "" {
		if c.Accounts.Registration && !c.Dev {
			p.add("mail.smtp.host", "required when accounts.registration is on: activation links are emailed")
		}
		return
	}
	if m.SMTP.Port < 1 || m.SMTP.Port > 65535 {
		p.add("mail.smtp.port", "must be between 1 and 65535")
	}
	oneOf(p, "mail.smtp.security", m.SMTP.Security, "starttls", "tls", "none")
}

// validateRoles checks the roles: unique names, the built-in ones present,
// scopes from the catalogue.
func (c Config) validateRoles(p *problems) {
	seen := map[string]bool{}
	for i, r := range c.Roles {
		path := fmt.Sprintf("roles[%d]", i)
		switch {
		case r.Name == "" || strings.ContainsAny(r.Name, " \t:,"):
			p.add(path+".name", "required, without spaces, colons or commas")
		case seen[r.Name]:
			p.add(path+".name", "%q is declared twice", r.Name)
		}
		seen[r.Name] = true
		for j, s := range r.Scopes {
			if _, ok := c.Scope(s); !ok {
				p.add(fmt.Sprintf("%s.scopes[%d]", path, j), "%q is not in the scope catalogue", s)
			}
			if s == ScopeAdmin {
				p.add(fmt.Sprintf("%s.scopes[%d]", path, j), "admin is for services using client_credentials, not for users to grant apps")
			}
		}
	}
	for _, name := range Roles() {
		if !seen[name] {
			p.add("roles", "the built-in role %q is missing (roles replaces the whole list: keep admin, developer, member and guest)", name)
		}
	}
}
