package storage

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"
)

// ClientType says how a client authenticates and what it may do.
type ClientType string

// Client types.
const (
	// ClientConfidential is a server-side app that keeps a secret.
	ClientConfidential ClientType = "confidential"
	// ClientPublic is a native or browser app that cannot keep a secret and
	// relies on PKCE.
	ClientPublic ClientType = "public"
	// ClientResourceServer is an IM service that introspects any token.
	ClientResourceServer ClientType = "resource_server"
)

// AccessTokenFormat says what a client's access tokens look like.
type AccessTokenFormat string

// Access token formats.
const (
	// AccessTokenOpaque is a random string a resource server introspects;
	// the default.
	AccessTokenOpaque AccessTokenFormat = "opaque"
	// AccessTokenJWT is a signed JWT access token (RFC 9068) a resource
	// server can verify locally against the provider's JWKS. It is stored
	// like an opaque token, so introspection and revocation still work.
	AccessTokenJWT AccessTokenFormat = "jwt"
)

// Known reports whether f is one of the formats above.
func (f AccessTokenFormat) Known() bool { return f == AccessTokenOpaque || f == AccessTokenJWT }

// ClientSecret is one of a client's secrets, kept only as a keyed hash.
type ClientSecret struct {
	// ID identifies the secret among the client's secrets.
	ID string
	// Hash is HMAC-SHA-256 of the secret under a key derived from the
	// system secret; the secret itself is never stored.
	Hash []byte
	// Prefix is the secret's first characters, shown to tell secrets apart.
	Prefix    string
	CreatedAt time.Time
	// ExpiresAt is when the secret stops working; zero means never.
	ExpiresAt time.Time
	// LastUsedAt is when the secret last authenticated the client, to
	// about a minute; zero when never.
	LastUsedAt time.Time
}

// Client is a registered OAuth client (an app, a bot, a resource server).
type Client struct {
	ID   string
	Name string
	Type ClientType
	// Secrets are the client's live secrets, oldest first; empty for public
	// clients and for private_key_jwt clients.
	Secrets                []ClientSecret
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	GrantTypes             []string
	// Scopes are the scopes the client may obtain.
	Scopes []string
	// RequestedScopes are scopes a developer asked for a service app that
	// an administrator has not approved yet: the app cannot obtain them.
	RequestedScopes []string
	Audience        []string
	// TokenEndpointAuthMethod is client_secret_basic, client_secret_post,
	// private_key_jwt or none.
	TokenEndpointAuthMethod string
	// JWKSURI is where the client publishes its keys (private_key_jwt).
	JWKSURI string
	// TokenEndpointAuthSigningAlg is the JWS algorithm of a
	// private_key_jwt client's assertions: RS256, PS256 or ES256; empty
	// means RS256.
	TokenEndpointAuthSigningAlg string
	// IDTokenSignedResponseAlg is the JWS algorithm of the client's ID
	// tokens (and logout tokens), one of IDTokenAlgs; empty means RS256
	// (OpenID Connect Registration 1.0 section 2,
	// id_token_signed_response_alg).
	IDTokenSignedResponseAlg string
	// SkipConsent marks a first-party client whose users are not asked to
	// consent.
	SkipConsent bool
	// RequirePAR makes the client send every authorization request through
	// the pushed authorization request endpoint (RFC 9126 section 5,
	// require_pushed_authorization_requests): the authorization endpoint
	// refuses its requests without a request_uri.
	RequirePAR bool
	// DPoPBoundAccessTokens makes the client bind every access token to a
	// DPoP key (RFC 9449 section 5.2, dpop_bound_access_tokens): the token
	// endpoint refuses its requests without a DPoP proof.
	DPoPBoundAccessTokens bool
	// IntrospectionSignedResponseAlg is the algorithm of the client's
	// signed introspection answers (RFC 9701 section 6,
	// introspection_signed_response_alg), one of IDTokenAlgs; empty means
	// RS256 (IntrospectionAlg).
	IntrospectionSignedResponseAlg string
	// IntrospectionEncryptedResponseAlg, when set, has the client's signed
	// introspection answers encrypted to a key of its JWKSURI with this
	// key management algorithm (introspection_encrypted_response_alg),
	// one of IntrospectionEncryptionAlgs; IntrospectionEncryptedResponseEnc
	// is the content encryption (introspection_encrypted_response_enc),
	// one of IntrospectionEncryptionEncs, empty meaning A128CBC-HS256
	// (IntrospectionEnc). Both empty: answers are signed only.
	IntrospectionEncryptedResponseAlg string
	IntrospectionEncryptedResponseEnc string
	// AccessTokenFormat is the format of the access tokens the client
	// gets: AccessTokenOpaque (also when empty) or AccessTokenJWT.
	AccessTokenFormat AccessTokenFormat
	// RefreshReuseWindow is how long after a refresh token of the client
	// is rotated presenting it again still gets a new pair of its family
	// (Tokens.RotateRefreshToken); 0 turns it off, nil means the
	// provider's default.
	RefreshReuseWindow *time.Duration
	// AllowedOrigins are the web origins (scheme://host[:port], such as
	// https://app.example.com) a browser may call the token, userinfo,
	// revocation and device endpoints from for this client (CORS), on
	// top of a public client's redirect URIs' origins (Origins). A public
	// client that lists any is a browser app (BrowserApp).
	AllowedOrigins []string
	// BackchannelLogoutURI is where the client is told, by a POST of a
	// logout token, that a user it signed in has signed out (OpenID
	// Connect Back-Channel Logout 1.0 section 2.2); empty when the client
	// does not take such notifications.
	BackchannelLogoutURI string
	// BackchannelLogoutSessionRequired says the client needs the sid
	// claim in every logout token (section 2.2,
	// backchannel_logout_session_required).
	BackchannelLogoutSessionRequired bool
	// OwnerID is the user (a developer) who registered the app in the
	// portal; empty for clients an administrator created.
	OwnerID string
	// WorkspaceID binds an admin client (one holding the admin scope) to
	// one workspace: its admin API calls see and change that workspace
	// only. Empty is platform-wide, as every client was before
	// workspaces. A workspace's deletion leaves its clients bound to an
	// ID nothing has, seeing nothing.
	WorkspaceID string
	// Description and LogoURI describe the app on the consent page and in
	// the portal.
	Description string
	LogoURI     string
	// Disabled marks an app an administrator switched off: it cannot
	// authenticate or get tokens, and its tokens stop being active, until
	// it is enabled again.
	Disabled bool
	// Registration is what is kept of a client that registered itself
	// (RFC 7591); zero for every other client (SelfRegistered).
	Registration ClientRegistration
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Clients stores registered clients with their secrets.
type Clients interface {
	// CreateClient stores c with its secrets. ErrAlreadyExists if a client
	// with c.ID exists.
	CreateClient(ctx context.Context, c Client) error
	// GetClient returns the client with its secrets. ErrNotFound if absent.
	GetClient(ctx context.Context, id string) (Client, error)
	// ListClients returns every client ordered by ID.
	ListClients(ctx context.Context) ([]Client, error)
	// UpdateClient reads the client, passes it to update and stores what
	// update returns (its ID must not change), atomically: concurrent
	// updates of one client are serialized, none is lost. An error from
	// update is returned as is and nothing is written. ErrNotFound if absent.
	UpdateClient(ctx context.Context, id string, update func(Client) (Client, error)) (Client, error)
	// TouchClientSecret records that the client's secret was used at at.
	// A use less than a minute after the recorded one may be left out, so
	// that a busy client does not write on every request. An unknown
	// client or secret is not an error (it may have been rotated away).
	TouchClientSecret(ctx context.Context, clientID, secretID string, at time.Time) error
	// DeleteClient removes the client, its secrets, and every token,
	// consent and pending flow issued to it. ErrNotFound if absent.
	DeleteClient(ctx context.Context, id string) error
}

// JTIs remembers the IDs of client assertion JWTs (private_key_jwt,
// RFC 7523 section 3) until they expire, so an assertion cannot be replayed.
type JTIs interface {
	// SeenJTI reports whether jti was saved and has not expired at now.
	SeenJTI(ctx context.Context, jti string, now time.Time) (bool, error)
	// SaveJTI remembers jti until exp. ErrAlreadyExists if jti is saved
	// and not expired at now; an expired entry is replaced.
	SaveJTI(ctx context.Context, jti string, exp, now time.Time) error
}

// Once remembers values an outsider may use once — a SAML assertion's
// ID, an upstream's logout token's jti, a DPoP proof's jti — in the JTI
// table, under Prefix so they never meet client assertions' IDs: shared by
// every node, purged by the janitor once expired.
type Once struct {
	JTIs   JTIs
	Prefix string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// errNoJTIs is Once's error without a store.
var errNoJTIs = errors.New("storage: Once has no JTI store")

// Use records key until until and reports whether this is its first use
// (false: used already and not expired). An error means it could not
// tell.
func (o Once) Use(ctx context.Context, key string, until time.Time) (bool, error) {
	if o.JTIs == nil {
		return false, errNoJTIs
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	err := o.JTIs.SaveJTI(ctx, o.Prefix+key, until, now())
	if errors.Is(err, ErrAlreadyExists) {
		return false, nil
	}
	return err == nil, err
}

// AssertionAlg is the algorithm a private_key_jwt client's assertions must
// use: TokenEndpointAuthSigningAlg, or RS256 when it is empty.
func (c Client) AssertionAlg() string {
	if c.TokenEndpointAuthSigningAlg == "" {
		return "RS256"
	}
	return c.TokenEndpointAuthSigningAlg
}

// IDTokenAlgs are the algorithms a client's ID tokens may be signed with,
// the default (RS256) first: the provider keeps a current signing key of
// each.
func IDTokenAlgs() []string { return []string{"RS256", "ES256"} }

// IDTokenAlg is the algorithm the client's ID tokens are signed with:
// IDTokenSignedResponseAlg, or RS256 when it is empty.
func (c Client) IDTokenAlg() string {
	if c.IDTokenSignedResponseAlg == "" {
		return IDTokenAlgs()[0]
	}
	return c.IDTokenSignedResponseAlg
}

// IntrospectionAlg is the algorithm the client's signed introspection
// answers are signed with: IntrospectionSignedResponseAlg, or RS256 when it
// is empty.
func (c Client) IntrospectionAlg() string {
	if c.IntrospectionSignedResponseAlg == "" {
		return IDTokenAlgs()[0]
	}
	return c.IntrospectionSignedResponseAlg
}

// IntrospectionEncryptionAlgs are the key management algorithms a client's
// introspection answers may be encrypted with (RFC 7518 section 4): RSA
// with OAEP and SHA-256, and elliptic-curve Diffie-Hellman, direct or with
// AES key wrap. RSA1_5 and RSA-OAEP with SHA-1 are not offered.
func IntrospectionEncryptionAlgs() []string {
	return []string{"RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"}
}

// IntrospectionEncryptionEncs are the content encryption algorithms of
// encrypted introspection answers (RFC 7518 section 5), the default
// (A128CBC-HS256, RFC 9701 section 6) first.
func IntrospectionEncryptionEncs() []string {
	return []string{"A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"}
}

// IntrospectionEnc is the content encryption of the client's encrypted
// introspection answers: IntrospectionEncryptedResponseEnc, or
// A128CBC-HS256 when it is empty; empty when they are not encrypted.
func (c Client) IntrospectionEnc() string {
	switch {
	case c.IntrospectionEncryptedResponseAlg == "":
		return ""
	case c.IntrospectionEncryptedResponseEnc == "":
		return IntrospectionEncryptionEncs()[0]
	}
	return c.IntrospectionEncryptedResponseEnc
}

// IssuesJWT reports whether the client's access tokens are JWTs.
func (c Client) IssuesJWT() bool { return c.AccessTokenFormat == AccessTokenJWT }

// TokenFormat is the format of the client's access tokens: stored empty,
// it is the default, opaque.
func (c Client) TokenFormat() AccessTokenFormat {
	if c.IssuesJWT() {
		return AccessTokenJWT
	}
	return AccessTokenOpaque
}

// ReuseWindowText is the client's own refresh token reuse window as it
// is shown and typed, like "10s"; "" when it takes the provider's.
func (c Client) ReuseWindowText() string {
	if c.RefreshReuseWindow == nil {
		return ""
	}
	return c.RefreshReuseWindow.String()
}

// BrowserApp reports whether c is a browser app (a single-page app): a
// public client that names the web origins it runs in. Its refresh tokens
// are bounded in lifetime (draft-ietf-oauth-browser-based-apps).
func (c Client) BrowserApp() bool { return c.Type == ClientPublic && len(c.AllowedOrigins) > 0 }

// Origins are the web origins a browser may call the provider's
// endpoints from for c: its AllowedOrigins, and for a public client the
// origins of its http and https redirect URIs (a browser app runs where
// it is redirected to). Each is "scheme://host[:port]", lower case,
// without a default port, as a browser sends it in the Origin header.
func (c Client) Origins() []string {
	out := make([]string, 0, len(c.AllowedOrigins))
	add := func(o string) {
		if o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	for _, o := range c.AllowedOrigins {
		add(OriginOf(o))
	}
	if c.Type == ClientPublic {
		for _, u := range c.RedirectURIs {
			add(OriginOf(u))
		}
	}
	return out
}

// OriginOf returns the web origin of an http or https URL in the form a
// browser sends it (RFC 6454 section 6.1): the scheme and host in lower
// case, and the port unless it is the scheme's default. It is "" for
// anything else: another scheme, no host, not a URL.
func OriginOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		return scheme + "://" + host + ":" + port
	}
	return scheme + "://" + host
}
