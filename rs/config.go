package rs

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// Defaults of the Config fields left zero.
const (
	DefaultCacheTTL            = 10 * time.Second
	DefaultNegativeTTL         = 3 * time.Second
	DefaultCacheSize           = 10000
	DefaultLeeway              = 30 * time.Second
	DefaultTimeout             = 5 * time.Second
	DefaultJWKSRefreshInterval = 30 * time.Second
	DefaultRealm               = "tokenim"
)

// NoCache, as Config.CacheTTL, turns the introspection cache off: every
// opaque token is introspected on every request.
const NoCache time.Duration = -1

// Config is what a Verifier needs. Issuer, ClientID and ClientSecret are
// required; every other field has a default.
type Config struct {
	// Issuer is the provider's issuer identifier, e.g.
	// "https://auth.example.com". Introspection goes to
	// Issuer+"/oauth2/introspect" and discovery is read from
	// Issuer+"/.well-known/openid-configuration".
	Issuer string
	// ClientID and ClientSecret are the resource server's credentials at
	// the provider, sent with client_secret_basic when introspecting.
	ClientID     string
	ClientSecret string
	// Audience, when set, must be one of a JWT access token's "aud"
	// values, and one of an introspected token's when the answer names
	// any audience.
	Audience string
	// Realm is the realm named in WWW-Authenticate (default "tokenim").
	Realm string

	// Resource, when set, is the resource identifier of the service the
	// Verifier protects (RFC 9728 section 1.2): its https URL (http only
	// on a loopback host), without query or fragment, such as
	// "https://im.example.com". The Verifier then serves its protected
	// resource metadata (MetadataHandler, at MetadataPath) and names the
	// metadata's URL as resource_metadata in every challenge (RFC 9728
	// section 5.1), so that a client finds the provider by itself. It is
	// written in printable ASCII without spaces, '"' or '\'
	// (percent-encode anything else). It does not change how tokens are
	// checked: Audience does.
	Resource string
	// ScopesSupported are the scopes the service understands, listed in
	// the metadata (optional).
	ScopesSupported []string
	// ResourceName is the service's name for people, listed in the
	// metadata (optional).
	ResourceName string
	// ResourceDocumentation is the URL of the service's documentation for
	// developers, listed in the metadata (optional).
	ResourceDocumentation string
	// BearerMethodsSupported are the ways the service takes a token,
	// among "header", "body" and "query" (RFC 6750), listed in the
	// metadata; default ["header"], the only one Middleware reads.
	BearerMethodsSupported []string

	// SignedIntrospection asks the provider for introspection answers as
	// JWTs it signed (RFC 9701) and takes no other: each answer's
	// signature (the provider's JWKS), typ, iss, aud (ClientID) and iat
	// are checked before the answer is read. An unsigned or badly signed
	// answer is a provider fault (ErrUnavailable), never a verdict on the
	// token.
	SignedIntrospection bool
	// IntrospectionKeys, with SignedIntrospection, are the private keys
	// the provider encrypts this resource server's answers to (RFC 9701
	// section 6): its client registered introspection_encrypted_response_alg
	// and publishes their public halves at its jwks_uri (PublicKeys).
	// Set, every answer must be encrypted to one of them, and an answer in
	// the clear is a provider fault (ErrUnavailable), as an unsigned one
	// is. Several while one replaces another.
	IntrospectionKeys []DecryptionKey
	// DPoP configures the checking of DPoP-bound tokens (RFC 9449); the
	// zero value takes them, with their proofs, beside bearer tokens.
	DPoP DPoP
	// CacheTTL bounds how long an active introspection answer is reused
	// (it is never reused past the token's "exp"). Zero means
	// DefaultCacheTTL; NoCache turns caching off, negative caching
	// included.
	CacheTTL time.Duration
	// NegativeTTL is how long an inactive answer is reused (default
	// DefaultNegativeTTL, never more than CacheTTL).
	NegativeTTL time.Duration
	// CacheSize bounds the number of cached answers (default
	// DefaultCacheSize); the least recently used is dropped first.
	CacheSize int

	// Leeway is the clock skew allowed when checking a JWT's "exp",
	// "nbf" and "iat" (default DefaultLeeway).
	Leeway time.Duration
	// JWKSURL overrides the jwks_uri found through discovery.
	JWKSURL string
	// JWKSRefreshInterval is the least time between two fetches of the
	// JWKS made because a token named an unknown key id (default
	// DefaultJWKSRefreshInterval).
	JWKSRefreshInterval time.Duration

	// HTTPClient makes the calls to the provider (default: a new
	// http.Client). Each call is bounded by Timeout as well.
	HTTPClient *http.Client
	// Timeout bounds each call to the provider (default DefaultTimeout).
	Timeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives provider faults (default: discarded).
	Logger *slog.Logger
	// OnSubscribed, when set, is called by FollowRevocations each time it
	// has subscribed to the revocation stream, on connecting and on every
	// reconnection: the provider has answered, and every revocation
	// committed from then on reaches onEvent. It runs on
	// FollowRevocations' goroutine, before any event of that connection,
	// and must not block.
	OnSubscribed func()
}

// withDefaults checks c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	u, err := url.Parse(c.Issuer)
	switch {
	case c.Issuer == "":
		errs = append(errs, errors.New("issuer: required"))
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, fmt.Errorf("issuer: not an http(s) URL without query or fragment: %q", c.Issuer))
	}
	if c.ClientID == "" {
		errs = append(errs, errors.New("client id: required to introspect tokens"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("client secret: required to introspect tokens"))
	}
	if c.CacheTTL < 0 && c.CacheTTL != NoCache {
		errs = append(errs, fmt.Errorf("cache ttl: negative (%s); use rs.NoCache to turn the cache off", c.CacheTTL))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"negative ttl", c.NegativeTTL}, {"leeway", c.Leeway}, {"jwks refresh interval", c.JWKSRefreshInterval}, {"timeout", c.Timeout}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s: negative (%s)", d.name, d.v))
		}
	}
	if c.CacheSize < 0 {
		errs = append(errs, fmt.Errorf("cache size: negative (%d)", c.CacheSize))
	}
	if c.JWKSURL != "" {
		if u, err := url.Parse(c.JWKSURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("jwks url: not an http(s) URL: %q", c.JWKSURL))
		}
	}
	errs = append(errs, c.checkResource()...)
	errs = append(errs, checkDecryptionKeys(c.IntrospectionKeys, c.SignedIntrospection)...)
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("rs: config: %w", err)
	}
	if c.Realm == "" {
		c.Realm = DefaultRealm
	}
	if c.Resource != "" && c.BearerMethodsSupported == nil {
		c.BearerMethodsSupported = []string{"header"}
	}
	if c.CacheTTL == 0 {
		c.CacheTTL = DefaultCacheTTL
	}
	if c.NegativeTTL == 0 {
		c.NegativeTTL = DefaultNegativeTTL
	}
	if c.CacheTTL > 0 && c.NegativeTTL > c.CacheTTL {
		c.NegativeTTL = c.CacheTTL
	}
	if c.CacheSize == 0 {
		c.CacheSize = DefaultCacheSize
	}
	if c.Leeway == 0 {
		c.Leeway = DefaultLeeway
	}
	if c.JWKSRefreshInterval == 0 {
		c.JWKSRefreshInterval = DefaultJWKSRefreshInterval
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c, nil
}
