package oauth

import (
	"context"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/storage"
)

// signer is fosite's JWT signer over the provider's keys. It signs with
// the current key key returns, and decodes a JWT signed by any published
// key, found by its kid: an id_token_hint signed for a client of another
// algorithm, or before a rotation, decodes as well as one signed now.
type signer struct {
	*jwt.DefaultSigner
	keys SigningKeys
}

var _ jwt.Signer = (*signer)(nil)

func newSigner(published SigningKeys, key func(ctx context.Context) (keys.Key, error)) *signer {
	return &signer{keys: published, DefaultSigner: &jwt.DefaultSigner{GetPrivateKey: func(ctx context.Context) (any, error) {
		k, err := key(ctx)
		if err != nil {
			return nil, err
		}
		return &jose.JSONWebKey{Key: k.Signer, KeyID: k.ID, Algorithm: k.Algorithm, Use: "sig"}, nil
	}}}
}

// Decode parses token and verifies it against the published key its kid
// names, which must be of its alg. Like fosite's, it returns the token
// with a *jwt.ValidationError when the claims are not valid (an expired
// token, which an id_token_hint may be).
func (s *signer) Decode(ctx context.Context, token string) (*jwt.Token, error) {
	return jwt.ParseWithClaims(token, jwt.MapClaims{}, func(t *jwt.Token) (any, error) {
		set, err := s.keys.JWKS(ctx)
		if err != nil {
			return nil, err
		}
		kid, _ := t.Header["kid"].(string)
		found := set.Key(kid)
		if kid == "" || len(found) == 0 {
			return nil, fmt.Errorf("oauth: no published key has the kid %q", kid)
		}
		if alg := string(t.Method); alg != found[0].Algorithm {
			return nil, fmt.Errorf("oauth: a JWT signed with %s by the %s key %s", alg, found[0].Algorithm, kid)
		}
		return found[0].Key, nil
	})
}

// Validate verifies token as Decode does and returns its signature.
func (s *signer) Validate(ctx context.Context, token string) (string, error) {
	if _, err := s.Decode(ctx, token); err != nil {
		return "", err
	}
	return s.GetSignature(ctx, token)
}

// signers are a signer for each algorithm of keys.Algorithms, signing
// with the current key of that algorithm.
type signers map[string]*signer

func newSigners(published SigningKeys) signers {
	out := signers{}
	for _, alg := range keys.Algorithms() {
		out[alg] = newSigner(published, func(ctx context.Context) (keys.Key, error) { return published.CurrentOf(ctx, alg) })
	}
	return out
}

// idTokenStrategy signs each ID token with the current key of the
// algorithm its client registered (id_token_signed_response_alg, RS256
// when it registered none: OpenID Connect Registration 1.0 section 2), by
// fosite's own strategy over that algorithm's signer, so that the header's
// alg and kid are the key's.
type idTokenStrategy map[string]openid.OpenIDConnectTokenStrategy

var _ openid.OpenIDConnectTokenStrategy = idTokenStrategy{}

func newIDTokenStrategy(s signers, config fosite.Configurator) idTokenStrategy {
	out := idTokenStrategy{}
	for alg, sg := range s {
		out[alg] = &openid.DefaultStrategy{Signer: sg, Config: config}
	}
	return out
}

func (s idTokenStrategy) GenerateIDToken(ctx context.Context, lifespan time.Duration, r fosite.Requester) (string, error) {
	alg := idTokenAlg(r.GetClient())
	strategy, ok := s[alg]
	if !ok {
		return "", fosite.ErrServerError.WithDebugf("client %s: no signing key of its ID token algorithm %q", r.GetClient().GetID(), alg)
	}
	return withoutPrivateClaims(r, func() (string, error) { return strategy.GenerateIDToken(ctx, lifespan, r) })
}

// idTokenAlg is the algorithm c's ID tokens are signed with.
func idTokenAlg(c fosite.Client) string {
	if cl, ok := c.(*client); ok {
		return cl.IDTokenAlg()
	}
	return storage.Client{}.IDTokenAlg()
}
