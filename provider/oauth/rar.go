package oauth

import (
	"context"
	"maps"
	"net/http"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/storage"
)

// Rich Authorization Requests (RFC 9396): authorization_details of the
// types im_conversation and im_channel (provider/authzdetails), grants as
// narrow as one conversation.
//
//   - At the authorization endpoint and by PAR the parameter is checked
//     before the user is asked anything; a bad one is
//     invalid_authorization_details (section 5), at the redirect URI or in
//     the PAR response.
//   - Each detail's actions are narrowed like scopes: an action survives
//     only when the scope it needs (authzdetails.Scope) is one the client
//     and the user's role allow (consent.Narrow, the one home of that
//     rule), and only what the user consented to (the consent page's
//     ticked details, or a remembered grant covering them all).
//   - The granted details travel in the session (sessionDetailsKey in the
//     ID token claims' Extra, kept out of the ID token itself by
//     idTokenStrategy), so the code, its tokens and every refresh carry
//     them; the token response, introspection and JWT access tokens name
//     them (sections 7 and 9). A refresh keeps them all: narrowing by a
//     refresh request's authorization_details (section 7.1) is not
//     supported and such a parameter is ignored.
//   - client_credentials takes authorization_details too, narrowed to the
//     client's own scopes, or for a bot of a workspace (organization) to
//     its installation's (grantClientDetails).

// sessionDetailsKey is where a session keeps its granted details.
const sessionDetailsKey = "authorization_details"

// errInvalidDetails is RFC 9396 section 5's error, with err's reason.
func errInvalidDetails(err error) *fosite.RFC6749Error {
	return (&fosite.RFC6749Error{
		ErrorField:       "invalid_authorization_details",
		DescriptionField: "The authorization_details parameter is not valid.",
		CodeField:        http.StatusBadRequest,
	}).WithHint(strings.TrimPrefix(err.Error(), authzdetails.ErrInvalid.Error()+": ") + " (RFC 9396 section 5).")
}

// requestedDetails reads the authorization_details of a request's form;
// a bad one is invalid_authorization_details.
func requestedDetails(form interface{ Get(string) string }) (authzdetails.List, error) {
	l, err := authzdetails.Parse(form.Get(authzdetails.Param))
	if err != nil {
		return nil, errInvalidDetails(err)
	}
	return l, nil
}

// grantClientDetails grants a client-credentials request the details it
// asked for, narrowed to the scopes the client may have: those of its
// installation for a bot of a workspace (installed, from botGrant), else
// its own.
func grantClientDetails(ar fosite.AccessRequester, installed []string) error {
	l, err := requestedDetails(ar.GetRequestForm())
	if err != nil || len(l) == 0 {
		return err
	}
	scopes := ar.GetClient().GetScopes()
	if installed != nil {
		scopes = installed
	}
	setSessionDetails(ar.GetSession(), consent.NarrowDetails(l, scopes, scopes))
	return nil
}

// setSessionDetails keeps l in sess (nothing when l is empty).
func setSessionDetails(sess fosite.Session, l authzdetails.List) {
	oidc, ok := sess.(*openid.DefaultSession)
	if !ok || oidc.Claims == nil {
		return
	}
	if len(l) == 0 {
		delete(oidc.Claims.Extra, sessionDetailsKey)
		return
	}
	if oidc.Claims.Extra == nil {
		oidc.Claims.Extra = map[string]any{}
	}
	oidc.Claims.Extra[sessionDetailsKey] = l.String()
}

// sessionDetails are the details sess keeps; a session that keeps none,
// or whose value does not decode, has none.
func sessionDetails(sess fosite.Session) authzdetails.List {
	oidc, ok := sess.(*openid.DefaultSession)
	if !ok || oidc.Claims == nil {
		return nil
	}
	l, err := authzdetails.Decode(oidc.Claims.Extra[sessionDetailsKey])
	if err != nil {
		return nil
	}
	return l
}

type detailsKey struct{}

// withDetails carries the details granted at the authorization endpoint
// to respond, which keeps them in the code's session.
func withDetails(ctx context.Context, l authzdetails.List) context.Context {
	return context.WithValue(ctx, detailsKey{}, l)
}

func grantedDetails(ctx context.Context) authzdetails.List {
	l, _ := ctx.Value(detailsKey{}).(authzdetails.List)
	return l
}

// withoutPrivateClaims runs generate with what the session keeps for the
// provider's own use out of the ID token claims: the granted details (an
// ID token says who signed in, not what the app may do; the token
// response, introspection and JWT access tokens say that), the DPoP key
// the tokens are bound to (which the tokens' cnf tells) and the resources
// they are for (their aud).
func withoutPrivateClaims(r fosite.Requester, generate func() (string, error)) (string, error) {
	oidc, ok := r.GetSession().(*openid.DefaultSession)
	if !ok || oidc.Claims == nil {
		return generate()
	}
	kept := map[string]any{}
	for _, k := range []string{sessionDetailsKey, sessionJKTKey, sessionResourcesKey, sessionAudienceKey} {
		if v, had := oidc.Claims.Extra[k]; had {
			kept[k] = v
			delete(oidc.Claims.Extra, k)
		}
	}
	if len(kept) == 0 {
		return generate()
	}
	defer maps.Copy(oidc.Claims.Extra, kept)
	return generate()
}

// detailsDecided reports whether the details the authorization request
// ar asks for (narrowed already) are consented: the user allowed them in
// this flow (the consent page leaves in the flow's request only the
// details the user kept ticked), or the client skips consent. A request
// without details needs nothing more.
func (p *Provider) detailsDecided(ar fosite.AuthorizeRequester, flow *storage.Flow, userID string, l authzdetails.List) bool {
	if len(l) == 0 {
		return true
	}
	if flow != nil && flow.UserID == userID && flow.Decision == "allow" {
		return true
	}
	c, ok := ar.GetClient().(*client)
	return ok && c.SkipConsent
}

// detailsResponder adds the granted details to every token response that
// carries them (RFC 9396 section 7). It handles no grant itself.
type detailsResponder struct{}

var _ fosite.TokenEndpointHandler = detailsResponder{}

func (detailsResponder) PopulateTokenEndpointResponse(_ context.Context, ar fosite.AccessRequester, resp fosite.AccessResponder) error {
	if l := sessionDetails(ar.GetSession()); len(l) > 0 {
		resp.SetExtra(authzdetails.Param, l)
	}
	return nil
}

func (detailsResponder) HandleTokenEndpointRequest(context.Context, fosite.AccessRequester) error {
	return fosite.ErrUnknownRequest
}

func (detailsResponder) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool { return false }

func (detailsResponder) CanHandleTokenEndpointRequest(context.Context, fosite.AccessRequester) bool {
	return false
}

// detailsRemembered reports whether the per-conversation grants
// remembered with the user's consent to ar's client (which consented
// found valid) cover the details l.
func (p *Provider) detailsRemembered(ctx context.Context, ar fosite.AuthorizeRequester, userID string, l authzdetails.List) (bool, error) {
	gs, err := p.cfg.Store.ListDetailGrants(ctx, userID, ar.GetClient().GetID())
	if err != nil {
		return false, fosite.ErrServerError.WithWrap(err)
	}
	return l.Covers(consent.DetailsOf(gs)), nil
}
