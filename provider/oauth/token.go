package oauth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/storage"
)

// supportedGrantTypes are the grants the token endpoint answers: token
// exchange when some client has a policy for it (offersExchange). OAuth
// 2.1 has neither the implicit nor the password grant.
func supportedGrantTypes(exchange bool) []string {
	grants := []string{"authorization_code", "refresh_token", "client_credentials", grantDeviceCode}
	if exchange {
		grants = append(grants, GrantTokenExchange)
	}
	return grants
}

// token is the token endpoint (RFC 6749 section 3.2).
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if !readClientForm(w, r, "Client authentication is required: send the client's credentials, or its client_id for a public client.") {
		return
	}
	// A browser origin is checked against the client the request names
	// before fosite reads its grant (the PKCE handler uses up a code's
	// verifier data as it checks it), and against the client it
	// authenticated as, when it named none (private_key_jwt).
	presented, _ := presentedCredentials(r)
	if err := p.checkOrigin(r, presented); err != nil {
		p.writeTokenError(w, r, nil, err)
		return
	}
	p.sendNonce(w)
	r, secret := withSecretRecorder(r)
	ctx := r.Context()
	// The proof is checked before the grant is: a nonce to fetch first
	// (use_dpop_nonce) leaves the code or refresh token as it was.
	proof, err := p.requestProof(ctx, r, "/oauth2/token")
	if err != nil {
		p.writeTokenError(w, r, nil, err)
		return
	}
	// fosite decodes the stored session of the grant presented into
	// stored; for a refresh it then works on a copy, so stored keeps the
	// presented refresh token's expiry (boundRefresh).
	stored := NewSession("")
	ar, err := p.fosite.NewAccessRequest(ctx, r, stored)
	if err != nil {
		if gt := r.PostForm.Get("grant_type"); gt != "" {
			if grants := supportedGrantTypes(p.offersExchange(ctx)); !slices.Contains(grants, gt) {
				err = fosite.ErrUnsupportedGrantType.WithHintf("The grant type %q is not supported; this server supports %v.", gt, grants).WithWrap(err)
			}
		}
		p.writeTokenError(w, r, ar, pendingScope(ar, err))
		return
	}
	if err := p.checkOrigin(r, ar.GetClient().GetID()); err != nil {
		p.writeTokenError(w, r, nil, err)
		return
	}
	p.touch(ctx, ar.GetClient(), secret)
	p.boundRefresh(ar, stored)
	if err := p.bindDPoP(ar, stored, proof); err != nil {
		p.writeTokenError(w, r, ar, err)
		return
	}
	if err := p.bindResources(ar, stored); err != nil {
		p.writeTokenError(w, r, ar, err)
		return
	}
	switch {
	case ar.GetGrantTypes().ExactOne("client_credentials"):
		if err = grantClientScopes(ar); err == nil {
			var installed []string
			if installed, err = p.botGrant(ctx, ar, r.PostForm); err == nil {
				err = grantClientDetails(ar, installed)
			}
		}
	case ar.GetGrantTypes().ExactOne("refresh_token"):
		ctx, err = narrowRefresh(withRefresher(ctx, ar.GetClient()), ar, r.PostForm.Get("scope"))
	}
	if err != nil {
		p.writeTokenError(w, r, ar, err)
		return
	}
	// fosite hands the store a sanitized copy of the request, without its
	// grant type: the context carries it to the authorization record.
	resp, err := p.fosite.NewAccessResponse(withGrantType(ctx, strings.Join(ar.GetGrantTypes(), " ")), ar)
	if err != nil {
		p.writeTokenError(w, r, ar, err)
		return
	}
	if sessionJKT(ar.GetSession()) != "" {
		resp.SetTokenType("DPoP")
	}
	p.fosite.WriteAccessResponse(ctx, w, ar, resp)
	// fosite accepted the request, so grant_type is one of the four
	// supported: a bounded label.
	p.cfg.Observer.TokenIssued(r.PostForm.Get("grant_type"), ar.GetClient().GetID())
}

// boundRefresh keeps a browser app's sign-in within
// BrowserRefreshTokenLifespan: the refresh token it is about to get
// expires that long from now at most and, when it replaces a refresh
// token, no later than that one (draft-ietf-oauth-browser-based-apps:
// rotation does not extend the lifetime). So every token
// of the sign-in expires by its first refresh token's expiry. presented
// is the stored session of the grant the request presented.
func (p *Provider) boundRefresh(ar fosite.AccessRequester, presented fosite.Session) {
	c, ok := ar.GetClient().(*client)
	if !ok || !c.BrowserApp() || p.cfg.BrowserRefreshTokenLifespan <= 0 {
		return
	}
	limit := p.cfg.Now().UTC().Add(p.cfg.BrowserRefreshTokenLifespan).Round(time.Second)
	if ar.GetGrantTypes().ExactOne("refresh_token") {
		if prev := presented.GetExpiresAt(fosite.RefreshToken); !prev.IsZero() && prev.Before(limit) {
			limit = prev
		}
	}
	s := ar.GetSession()
	if exp := s.GetExpiresAt(fosite.RefreshToken); exp.IsZero() || exp.After(limit) {
		s.SetExpiresAt(fosite.RefreshToken, limit)
	}
}

// grantClientScopes grants a client-credentials request what it asked for
// (fosite has checked each scope against the client's list) or, when it
// asked for nothing, every scope the client may obtain that is not about a
// user (RFC 6749 section 3.3: a pre-defined default). A request that would
// be granted no scope at all, such as a resource server's with none
// registered, or a service's whose developer's requested scopes no
// administrator has approved yet, is invalid_scope: a token that allows
// nothing would still pass as "a valid token" wherever only its activity
// is checked.
func grantClientScopes(ar fosite.AccessRequester) error {
	if !ar.GetClient().GetGrantTypes().Has("client_credentials") {
		return nil // fosite refuses it: unauthorized_client
	}
	requested := ar.GetRequestedScopes()
	if len(requested) == 0 {
		for _, s := range ar.GetClient().GetScopes() {
			if !consent.SignInScope(s) {
				ar.GrantScope(s)
			}
		}
		if len(ar.GetGrantedScopes()) > 0 {
			return nil
		}
		if c, ok := ar.GetClient().(*client); ok && len(c.RequestedScopes) > 0 {
			return fosite.ErrInvalidScope.WithHintf("This request would grant no scope: no scope is approved for this client yet. The scopes its developer requested (%s) are waiting for an administrator's approval.", strings.Join(c.RequestedScopes, " "))
		}
		return fosite.ErrInvalidScope.WithHint("This request would grant no scope: the client has no scope a client-credentials token may carry. An administrator can give it the scopes of the APIs it calls.")
	}
	for _, s := range requested {
		ar.GrantScope(s)
	}
	for _, a := range ar.GetRequestedAudience() {
		ar.GrantAudience(a)
	}
	return nil
}

// pendingScope explains fosite's refusal of a client-credentials request
// for a scope the client may not obtain, when the scope is one its
// developer requested (in the portal) that no administrator has approved
// yet: fosite says only that the client is not allowed to request it.
// fosite checks the scopes in the order requested and refuses the first
// the client lacks, so that is the one explained.
func pendingScope(ar fosite.AccessRequester, err error) error {
	if ar == nil || !ar.GetGrantTypes().ExactOne("client_credentials") || !errors.Is(err, fosite.ErrInvalidScope) {
		return err
	}
	c, ok := ar.GetClient().(*client)
	if !ok {
		return err
	}
	for _, s := range ar.GetRequestedScopes() {
		if slices.Contains(c.Scopes, s) {
			continue
		}
		if slices.Contains(c.RequestedScopes, s) {
			return fosite.ErrInvalidScope.WithHintf("The scope '%s' is waiting for an administrator's approval: the client may request it once an administrator approves it.", s).WithWrap(err)
		}
		break
	}
	return err
}

// narrowRefresh applies the scope parameter of a refresh request (RFC
// 6749 section 6), which fosite v0.49 ignores, granting again all the
// refresh token had. Each scope named must have been granted with the
// refresh token (invalid_scope otherwise), and the new access token (and
// ID token, which needs openid) carries only those. The new refresh token
// keeps the whole original grant, as section 6 requires ("identical to
// that of the refresh token included by the client"), so that a later
// refresh may ask for the rest: the returned context carries it to
// CreateRefreshTokenSession.
func narrowRefresh(ctx context.Context, ar fosite.AccessRequester, scope string) (context.Context, error) {
	requested := fosite.RemoveEmpty(strings.Split(scope, " "))
	if len(requested) == 0 {
		return ctx, nil
	}
	original := ar.GetGrantedScopes()
	for _, s := range requested {
		if !original.Has(s) {
			return ctx, fosite.ErrInvalidScope.WithHintf("The scope %q was not granted with this refresh token; a refresh may keep or narrow the scope, not widen it (RFC 6749 section 6).", s)
		}
	}
	req, ok := ar.(*fosite.AccessRequest)
	if !ok {
		return ctx, fosite.ErrServerError.WithDebugf("a refresh request is %T, not *fosite.AccessRequest", ar)
	}
	req.GrantedScope = slices.DeleteFunc(slices.Clone(original), func(s string) bool { return !slices.Contains(requested, s) })
	return context.WithValue(ctx, refreshScopeKey{}, []string(slices.Clone(original))), nil
}

type refreshScopeKey struct{}

// refreshGrant returns the scopes the refresh token of a narrowed refresh
// keeps (narrowRefresh), if ctx is one.
func refreshGrant(ctx context.Context) ([]string, bool) {
	scopes, ok := ctx.Value(refreshScopeKey{}).([]string)
	return scopes, ok
}

// writeTokenError writes a token endpoint error. A lost race on a code or
// a refresh token (two requests presenting the same one at once) is the
// client's doing, so it is answered as invalid_grant, not server_error.
// A code presented twice at once is a replay like one presented again
// later: the tokens the winning request received are revoked (RFC 6749
// section 4.1.2).
func (p *Provider) writeTokenError(w http.ResponseWriter, r *http.Request, ar fosite.AccessRequester, err error) {
	err = p.expiredSecret(r, clientAuthError(r, err))
	if errors.Is(err, fosite.ErrSerializationFailure) {
		hint := "The grant was used by another request at the same time; only one of them succeeds."
		switch {
		case ar != nil && ar.GetGrantTypes().ExactOne("refresh_token"):
			hint = "This refresh token was used by another request at the same time; use the tokens that request received."
		case ar != nil && ar.GetGrantTypes().ExactOne("authorization_code"):
			hint = "The authorization code was used by another request at the same time; the tokens issued for it are revoked."
			p.retireReplayedCode(r.Context(), ar, r.PostForm.Get("code"))
		}
		err = fosite.ErrInvalidGrant.WithHint(hint).WithWrap(err)
	} else if ar != nil && ar.GetGrantTypes().ExactOne("authorization_code") {
		switch {
		case errors.Is(err, fosite.ErrInvalidatedAuthorizeCode):
			// The code was valid when this request began and was redeemed
			// by another before it finished: fosite reports that as a
			// server error, but the client presented the code twice.
			p.retireReplayedCode(r.Context(), ar, r.PostForm.Get("code"))
			err = fosite.ErrInvalidGrant.WithHint("The authorization code was used by another request at the same time; the tokens issued for it are revoked.").WithWrap(err)
		case errors.Is(err, fosite.ErrNotFound):
			// The code's PKCE data is gone while the code was still valid:
			// another request holding the same code took it a moment ago.
			p.retireReplayedCode(r.Context(), ar, r.PostForm.Get("code"))
		case errors.Is(err, fosite.ErrTokenExpired):
			// fosite answers an expired code with invalid_grant's generic
			// description; someone redeeming a code by hand needs to know
			// it was only late.
			err = fosite.ErrInvalidGrant.WithHintf("The authorization code expired (codes live %d s); start the sign-in again.",
				int(p.cfg.AuthorizeCodeLifespan/time.Second)).WithWrap(err)
		}
	}
	p.logServerError(r.Context(), "token", err)
	writeFositeError(w, err)
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

// retireReplayedCode handles an authorization code presented by two
// requests at once, wherever the losing request noticed: the code is
// retired, so a request still redeeming it fails too, and the tokens a
// request already received for it are revoked. Deactivating waits on the
// row lock of a redemption in progress (the store's lock in memory), so
// its tokens exist by then. Reading the code first does not wait, but a
// redemption in progress is then still active and fails on the retired
// code.
func (p *Provider) retireReplayedCode(ctx context.Context, ar fosite.AccessRequester, code string) {
	// Only for the authenticated client the code was issued to: anyone
	// else presenting it learns nothing and changes nothing.
	if code == "" || ar.GetClient() == nil {
		return
	}
	requestID, err := p.store.retireCode(ctx, code, ar.GetClient().GetID())
	if err != nil {
		p.logger.ErrorContext(ctx, "retire a replayed authorization code", "err", err)
		return
	}
	if requestID == "" {
		return
	}
	if err := p.store.revokeTokens(ctx, requestID); err != nil {
		p.logger.ErrorContext(ctx, "revoke the tokens of a replayed code", "grant_ref", storage.Ref(requestID), "err", err)
	}
	p.logger.WarnContext(ctx, "authorization code presented by two requests at once; its tokens are revoked", "grant_ref", storage.Ref(requestID))
}

type grantTypeKey struct{}

func withGrantType(ctx context.Context, gt string) context.Context {
	return context.WithValue(ctx, grantTypeKey{}, gt)
}

// grantType returns the grant type of the token request ctx belongs to.
func grantType(ctx context.Context) string {
	gt, _ := ctx.Value(grantTypeKey{}).(string)
	return gt
}
