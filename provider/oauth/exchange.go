package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	fositestorage "github.com/ory/fosite/storage"

	"github.com/tokenim/tokenim-auth/storage"
)

// Token exchange (RFC 8693). A service presents a user's access token
// (subject_token) and gets a new access token for that user: for itself
// acting on the user's behalf (delegation: the new token's act claim
// names the actor, nested when the subject token was itself exchanged),
// or for a downstream service (audience change: resource or audience).
// Who may exchange what is policy, per client (Config.Exchange, the
// configured policies and the console's): the
// audiences of the subject tokens it may present, the resources it may
// ask for, the scopes it may keep, whether it may impersonate (a token
// without act). The new token never has more scopes than the subject
// token, never outlives it, and lives only while the subject token's grant
// does: its session names the families it derives from
// (sessionExchangedKey), and each lookup checks they are still alive, so
// revoking the subject's grant (RFC 7009, a withdrawn consent, a password
// reset) ends every token derived from it. No refresh token is issued.

// Token exchange's grant type and token types (RFC 8693 sections 2.1, 3).
const (
	GrantTokenExchange   = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"
	// maxActChain bounds how many exchanges a token may derive from.
	maxActChain = 5
)

// Session keys of an exchanged token: its act claim, and the token
// families it derives from (the subject token's and its ancestors').
const (
	sessionActKey       = "act"
	sessionExchangedKey = "exchanged_from"
)

// ExchangePolicy is what one client may do with token exchange.
type ExchangePolicy struct {
	// SubjectAudiences are the audiences (resources) a subject token must
	// name one of; empty takes a subject token of any audience.
	SubjectAudiences []string
	// Resources are the resources the client may ask the new token for
	// (resource or audience); empty allows none: the new token keeps the
	// subject token's audience.
	Resources []string
	// Scopes are the scopes the new token may carry (among the subject
	// token's); empty keeps any of the subject token's.
	Scopes []string
	// Impersonation lets the client get a token without act when it
	// presents no actor_token; off, act always names who acts.
	Impersonation bool
}

// ExchangePolicies finds each client's token exchange policy: the
// configured ones and the console's together (cmd/tokenim-auth's
// directory), or a fixed set (ExchangePolicyMap).
type ExchangePolicies interface {
	// Policy returns the policy of the client clientID; false when it has
	// none. An error says the policies could not be read: the exchange is
	// then a server_error, neither allowed nor refused.
	Policy(ctx context.Context, clientID string) (ExchangePolicy, bool, error)
	// Any reports whether some client has a policy: discovery advertises
	// the grant, and the token endpoint knows it, only then.
	Any(ctx context.Context) bool
}

// ExchangePolicyMap is a fixed set of policies by client ID.
type ExchangePolicyMap map[string]ExchangePolicy

// Policy implements ExchangePolicies.
func (m ExchangePolicyMap) Policy(_ context.Context, clientID string) (ExchangePolicy, bool, error) {
	p, ok := m[clientID]
	return p, ok, nil
}

// Any implements ExchangePolicies.
func (m ExchangePolicyMap) Any(context.Context) bool { return len(m) > 0 }

// offersExchange reports whether the token endpoint offers token
// exchange: some client has a policy.
func (p *Provider) offersExchange(ctx context.Context) bool {
	return p.cfg.Exchange != nil && p.cfg.Exchange.Any(ctx)
}

// exchangeGrant is the token endpoint's handler of token exchange.
type exchangeGrant struct {
	// p is set once the provider is built (New).
	p        *Provider
	strategy oauth2.AccessTokenStrategy
}

var _ fosite.TokenEndpointHandler = (*exchangeGrant)(nil)

func (g *exchangeGrant) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool { return false }

func (g *exchangeGrant) CanHandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) bool {
	return r.GetGrantTypes().ExactOne(GrantTokenExchange)
}

// HandleTokenEndpointRequest checks the exchange against the client's
// policy and prepares the new token's session.
func (g *exchangeGrant) HandleTokenEndpointRequest(ctx context.Context, r fosite.AccessRequester) error {
	if !g.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	p := g.p
	client := r.GetClient()
	var policy ExchangePolicy
	ok := false
	if p.cfg.Exchange != nil {
		var err error
		if policy, ok, err = p.cfg.Exchange.Policy(ctx, client.GetID()); err != nil {
			p.logger.ErrorContext(ctx, "token exchange: read the client's policy", "client_id", client.GetID(), "err", err)
			return fosite.ErrServerError.WithHint("The token exchange policies could not be read; try again shortly.").WithWrap(err)
		}
	}
	if !ok || client.IsPublic() {
		return fosite.ErrUnauthorizedClient.WithHint("This client may not exchange tokens: an administrator gives a confidential client a token_exchange policy.")
	}
	form := r.GetRequestForm()
	for _, param := range []string{"subject_token_type", "actor_token_type", "requested_token_type"} {
		if v := form.Get(param); v != "" && v != tokenTypeAccessToken {
			return fosite.ErrInvalidRequest.WithHintf("The %s %q is not supported: this server exchanges access tokens for access tokens (%s).", param, v, tokenTypeAccessToken)
		}
	}
	if form.Get("subject_token") == "" || form.Get("subject_token_type") == "" {
		return fosite.ErrInvalidRequest.WithHint("subject_token and subject_token_type are required (RFC 8693 section 2.1).")
	}
	if (form.Get("actor_token") == "") != (form.Get("actor_token_type") == "") {
		return fosite.ErrInvalidRequest.WithHint("actor_token and actor_token_type go together (RFC 8693 section 2.1).")
	}
	subject, err := p.accessToken(ctx, form.Get("subject_token"))
	if err != nil {
		return asLookupError(err, "The subject_token is not an active access token of this server.")
	}
	subjectAud := tokenAudience(subject)
	if len(policy.SubjectAudiences) > 0 && !slices.ContainsFunc(subjectAud, func(a string) bool { return slices.Contains(policy.SubjectAudiences, a) }) {
		return fosite.ErrInvalidGrant.WithHint("The subject_token is not for an audience this client may exchange tokens of.")
	}

	act, err := g.actor(ctx, client.GetID(), form.Get("actor_token"), policy, subject.GetSession())
	if err != nil {
		return err
	}
	scopes, err := exchangeScopes(r.GetRequestedScopes(), subject.GetGrantedScopes(), policy.Scopes)
	if err != nil {
		return err
	}
	aud, err := p.exchangeAudience(form["resource"], r.GetRequestedAudience(), client, policy, subjectAud)
	if err != nil {
		return err
	}

	sess, err := exchangedSession(subject, act)
	if err != nil {
		return err
	}
	lifespan := fosite.GetEffectiveLifespan(client, fosite.GrantType(GrantTokenExchange), fosite.AccessToken, p.cfg.AccessTokenLifespan)
	exp := p.cfg.Now().UTC().Add(lifespan).Round(time.Second)
	if parent := subject.GetSession().GetExpiresAt(fosite.AccessToken); !parent.IsZero() && parent.Before(exp) {
		exp = parent
	}
	sess.SetExpiresAt(fosite.AccessToken, exp)
	setSessionList(sess, sessionResourcesKey, aud)
	r.SetSession(sess)
	for _, s := range scopes {
		r.GrantScope(s)
	}
	return nil
}

// actor is the act claim of the new token: the actor_token's party
// (which must be the client's own token), the client itself without one,
// or none new when the policy lets the client impersonate; on top of the
// subject token's own act, nested (RFC 8693 section 4.1), which an
// impersonation keeps as it is.
func (g *exchangeGrant) actor(ctx context.Context, clientID, actorToken string, policy ExchangePolicy, subject fosite.Session) (map[string]any, error) {
	var act map[string]any
	switch {
	case actorToken != "":
		ar, err := g.p.accessToken(ctx, actorToken)
		if err != nil {
			return nil, asLookupError(err, "The actor_token is not an active access token of this server.")
		}
		if ar.GetClient().GetID() != clientID {
			return nil, fosite.ErrInvalidGrant.WithHint("The actor_token must be a token of the client making the request.")
		}
		sub := ar.GetSession().GetSubject()
		if sub == "" {
			sub = clientID
		}
		act = map[string]any{"sub": sub, "client_id": clientID}
	case policy.Impersonation:
		// No actor of its own: the new token names no one new, and keeps
		// whoever acted before (an impersonation never erases the trail).
		return sessionAct(subject), nil
	default:
		act = map[string]any{"sub": clientID, "client_id": clientID}
	}
	prior := sessionAct(subject)
	depth := 1
	for a := prior; a != nil; a, _ = a["act"].(map[string]any) {
		depth++
	}
	if depth > maxActChain {
		return nil, fosite.ErrInvalidRequest.WithHintf("The subject_token was exchanged too many times already (at most %d actors).", maxActChain)
	}
	if prior != nil {
		act["act"] = prior
	}
	return act, nil
}

// exchangeScopes are the new token's scopes: those requested (each among
// the subject token's and the policy's), or all the subject token's the
// policy allows.
func exchangeScopes(requested, subject, allowed []string) ([]string, error) {
	permitted := func(s string) bool { return len(allowed) == 0 || slices.Contains(allowed, s) }
	var out []string
	if len(requested) == 0 {
		for _, s := range subject {
			if permitted(s) {
				out = append(out, s)
			}
		}
	}
	for _, s := range requested {
		switch {
		case !slices.Contains(subject, s):
			return nil, fosite.ErrInvalidScope.WithHintf("The scope %q was not granted to the subject_token: an exchange never widens the scope.", s)
		case !permitted(s):
			return nil, fosite.ErrInvalidScope.WithHintf("The scope %q is not one this client may keep in an exchange.", s)
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil, fosite.ErrInvalidScope.WithHint("The exchange would grant no scope.")
	}
	return out, nil
}

// exchangeAudience is the new token's resources: those asked for with
// resource or audience (each registered, allowed for the client and by
// its policy), or the subject token's.
func (p *Provider) exchangeAudience(resourceParams, audienceParams []string, client fosite.Client, policy ExchangePolicy, subject []string) ([]string, error) {
	asked := append(slices.Clone(resourceParams), audienceParams...)
	if len(asked) == 0 {
		return subject, nil
	}
	form := map[string][]string{"resource": asked}
	out, err := p.requestedResources(form, client)
	if err != nil {
		return nil, err
	}
	for _, r := range out {
		if !slices.Contains(policy.Resources, r) {
			return nil, errInvalidTarget(fmt.Sprintf("This client may not exchange tokens for the resource %q.", r))
		}
	}
	return out, nil
}

// exchangedSession is the new token's session: the subject token's user
// and sign-in (subject, auth_time, acr, amr, workspace), act, and the
// families it derives from.
func exchangedSession(subject fosite.Requester, act map[string]any) (*openid.DefaultSession, error) {
	src, ok := subject.GetSession().(*openid.DefaultSession)
	if !ok || src.Claims == nil {
		return nil, fosite.ErrServerError.WithDebugf("the subject token's session is %T", subject.GetSession())
	}
	sess := NewSession(src.GetSubject())
	sess.Claims.AuthTime = src.Claims.AuthTime
	sess.Claims.AuthenticationContextClassReference = src.Claims.AuthenticationContextClassReference
	sess.Claims.AuthenticationMethodsReferences = slices.Clone(src.Claims.AuthenticationMethodsReferences)
	for _, k := range []string{ClaimOrgID, ClaimOrgHandle, sessionDetailsKey} {
		if v, ok := src.Claims.Extra[k]; ok {
			sess.Claims.Extra[k] = v
		}
	}
	if act != nil {
		sess.Claims.Extra[sessionActKey] = act
	}
	setSessionList(sess, sessionExchangedKey, append(sessionList(src, sessionExchangedKey), subject.GetID()))
	return sess, nil
}

// sessionAct is the act claim a session keeps; nil when none.
func sessionAct(sess fosite.Session) map[string]any {
	oidc, ok := sess.(*openid.DefaultSession)
	if !ok || oidc.Claims == nil {
		return nil
	}
	act, _ := oidc.Claims.Extra[sessionActKey].(map[string]any)
	return act
}

// asLookupError answers a presented token that could not be used:
// invalid_grant saying what, or the store's unavailability.
func asLookupError(err error, hint string) error {
	if errors.Is(err, storage.ErrUnavailable) {
		return errUnavailable.WithWrap(err)
	}
	return fosite.ErrInvalidGrant.WithHint(hint).WithWrap(err)
}

// PopulateTokenEndpointResponse issues the new access token; it is stored
// with its authorization record (token.issued, naming the subject, the
// actor and the family it derives from).
func (g *exchangeGrant) PopulateTokenEndpointResponse(ctx context.Context, r fosite.AccessRequester, resp fosite.AccessResponder) (err error) {
	if !g.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	store := g.p.store
	access, signature, err := g.strategy.GenerateAccessToken(ctx, r)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
	}
	ctx, err = fositestorage.MaybeBeginTx(ctx, store)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	defer func() {
		if err != nil {
			_ = fositestorage.MaybeRollbackTx(ctx, store)
		}
	}()
	// The request's form holds the subject and actor tokens: never stored.
	if err = store.CreateAccessTokenSession(ctx, signature, r.Sanitize(nil)); err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	if err = fositestorage.MaybeCommitTx(ctx, store); err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	resp.SetAccessToken(access)
	resp.SetTokenType("bearer")
	resp.SetExpiresIn(r.GetSession().GetExpiresAt(fosite.AccessToken).Sub(g.p.cfg.Now()).Round(time.Second))
	resp.SetScopes(r.GetGrantedScopes())
	resp.SetExtra("issued_token_type", tokenTypeAccessToken)
	return nil
}

// exchangeDetail is what a token.issued record says of an exchanged
// token: the actor (empty for impersonation) and the family it derives
// from.
func exchangeDetail(sess fosite.Session) map[string]string {
	from := sessionList(sess, sessionExchangedKey)
	if len(from) == 0 {
		return nil
	}
	d := map[string]string{"exchanged_from": from[len(from)-1]}
	if act := sessionAct(sess); act != nil {
		d["actor"], _ = act["client_id"].(string)
	}
	return d
}
