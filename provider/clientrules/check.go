package clientrules

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tokenim/tokenim-auth/storage"
)

// Client describes a client to register, as the configuration, the
// command line and the admin API name its fields. What is left empty
// takes the default of the client's type (EffectiveGrantTypes,
// EffectiveAuthMethod).
type Client struct {
	// ID is the client_id: letters, digits and . _ : - only.
	ID string
	// Name is shown to users on the consent page: 1 to MaxNameLen
	// characters.
	Name string
	// Type is TypeConfidential, TypePublic or TypeResourceServer.
	Type string
	// Secret is checked only with Options.Secret: at least MinSecretLen
	// characters for a client authenticating with one, empty otherwise.
	Secret string
	// RedirectURIs and PostLogoutRedirectURIs pass RedirectURIProblem.
	RedirectURIs, PostLogoutRedirectURIs []string
	// Scopes are among Options.Scopes.
	Scopes []string
	// GrantTypes fit the type (EffectiveGrantTypes when empty).
	GrantTypes []string
	// TokenEndpointAuthMethod fits the type (EffectiveAuthMethod when
	// empty); JWKSURI and TokenEndpointAuthSigningAlg are for
	// private_key_jwt only.
	TokenEndpointAuthMethod, JWKSURI, TokenEndpointAuthSigningAlg string
	// IDTokenSignedResponseAlg is empty (RS256) or one of SigningAlgs.
	IDTokenSignedResponseAlg string
	// IntrospectionSignedResponseAlg, IntrospectionEncryptedResponseAlg
	// and IntrospectionEncryptedResponseEnc say how the client's signed
	// introspection answers are signed and encrypted (RFC 9701 section
	// 6); IntrospectionProblems has their rules. Encrypting needs a
	// JWKSURI, where the client publishes the key to encrypt to.
	IntrospectionSignedResponseAlg, IntrospectionEncryptedResponseAlg, IntrospectionEncryptedResponseEnc string
	SkipConsent                                                                                          bool
	// RequirePAR needs the authorization code grant.
	RequirePAR bool
	// DPoPBoundAccessTokens makes the client bind its tokens with DPoP
	// (RFC 9449 section 5.2); refused with Options.DPoPOff.
	DPoPBoundAccessTokens bool
	// AccessTokenFormat is empty (opaque), opaque or jwt.
	AccessTokenFormat string
	// RefreshReuseWindow is the client's own refresh token reuse window,
	// within ReuseWindowProblem's bounds; nil for the provider's.
	RefreshReuseWindow *time.Duration
	// AllowedOrigins pass CheckOrigin.
	AllowedOrigins []string
	// BackchannelLogoutURI passes BackchannelLogoutURIProblem;
	// BackchannelLogoutSessionRequired needs it.
	BackchannelLogoutURI             string
	BackchannelLogoutSessionRequired bool
}

// Options is what differs between the places a client is registered.
type Options struct {
	// Dev allows http on any host, not only on a loopback one.
	Dev bool
	// Scopes are the scopes the client may be given: the catalogue, or
	// what the developer portal offers.
	Scopes []string
	// Secret checks the client's secret, which the configuration file
	// gives; elsewhere the provider makes it.
	Secret bool
	// WebOnlyBrowserApps refuses a private-use redirect URI scheme to a
	// public client called from browsers (one with allowed origins): the
	// developer portal's browser app is redirected to its pages only.
	WebOnlyBrowserApps bool
	// DPoPOff says the provider takes no DPoP proofs (dpop.enabled is
	// false): a client cannot be made to require them.
	DPoPOff bool
}

// Problem is one thing wrong with a client: the field at fault, the index
// of the item at fault in a list field (-1 for the field as a whole) and
// what is wrong, in words.
type Problem struct {
	Field   string
	Index   int
	Message string
}

// Path names the field, or the item of the field, at fault:
// "redirect_uris[0]", "name".
func (p Problem) Path() string {
	if p.Index < 0 {
		return p.Field
	}
	return fmt.Sprintf("%s[%d]", p.Field, p.Index)
}

func (p Problem) String() string { return p.Path() + ": " + p.Message }

// problems collects what Check finds.
type problems []Problem

func (p *problems) add(field, format string, args ...any) {
	p.addItem(field, -1, format, args...)
}

func (p *problems) addItem(field string, i int, format string, args ...any) {
	*p = append(*p, Problem{Field: field, Index: i, Message: fmt.Sprintf(format, args...)})
}

// oneOf records a problem unless value is one of allowed.
func (p *problems) oneOf(field string, i int, value string, allowed ...string) {
	if !slices.Contains(allowed, value) {
		p.addItem(field, i, "must be one of %s, got %q", strings.Join(allowed, ", "), value)
	}
}

// EffectiveGrantTypes returns GrantTypes, or when it is empty the default for
// the client's type: authorization_code and refresh_token for confidential
// and public clients, client_credentials for a resource server. It returns
// nil for an unknown type with no grant types. The result is a copy.
func (c Client) EffectiveGrantTypes() []string {
	if len(c.GrantTypes) > 0 {
		return slices.Clone(c.GrantTypes)
	}
	switch c.Type {
	case TypeConfidential, TypePublic:
		return []string{GrantAuthorizationCode, GrantRefreshToken}
	case TypeResourceServer:
		return []string{GrantClientCredentials}
	}
	return nil
}

// EffectiveAuthMethod returns TokenEndpointAuthMethod, or when it is empty
// the default for the client's type: none for a public client,
// client_secret_basic otherwise (the default of OpenID Connect Dynamic
// Client Registration 1.0 §2).
func (c Client) EffectiveAuthMethod() string {
	if c.TokenEndpointAuthMethod != "" {
		return c.TokenEndpointAuthMethod
	}
	if c.Type == TypePublic {
		return AuthNone
	}
	return AuthClientSecretBasic
}

// NeedsSecret reports whether the client authenticates with a secret: a
// confidential client or a resource server not using private_key_jwt.
func (c Client) NeedsSecret() bool {
	return (c.Type == TypeConfidential || c.Type == TypeResourceServer) && c.EffectiveAuthMethod() != AuthPrivateKeyJWT
}

// Record returns the client as the store keeps it, created at now, with
// the defaults of its type filled in and its origins as they are compared
// (NormalOrigins); without its secret, which the caller stores as a keyed
// hash. Call it on a client Check accepts.
func (c Client) Record(now time.Time) storage.Client {
	return storage.Client{
		ID:                                c.ID,
		Name:                              c.Name,
		Type:                              storage.ClientType(c.Type),
		RedirectURIs:                      c.RedirectURIs,
		PostLogoutRedirectURIs:            c.PostLogoutRedirectURIs,
		GrantTypes:                        c.EffectiveGrantTypes(),
		Scopes:                            c.Scopes,
		TokenEndpointAuthMethod:           c.EffectiveAuthMethod(),
		JWKSURI:                           c.JWKSURI,
		TokenEndpointAuthSigningAlg:       c.TokenEndpointAuthSigningAlg,
		IDTokenSignedResponseAlg:          c.IDTokenSignedResponseAlg,
		IntrospectionSignedResponseAlg:    c.IntrospectionSignedResponseAlg,
		IntrospectionEncryptedResponseAlg: c.IntrospectionEncryptedResponseAlg,
		IntrospectionEncryptedResponseEnc: c.IntrospectionEncryptedResponseEnc,
		SkipConsent:                       c.SkipConsent,
		RequirePAR:                        c.RequirePAR,
		DPoPBoundAccessTokens:             c.DPoPBoundAccessTokens,
		AccessTokenFormat:                 storage.AccessTokenFormat(c.AccessTokenFormat),
		RefreshReuseWindow:                c.RefreshReuseWindow,
		AllowedOrigins:                    NormalOrigins(c.AllowedOrigins),
		BackchannelLogoutURI:              c.BackchannelLogoutURI,
		BackchannelLogoutSessionRequired:  c.BackchannelLogoutSessionRequired,
		CreatedAt:                         now,
		UpdatedAt:                         now,
	}
}

// Check validates the client c registered with o and returns every
// problem, in the order of the fields, or nil. No message quotes the
// secret.
func Check(c Client, o Options) []Problem {
	var p problems
	if o.Secret {
		checkSecret(&p, c)
	}
	checkNames(&p, c)
	checkURIs(&p, c, o)
	for j, s := range c.Scopes {
		if !slices.Contains(o.Scopes, s) {
			p.addItem("scopes", j, "%q is not in the scope catalogue", s)
		}
	}
	checkGrants(&p, c, o.Dev)
	checkAuth(&p, c, o.Dev)
	p = append(p, IntrospectionProblems(c.Type == TypePublic, c.JWKSURI, c.IntrospectionSignedResponseAlg, c.IntrospectionEncryptedResponseAlg, c.IntrospectionEncryptedResponseEnc)...)
	if msg := DPoPBoundProblem(c.DPoPBoundAccessTokens, o.DPoPOff); msg != "" {
		p.add("dpop_bound_access_tokens", "%s", msg)
	}
	return p
}

// DPoPBoundProblem says what is wrong with a client's
// dpop_bound_access_tokens (RFC 9449 section 5.2) on a provider where
// DPoP is off (dpopOff): such a client could get no token. It is "" when
// nothing is wrong.
func DPoPBoundProblem(bound, dpopOff bool) string {
	if bound && dpopOff {
		return "DPoP is turned off on this provider (dpop.enabled: false): no token could be bound to a key"
	}
	return ""
}

// checkSecret checks a client's secret against its type and
// authentication method.
func checkSecret(p *problems, c Client) {
	public := c.Type == TypePublic
	keyAuth := c.EffectiveAuthMethod() == AuthPrivateKeyJWT
	needsSecret := c.NeedsSecret()
	switch {
	case public && c.Secret != "":
		p.add("secret", "must be empty for a public client")
	case keyAuth && c.Secret != "":
		p.add("secret", "must be empty for a client authenticating with private_key_jwt")
	case needsSecret && c.Secret == "":
		p.add("secret", "required for a %s client", c.Type)
	case needsSecret && utf8.RuneCountInString(c.Secret) < MinSecretLen:
		p.add("secret", "must be at least %d characters", MinSecretLen)
	}
}

// checkNames checks the client's ID, name and type.
func checkNames(p *problems, c Client) {
	switch {
	case c.ID == "":
		p.add("id", "required")
	case !isClientID(c.ID):
		p.add("id", "may contain only letters, digits and . _ : -, got %q", c.ID)
	}
	switch name := strings.TrimSpace(c.Name); {
	case name == "":
		p.add("name", "required: shown to users on the consent page")
	case utf8.RuneCountInString(name) > MaxNameLen:
		p.add("name", "must be at most %d characters: shown to users on the consent page", MaxNameLen)
	}
	p.oneOf("type", -1, c.Type, TypeConfidential, TypePublic, TypeResourceServer)
}

// isClientID reports whether id uses only [A-Za-z0-9._:-].
func isClientID(id string) bool {
	for _, r := range id {
		ok := r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._:-", r))
		if !ok {
			return false
		}
	}
	return true
}

// checkURIs checks the URIs a browser is sent to and the origins it
// calls from.
func checkURIs(p *problems, c Client, o Options) {
	public := c.Type == TypePublic
	redirectPublic := public && !(o.WebOnlyBrowserApps && len(c.AllowedOrigins) > 0)
	for j, raw := range c.RedirectURIs {
		if msg := RedirectURIProblem(raw, redirectPublic, o.Dev); msg != "" {
			p.addItem("redirect_uris", j, "%s", msg)
		}
	}
	for j, raw := range c.PostLogoutRedirectURIs {
		if msg := RedirectURIProblem(raw, public, o.Dev); msg != "" {
			p.addItem("post_logout_redirect_uris", j, "%s", msg)
		}
	}
	for j, raw := range c.AllowedOrigins {
		if _, msg := CheckOrigin(raw, o.Dev); msg != "" {
			p.addItem("allowed_origins", j, "%s", msg)
		}
	}
}

// checkGrants checks the grant types against the client's type, and the
// options of the grants: pushed requests, refresh tokens, tokens and
// back-channel logout.
func checkGrants(p *problems, c Client, dev bool) {
	for j, g := range c.GrantTypes {
		p.oneOf("grant_types", j, g, GrantAuthorizationCode, GrantRefreshToken, GrantClientCredentials, GrantDeviceCode)
	}
	grants := c.EffectiveGrantTypes()
	switch c.Type {
	case TypePublic:
		if slices.Contains(grants, GrantClientCredentials) {
			p.add("grant_types", "a public client may not use %s", GrantClientCredentials)
		}
	case TypeResourceServer:
		if slices.ContainsFunc(grants, func(g string) bool { return g != GrantClientCredentials }) {
			p.add("grant_types", "a resource_server client may only use %s", GrantClientCredentials)
		}
	}
	if slices.Contains(grants, GrantAuthorizationCode) && len(c.RedirectURIs) == 0 {
		p.add("redirect_uris", "at least one is required for %s", GrantAuthorizationCode)
	}
	if c.RequirePAR && !slices.Contains(grants, GrantAuthorizationCode) {
		p.add("require_pushed_authorization_requests", "only for a client using %s: pushed requests are authorization requests", GrantAuthorizationCode)
	}
	if w := c.RefreshReuseWindow; w != nil {
		if msg := ReuseWindowProblem(*w); msg != "" {
			p.add("refresh_token_reuse_window", "%s", msg)
		}
	}
	if c.AccessTokenFormat != "" {
		p.oneOf("access_token_format", -1, c.AccessTokenFormat, string(storage.AccessTokenOpaque), string(storage.AccessTokenJWT))
	}
	if c.IDTokenSignedResponseAlg != "" {
		p.oneOf("id_token_signed_response_alg", -1, c.IDTokenSignedResponseAlg, SigningAlgs()...)
	}
	switch {
	case c.BackchannelLogoutURI != "":
		if msg := BackchannelLogoutURIProblem(c.BackchannelLogoutURI, dev); msg != "" {
			p.add("backchannel_logout_uri", "%s", msg)
		}
	case c.BackchannelLogoutSessionRequired:
		p.add("backchannel_logout_session_required", "used only with backchannel_logout_uri")
	}
	// Refresh tokens come only from the grants a user signs in with:
	// RFC 6749 §4.4.3 says client_credentials should not return one.
	if slices.Contains(grants, GrantRefreshToken) && !slices.Contains(grants, GrantAuthorizationCode) && !slices.Contains(grants, GrantDeviceCode) {
		p.add("grant_types", "%s requires %s or %s", GrantRefreshToken, GrantAuthorizationCode, GrantDeviceCode)
	}
}

// checkAuth checks how the client authenticates at the token endpoint.
func checkAuth(p *problems, c Client, dev bool) {
	public := c.Type == TypePublic
	method := c.EffectiveAuthMethod()
	p.oneOf("token_endpoint_auth_method", -1, method, AuthClientSecretBasic, AuthClientSecretPost, AuthPrivateKeyJWT, AuthNone)
	switch {
	case public && method != AuthNone:
		p.add("token_endpoint_auth_method", "must be %s for a public client, got %q", AuthNone, method)
	case !public && method == AuthNone:
		p.add("token_endpoint_auth_method", "%s is only for public clients", AuthNone)
	}
	*p = append(*p, JWKSProblems(method, c.JWKSURI, c.IntrospectionEncryptedResponseAlg, dev)...)
	switch {
	case method != AuthPrivateKeyJWT && c.TokenEndpointAuthSigningAlg != "":
		p.add("token_endpoint_auth_signing_alg", "used only with token_endpoint_auth_method %s", AuthPrivateKeyJWT)
	case c.TokenEndpointAuthSigningAlg != "" && !slices.Contains(ClientAssertionAlgs(), c.TokenEndpointAuthSigningAlg):
		p.oneOf("token_endpoint_auth_signing_alg", -1, c.TokenEndpointAuthSigningAlg, ClientAssertionAlgs()...)
	}
}

// JWKSProblems checks a client's jwks_uri, where the provider reads its
// keys: required to authenticate with private_key_jwt (method) and to
// have introspection answers encrypted (encAlg, its
// introspection_encrypted_response_alg), used for nothing else; https
// unless dev allows http on any host.
func JWKSProblems(method, jwksURI, encAlg string, dev bool) []Problem {
	var p problems
	switch {
	case method == AuthPrivateKeyJWT && jwksURI == "":
		p.add("jwks_uri", "required for %s", AuthPrivateKeyJWT)
	case method != AuthPrivateKeyJWT && jwksURI != "" && encAlg == "":
		p.add("jwks_uri", "used only with token_endpoint_auth_method %s or with introspection_encrypted_response_alg", AuthPrivateKeyJWT)
	case jwksURI != "":
		if u, err := url.Parse(jwksURI); err != nil {
			p.add("jwks_uri", "not a URL: %q", jwksURI)
		} else if msg := WebURLProblem(u, dev); msg != "" {
			p.add("jwks_uri", "%s", msg)
		}
	}
	return p
}

// IntrospectionProblems checks how a client's signed introspection
// answers are signed and encrypted (RFC 9701 section 6): the signing
// algorithm one the provider keeps a key of, the encryption algorithms
// ones it offers (the content encryption only with a key management
// algorithm), and a key to encrypt to (jwksURI). A public client
// authenticates to no endpoint, so it cannot introspect.
func IntrospectionProblems(public bool, jwksURI, signAlg, encAlg, enc string) []Problem {
	var p problems
	if public && signAlg+encAlg+enc != "" {
		p.add("introspection_signed_response_alg", "a public client cannot call the introspection endpoint")
		return p
	}
	if signAlg != "" {
		p.oneOf("introspection_signed_response_alg", -1, signAlg, SigningAlgs()...)
	}
	if encAlg != "" {
		p.oneOf("introspection_encrypted_response_alg", -1, encAlg, storage.IntrospectionEncryptionAlgs()...)
		if jwksURI == "" {
			p.add("jwks_uri", "required with introspection_encrypted_response_alg: the key the answers are encrypted to is published there")
		}
	}
	switch {
	case enc != "" && encAlg == "":
		p.add("introspection_encrypted_response_enc", "used only with introspection_encrypted_response_alg")
	case enc != "":
		p.oneOf("introspection_encrypted_response_enc", -1, enc, storage.IntrospectionEncryptionEncs()...)
	}
	return p
}
