package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// userinfo is the UserInfo endpoint (OpenID Connect Core 1.0 section
// 5.3): it answers a bearer access token that was granted openid with the
// claims its scopes allow. Errors follow RFC 6750 section 3.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token, dpopScheme, problem := bearerToken(w, r)
	if problem != "" {
		p.bearerError(w, http.StatusBadRequest, "invalid_request", problem)
		return
	}
	if token == "" {
		p.bearerError(w, http.StatusUnauthorized, "", "")
		return
	}
	ar, err := p.accessToken(ctx, token)
	if errors.Is(err, storage.ErrUnavailable) {
		p.logServerError(ctx, "userinfo", err)
		writeFositeError(w, err)
		return
	}
	if err != nil {
		p.logServerError(ctx, "userinfo", err)
		p.bearerError(w, http.StatusUnauthorized, "invalid_token", "The access token is invalid, expired or revoked.")
		return
	}
	if p.checkOrigin(r, ar.GetClient().GetID()) != nil {
		p.bearerError(w, http.StatusUnauthorized, "invalid_token", "This access token may not be used from this web origin: the app it was issued to is not called from there.")
		return
	}
	if !p.presentedWithKey(w, r, token, dpopScheme, ar) {
		return
	}
	if !ar.GetGrantedScopes().Has("openid") {
		p.bearerError(w, http.StatusForbidden, "insufficient_scope", "The access token was not granted the openid scope.")
		return
	}
	sub := ar.GetSession().GetSubject()
	u, err := p.cfg.Store.GetUser(ctx, sub)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && u.Status != storage.UserActive) {
		p.bearerError(w, http.StatusUnauthorized, "invalid_token", "The account this token was issued for no longer exists or is disabled.")
		return
	}
	if err != nil {
		p.logServerError(ctx, "userinfo", err)
		writeFositeError(w, err)
		return
	}
	claims := map[string]any{"sub": u.ID}
	if id, handle := workspaceOf(ar.GetSession()); id != "" {
		claims[ClaimOrgID], claims[ClaimOrgHandle] = id, handle
	}
	scopes := ar.GetGrantedScopes()
	if slices.Contains(scopes, "profile") {
		claims["name"] = u.Name
	}
	if slices.Contains(scopes, "email") {
		claims["email"] = u.Email
		claims["email_verified"] = u.EmailVerified
	}
	web.JSON(w, http.StatusOK, claims)
}

// bearerError writes an RFC 6750 error: the WWW-Authenticate header, and a
// JSON body with the same error. With DPoP on, a request without a token
// is also told that the DPoP scheme is accepted (RFC 9449 section 7.1).
func (p *Provider) bearerError(w http.ResponseWriter, status int, code, description string) {
	challenge := `Bearer realm="tokenim-auth"`
	if code != "" {
		challenge += fmt.Sprintf(`, error=%q, error_description=%q`, code, description)
	}
	w.Header().Set("WWW-Authenticate", challenge)
	if code == "" {
		if p.cfg.DPoP != nil {
			w.Header().Add("WWW-Authenticate", p.dpopChallenge())
		}
		code, description = "invalid_request", "An access token is required (Authorization: Bearer …)."
	}
	web.JSON(w, status, oauthError{Error: code, Description: description})
}
