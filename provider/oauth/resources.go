package oauth

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"github.com/tokenim/tokenim-auth/provider/resources"
)

// Resource indicators (RFC 8707). A client names the IM services a token
// is for with resource parameters: at the authorization, PAR and device
// authorization endpoints for the grant, at the token endpoint for one access token of
// it. Each must be a registered resource (Config.Resources) the client
// may use (it may obtain one of the scopes the resource accepts), else
// invalid_target. The session keeps the grant's resources
// (sessionResourcesKey), which its refresh token keeps whole, and the
// access token's (sessionAudienceKey): those its token request named,
// which must be among the grant's (a refresh may narrow, never widen), or
// all of them. The access token's aud is its resources, in introspection
// and in JWT access tokens, so a service refuses a token for another.

const (
	sessionResourcesKey = "resources"
	sessionAudienceKey  = "resource_aud"
)

// errInvalidTarget is RFC 8707 section 2's invalid_target.
func errInvalidTarget(description string) *fosite.RFC6749Error {
	return &fosite.RFC6749Error{ErrorField: "invalid_target", DescriptionField: description, CodeField: http.StatusBadRequest}
}

// requestedResources reads and checks the resource parameters of form, a
// request of client c: nil when there are none.
func (p *Provider) requestedResources(form url.Values, c fosite.Client) ([]string, error) {
	values := form["resource"]
	if len(values) == 0 {
		return nil, nil
	}
	if len(values) > resources.MaxPerRequest {
		return nil, errInvalidTarget(fmt.Sprintf("Too many resource parameters: at most %d.", resources.MaxPerRequest))
	}
	var out []string
	for _, v := range values {
		if err := resources.Check(v); err != nil {
			return nil, errInvalidTarget(fmt.Sprintf("A resource parameter is not an absolute URI without a fragment (RFC 8707 section 2): %v.", err))
		}
		var res resources.Resource
		ok := false
		if p.cfg.Resources != nil {
			res, ok = p.cfg.Resources.Get(v)
		}
		if !ok {
			return nil, errInvalidTarget(fmt.Sprintf("The resource %q is not one this server issues tokens for.", v))
		}
		if !res.Accepts(c.GetScopes()) {
			return nil, errInvalidTarget(fmt.Sprintf("This client may obtain none of the scopes the resource %q accepts.", v))
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// sessionList reads a list of strings kept in the session's claims'
// Extra under key (a []string, or a []any once the session has been
// stored and read back).
func sessionList(sess fosite.Session, key string) []string {
	oidc, ok := sess.(*openid.DefaultSession)
	if !ok || oidc.Claims == nil {
		return nil
	}
	switch v := oidc.Claims.Extra[key].(type) {
	case []string:
		return slices.Clone(v)
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// setSessionList keeps l in the session under key (nothing when empty).
func setSessionList(sess fosite.Session, key string, l []string) {
	oidc, ok := sess.(*openid.DefaultSession)
	if !ok || oidc.Claims == nil {
		return
	}
	if len(l) == 0 {
		delete(oidc.Claims.Extra, key)
		return
	}
	if oidc.Claims.Extra == nil {
		oidc.Claims.Extra = map[string]any{}
	}
	oidc.Claims.Extra[key] = slices.Clone(l)
}

// tokenResources are the resources the access token of sess is for; nil
// when it names none.
func tokenResources(sess fosite.Session) []string {
	if aud := sessionList(sess, sessionAudienceKey); len(aud) > 0 {
		return aud
	}
	return sessionList(sess, sessionResourcesKey)
}

// bindResources sets the resources of the tokens about to be issued for
// ar (the token endpoint): a client-credentials grant's are those its
// request names; another grant's are those of the presented grant
// (presented is its stored session), and the access token's those the
// request names among them, or all.
func (p *Provider) bindResources(ar fosite.AccessRequester, presented fosite.Session) error {
	if ar.GetGrantTypes().ExactOne(GrantTokenExchange) {
		return nil // the exchange's own (exchangeAudience)
	}
	asked, err := p.requestedResources(ar.GetRequestForm(), ar.GetClient())
	if err != nil {
		return err
	}
	sess := ar.GetSession()
	if ar.GetGrantTypes().ExactOne("client_credentials") {
		setSessionList(sess, sessionResourcesKey, asked)
		setSessionList(sess, sessionAudienceKey, nil)
		return nil
	}
	granted := sessionList(presented, sessionResourcesKey)
	if ar.GetGrantTypes().ExactOne(grantDeviceCode) {
		// The device grant's handler built the session from the device's
		// request, which named the resources.
		granted = sessionList(sess, sessionResourcesKey)
	}
	for _, r := range asked {
		if !slices.Contains(granted, r) {
			return errInvalidTarget(fmt.Sprintf("The resource %q was not granted with this grant: a token request may name the grant's resources, or fewer, never others (RFC 8707 section 2.2).", r))
		}
	}
	setSessionList(sess, sessionResourcesKey, granted)
	setSessionList(sess, sessionAudienceKey, asked)
	return nil
}

// tokenAudience is the aud a token of r names: its resources (RFC 8707),
// else the audience fosite granted (a client's registered audience).
func tokenAudience(r fosite.Requester) []string {
	if res := tokenResources(r.GetSession()); len(res) > 0 {
		return res
	}
	return r.GetGrantedAudience()
}
