package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/ory/fosite"

	"github.com/tokenim/tokenim-auth/storage"
)

// authenticateClient is fosite's client authentication strategy, with the
// jti of a private_key_jwt assertion recorded only once the assertion is
// accepted. fosite records it (SetClientAssertionJWT) before it checks the
// assertion's aud: a refused assertion would then be "already used" on a
// retry, hiding why it was refused. SetClientAssertionJWT keeps the jti in
// the request's pending place instead, and it is saved here after fosite
// has accepted every claim (RFC 7523 section 3).
//
// The assertion's aud must name this server as either its issuer
// identifier or the URL of the endpoint the assertion is sent to
// (endpointAudiences).
//
// A client with a secret may send it in either place a secret goes, the
// Authorization header or the form (secretMethod), whichever of the two
// it registered.
func authenticateClient(f *fosite.Fosite, store *fositeStore, issuer string) fosite.ClientAuthenticationStrategy {
	return func(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, error) {
		pending := &pendingJTI{}
		ctx = context.WithValue(ctx, pendingJTIKey{}, pending)
		ctx = context.WithValue(ctx, secretMethodKey{}, secretMethod(r, form))
		ctx = context.WithValue(ctx, audiencesKey{}, []string{issuer, issuer + r.URL.Path})
		c, err := f.DefaultClientAuthenticationStrategy(ctx, r, form)
		if err != nil || pending.jti == "" {
			return c, err
		}
		if err := store.saveJTI(ctx, pending.jti, pending.exp); err != nil {
			return nil, err
		}
		return c, nil
	}
}

// secretMethod is how the request sends a client secret:
// client_secret_basic (the Authorization header) or client_secret_post
// (the form); "" for none, and for both at once, which RFC 6749 section
// 2.3 forbids and fosite refuses.
func secretMethod(r *http.Request, form url.Values) string {
	_, headerSecret, basic := r.BasicAuth()
	basic = basic && headerSecret != ""
	post := form.Get("client_id") != "" && form.Get("client_secret") != ""
	switch {
	case basic && !post:
		return "client_secret_basic"
	case post && !basic:
		return "client_secret_post"
	}
	return ""
}

type secretMethodKey struct{}

// endpointAudiences is fosite's configuration with the audiences a client
// assertion may name at the endpoint it is sent to: the issuer identifier,
// which OpenID Connect Core 1.0 (errata set 2) and RFC 7523bis tell
// clients to use since the audience injection findings of 2025, and the
// URL of that endpoint, which RFC 7523 section 3 and older clients use
// (the token endpoint's at the token endpoint, the introspection
// endpoint's at introspection, and so on). Nothing else: an assertion
// made for another endpoint of this server is refused where it was not
// meant to go, and one made for another server (whose URLs an attacker
// could have had a client sign for) everywhere. RFC 7523bis updates RFC
// 9126, so the PAR endpoint no longer takes the token endpoint's URL.
type endpointAudiences struct {
	*fosite.Config
}

// GetTokenURLs implements fosite.TokenURLProvider: fosite checks a client
// assertion's aud against these.
func (c endpointAudiences) GetTokenURLs(ctx context.Context) []string {
	if auds, ok := ctx.Value(audiencesKey{}).([]string); ok {
		return auds
	}
	return []string{c.IDTokenIssuer, c.TokenURL}
}

type audiencesKey struct{}

// pendingJTI is the jti of the assertion being checked, and its exp.
type pendingJTI struct {
	jti string
	exp time.Time
}

type pendingJTIKey struct{}

// ClientAssertionJWTValid implements fosite.ClientManager: a known,
// unexpired JTI is a replayed client assertion (RFC 7523 section 3).
// fosite answers any error here as jti_known, which would tell a client
// during an outage that its fresh assertion was replayed: a failed lookup
// passes instead, and saveJTI, which saves the JTI only if it is new (and
// reports the store's error as it is), decides.
func (s *fositeStore) ClientAssertionJWTValid(ctx context.Context, jti string) error {
	seen, err := s.store.SeenJTI(ctx, jti, s.now())
	if err != nil {
		return nil
	}
	if seen {
		return fosite.ErrJTIKnown
	}
	return nil
}

// assertionClockSkew is how far the client's clock may run ahead of the
// provider's when it sets an assertion's exp: a client that signs
// assertions for exactly the longest life allowed (zitadel/oidc's relying
// party signs them for an hour) is not refused for a clock a few seconds
// fast.
const assertionClockSkew = time.Minute

// SetClientAssertionJWT implements fosite.ClientManager. fosite calls it
// once per client assertion, at every endpoint a client authenticates at,
// after checking its signature, iss, sub, exp and nbf, and before its aud,
// with its exp: so this is where an assertion valid for too long is
// refused (RFC 7523 section 3 lets the server bound it). The jti is kept
// for authenticateClient to save once the aud is checked too.
func (s *fositeStore) SetClientAssertionJWT(ctx context.Context, jti string, exp time.Time) error {
	if exp.After(s.now().Add(s.maxAssertion + assertionClockSkew)) {
		return fosite.ErrInvalidClient.WithHintf("The client assertion expires at %s, more than %s from now; sign assertions that expire within %s.",
			exp.UTC().Format(time.RFC3339), s.maxAssertion, s.maxAssertion)
	}
	if pending, ok := ctx.Value(pendingJTIKey{}).(*pendingJTI); ok {
		pending.jti, pending.exp = jti, exp
		return nil
	}
	return s.saveJTI(ctx, jti, exp)
}

// saveJTI records the jti of an accepted assertion until its exp; a jti
// recorded already is a replay.
func (s *fositeStore) saveJTI(ctx context.Context, jti string, exp time.Time) error {
	err := s.store.SaveJTI(ctx, jti, exp, s.now())
	if errors.Is(err, storage.ErrAlreadyExists) {
		return fosite.ErrJTIKnown
	}
	return err
}
