// Package oidc is the OpenID Connect upstream connector: it sends the
// browser to an OpenID Provider with the authorization code flow (PKCE
// S256, nonce, state), and turns the code it comes back with into an
// upstream.Identity after verifying the ID token (go-oidc: issuer,
// audience, expiry on the injected clock, signature through the
// provider's JWKS, an allow-list of algorithms).
//
// Discovery is lazy: New never touches the network, so a provider that
// is down when TokenIM Auth starts does not stop it from starting. The
// first sign-in discovers the upstream; a failure is remembered and
// retried after a backoff that doubles up to maxBackoff, and every
// sign-in meanwhile gets upstream.ErrUnavailable at once.
//
// # Binding state to the connector (mix-up defence)
//
// The caller makes state, nonce and the PKCE verifier per sign-in, keeps
// them server-side together with the connector's ID, and on the callback
// looks the connector up from the stored state, never from the callback
// URL or query. It then calls CheckCallback with the query (it compares
// RFC 9207's iss with this connector's issuer and reads an error the
// upstream returned) and Finish with the code. The state itself is
// compared by the caller (constant time) and used once.
//
// # Logout
//
// Finish returns the upstream's session (the ID token's sid) and the raw
// ID token with the identity. EndSessionURL sends the browser on to the
// upstream's end_session_endpoint (RP-Initiated Logout 1.0), from the
// same lazily discovered metadata. VerifyLogoutToken checks a logout
// token the upstream posts to the back-channel logout URI (Back-Channel
// Logout 1.0 section 2.6) with the ID tokens' keys and algorithms, and
// remembers its jti through Config.JTIs so that it works once.
package oidc

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// Config is one OpenID Connect connector's configuration.
type Config struct {
	// ID names the connector; it is the Connector of every Identity.
	ID string
	// Issuer is the upstream's issuer URL. A preset fills it in when left
	// empty (Google, Apple; Entra from Tenant).
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is this provider's callback URL registered upstream.
	RedirectURL string
	// Scopes asked for; openid is always added. Default: openid email
	// profile.
	Scopes []string
	// Preset adapts the connector to a known provider (see presets.go).
	Preset Preset
	// Tenant is Entra ID's tenant: a tenant ID or domain, or one of
	// common, organizations, consumers (multi-tenant).
	Tenant string
	// Tenants, with a multi-tenant Entra connector, are the tenant IDs
	// allowed to sign in; empty allows every tenant.
	Tenants []string
	// Apple is the key Apple's client secret is signed with (Preset
	// Apple only).
	Apple *AppleKey
	// Claims names the claims an Identity is read from.
	Claims ClaimMapping
	// UserInfo: also read the userinfo endpoint after the token
	// exchange (its sub must be the ID token's).
	UserInfo bool
	// SigningAlgs is the allow-list of ID token algorithms; default
	// DefaultSigningAlgs. Never HS* or none.
	SigningAlgs []string
	// JTIs remembers the logout tokens VerifyLogoutToken accepted, so
	// that none is accepted twice; nil: no replay check.
	JTIs JTIs
	// HTTPClient reaches the upstream; it must have a timeout. Default: a
	// client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// DefaultSigningAlgs are the asymmetric algorithms an ID token may be
// signed with when Config.SigningAlgs is empty.
var DefaultSigningAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

const (
	minBackoff = time.Second
	maxBackoff = time.Minute
)

// Connector is one configured OpenID Connect upstream.
type Connector struct {
	cfg      Config
	client   *http.Client
	now      func() time.Time
	log      *slog.Logger
	scopes   []string
	template string // multi-tenant issuer template, "" otherwise

	mu       sync.Mutex
	disc     *discovered
	err      error
	failures int
	retryAt  time.Time
}

type discovered struct {
	provider *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	// logout verifies logout tokens: as ID tokens, but for their expiry,
	// which VerifyLogoutToken checks itself (see there).
	logout *gooidc.IDTokenVerifier
	oauth  oauth2.Config
	issuer string
	// issParam: the upstream says it sends iss in the authorization
	// response (RFC 9207).
	issParam bool
	// endSession is the upstream's end_session_endpoint (RP-Initiated
	// Logout 1.0), nil when it has none.
	endSession *url.URL
}

// New checks cfg and returns the connector; it does not reach the
// upstream (see the package comment).
func New(cfg Config) (*Connector, error) {
	cfg, err := applyPreset(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.ID == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("oidc: connector needs an ID, a client ID and a redirect URL")
	}
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("oidc: connector %q: issuer %q is not an http(s) URL", cfg.ID, cfg.Issuer)
	}
	if cfg.ClientSecret == "" && cfg.Apple == nil {
		return nil, fmt.Errorf("oidc: connector %q needs a client secret", cfg.ID)
	}
	if len(cfg.SigningAlgs) == 0 {
		cfg.SigningAlgs = DefaultSigningAlgs
	}
	for _, a := range cfg.SigningAlgs {
		if !slices.Contains(DefaultSigningAlgs, a) {
			return nil, fmt.Errorf("oidc: connector %q: signing algorithm %q is not allowed", cfg.ID, a)
		}
	}
	c := &Connector{cfg: cfg, client: cfg.HTTPClient, now: cfg.Now, log: cfg.Logger, template: issuerTemplate(cfg)}
	if c.client == nil {
		c.client = &http.Client{Timeout: 10 * time.Second}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.scopes = []string{gooidc.ScopeOpenID}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	for _, s := range scopes {
		if !slices.Contains(c.scopes, s) {
			c.scopes = append(c.scopes, s)
		}
	}
	return c, nil
}

// ID is the connector's configured ID.
func (c *Connector) ID() string { return c.cfg.ID }

// discover returns the upstream's metadata, discovering it the first
// time and after a failure once its backoff has passed.
func (c *Connector) discover(ctx context.Context) (*discovered, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.disc != nil {
		return c.disc, nil
	}
	now := c.now()
	if c.err != nil && now.Before(c.retryAt) {
		return nil, c.err
	}
	// Not the request's cancellation: a browser that leaves must not make
	// every sign-in wait out a backoff (the client's timeout bounds it).
	d, err := c.fetch(context.WithoutCancel(ctx))
	if err != nil {
		c.failures++
		wait := minBackoff << min(c.failures-1, 6)
		c.retryAt = now.Add(min(wait, maxBackoff))
		c.err = fmt.Errorf("%w: connector %q: discovery of %s: %w", upstream.ErrUnavailable, c.cfg.ID, c.cfg.Issuer, err)
		c.log.WarnContext(ctx, "upstream discovery failed", "connector", c.cfg.ID, "issuer", c.cfg.Issuer, "retry_at", c.retryAt, "err", err)
		return nil, c.err
	}
	c.disc, c.err, c.failures = d, nil, 0
	return d, nil
}

func (c *Connector) fetch(ctx context.Context) (*discovered, error) {
	ctx = gooidc.ClientContext(ctx, c.client)
	want := c.cfg.Issuer
	if c.template != "" {
		// Entra's multi-tenant metadata names the issuer "{tenantid}";
		// each token's iss is checked against it in verify.
		want = c.template
		ctx = gooidc.InsecureIssuerURLContext(ctx, c.template)
	}
	p, err := gooidc.NewProvider(ctx, c.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	var meta struct {
		Issuer      string   `json:"issuer"`
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
		IssParam    bool     `json:"authorization_response_iss_parameter_supported"`
		EndSession  string   `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, err
	}
	if meta.Issuer != want {
		return nil, fmt.Errorf("metadata names issuer %q, want %q", meta.Issuer, want)
	}
	if p.Endpoint().AuthURL == "" || p.Endpoint().TokenURL == "" {
		return nil, errors.New("metadata lacks the authorization or token endpoint")
	}
	var endSession *url.URL
	if meta.EndSession != "" {
		if endSession, err = url.Parse(meta.EndSession); err != nil || (endSession.Scheme != "https" && endSession.Scheme != "http") || endSession.Host == "" {
			return nil, fmt.Errorf("metadata's end_session_endpoint %q is not an http(s) URL", upstream.Clip(meta.EndSession))
		}
	}
	ep := p.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	if len(meta.AuthMethods) > 0 && !slices.Contains(meta.AuthMethods, "client_secret_basic") {
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	idTokens := gooidc.Config{
		ClientID:             c.cfg.ClientID,
		SupportedSigningAlgs: c.cfg.SigningAlgs,
		SkipIssuerCheck:      c.template != "",
		Now:                  c.now,
	}
	logoutTokens := idTokens
	logoutTokens.SkipExpiryCheck = true
	return &discovered{
		provider: p,
		// Both share the provider's key set: the keys are fetched once.
		verifier: p.Verifier(&idTokens),
		logout:   p.Verifier(&logoutTokens),
		oauth: oauth2.Config{
			ClientID:     c.cfg.ClientID,
			ClientSecret: c.cfg.ClientSecret,
			Endpoint:     ep,
			RedirectURL:  c.cfg.RedirectURL,
			Scopes:       c.scopes,
		},
		issuer:     want,
		issParam:   meta.IssParam,
		endSession: endSession,
	}, nil
}

// AuthCodeURL is where to send the browser: the code flow with state,
// nonce and the S256 challenge of pkceVerifier (oauth2.GenerateVerifier).
// LoginHint passes the address home-realm discovery found.
func (c *Connector) AuthCodeURL(ctx context.Context, state, nonce, pkceVerifier string, opts ...oauth2.AuthCodeOption) (string, error) {
	if state == "" || nonce == "" || pkceVerifier == "" {
		return "", errors.New("oidc: AuthCodeURL needs a state, a nonce and a PKCE verifier")
	}
	d, err := c.discover(ctx)
	if err != nil {
		return "", err
	}
	opts = append([]oauth2.AuthCodeOption{gooidc.Nonce(nonce), oauth2.S256ChallengeOption(pkceVerifier)}, opts...)
	if c.cfg.Preset == Apple && (slices.Contains(c.scopes, "email") || slices.Contains(c.scopes, "name")) {
		opts = append(opts, oauth2.SetAuthURLParam("response_mode", "form_post"))
	}
	return d.oauth.AuthCodeURL(state, opts...), nil
}

// LoginHint is the login_hint parameter (OpenID Connect Core 3.1.2.1).
func LoginHint(email string) oauth2.AuthCodeOption {
	return oauth2.SetAuthURLParam("login_hint", email)
}

// CheckCallback reads the authorization response's query (or form, with
// form_post) once the caller has matched its state: it returns the code,
// or the upstream's error, and refuses a response whose iss (RFC 9207) is
// not this connector's issuer, or lacks iss when the upstream says it
// sends one.
func (c *Connector) CheckCallback(ctx context.Context, q url.Values) (string, error) {
	d, err := c.discover(ctx)
	if err != nil {
		return "", err
	}
	return checkCallback(c.cfg.ID, d.issuer, d.issParam, q)
}

func checkCallback(id, issuer string, issParam bool, q url.Values) (string, error) {
	if q.Has("iss") || issParam {
		if iss := q.Get("iss"); !issuerMatches(issuer, iss) {
			return "", fmt.Errorf("%w: connector %q: authorization response from issuer %q (mix-up?)", upstream.ErrRefused, id, upstream.Clip(iss))
		}
	}
	if e := q.Get("error"); e != "" {
		err := upstream.ErrRefused
		if e == "temporarily_unavailable" || e == "server_error" {
			err = upstream.ErrUnavailable
		}
		return "", fmt.Errorf("%w: connector %q: upstream answered %s: %s", err, id, upstream.Clip(e), upstream.Clip(q.Get("error_description")))
	}
	code := q.Get("code")
	if code == "" {
		return "", fmt.Errorf("%w: connector %q: the authorization response has no code", upstream.ErrRefused, id)
	}
	return code, nil
}

// issuerMatches compares iss with the issuer, or with a multi-tenant
// template's shape (any single path segment for "{tenantid}").
func issuerMatches(issuer, iss string) bool {
	if before, after, ok := strings.Cut(issuer, tenantPlaceholder); ok {
		mid, ok := strings.CutPrefix(iss, before)
		if !ok {
			return false
		}
		tid, ok := strings.CutSuffix(mid, after)
		return ok && validTenantID(tid)
	}
	return subtle.ConstantTimeCompare([]byte(issuer), []byte(iss)) == 1
}
