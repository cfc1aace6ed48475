package rs

import (
	"context"
	"maps"
	"slices"
	"time"
)

// Format says how a token was checked.
type Format string

// The token formats a Verifier knows.
const (
	// FormatOpaque is a token checked by introspection.
	FormatOpaque Format = "opaque"
	// FormatJWT is a JWT access token (RFC 9068) checked locally.
	FormatJWT Format = "jwt"
)

// Token is what is known of a verified access token.
type Token struct {
	// Subject is the resource owner ("sub"); for a client credentials
	// token, the client itself.
	Subject string
	// ClientID is the client the token was issued to.
	ClientID string
	// Scopes are the granted scopes.
	Scopes []string
	// Audience is the token's "aud".
	Audience []string
	// Expiry is the token's "exp" (zero when the provider named none).
	Expiry time.Time
	// IssuedAt is the token's "iat" (zero when unknown).
	IssuedAt time.Time
	// AuthTime is when the user signed in for the grant the token comes
	// from ("auth_time"), however often it was refreshed since; zero for
	// a token of no user (client credentials) or when the provider does
	// not say. RequireAuth checks it against a maximum age.
	AuthTime time.Time
	// ACR is that sign-in's level ("acr"): "1" one factor, "2" two
	// factors, "3" two factors one of them a passkey (see RequireAuth);
	// empty for a token of no user.
	ACR string
	// AMR are that sign-in's methods ("amr", RFC 8176 section 2): "pwd",
	// "otp", "hwk", "swk", "user", "pin", and "mfa" for more than one
	// factor.
	AMR []string
	// WorkspaceID and WorkspaceHandle name the workspace (organization)
	// the token was issued for ("org_id", "org_handle"); empty for a token
	// of no workspace. A token for one workspace must never authorize
	// another: see RequireWorkspace.
	WorkspaceID     string
	WorkspaceHandle string
	// ID is the token's "jti": the JWT's, or for an opaque token the
	// family the provider names in introspection and in revocation
	// events.
	ID string
	// Actor is who acts for Subject, for a token got by token exchange
	// (RFC 8693 section 4.1: the act claim): a service or agent presenting
	// the user's token. Actor.Actor is who acted before it, for a chain;
	// nil for a token the user's app got itself.
	Actor *Actor
	// DerivedFrom are the token families (the IDs of revocation events) a
	// token got by token exchange derives from; the revocation stream's
	// revocation of any of them drops it from the cache.
	DerivedFrom []string
	// JKT is the SHA-256 thumbprint of the DPoP key the token is bound to
	// ("cnf.jkt", RFC 9449 section 6); empty for a bearer token.
	// Middleware accepts a bound token only with a proof of that key.
	JKT string
	// Format says how the token was checked.
	Format Format
	// Claims are the raw claims: the JWT's payload or the introspection
	// answer.
	Claims map[string]any
}

// Actor is one party of a token's act claim (RFC 8693 section 4.1).
type Actor struct {
	// Subject is the actor's "sub": for a service acting as itself, its
	// client ID.
	Subject string `json:"sub"`
	// ClientID is the client the actor used.
	ClientID string `json:"client_id,omitempty"`
	// Actor is who acted before this one; nil at the end of the chain.
	Actor *Actor `json:"act,omitempty"`
}

// Chain lists the actors from the latest to the first.
func (a *Actor) Chain() []Actor {
	var out []Actor
	for ; a != nil; a = a.Actor {
		out = append(out, Actor{Subject: a.Subject, ClientID: a.ClientID})
	}
	return out
}

// HasScope says whether scope was granted.
func (t Token) HasScope(scope string) bool {
	return slices.Contains(t.Scopes, scope)
}

// clone is t with its own slices and map, so that a handler changing
// them does not change a cached token.
func (t Token) clone() Token {
	t.Scopes = slices.Clone(t.Scopes)
	t.Audience = slices.Clone(t.Audience)
	t.AMR = slices.Clone(t.AMR)
	t.Claims = maps.Clone(t.Claims)
	t.Actor = t.Actor.clone()
	t.DerivedFrom = slices.Clone(t.DerivedFrom)
	return t
}

// missingScopes are those of want that t lacks, in order.
func (t Token) missingScopes(want []string) []string {
	var missing []string
	for _, s := range want {
		if !t.HasScope(s) {
			missing = append(missing, s)
		}
	}
	return missing
}

// authKey is the context key of a request's authentication.
type authKey struct{}

// auth is what Middleware puts in a request context.
type auth struct {
	token Token
	// challenge begins the challenges of refusals after Middleware.
	challenge challenge
	// now is the Verifier's clock, which RequireAuth reads.
	now func() time.Time
}

// FromContext returns the token Middleware verified for the request.
func FromContext(ctx context.Context) (Token, bool) {
	a, ok := ctx.Value(authKey{}).(auth)
	return a.token, ok
}

// NewContext returns ctx carrying tok, as Middleware does; it lets tests
// and other transports call handlers guarded by RequireScope and
// RequireAuth (which then reads the time from time.Now).
func NewContext(ctx context.Context, tok Token) context.Context {
	return context.WithValue(ctx, authKey{}, auth{token: tok, challenge: challenge{realm: DefaultRealm}, now: time.Now})
}

// clone is a deep copy of the chain.
func (a *Actor) clone() *Actor {
	if a == nil {
		return nil
	}
	c := *a
	c.Actor = a.Actor.clone()
	return &c
}
