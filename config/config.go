package config

import (
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/provider/clientrules"
	"github.com/tokenim/tokenim-auth/provider/relyingparty"
	"github.com/tokenim/tokenim-auth/storage"
)

// Config is the whole configuration of the provider. The zero value is not
// useful: start from Default or Load.
type Config struct {
	// Issuer is the public base URL of the provider, such as
	// https://auth.example.com. It is the "iss" of every token (OpenID
	// Connect Discovery 1.0 §3), so it must not end with a slash.
	Issuer string `yaml:"issuer"`
	// Listen is the HOST:PORT the HTTP server listens on.
	Listen string `yaml:"listen"`
	// Dev relaxes the rules meant for production (plain http issuer and
	// redirect URIs). It is set by the --dev flag only, never from YAML or
	// the environment.
	Dev bool `yaml:"-"`
	// Database says where records are kept.
	Database Database `yaml:"database"`
	// Redis configures the token cache several nodes share; optional.
	Redis Redis `yaml:"redis"`
	// Secrets holds the provider's own secrets.
	Secrets Secrets `yaml:"secrets"`
	// Lifespans says how long codes, tokens, sessions and flows live.
	Lifespans Lifespans `yaml:"lifespans"`
	// Device configures the device authorization grant.
	Device Device `yaml:"device"`
	// Keys configures the token signing keys.
	Keys Keys `yaml:"keys"`
	// Server holds the HTTP server's timeouts.
	Server Server `yaml:"server"`
	// Log configures the process logger.
	Log Log `yaml:"log"`
	// Accounts configures registration, emailed links and second factors.
	Accounts Accounts `yaml:"accounts"`
	// Throttle configures brute-force protection of sign-in.
	Throttle Throttle `yaml:"throttle"`
	// RateLimit caps request rates per client and per address.
	RateLimit RateLimit `yaml:"rate_limit"`
	// Mail configures how email is sent.
	Mail Mail `yaml:"mail"`
	// APIKeys configures client secrets.
	APIKeys APIKeys `yaml:"api_keys"`
	// Janitor configures the deletion of expired records.
	Janitor Janitor `yaml:"janitor"`
	// DPoP configures sender-constrained tokens (config/dpop.go).
	DPoP DPoP `yaml:"dpop"`

	// Registration configures dynamic client registration
	// (config/registration.go).
	Registration Registration `yaml:"registration"`
	// AuthorizationDetails configures per-conversation grants
	// (config/authzdetails.go).
	AuthorizationDetails AuthorizationDetails `yaml:"authorization_details"`
	// Audit configures the authorization records.
	Audit Audit `yaml:"audit"`
	// Metrics configures the Prometheus endpoint (config/metrics.go).
	Metrics Metrics `yaml:"metrics"`
	// Tracing configures OpenTelemetry tracing (config/metrics.go).
	Tracing Tracing `yaml:"tracing"`
	// Roles are the user roles and the scopes each may delegate to apps:
	// the four built-in roles (which must stay) and any custom ones.
	Roles []Role `yaml:"roles"`
	// Scopes is the scope catalogue: every scope a client may be allowed
	// and a user may be asked to consent to.
	Scopes []Scope `yaml:"scopes"`
	// Clients are bootstrap clients, upserted into storage at start-up.
	Clients []Client `yaml:"clients"`
	// Users are bootstrap users, upserted into storage at start-up.
	Users []User `yaml:"users"`
	// Resources are the protected resources (RFC 8707) clients may ask
	// tokens for (config/resources.go).
	Resources []Resource `yaml:"resources"`
	// TokenExchange are the clients' token exchange policies (RFC 8693,
	// config/exchange.go).
	TokenExchange []TokenExchange `yaml:"token_exchange"`
	// Upstreams are the upstream identity providers configured here
	// (config/upstreams.go); the console's are stored.
	Upstreams []Upstream `yaml:"upstreams"`
}

// Database says where records are kept.
type Database struct {
	// URL is "memory" for the in-process store (development only: nothing
	// survives a restart) or a postgres:// or postgresql:// connection URL.
	URL string `yaml:"url"`
	// MaxConns is the largest number of connections in the Postgres pool.
	MaxConns int32 `yaml:"max_conns"`
	// QueryTimeout bounds each storage call.
	QueryTimeout time.Duration `yaml:"query_timeout"`
	// Migrate says whether serve applies pending migrations at start-up.
	// When false, serve refuses to start on an out-of-date schema.
	Migrate bool `yaml:"migrate"`
}

// Secrets holds the provider's own secrets.
type Secrets struct {
	// System encrypts the signing keys at rest and keys the HMAC under
	// which client secrets are stored. At least 32 characters.
	System string `yaml:"system"`
	// SystemPrevious are earlier system secrets still accepted while the
	// system secret is rotated: what was sealed or hashed under them
	// opens and compares, and nothing new is made under them. Empty
	// outside a rotation. Each is at least 32 characters and differs from
	// System and from the others. TOKENIM_SECRETS_SYSTEM_PREVIOUS takes
	// them separated by commas.
	SystemPrevious []string `yaml:"system_previous"`
}

// Lifespans says how long codes, tokens, sessions and flows live.
type Lifespans struct {
	// AuthorizeCode is the lifetime of an authorization code; RFC 6749
	// §4.1.2 recommends at most ten minutes.
	AuthorizeCode time.Duration `yaml:"authorize_code"`
	// AccessToken is the lifetime of an access token.
	AccessToken time.Duration `yaml:"access_token"`
	// RefreshToken is the lifetime of a refresh token; not shorter than
	// AccessToken.
	RefreshToken time.Duration `yaml:"refresh_token"`
	// IDToken is the lifetime of an ID token.
	IDToken time.Duration `yaml:"id_token"`
	// LoginSession is how long a browser stays signed in.
	LoginSession time.Duration `yaml:"login_session"`
	// Flow is how long a pending authorize request waits for sign-in and
	// consent.
	Flow time.Duration `yaml:"flow"`
	// Consent is how long a remembered consent decision lasts; 0 means it
	// never expires (until the user withdraws it).
	Consent time.Duration `yaml:"consent"`
	// PAR is how long the request_uri of a pushed authorization request
	// (RFC 9126) stays usable; RFC 9126 §2.2 suggests a short time, such
	// as 60 seconds.
	PAR time.Duration `yaml:"par"`
	// DeviceCode is how long the device code and user code of a device
	// authorization request (RFC 8628) stay usable: the time a user has to
	// enter the code and approve.
	DeviceCode time.Duration `yaml:"device_code"`
	// ClientAssertion is the furthest ahead of now the exp of a
	// private_key_jwt client assertion (RFC 7523) may be: an assertion
	// valid for longer is refused (invalid_client), since a stolen one
	// could be replayed with a fresh jti until it expires.
	ClientAssertion time.Duration `yaml:"client_assertion"`
	// RefreshReuseWindow is how long after a refresh token is rotated it
	// may be presented again and still get a new pair of its family rather
	// than invalid_grant and a revoked family: a client that sent parallel
	// refreshes or lost the response to one (RFC 9700 §4.14.2). 0 turns it
	// off; at most MaxRefreshReuseWindow.
	RefreshReuseWindow time.Duration `yaml:"refresh_reuse_window"`
	// BrowserRefreshToken bounds the refresh tokens of a browser app (a
	// public client with allowed_origins): rotation never carries a
	// sign-in's refresh tokens past this long after the first was issued
	// (draft-ietf-oauth-browser-based-apps), and no token outlives
	// RefreshToken either. Between 1m and MaxBrowserRefreshToken.
	BrowserRefreshToken time.Duration `yaml:"browser_refresh_token"`
}

// Device configures the device authorization grant (RFC 8628).
type Device struct {
	// PollInterval is the least time a device waits between two polls of
	// the token endpoint; polling faster gets slow_down and 5 seconds more.
	PollInterval time.Duration `yaml:"poll_interval"`
}

// Keys configures the token signing keys.
type Keys struct {
	// Algorithm is the provider's own signing algorithm, one of
	// SigningAlgs: it signs what has no per-client algorithm, JWT access
	// tokens. A key of every algorithm is kept and published either way;
	// ID tokens and logout tokens take their client's
	// id_token_signed_response_alg.
	Algorithm string `yaml:"algorithm"`
	// Refresh is how often a node re-reads the keys from the database, so
	// a rotation made on another node (or by "keys rotate") is used and
	// published within this period.
	Refresh time.Duration `yaml:"refresh"`
}

// Server holds the HTTP server's timeouts (see net/http.Server).
type Server struct {
	// ReadHeaderTimeout bounds reading the request headers.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// ReadTimeout bounds reading the whole request.
	ReadTimeout time.Duration `yaml:"read_timeout"`
	// WriteTimeout bounds writing the response.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// IdleTimeout bounds an idle keep-alive connection.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// ShutdownTimeout bounds the graceful shutdown on SIGTERM.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// GCPercent is the Go garbage collector's target (what GOGC sets,
	// which it overrides): the heap may grow by this percentage of the
	// live heap between collections. The default, 400, trades memory
	// (the live heap of a node is tens of megabytes) for less time in the
	// collector on the introspection path; -1 turns collection off.
	GCPercent int `yaml:"gc_percent"`
	// HSTS is the Strict-Transport-Security policy sent with every
	// response when the issuer is https.
	HSTS HSTS `yaml:"hsts"`
}

// HSTS is a Strict-Transport-Security policy (RFC 6797). It is sent only
// when the issuer is https: over plain http browsers ignore it.
type HSTS struct {
	// Enabled sends the header; on by default.
	Enabled bool `yaml:"enabled"`
	// MaxAge is how long browsers keep to https for the issuer's host, in
	// whole seconds; 0 tells them to forget the policy. One year by
	// default.
	MaxAge time.Duration `yaml:"max_age"`
	// IncludeSubdomains extends the policy to every subdomain of the
	// issuer's host: turn it on only when all of them serve https.
	IncludeSubdomains bool `yaml:"include_subdomains"`
	// Preload asks browsers to build the policy in (hstspreload.org); it
	// needs include_subdomains and a max_age of at least a year, and is
	// hard to undo.
	Preload bool `yaml:"preload"`
}

// Accounts configures registration, emailed links and second factors.
type Accounts struct {
	// Registration lets people create accounts at /register. Off by
	// default (invite-only: administrators create accounts); it needs
	// mail.smtp, since activation links are emailed (dev mode turns it on
	// with the dev outbox).
	Registration bool `yaml:"registration"`
	// ActivationLink is how long an activation link works.
	ActivationLink time.Duration `yaml:"activation_link"`
	// ResetLink is how long a password-reset link works.
	ResetLink time.Duration `yaml:"reset_link"`
	// MFAIssuer names the provider in authenticator apps.
	MFAIssuer string `yaml:"mfa_issuer"`
	// MFARequiredRoles lists the roles whose users must sign in with a
	// second factor; one without it is sent to set it up first.
	MFARequiredRoles []string `yaml:"mfa_required_roles"`
	// Passkeys says which site passkeys are bound to.
	Passkeys Passkeys `yaml:"passkeys"`
}

// Passkeys configures the WebAuthn relying party. Both fields are derived
// from the issuer when empty; set them when the sign-in pages are served
// from another host than the issuer's, or passkeys should work across a
// parent domain.
type Passkeys struct {
	// RPID is the relying-party ID: the host name passkeys are bound to,
	// the issuer's host or a parent domain of it. Changing it later makes
	// every registered passkey unusable.
	RPID string `yaml:"rp_id"`
	// Origins are the origins (scheme://host[:port]) of the pages that
	// register and use passkeys: on rp_id or a subdomain, https unless
	// on localhost.
	Origins []string `yaml:"origins"`
}

// RelyingParty returns the relying-party ID and origins in effect: the
// configured ones, or those of the issuer. ok is false when passkeys are
// off: nothing is configured and the issuer is an IP address or plain
// http on a host other than localhost, where browsers do not offer them.
func (c Config) RelyingParty() (rpID string, origins []string, ok bool) {
	p := c.Accounts.Passkeys
	if p.RPID == "" && len(p.Origins) == 0 {
		return relyingparty.FromIssuer(c.Issuer)
	}
	rpID, origins, _ = relyingparty.FromIssuer(c.Issuer)
	if p.RPID != "" {
		rpID = p.RPID
	}
	if len(p.Origins) > 0 {
		origins = p.Origins
	}
	return rpID, origins, relyingparty.Check(rpID, origins) == nil
}

// Throttle configures brute-force protection: failed passwords and codes
// are counted per account and per client IP, and new accounts per client
// IP.
type Throttle struct {
	// Account limits failures against one account (or one unknown email).
	Account Limit `yaml:"account"`
	// IP limits failures from one client address; higher, as many users
	// can share one address.
	IP Limit `yaml:"ip"`
	// Registration limits the accounts created from one client address,
	// each registration counting as one.
	Registration Limit `yaml:"registration"`
}

// Limit is one throttling policy.
type Limit struct {
	// Free failures cost nothing.
	Free int `yaml:"free"`
	// Base is the wait after the first failure beyond Free; it doubles
	// with each further failure.
	Base time.Duration `yaml:"base"`
	// Max caps the wait.
	Max time.Duration `yaml:"max"`
	// ForgetAfter is the quiet period after which failures are forgotten.
	ForgetAfter time.Duration `yaml:"forget_after"`
}

// Mail configures how email is sent (activation and password-reset
// links). With an empty smtp.host no mail is sent: registration must be
// off and "forgot password" tells the user to ask an administrator; dev
// mode keeps mail in a dev outbox page instead.
type Mail struct {
	// From is the sender address, e.g. "TokenIM <no-reply@example.com>".
	From string `yaml:"from"`
	SMTP SMTP   `yaml:"smtp"`
}

// SMTP is the mail server.
type SMTP struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// Username and Password authenticate; empty means no authentication.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Security is "starttls" (default), "tls" (implicit, port 465) or
	// "none" (a local relay only).
	Security string `yaml:"security"`
}

// APIKeys configures client secrets (API keys).
type APIKeys struct {
	// Lifetime of a new secret; "0s" makes new secrets never expire.
	Lifetime time.Duration `yaml:"lifetime"`
	// Grace is how long a replaced secret keeps working after a rotation.
	Grace time.Duration `yaml:"grace"`
	// Warn is how long before its expiry a secret is shown as expiring.
	Warn time.Duration `yaml:"warn"`
}

// Log configures the process logger.
type Log struct {
	// Level is "debug", "info", "warn" or "error".
	Level string `yaml:"level"`
	// Format is "json" or "text".
	Format string `yaml:"format"`
}

// Scope is one entry of the scope catalogue.
type Scope struct {
	// Name is the scope token (RFC 6749 §3.3), such as "im:messages.read".
	Name string `yaml:"name"`
	// Description is what the consent page shows, by locale. The keys
	// "en" and "zh-CN" are both required.
	Description map[string]string `yaml:"description"`
}

// Client is a bootstrap OAuth client.
type Client struct {
	// ID is the client_id: letters, digits and . _ : - only.
	ID string `yaml:"id"`
	// Name is shown to users on the consent page.
	Name string `yaml:"name"`
	// Type is ClientConfidential, ClientPublic or ClientResourceServer.
	Type string `yaml:"type"`
	// Secret is the client secret in clear; it is stored as a keyed hash.
	// Required (at least 32 characters) for confidential and
	// resource_server clients; must be empty for public clients.
	Secret string `yaml:"secret"`
	// RedirectURIs are the exact redirect URIs the client may use.
	RedirectURIs []string `yaml:"redirect_uris"`
	// PostLogoutRedirectURIs are where the client may send the browser
	// after RP-initiated logout.
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris"`
	// Scopes are the catalogue scopes the client may request.
	Scopes []string `yaml:"scopes"`
	// GrantTypes are the grants the client may use; see
	// EffectiveGrantTypes for the default when empty.
	GrantTypes []string `yaml:"grant_types"`
	// TokenEndpointAuthMethod is how the client authenticates at the token
	// endpoint; see EffectiveAuthMethod for the default when empty.
	TokenEndpointAuthMethod string `yaml:"token_endpoint_auth_method"`
	// JWKSURI is where the client publishes its keys, for private_key_jwt.
	JWKSURI string `yaml:"jwks_uri"`
	// TokenEndpointAuthSigningAlg is the JWS algorithm of a
	// private_key_jwt client's assertions, one of ClientAssertionAlgs;
	// empty means RS256.
	TokenEndpointAuthSigningAlg string `yaml:"token_endpoint_auth_signing_alg"`
	// IDTokenSignedResponseAlg is the algorithm of the client's ID tokens
	// and logout tokens, one of SigningAlgs; empty means RS256 (OpenID
	// Connect Registration 1.0 §2).
	IDTokenSignedResponseAlg string `yaml:"id_token_signed_response_alg"`
	// IntrospectionSignedResponseAlg is the algorithm of the client's
	// signed introspection answers (RFC 9701), one of SigningAlgs; empty
	// means RS256.
	IntrospectionSignedResponseAlg string `yaml:"introspection_signed_response_alg"`
	// IntrospectionEncryptedResponseAlg, when set, encrypts those answers
	// to a key published at JWKSURI (RSA-OAEP-256, ECDH-ES,
	// ECDH-ES+A128KW or ECDH-ES+A256KW); IntrospectionEncryptedResponseEnc
	// is their content encryption (A128CBC-HS256 when empty).
	IntrospectionEncryptedResponseAlg string `yaml:"introspection_encrypted_response_alg"`
	IntrospectionEncryptedResponseEnc string `yaml:"introspection_encrypted_response_enc"`
	// SkipConsent marks a first-party client whose users are not asked
	// for consent.
	SkipConsent bool `yaml:"skip_consent"`
	// RequirePushedAuthorizationRequests makes the client send every
	// authorization request through the pushed authorization request
	// endpoint (RFC 9126 §5); it needs the authorization_code grant.
	RequirePushedAuthorizationRequests bool `yaml:"require_pushed_authorization_requests"`
	// DPoPBoundAccessTokens makes the client bind every token to a DPoP
	// key (RFC 9449 §5.2): the token endpoint refuses its requests
	// without a DPoP proof. It needs dpop.enabled.
	DPoPBoundAccessTokens bool `yaml:"dpop_bound_access_tokens"`
	// AccessTokenFormat is AccessTokenOpaque (when empty) or
	// AccessTokenJWT: JWT access tokens (RFC 9068) signed with the
	// provider's keys, which a resource server can verify locally.
	AccessTokenFormat string `yaml:"access_token_format"`
	// RefreshTokenReuseWindow is the client's own
	// lifespans.refresh_reuse_window: how long after one of its refresh
	// tokens is rotated presenting it again still gets a new pair; 0s
	// turns it off, at most MaxRefreshReuseWindow. Unset: the provider's.
	RefreshTokenReuseWindow *time.Duration `yaml:"refresh_token_reuse_window"`
	// AllowedOrigins are the web origins (https://host[:port], or http on
	// a loopback host) a browser may call the token, userinfo, revocation
	// and device endpoints from for this client (CORS); a public client's
	// redirect URIs' origins are allowed without being listed. A public
	// client that lists any is a browser app: its refresh tokens are
	// bounded by lifespans.browser_refresh_token. See CheckOrigin.
	AllowedOrigins []string `yaml:"allowed_origins"`
	// BackchannelLogoutURI is where the provider POSTs a logout token
	// when a user the client signed in signs out, has their password
	// reset or is disabled (OpenID Connect Back-Channel Logout 1.0):
	// https, or http on a loopback host or in dev mode; no fragment.
	BackchannelLogoutURI string `yaml:"backchannel_logout_uri"`
	// BackchannelLogoutSessionRequired says the client needs the sid
	// claim in every logout token; the provider always sends it.
	BackchannelLogoutSessionRequired bool `yaml:"backchannel_logout_session_required"`
}

// User is a bootstrap user account.
type User struct {
	// Email is the sign-in name, unique regardless of case.
	Email string `yaml:"email"`
	// Name is the display name.
	Name string `yaml:"name"`
	// Password is the password in clear (8 to 128 characters), hashed at
	// start-up. Set exactly one of Password and PasswordHash.
	Password string `yaml:"password"`
	// PasswordHash is an argon2id PHC string ("$argon2id$v=19$m=...").
	PasswordHash string `yaml:"password_hash"`
	// Role is one of Roles(); empty is member.
	Role string `yaml:"role"`
}

// Built-in roles.
const (
	RoleAdmin     = "admin"
	RoleDeveloper = "developer"
	RoleMember    = "member"
	RoleGuest     = "guest"
)

// Roles returns the built-in roles.
func Roles() []string { return []string{RoleAdmin, RoleDeveloper, RoleMember, RoleGuest} }

// Role is a user role and what its users may let apps do.
type Role struct {
	Name string `yaml:"name"`
	// Scopes are the catalogue scopes a user of the role may grant an app:
	// a token issued for them never carries another.
	Scopes []string `yaml:"scopes"`
}

// RoleNames returns the configured roles' names.
func (c Config) RoleNames() []string {
	names := make([]string, 0, len(c.Roles))
	for _, r := range c.Roles {
		names = append(names, r.Name)
	}
	return names
}

// Role returns the configured role called name.
func (c Config) Role(name string) (Role, bool) {
	for _, r := range c.Roles {
		if r.Name == name {
			return r, true
		}
	}
	return Role{}, false
}

// ScopeAdmin lets a service call the admin API. Only clients using
// client_credentials may hold it; no user role can grant it to an app.
const ScopeAdmin = "admin"

// defaultRoles: admins, developers and members may grant every IM scope;
// guests may read but not send messages, and may not read call records.
func defaultRoles(catalogue []Scope) []Role {
	var all []string
	for _, s := range catalogue {
		if s.Name != ScopeAdmin {
			all = append(all, s.Name)
		}
	}
	return []Role{
		{Name: RoleAdmin, Scopes: all},
		{Name: RoleDeveloper, Scopes: slices.Clone(all)},
		{Name: RoleMember, Scopes: slices.Clone(all)},
		{Name: RoleGuest, Scopes: []string{ScopeOpenID, "profile", "email", ScopeOfflineAccess, "im:messages.read", "im:contacts.read", "im:presence.read"}},
	}
}

// Client types.
const (
	// ClientConfidential is a client that can keep a secret (a server-side web app).
	ClientConfidential = clientrules.TypeConfidential
	// ClientPublic is a client that cannot keep a secret (a native or browser app);
	// it authenticates with PKCE only.
	ClientPublic = clientrules.TypePublic
	// ClientResourceServer is an API that introspects tokens and may call
	// other APIs with client_credentials; it never signs users in.
	ClientResourceServer = clientrules.TypeResourceServer
)

// Access token formats of a client.
const (
	// AccessTokenOpaque is a random token, checked by introspection; the
	// default.
	AccessTokenOpaque = "opaque"
	// AccessTokenJWT is a signed JWT access token (RFC 9068); it can be
	// introspected and revoked like an opaque one.
	AccessTokenJWT = "jwt"
)

// Grant types a client may use (RFC 6749 §4).
const (
	// GrantAuthorizationCode signs a user in through the browser (§4.1), with PKCE.
	GrantAuthorizationCode = clientrules.GrantAuthorizationCode
	// GrantRefreshToken exchanges a refresh token for new tokens (§6).
	GrantRefreshToken = clientrules.GrantRefreshToken
	// GrantClientCredentials gets a token for the client itself (§4.4).
	GrantClientCredentials = clientrules.GrantClientCredentials
	// GrantDeviceCode signs a user in on a device without a browser, or
	// one a phone approves by QR code (RFC 8628).
	GrantDeviceCode = clientrules.GrantDeviceCode
)

// Token endpoint authentication methods (OpenID Connect Core 1.0 §9).
const (
	// AuthClientSecretBasic sends the secret with HTTP Basic authentication.
	AuthClientSecretBasic = clientrules.AuthClientSecretBasic
	// AuthClientSecretPost sends the secret in the request body.
	AuthClientSecretPost = clientrules.AuthClientSecretPost
	// AuthPrivateKeyJWT signs a client assertion with a key from the client's JWKS.
	AuthPrivateKeyJWT = clientrules.AuthPrivateKeyJWT
	// AuthNone is for public clients, which have no secret.
	AuthNone = clientrules.AuthNone
)

// ClientAssertionAlgs are the JWS algorithms a private_key_jwt client may
// sign its assertions with, RS256 (the default) first.
func ClientAssertionAlgs() []string { return clientrules.ClientAssertionAlgs() }

// SigningAlgs are the algorithms of the provider's signing keys, of which
// it keeps a current key each, RS256 (a client's default ID token
// algorithm) first: keys.algorithm and a client's
// id_token_signed_response_alg are one of them.
func SigningAlgs() []string { return clientrules.SigningAlgs() }

const ()

// Scope names the provider itself gives meaning to.
const (
	// ScopeOpenID makes a request an OpenID Connect request; it must be in
	// the catalogue.
	ScopeOpenID = "openid"
	// ScopeOfflineAccess asks for a refresh token (OpenID Connect Core 1.0 §11).
	ScopeOfflineAccess = "offline_access"
)

// Default returns the configuration used when nothing overrides it. It has
// no issuer and no system secret, so it does not validate until both are set.
func Default() Config {
	return Config{
		Listen: "127.0.0.1:8080",
		Database: Database{
			MaxConns:     10,
			QueryTimeout: 5 * time.Second,
			Migrate:      true,
		},
		Redis: defaultRedis(),
		Lifespans: Lifespans{
			AuthorizeCode:       60 * time.Second,
			AccessToken:         time.Hour,
			RefreshToken:        720 * time.Hour,
			IDToken:             time.Hour,
			LoginSession:        24 * time.Hour,
			Flow:                15 * time.Minute,
			Consent:             0,
			PAR:                 60 * time.Second,
			DeviceCode:          10 * time.Minute,
			ClientAssertion:     time.Hour,
			RefreshReuseWindow:  10 * time.Second,
			BrowserRefreshToken: 24 * time.Hour,
		},
		Device: Device{PollInterval: 5 * time.Second},
		Keys:   Keys{Algorithm: "ES256", Refresh: 30 * time.Second},
		Server: Server{
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       15 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       120 * time.Second,
			ShutdownTimeout:   20 * time.Second,
			GCPercent:         400,
			HSTS:              HSTS{Enabled: true, MaxAge: 365 * 24 * time.Hour},
		},
		Log: Log{Level: "info", Format: "json"},
		Accounts: Accounts{
			Registration: false, ActivationLink: 24 * time.Hour, ResetLink: 30 * time.Minute, MFAIssuer: "TokenIM", Passkeys: Passkeys{Origins: []string{}},
			MFARequiredRoles: []string{RoleAdmin},
		},
		RateLimit: defaultRateLimit(),
		Throttle: Throttle{
			Account: Limit{Free: 5, Base: time.Second, Max: 15 * time.Minute, ForgetAfter: time.Hour},
			IP:      Limit{Free: 50, Base: time.Second, Max: 5 * time.Minute, ForgetAfter: time.Hour},
			// Ten accounts an address for free, then a wait from a minute
			// up to an hour.
			Registration: Limit{Free: 10, Base: time.Minute, Max: time.Hour, ForgetAfter: 24 * time.Hour},
		},
		Mail:                 Mail{From: "TokenIM <no-reply@tokenim.invalid>", SMTP: SMTP{Port: 587, Security: "starttls"}},
		APIKeys:              APIKeys{Lifetime: 90 * 24 * time.Hour, Grace: 24 * time.Hour, Warn: 14 * 24 * time.Hour},
		Janitor:              defaultJanitor(),
		DPoP:                 defaultDPoP(),
		Registration:         defaultRegistration(),
		AuthorizationDetails: defaultAuthorizationDetails(),
		Audit:                defaultAudit(),
		Tracing:              defaultTracing(),
		Scopes:               defaultScopes(),
		Roles:                defaultRoles(defaultScopes()),
	}
}

// defaultScopes builds the default catalogue afresh on every call, so no
// caller can change another's maps.
func defaultScopes() []Scope {
	scope := func(name, en, zh string) Scope {
		return Scope{Name: name, Description: map[string]string{"en": en, "zh-CN": zh}}
	}
	return []Scope{
		scope(ScopeOpenID, "Sign you in with your account", "使用您的账号登录"),
		scope("profile", "See your name and basic profile", "查看您的姓名和基本资料"),
		scope("email", "See your email address", "查看您的邮箱地址"),
		scope(ScopeOfflineAccess, "Stay signed in while you are not using the app", "在您不使用时保持登录（长期有效）"),
		scope("im:messages.read", "Read your messages", "查看您的消息"),
		scope("im:messages.send", "Send messages on your behalf", "以您的身份发送消息"),
		scope("im:contacts.read", "See your contacts", "查看您的联系人"),
		scope("im:calls.read", "See your call history", "查看您的通话记录"),
		scope("im:presence.read", "See your online status", "查看您的在线状态"),
		scope(ScopeAdmin, "Administer TokenIM Auth through its admin API", "通过管理 API 管理 TokenIM Auth"),
	}
}

// Scope returns the catalogue entry named name.
func (c Config) Scope(name string) (Scope, bool) {
	for _, s := range c.Scopes {
		if s.Name == name {
			return s, true
		}
	}
	return Scope{}, false
}

// rules returns the client as clientrules describes it.
func (c Client) rules() clientrules.Client {
	return clientrules.Client{
		ID: c.ID, Name: c.Name, Type: c.Type, Secret: c.Secret,
		RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, Scopes: c.Scopes, GrantTypes: c.GrantTypes,
		TokenEndpointAuthMethod: c.TokenEndpointAuthMethod, JWKSURI: c.JWKSURI, TokenEndpointAuthSigningAlg: c.TokenEndpointAuthSigningAlg,
		IDTokenSignedResponseAlg: c.IDTokenSignedResponseAlg, SkipConsent: c.SkipConsent, RequirePAR: c.RequirePushedAuthorizationRequests,
		IntrospectionSignedResponseAlg: c.IntrospectionSignedResponseAlg, IntrospectionEncryptedResponseAlg: c.IntrospectionEncryptedResponseAlg,
		IntrospectionEncryptedResponseEnc: c.IntrospectionEncryptedResponseEnc,
		DPoPBoundAccessTokens:             c.DPoPBoundAccessTokens,
		AccessTokenFormat:                 c.AccessTokenFormat, RefreshReuseWindow: c.RefreshTokenReuseWindow, AllowedOrigins: c.AllowedOrigins,
		BackchannelLogoutURI: c.BackchannelLogoutURI, BackchannelLogoutSessionRequired: c.BackchannelLogoutSessionRequired,
	}
}

// EffectiveGrantTypes returns GrantTypes, or when it is empty the default
// for the client's type (clientrules.Client.EffectiveGrantTypes). The
// result is a copy.
func (c Client) EffectiveGrantTypes() []string { return c.rules().EffectiveGrantTypes() }

// EffectiveAuthMethod returns TokenEndpointAuthMethod, or when it is empty
// the default for the client's type
// (clientrules.Client.EffectiveAuthMethod).
func (c Client) EffectiveAuthMethod() string { return c.rules().EffectiveAuthMethod() }

// NeedsSecret reports whether the client authenticates with a secret
// (clientrules.Client.NeedsSecret).
func (c Client) NeedsSecret() bool { return c.rules().NeedsSecret() }

// NormalAllowedOrigins returns AllowedOrigins as they are stored and
// compared (clientrules.NormalOrigins). Call it on a validated client.
func (c Client) NormalAllowedOrigins() []string { return clientrules.NormalOrigins(c.AllowedOrigins) }

// Record returns the client as the store keeps it, created at now, with
// the defaults of its type filled in and its origins as they are compared
// (clientrules.Client.Record); without its secret, which the caller
// stores as a keyed hash. Call it on a validated client.
func (c Client) Record(now time.Time) storage.Client { return c.rules().Record(now) }
