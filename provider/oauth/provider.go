package oauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	jose4 "github.com/go-jose/go-jose/v4"
	"github.com/hashicorp/go-retryablehttp"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/openid"

	"github.com/tokenim/tokenim-auth/dpop"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/cors"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/devicecode"
	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/provider/secret"
)

// SigningKeys is what the provider needs of the signing keys.
type SigningKeys interface {
	// Current is the current key of the provider's own algorithm
	// (keys.algorithm), which signs JWT access tokens.
	Current(ctx context.Context) (keys.Key, error)
	// CurrentOf is the current key of alg, one of keys.Algorithms: ID
	// tokens and logout tokens are signed with their client's algorithm.
	CurrentOf(ctx context.Context, alg string) (keys.Key, error)
	// JWKS are the published keys, which a JWT the provider signed (an
	// id_token_hint) is verified against.
	JWKS(ctx context.Context) (jose4.JSONWebKeySet, error)
	// Document is the JWKS as JSON; callers must not change it.
	Document(ctx context.Context) ([]byte, error)
}

// Config holds the provider's settings and dependencies.
type Config struct {
	// Issuer is the public base URL, the "iss" of every token.
	Issuer string
	// RegistrationEndpoint is the dynamic client registration endpoint
	// the metadata advertises (RFC 7591); empty while registration is off.
	RegistrationEndpoint string
	// Lifespans of codes and tokens.
	AuthorizeCodeLifespan time.Duration
	AccessTokenLifespan   time.Duration
	RefreshTokenLifespan  time.Duration
	IDTokenLifespan       time.Duration
	// FlowLifespan is how long an authorization request waits for the
	// user to sign in and consent.
	FlowLifespan time.Duration
	// PARLifespan is how long the request_uri of a pushed authorization
	// request stays usable (RFC 9126 section 2.2); 60 seconds when zero.
	PARLifespan time.Duration
	// MaxAssertionLifespan is the furthest ahead of now the exp of a
	// private_key_jwt client assertion may be (RFC 7523 section 3); an
	// hour when zero.
	MaxAssertionLifespan time.Duration
	// RefreshReuseWindow is how long after a refresh token is rotated
	// presenting it again still gets a new pair of its family rather than
	// invalid_grant and a revoked family (parallel refreshes, a retry after
	// a lost response; RFC 9700 section 4.14.2); zero turns it off.
	RefreshReuseWindow time.Duration
	// BrowserRefreshTokenLifespan bounds the sign-in of a browser app
	// (storage.Client.BrowserApp): its first refresh token expires this
	// long after it is issued at most, and rotation never carries a later
	// one past that (draft-ietf-oauth-browser-based-apps).
	// Zero bounds nothing beyond RefreshTokenLifespan.
	BrowserRefreshTokenLifespan time.Duration
	// DeviceCodeLifespan is how long a device code and its user code stay
	// usable (RFC 8628 section 3.2); 10 minutes when zero.
	DeviceCodeLifespan time.Duration
	// DevicePollInterval is the least time a device waits between two
	// polls of the token endpoint; 5 seconds when zero.
	DevicePollInterval time.Duration
	// DeviceCodes hashes device and user codes for storage.
	DeviceCodes devicecode.Keyed
	// Scopes is the scope catalogue, advertised in discovery.
	Scopes []string
	// MFARoles are the roles whose users must have signed in with a second
	// factor to authorize an app.
	MFARoles []string
	// RoleScopes maps each role to the scopes its users may grant.
	RoleScopes map[string][]string
	// AssertionAlgs are the algorithms private_key_jwt clients may sign
	// with, advertised in discovery; RS256 alone when empty.
	AssertionAlgs []string
	// TokenKey is the 32-byte HMAC key of opaque tokens, derived from the
	// system secret.
	TokenKey []byte
	// PreviousTokenKeys are the token keys of previous system secrets,
	// during a rotation of the secret: opaque tokens issued under them
	// still validate (fosite's rotated global secrets). JWT access tokens,
	// pushed requests and device codes are found under TokenKey only:
	// those issued before the rotation stop working, and expire soon.
	PreviousTokenKeys [][]byte
	// Hasher checks client secrets.
	Hasher   secret.Hasher
	Keys     SigningKeys
	Store    Store
	Sessions Sessions
	Pages    Pages
	// CORS answers browsers' cross-origin requests on the endpoints a
	// browser app calls (provider/cors); nil answers none, and the
	// endpoints then refuse no origin.
	CORS CORS
	// Resources are the protected resources clients may name with the
	// resource parameter (RFC 8707); nil knows none, and every resource
	// parameter is invalid_target.
	Resources Resources
	// Exchange finds each client's token exchange policy (RFC 8693); a
	// client without one may not exchange tokens, and with none at all
	// (or nil) the grant is not advertised.
	Exchange ExchangePolicies
	// DPoP checks DPoP proofs (RFC 9449, dpop.Verifier) at the token, PAR
	// and userinfo endpoints, and binds tokens to their keys; nil turns
	// DPoP off: a DPoP header is ignored, every token is a bearer token,
	// and discovery does not advertise it.
	DPoP DPoP
	// DPoPRequired are the kinds of client (DPoPPublic, DPoPBrowser) that
	// get no token without a DPoP proof.
	DPoPRequired []string
	// Observer is told of issued tokens and introspections (metrics);
	// nil reports nothing.
	Observer Observer
	// Audit records tokens issued and revoked and refresh tokens reused.
	Audit  *audit.Recorder
	Now    func() time.Time
	Logger *slog.Logger
}

// Resources finds the protected resources by their identifiers
// (resources.Registry, or the configured and stored ones together).
type Resources interface {
	Get(uri string) (resources.Resource, bool)
}

// CORS is the CORS protocol of the endpoints a browser app calls, and
// which client may be called from which origin (provider/cors.Origins).
type CORS interface {
	// Endpoint wraps h, answering methods and taking headers, for its
	// method routes and its OPTIONS route.
	// exposed are the response headers beyond the safelisted ones its
	// script may read.
	Endpoint(methods, headers, exposed []string, h http.Handler) http.Handler
	// Permits reports whether r, by its Origin header, may act for the
	// client clientID.
	Permits(r *http.Request, clientID string) bool
}

// Provider serves the OAuth 2.1 and OpenID Connect endpoints.
type Provider struct {
	fosite *fosite.Fosite
	store  *fositeStore
	cfg    Config
	logger *slog.Logger
	usage  usage
	// exchangeMetadataJSON is the discovery document listing token
	// exchange, served while some client has a policy (encodeMetadata).
	exchangeMetadataJSON []byte
	// signers sign with the current key of each algorithm: logout tokens
	// with their client's algorithm.
	signers signers
	// encryptIntrospection encrypts the signed introspection answers of
	// resource servers that registered an encryption algorithm.
	encryptIntrospection *introspectionEncrypter
	// metadataJSON is the discovery document.
	metadataJSON []byte
}

// New composes fosite with the handlers TokenIM Auth supports.
func New(cfg Config) (*Provider, error) {
	if len(cfg.TokenKey) < 32 {
		return nil, errors.New("oauth: the token key must be at least 32 bytes")
	}
	if !cfg.DeviceCodes.Valid() {
		return nil, errors.New("oauth: the device code key is missing (devicecode.NewKeyed)")
	}
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.PARLifespan <= 0 {
		cfg.PARLifespan = time.Minute
	}
	if cfg.MaxAssertionLifespan <= 0 {
		cfg.MaxAssertionLifespan = defaultMaxAssertionLifespan
	}
	if cfg.DeviceCodeLifespan <= 0 {
		cfg.DeviceCodeLifespan = defaultDeviceCodeLifespan
	}
	if cfg.DevicePollInterval <= 0 {
		cfg.DevicePollInterval = defaultDevicePollInterval
	}
	fc := &fosite.Config{
		AccessTokenLifespan:   cfg.AccessTokenLifespan,
		RefreshTokenLifespan:  cfg.RefreshTokenLifespan,
		AuthorizeCodeLifespan: cfg.AuthorizeCodeLifespan,
		IDTokenLifespan:       cfg.IDTokenLifespan,
		IDTokenIssuer:         cfg.Issuer,
		AccessTokenIssuer:     cfg.Issuer,
		TokenURL:              cfg.Issuer + "/oauth2/token",
		GlobalSecret:          cfg.TokenKey,
		RotatedGlobalSecrets:  cfg.PreviousTokenKeys,
		ClientSecretsHasher:   secretHasher{cfg.Hasher},
		ScopeStrategy:         fosite.ExactScopeStrategy,
		// PKCE for every client, S256 only (RFC 9700 section 2.1.1).
		EnforcePKCE:                    true,
		EnforcePKCEForPublicClients:    true,
		EnablePKCEPlainChallengeMethod: false,
		// A refresh token only when the user granted offline access.
		RefreshTokenScopes:  []string{"offline_access"},
		AllowedPromptValues: []string{"none", "login", "consent"},
		HTTPClient:          jwksClient(),
		// The keys of private_key_jwt clients and of resource servers
		// taking encrypted introspection answers, read with that client
		// (fosite's default fetcher has its own, logging and retrying for
		// half a minute) and cached an hour; the cache is made on first
		// use.
		JWKSFetcherStrategy:        &lazyKeySets{},
		SendDebugMessagesToClients: false,
		// Pushed authorization requests (RFC 9126); which clients must
		// push is checked in authorize, per client.
		PushedAuthorizeRequestURIPrefix: parPrefix,
		PushedAuthorizeContextLifespan:  cfg.PARLifespan,
	}
	// JWT access tokens are signed with the provider's own algorithm, ID
	// tokens and logout tokens with their client's; every signer decodes
	// an id_token_hint signed by any published key.
	own := newSigner(cfg.Keys, cfg.Keys.Current)
	bySigningAlg := newSigners(cfg.Keys)
	strategy := accessTokens{tokenStrategy: newTokenStrategy(fc, cfg.Now), signer: own, issuer: cfg.Issuer, key: cfg.TokenKey,
		lifespan: cfg.AccessTokenLifespan, now: cfg.Now}
	store := &fositeStore{store: cfg.Store, now: cfg.Now, codeSignature: strategy.AuthorizeCodeSignature, decoded: newDecoded(10_000), audit: cfg.Audit,
		parKey: cfg.TokenKey, parLifespan: cfg.PARLifespan, maxAssertion: cfg.MaxAssertionLifespan,
		refreshReuse: cfg.RefreshReuseWindow}
	idTokens := newIDTokenStrategy(bySigningAlg, fc)
	provider := compose.Compose(fc, store, &compose.CommonStrategy{
		CoreStrategy:               strategy,
		OpenIDConnectTokenStrategy: idTokens,
		Signer:                     own,
	},
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2PKCEFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OpenIDConnectExplicitFactory,
		compose.OpenIDConnectRefreshFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2TokenRevocationFactory,
		compose.PushedAuthorizeHandlerFactory,
	)
	f, ok := provider.(*fosite.Fosite)
	if !ok {
		return nil, fmt.Errorf("oauth: compose returned %T, not *fosite.Fosite", provider)
	}
	// fosite v0.49 has no device authorization grant: ours joins the
	// handlers Compose registered.
	fc.TokenEndpointHandlers = append(fc.TokenEndpointHandlers, &deviceGrant{
		store: store, devices: cfg.Store, codes: cfg.DeviceCodes, strategy: strategy,
		idTokens: &openid.IDTokenHandleHelper{IDTokenStrategy: idTokens}, config: fc, now: cfg.Now, logger: cfg.Logger,
	})
	exchange := &exchangeGrant{strategy: strategy}
	fc.TokenEndpointHandlers = append(fc.TokenEndpointHandlers, detailsResponder{}, exchange)
	fc.ClientAuthenticationStrategy = authenticateClient(f, store, cfg.Issuer)
	f.Config = endpointAudiences{Config: fc}
	p := &Provider{fosite: f, store: store, cfg: cfg, logger: cfg.Logger, usage: usage{last: map[secretKey]time.Time{}}, signers: bySigningAlg,
		encryptIntrospection: newIntrospectionEncrypter(fc.JWKSFetcherStrategy, cfg.Now)}
	exchange.p = p
	if err := p.encodeMetadata(); err != nil {
		return nil, err
	}
	return p, nil
}

// Mount registers the endpoints on mux.
func (p *Provider) Mount(mux Mux) {
	mux.HandleFunc("GET /oauth2/auth", p.authorize)
	mux.HandleFunc("POST /oauth2/introspect", p.introspect)
	mux.HandleFunc("POST /oauth2/par", p.par)
	// The endpoints a browser app calls with fetch (provider/cors), with
	// the headers they take: Authorization for a client's HTTP Basic
	// credentials or a bearer token, Content-Type for a form body.
	// DPoP for a proof (RFC 9449); the script may read DPoP-Nonce and
	// WWW-Authenticate (a resource's use_dpop_nonce challenge).
	post, headers := []string{http.MethodPost}, []string{"Authorization", "Content-Type", dpop.Header}
	exposed := []string{dpop.NonceHeader, "WWW-Authenticate"}
	for _, e := range []struct {
		path    string
		methods []string
		h       http.HandlerFunc
	}{
		{"/oauth2/token", post, p.token},
		{"/oauth2/revoke", post, p.revoke},
		{"/oauth2/device/auth", post, p.deviceAuthorize},
		{"/userinfo", []string{http.MethodGet, http.MethodPost}, p.userinfo},
	} {
		var h http.Handler = e.h
		if p.cfg.CORS != nil {
			h = p.cfg.CORS.Endpoint(e.methods, headers, exposed, h)
			mux.Handle("OPTIONS "+e.path, h)
		}
		for _, m := range e.methods {
			mux.Handle(m+" "+e.path, h)
		}
	}
	// Public documents: any page may read them.
	for path, h := range map[string]http.HandlerFunc{
		"/.well-known/openid-configuration":       p.discovery,
		"/.well-known/oauth-authorization-server": p.discovery,
		"/.well-known/jwks.json":                  p.jwks,
	} {
		public := cors.Public(h)
		mux.Handle("GET "+path, public)
		mux.Handle("OPTIONS "+path, public)
	}
	for _, path := range []string{"/oauth2/token", "/oauth2/introspect", "/oauth2/revoke", "/oauth2/par", "/oauth2/device/auth"} {
		mux.HandleFunc(path, methodNotAllowed)
	}
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	writeError(w, http.StatusMethodNotAllowed, "invalid_request", fmt.Sprintf("%s is not allowed here; use POST with an application/x-www-form-urlencoded body.", r.Method))
}

// checkOrigin refuses a request from a browser origin the client
// clientID may not be called from (CORS.Permits), before anything is done
// for it: unauthorized_client, which the page reads when the origin is
// one some other client may be called from. A request naming no client
// is not checked here.
func (p *Provider) checkOrigin(r *http.Request, clientID string) error {
	if p.cfg.CORS == nil || clientID == "" || p.cfg.CORS.Permits(r, clientID) {
		return nil
	}
	return fosite.ErrUnauthorizedClient.WithHintf("This client may not be called from the web origin %q: its developer or an administrator can add that origin to the client's allowed origins.", r.Header.Get("Origin"))
}

// defaultMaxAssertionLifespan is Config.MaxAssertionLifespan's default.
const defaultMaxAssertionLifespan = time.Hour

// maxFormBytes bounds a request body on the protocol endpoints.
const maxFormBytes = 64 << 10

// logServerError logs an error that is ours (server_error,
// temporarily_unavailable, see protocolError): the client only sees the
// code.
func (p *Provider) logServerError(ctx context.Context, endpoint string, err error) {
	if protocolError(err).CodeField < http.StatusInternalServerError {
		return
	}
	p.logger.ErrorContext(ctx, "oauth endpoint failed", "endpoint", endpoint, "err", err)
}

// maxJWKSBytes bounds a client's key set as it is read: a larger one
// fails to decode, and never fills the provider's memory.
const maxJWKSBytes = 64 << 10

// jwksClient fetches the key sets of clients: a few quick retries, short
// timeouts, bounded bodies, and no logging of its own.
func jwksClient() *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.RetryMax = 2
	c.RetryWaitMax = time.Second
	c.HTTPClient.Timeout = 5 * time.Second
	c.HTTPClient.Transport = boundedBodies{next: c.HTTPClient.Transport, max: maxJWKSBytes}
	return c
}

// boundedBodies cuts every response body it carries after max bytes.
type boundedBodies struct {
	next http.RoundTripper
	max  int64
}

func (b boundedBodies) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.LimitReader(resp.Body, b.max), resp.Body}
	return resp, nil
}
