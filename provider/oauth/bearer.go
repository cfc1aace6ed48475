package oauth

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/ory/fosite"

	"github.com/tokenim/tokenim-auth/storage"
)

// ErrBadToken is returned by Bearer for a token that is not an active
// access token of this provider.
var ErrBadToken = errors.New("oauth: the access token is invalid, expired or revoked")

// Bearer checks an access token presented to one of the provider's own
// APIs (the admin API) and returns the client it was issued to, its user
// (empty for client credentials) and its scopes. The error is ErrBadToken,
// or storage.ErrUnavailable when the token could not be looked up. A
// DPoP-bound token is ErrBadToken: those APIs take bearer tokens only, and
// a bound token used as one would be a stolen token working without its
// key (RFC 9449 section 7.2).
func (p *Provider) Bearer(ctx context.Context, token string) (clientID, subject string, scopes []string, err error) {
	ar, err := p.accessToken(ctx, token)
	if err != nil {
		return "", "", nil, err
	}
	if sessionJKT(ar.GetSession()) != "" {
		return "", "", nil, fmt.Errorf("%w: a DPoP-bound token was presented as a bearer token", ErrBadToken)
	}
	return ar.GetClient().GetID(), ar.GetSession().GetSubject(), ar.GetGrantedScopes(), nil
}

// accessToken returns the request of token when it is an active access
// token of this provider, for every endpoint a bearer token opens
// (userinfo, the admin API). fosite's introspection also finds refresh
// tokens: those, and anything else, are ErrBadToken (RFC 6750 section
// 3.1, invalid_token). A lookup that failed because the store could not be
// reached wraps storage.ErrUnavailable instead: the token may well be good.
func (p *Provider) accessToken(ctx context.Context, token string) (fosite.AccessRequester, error) {
	use, ar, err := p.fosite.IntrospectToken(ctx, token, fosite.AccessToken, NewSession(""))
	switch {
	case errors.Is(err, storage.ErrUnavailable):
		return nil, fmt.Errorf("oauth: look up an access token: %w", err)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrBadToken, err)
	case use != fosite.AccessToken:
		return nil, fmt.Errorf("%w: a %s was presented as an access token", ErrBadToken, use)
	}
	return ar, nil
}

// bearerToken reads the access token a request to a protected resource
// carries (RFC 6750 section 2): in the Authorization header (section 2.1)
// or, for a POST, in the form body (section 2.2); dpopScheme says it came
// as "Authorization: DPoP" (RFC 9449 section 7.1), with a proof to check.
// problem explains a request to refuse with invalid_request: a token in
// the query (section 2.3; it ends up in logs, history and Referer headers,
// RFC 9700 section 4.3.2), or a token sent two ways at once (section 2).
// Neither token nor problem means no token was sent.
func bearerToken(w http.ResponseWriter, r *http.Request) (token string, dpopScheme bool, problem string) {
	if r.URL.Query().Has("access_token") {
		return "", false, "An access token is not accepted in the query string; send it in the Authorization header (Authorization: Bearer …)."
	}
	if scheme, value, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok {
		switch {
		case strings.EqualFold(scheme, "Bearer"):
			token = strings.TrimSpace(value)
		case strings.EqualFold(scheme, "DPoP"):
			token, dpopScheme = strings.TrimSpace(value), true
		}
	}
	if r.Method != http.MethodPost {
		return token, dpopScheme, ""
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return token, dpopScheme, ""
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return "", false, "The request body is not a valid application/x-www-form-urlencoded form."
	}
	if form := r.PostForm.Get("access_token"); form != "" {
		if token != "" {
			return "", false, "Send the access token one way only: in the Authorization header or in the form body, not both."
		}
		token = form
	}
	return token, dpopScheme, ""
}
