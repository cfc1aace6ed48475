package oauth

import (
	"errors"
	"net/http"
	"slices"

	"github.com/ory/fosite"
)

// supportedGrantTypes are the grants the token endpoint answers. OAuth 2.1
// has neither the implicit nor the password grant.
func supportedGrantTypes() []string {
	return []string{"authorization_code", "refresh_token", "client_credentials"}
}

// isUserScope reports scopes about a signed-in user; a client-credentials token
// has no user, so a bare client-credentials request never gets them.
func isUserScope(s string) bool {
	switch s {
	case "openid", "offline_access", "profile", "email":
		return true
	}
	return false
}

// token is the token endpoint (RFC 6749 section 3.2).
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if !readClientForm(w, r, "Client authentication is required: send the client's credentials, or its client_id for a public client.") {
		return
	}
	r, secret := withSecretRecorder(r)
	ctx := r.Context()
	ar, err := p.fosite.NewAccessRequest(ctx, r, NewSession(""))
	if err != nil {
		if gt := r.PostForm.Get("grant_type"); gt != "" && !slices.Contains(supportedGrantTypes(), gt) {
			err = fosite.ErrUnsupportedGrantType.WithHintf("The grant type %q is not supported; this server supports %v.", gt, supportedGrantTypes()).WithWrap(err)
		}
		p.writeTokenError(w, r, ar, err)
		return
	}
	p.touch(ctx, ar.GetClient(), secret)
	if ar.GetGrantTypes().ExactOne("client_credentials") {
		grantClientScopes(ar)
	}
	resp, err := p.fosite.NewAccessResponse(ctx, ar)
	if err != nil {
		p.writeTokenError(w, r, ar, err)
		return
	}
	p.fosite.WriteAccessResponse(ctx, w, ar, resp)
}

// grantClientScopes grants a client-credentials request what it asked for
// (fosite has checked each scope against the client's list) or, when it
// asked for nothing, every scope the client may obtain that is not about a
// user (RFC 6749 section 3.3: a pre-defined default).
func grantClientScopes(ar fosite.AccessRequester) {
	requested := ar.GetRequestedScopes()
	if len(requested) == 0 {
		for _, s := range ar.GetClient().GetScopes() {
			if !isUserScope(s) {
				ar.GrantScope(s)
			}
		}
		return
	}
	for _, s := range requested {
		ar.GrantScope(s)
	}
	for _, a := range ar.GetRequestedAudience() {
		ar.GrantAudience(a)
	}
}

// writeTokenError writes a token endpoint error. A lost race on a code or
// a refresh token (two requests presenting the same one at once) is the
// client's doing, so it is answered as invalid_grant, not server_error.
func (p *Provider) writeTokenError(w http.ResponseWriter, r *http.Request, ar fosite.AccessRequester, err error) {
	err = p.expiredSecret(r, clientAuthError(r, err))
	if errors.Is(err, fosite.ErrSerializationFailure) {
		hint := "The grant was used by another request at the same time; only one of them succeeds."
		if ar != nil && ar.GetGrantTypes().ExactOne("refresh_token") {
			hint = "This refresh token was used by another request at the same time; use the tokens that request received."
		}
		err = fosite.ErrInvalidGrant.WithHint(hint).WithWrap(err)
	}
	p.logServerError(r.Context(), "token", err)
	p.fosite.WriteAccessError(r.Context(), w, ar, err)
}

// clientAuthError gives client-authentication failures their RFC 6749
// shape. fosite returns some of them raw: a client assertion that fails
// validation (expired, not yet valid) comes back as the JWT library's
// error, and a replayed one as jti_known. Both are the client's mistake:
// invalid_client (RFC 7523 section 3), never a server error.
func clientAuthError(r *http.Request, err error) error {
	if errors.Is(err, fosite.ErrJTIKnown) {
		return fosite.ErrInvalidClient.WithHint("This client assertion was already used; sign a new one with a fresh jti.").WithWrap(err)
	}
	var rfc *fosite.RFC6749Error
	if !errors.As(err, &rfc) && r.PostForm.Get("client_assertion") != "" {
		return fosite.ErrInvalidClient.WithHint("The client assertion is not valid: check its signature, exp, iat and aud.").WithWrap(err)
	}
	return err
}
