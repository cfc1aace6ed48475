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
func authenticateClient(f *fosite.Fosite, store *fositeStore) fosite.ClientAuthenticationStrategy {
	return func(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, error) {
		pending := &pendingJTI{}
		ctx = context.WithValue(ctx, pendingJTIKey{}, pending)
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

// SetClientAssertionJWT implements fosite.ClientManager. fosite calls it
// once per client assertion, at every endpoint a client authenticates at,
// after checking its signature, iss, sub, exp and nbf, and before its aud,
// with its exp: so this is where an assertion valid for too long is
// refused (RFC 7523 section 3 lets the server bound it). The jti is kept
// for authenticateClient to save once the aud is checked too.
func (s *fositeStore) SetClientAssertionJWT(ctx context.Context, jti string, exp time.Time) error {
	if exp.After(s.now().Add(s.maxAssertion)) {
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
