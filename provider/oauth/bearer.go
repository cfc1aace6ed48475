package oauth

import (
	"context"
	"errors"

	"github.com/ory/fosite"
)

// ErrBadToken is returned by Bearer for a token that is not an active
// access token of this provider.
var ErrBadToken = errors.New("oauth: the access token is invalid, expired or revoked")

// Bearer checks an access token presented to one of the provider's own
// APIs (the admin API) and returns the client it was issued to, its user
// (empty for client credentials) and its scopes.
func (p *Provider) Bearer(ctx context.Context, token string) (clientID, subject string, scopes []string, err error) {
	use, ar, err := p.fosite.IntrospectToken(ctx, token, fosite.AccessToken, NewSession(""))
	if err != nil || use != fosite.AccessToken {
		return "", "", nil, ErrBadToken
	}
	return ar.GetClient().GetID(), ar.GetSession().GetSubject(), ar.GetGrantedScopes(), nil
}
