package oauth

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"

	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// authorize is the authorization endpoint (RFC 6749 section 3.1) with
// OpenID Connect's prompt and max_age. It runs twice for most sign-ins:
// once for the app's request, which it parks as a flow while the user
// signs in (/login) and consents (/consent), and once when those pages send
// the browser back with ?flow=ID, when the parked request is validated
// again and answered.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, flow, ok := p.resume(w, r)
	if !ok {
		return
	}
	ar, ok := p.authorizeRequest(w, r, req, flow)
	if !ok {
		return
	}
	now := p.cfg.Now().UTC().Truncate(time.Second)
	requestedAt := requestTime(flow, now)
	prompt := strings.Fields(ar.GetRequestForm().Get("prompt"))
	if err := checkEarly(ar.GetRequestForm(), prompt); err != nil {
		p.writeAuthorizeError(w, r, ar, err)
		return
	}
	if _, err := p.requestedJKT(ar.GetRequestForm()); err != nil {
		p.writeAuthorizeError(w, r, ar, err)
		return
	}
	if _, err := p.requestedResources(ar.GetRequestForm(), ar.GetClient()); err != nil {
		p.writeAuthorizeError(w, r, ar, err)
		return
	}

	signed, signedIn, err := p.cfg.Sessions.Current(ctx, r)
	if err != nil {
		p.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	if !signedIn || p.mustSignInAgain(ar.GetRequestForm(), prompt, flow != nil, signed, requestedAt, now, nil) {
		p.askUser(w, r, ar, flow, prompt, "/login", p.namedWorkspaceID(ctx, ar.GetRequestForm()), now,
			fosite.ErrLoginRequired.WithHint("The user must sign in, but prompt=none was requested."))
		return
	}
	promptNone := slices.Contains(prompt, "none")
	pk, ok := p.pickWorkspace(w, r, ar, flow, signed.User, promptNone, now)
	if !ok {
		return
	}
	if p.mustSignInAgain(ar.GetRequestForm(), prompt, flow != nil, signed, requestedAt, now, &pk) {
		p.askUser(w, r, ar, flow, prompt, "/login", pk.workspace.ID, now,
			fosite.ErrLoginRequired.WithHint("The workspace's policy asks the user to sign in again, but prompt=none was requested."))
		return
	}

	roleScopes, err := p.roleScopes(ctx, signed.User, pk, ar.GetClient().GetID())
	if err != nil {
		p.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	// The details were checked by checkEarly: narrowed like the scopes.
	details, _ := requestedDetails(ar.GetRequestForm())
	details = consent.NarrowDetails(details, ar.GetClient().GetScopes(), roleScopes)
	if !p.narrowToRole(w, r, ar, flow, roleScopes, pk.workspace.ID, promptNone, now) {
		return
	}
	granted, decided, err := p.consented(ctx, ar, flow, signed.User.ID, slices.Contains(prompt, "consent"), now)
	if err != nil {
		p.writeAuthorizeError(w, r, ar, err)
		return
	}
	if decided && !p.detailsDecided(ar, flow, signed.User.ID, details) {
		decided, err = p.detailsRemembered(ctx, ar, signed.User.ID, details)
		if err != nil {
			p.writeAuthorizeError(w, r, ar, err)
			return
		}
	}
	if !decided {
		p.askUser(w, r, ar, flow, prompt, "/consent", pk.workspace.ID, now,
			fosite.ErrConsentRequired.WithHint("The user must consent, but prompt=none was requested."))
		return
	}
	for _, s := range granted {
		ar.GrantScope(s)
	}
	p.respond(w, r.WithContext(withDetails(ctx, details)), ar, flow, signed, requestedAt, pk)
}

// authorizeRequest reads and validates the authorization request req (r's,
// or the one the flow parked): the query (checkQuery: each parameter
// once, sizes), a pushed request's request_uri, the scopes (no sign-in
// scope the client did not register), then fosite's checks, the exact
// redirect URI and the client's RequirePAR. A request that fails is
// answered (on the error page, at the redirect URI, or as a refused pushed
// request) and it returns false.
func (p *Provider) authorizeRequest(w http.ResponseWriter, r, req *http.Request, flow *storage.Flow) (fosite.AuthorizeRequester, bool) {
	ctx := r.Context()
	// A resumed flow's query was checked when it was parked.
	var repeated string
	if flow == nil {
		var ok bool
		if repeated, ok = p.checkQuery(w, r); !ok {
			return nil, false
		}
	}
	// A pushed request (RFC 9126) comes as a request_uri; a resumed flow
	// holds what was pushed, and was checked when it was parked.
	isPushed := flow == nil && pushed(r)
	if isPushed {
		if err := checkRequestURI(r); err != nil {
			p.refusePushed(w, r, err)
			return nil, false
		}
	}
	if !pushed(req) {
		req = p.withoutUnregisteredSignInScopes(ctx, req)
	}
	ar, err := p.fosite.NewAuthorizeRequest(ctx, req)
	switch {
	case repeated != "":
		err = errRepeated(repeated)
	case err == nil:
		err = checkRedirectURI(ar)
	case errors.Is(err, fosite.ErrUnsupportedResponseMode) && !isPushed:
		ar = p.withoutResponseMode(ctx, req, ar)
	}
	switch {
	case err != nil && isPushed:
		p.refusePushed(w, r, err)
		return nil, false
	case err != nil:
		p.writeAuthorizeError(w, r, ar, err)
		return nil, false
	case flow == nil && !isPushed && requiresPAR(ar.GetClient()):
		p.writeAuthorizeError(w, r, ar, errPARRequired())
		return nil, false
	}
	return ar, true
}

// requestTime is when the authorization request was made: when its flow
// was parked, for a resumed one, or now.
func requestTime(flow *storage.Flow, now time.Time) time.Time {
	if flow != nil {
		return flow.CreatedAt
	}
	return now
}

// mustSignInAgain reports whether the signed-in user must sign in again
// before the request is answered: the request asks for a fresher sign-in
// than the session's (prompt=login, max_age: session.NeedsSignIn), or,
// once the workspace is picked (pk not nil), its policy asks for another
// sign-in; or the sign-in is not strong enough for the request, the
// user's role or the workspace's policy (session.MeetsPolicy, over the
// zero policy before the workspace is known). A sign-in made during this
// very request stands for the policy's session lifetime, as for max_age.
func (p *Provider) mustSignInAgain(form url.Values, prompt []string, resumed bool, signed session.Signed, requestedAt, now time.Time, pk *picked) bool {
	want := session.Required(form.Get("acr_values"), slices.Contains(p.cfg.MFARoles, signed.User.Role))
	if pk != nil {
		fresh := resumed && !signed.Session.AuthTime.Before(requestedAt)
		return !session.MeetsPolicy(pk.workspace.Policy, signed.Session, want, fresh, now)
	}
	return session.NeedsSignIn(prompt, form.Get("max_age"), resumed, signed.Session.AuthTime, requestedAt, now) ||
		!session.MeetsPolicy(storage.WorkspacePolicy{}, signed.Session, want, true, now)
}

// askUser sends the browser to page (/login or /consent) with the request
// parked as a flow, unless the client asked that the user not be asked
// (prompt=none): then the client gets refusal.
//
// workspaceID is the workspace the request is for, when known, which the
// flow records for the pages (see storage.Flow.WorkspaceID).
func (p *Provider) askUser(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, flow *storage.Flow, prompt []string, page, workspaceID string, now time.Time, refusal error) {
	if slices.Contains(prompt, "none") {
		p.writeAuthorizeError(w, r, ar, refusal)
		return
	}
	p.park(w, r, ar, flow, page, workspaceID, now)
}

// respond answers the granted request ar for the user of signed: it
// issues the response (the code, the ID token) with the sign-in's claims,
// records the session's sign-in to the client, deletes the finished flow
// and sends the response to the redirect URI, in the query or by
// form_post.
func (p *Provider) respond(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, flow *storage.Flow, signed session.Signed, requestedAt time.Time, pk picked) {
	ctx := r.Context()
	sess := NewSession(signed.User.ID)
	setWorkspaceClaims(sess, pk.workspace)
	sess.Claims.AuthTime = signed.Session.AuthTime.UTC()
	sess.Claims.RequestedAt = requestedAt
	// The amr shows the upstream's methods after ours; the acr is the
	// level of ours alone (session.TokenAMR).
	sess.Claims.AuthenticationMethodsReferences = session.TokenAMR(signed.Session)
	sess.Claims.AuthenticationContextClassReference = signed.Session.ACR
	sessionSID := session.SID(signed.Session.ID)
	sess.Claims.Extra["sid"] = sessionSID
	setSessionDetails(sess, grantedDetails(ctx))
	// Checked when the request came (authorize): the code's token request
	// must prove this key (bindDPoP).
	jkt, _ := p.requestedJKT(ar.GetRequestForm())
	setSessionJKT(sess, jkt)
	granted, _ := p.requestedResources(ar.GetRequestForm(), ar.GetClient())
	setSessionList(sess, sessionResourcesKey, granted)
	resp, err := p.fosite.NewAuthorizeResponse(ctx, ar, sess)
	if err != nil {
		p.writeAuthorizeError(w, r, ar, err)
		return
	}
	// Remember that this browser session signed the user in to the
	// client, so that ending the session tells the client (Back-Channel
	// Logout 1.0 section 2.5). It is recorded here, where the response is
	// issued, for every client and not only those with a back-channel
	// logout URI now: one that registers a URI later is told of the
	// sessions still open. Deriving it from the stored tokens instead
	// would mean decoding every token of the user at sign-out, and a
	// client whose tokens had expired would never hear of it.
	if err := p.cfg.Store.RecordSessionSignIn(ctx, storage.SessionSignIn{
		SessionID: signed.Session.ID, ClientID: ar.GetClient().GetID(), SID: sessionSID,
	}); err != nil {
		p.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	if flow != nil {
		if err := p.cfg.Store.DeleteFlow(ctx, flow.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			p.logger.WarnContext(ctx, "delete finished flow", "flow", flow.ID, "err", err)
		}
	}
	if ar.GetResponseMode() == fosite.ResponseModeFormPost {
		p.formPost(w, r, ar, resp.GetParameters())
		return
	}
	p.fosite.WriteAuthorizeResponse(ctx, issWriter{w, p.cfg.Issuer}, ar, resp)
}

// withoutResponseMode is the authorization request req with its
// response_mode left out, when that is valid: fosite refuses a
// response_mode it does not know (web_message, jwt) before it has checked
// the redirect URI, which would leave the app's mistake on our error page.
// With the redirect URI checked, the unsupported_response_mode goes back
// to the app in the query, with iss. Otherwise ar, as fosite left it.
func (p *Provider) withoutResponseMode(ctx context.Context, req *http.Request, ar fosite.AuthorizeRequester) fosite.AuthorizeRequester {
	if ar == nil || ar.IsRedirectURIValid() {
		return ar
	}
	bare := req.Clone(ctx)
	q := bare.URL.Query()
	q.Del("response_mode")
	bare.URL.RawQuery = q.Encode()
	bare.Form, bare.PostForm = nil, nil
	if without, err := p.fosite.NewAuthorizeRequest(ctx, bare); err == nil && checkRedirectURI(without) == nil {
		return without
	}
	return ar
}

// resume turns a request carrying ?flow=ID back into the authorization
// request it parked. A request without a flow is returned as is. When the
// flow is unknown or expired it writes an error page and returns false.
func (p *Provider) resume(w http.ResponseWriter, r *http.Request) (*http.Request, *storage.Flow, bool) {
	q := r.URL.Query()
	id := q.Get("flow")
	if id == "" || len(q) != 1 {
		return r, nil, true
	}
	f, err := p.cfg.Store.GetFlow(r.Context(), id)
	// An ID that is not text (storage.ErrInvalidInput) names no flow either.
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) || (err == nil && !f.ExpiresAt.After(p.cfg.Now())) {
		p.errorPage(w, r, http.StatusBadRequest, "error.flow_expired")
		return nil, nil, false
	}
	if err != nil {
		p.logger.ErrorContext(r.Context(), "load flow", "flow", id, "err", err)
		p.serverErrorPage(w, r, err)
		return nil, nil, false
	}
	req := r.Clone(r.Context())
	req.URL.RawQuery = f.Query
	req.Form, req.PostForm = nil, nil
	return req, &f, true
}

// base64URLAlphabet is the alphabet of unpadded base64url (RFC 4648
// section 5).
const base64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// checkEarly refuses, before the user is asked to sign in, a request that
// fosite would refuse only once the user had: no PKCE or a method other
// than S256 (RFC 9700 section 2.1.1), an unknown or contradictory prompt,
// or authorization_details that are not valid (RFC 9396 section 5).
func checkEarly(form url.Values, prompt []string) error {
	if form.Get("code_challenge") == "" {
		return fosite.ErrInvalidRequest.WithHint("PKCE is required: send code_challenge with code_challenge_method=S256.")
	}
	if m := form.Get("code_challenge_method"); m != "S256" {
		return fosite.ErrInvalidRequest.WithHintf("The code_challenge_method %q is not supported; use S256.", m)
	}
	if c := form.Get("code_challenge"); len(c) != 43 || strings.Trim(c, base64URLAlphabet) != "" {
		// RFC 7636 section 4.2: BASE64URL(SHA256(verifier)), no padding.
		return fosite.ErrInvalidRequest.WithHint("The code_challenge must be the 43-character base64url SHA-256 of the code verifier (RFC 7636 section 4.2).")
	}
	for _, v := range prompt {
		if v != "none" && v != "login" && v != "consent" {
			return fosite.ErrInvalidRequest.WithHintf("The prompt value %q is not supported; use none, login or consent.", v)
		}
	}
	if slices.Contains(prompt, "none") && len(prompt) > 1 {
		return fosite.ErrInvalidRequest.WithHint("prompt=none cannot be combined with other values.")
	}
	_, err := requestedDetails(form)
	return err
}

// decisionRole marks a flow stopped because the user's role allows none of
// the scopes the app needs; GrantedScopes then holds the refused scopes.
const decisionRole = "role"

// narrowToRole keeps of the requested scopes those the user's role may
// grant (roleScopes: least privilege, role ∩ app ∩ consent; for a
// workspace, its role caps the global one, consent.RoleScopes). When the
// app asked for IM scopes and the role allows none of them, the user is
// shown which permission is missing and the app gets access_denied; it
// returns false once it has answered.
func (p *Provider) narrowToRole(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, flow *storage.Flow, roleScopes []string, workspaceID string, promptNone bool, now time.Time) bool {
	if flow != nil && flow.Decision == decisionRole {
		// Explained already: consented answers the app.
		return true
	}
	// fosite has checked the requested scopes against the client's.
	kept, denied := consent.Narrow(ar.GetRequestedScopes(), ar.GetClient().GetScopes(), roleScopes)
	if denied == nil {
		ar.SetRequestedScopes(kept)
		return true
	}
	err := fosite.ErrAccessDenied.WithHintf("The user's role does not allow granting %s; an administrator can give the user a role that does.", strings.Join(denied, " "))
	if promptNone {
		p.writeAuthorizeError(w, r, ar, err)
		return false
	}
	// The consent page explains, then sends the browser back here, where
	// the flow's decision answers the app with access_denied.
	p.stopFlow(w, r, ar, flow, now, "/consent", func(f storage.Flow) storage.Flow {
		f.Decision, f.GrantedScopes, f.WorkspaceID = decisionRole, denied, workspaceID
		return f
	})
	return false
}

// withoutUnregisteredSignInScopes leaves out of req's scope the sign-in
// scopes its client is not registered for (registeredScope). A pushed
// request's scopes were narrowed where it was pushed.
func (p *Provider) withoutUnregisteredSignInScopes(ctx context.Context, req *http.Request) *http.Request {
	q := req.URL.Query()
	kept, narrowed := p.registeredScope(ctx, q.Get("client_id"), q.Get("scope"))
	if !narrowed {
		return req
	}
	out := req.Clone(ctx)
	q.Set("scope", kept)
	out.URL.RawQuery = q.Encode()
	out.Form, out.PostForm = nil, nil
	return out
}

// registeredScope is scope without the OpenID Connect sign-in scopes
// (consent.SignInScope: profile, email, offline_access) that client is
// not registered for, so that a relying party asking for "openid profile
// email" as libraries do gets what the client may have instead of
// invalid_scope; the token response's scope says what was granted (RFC
// 6749 section 3.3). openid itself, and IM scopes, stay for fosite to
// refuse: without openid the app would get no ID token it expects, and an
// IM scope is what the app needs to work. narrowed reports whether any
// scope was left out; an unknown client changes nothing (fosite answers
// it).
func (p *Provider) registeredScope(ctx context.Context, clientID, scope string) (kept string, narrowed bool) {
	requested := fosite.RemoveEmpty(strings.Split(scope, " "))
	if clientID == "" || len(requested) == 0 {
		return scope, false
	}
	c, err := p.store.GetClient(ctx, clientID)
	if err != nil {
		return scope, false
	}
	allowed := p.fosite.Config.GetScopeStrategy(ctx)
	keep := slices.DeleteFunc(slices.Clone(requested), func(s string) bool {
		return s != "openid" && consent.SignInScope(s) && !allowed(c.GetScopes(), s)
	})
	if len(keep) == len(requested) {
		return scope, false
	}
	return strings.Join(keep, " "), true
}

// consented decides which scopes are granted: the requested ones when the
// client skips consent, when a remembered consent covers them all, or when
// the user allowed them in this flow. decided is false when the user must
// be asked. A denial in this flow is access_denied.
func (p *Provider) consented(ctx context.Context, ar fosite.AuthorizeRequester, flow *storage.Flow, userID string, forceAsk bool, now time.Time) (granted []string, decided bool, err error) {
	requested := ar.GetRequestedScopes()
	if flow != nil && flow.Decision == decisionRole {
		return nil, false, fosite.ErrAccessDenied.WithHintf("The user's role does not allow granting %s; an administrator can give the user a role that does.",
			strings.Join(flow.GrantedScopes, " "))
	}
	if flow != nil && flow.UserID == userID {
		switch flow.Decision {
		case "deny":
			return nil, false, fosite.ErrAccessDenied.WithHint("The user denied the request.")
		case "allow":
			return intersect(requested, flow.GrantedScopes), true, nil
		}
	}
	c, ok := ar.GetClient().(*client)
	if ok && c.SkipConsent {
		return requested, true, nil
	}
	if forceAsk {
		return nil, false, nil
	}
	remembered, err := p.cfg.Store.GetConsent(ctx, userID, ar.GetClient().GetID())
	if errors.Is(err, storage.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fosite.ErrServerError.WithWrap(err)
	}
	if !remembered.ExpiresAt.IsZero() && !remembered.ExpiresAt.After(now) {
		return nil, false, nil
	}
	for _, s := range requested {
		if !slices.Contains(remembered.Scopes, s) {
			return nil, false, nil
		}
	}
	return requested, true, nil
}

func intersect(a, b []string) []string {
	var out []string
	for _, s := range a {
		if slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// park stores the request as a flow (or keeps the one it came from),
// recording the workspace it is for when known, and sends the browser to
// page.
func (p *Provider) park(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, flow *storage.Flow, page, workspaceID string, now time.Time) {
	ctx := r.Context()
	var err error
	switch {
	case flow == nil:
		var f storage.Flow
		f, err = p.newFlow(r, ar, workspaceID, now)
		flow = &f
	case workspaceID != "" && flow.WorkspaceID != workspaceID:
		_, err = p.cfg.Store.UpdateFlow(ctx, flow.ID, func(f storage.Flow) (storage.Flow, error) {
			f.WorkspaceID = workspaceID
			return f, nil
		})
	}
	if err != nil {
		p.writeAuthorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	http.Redirect(w, r, page+"?"+url.Values{"flow": {flow.ID}}.Encode(), http.StatusSeeOther)
}

// newFlow stores the request as a new flow for the workspace workspaceID
// (empty while unknown).
func (p *Provider) newFlow(r *http.Request, ar fosite.AuthorizeRequester, workspaceID string, now time.Time) (storage.Flow, error) {
	f := storage.Flow{
		ID:          secret.Random(24),
		ClientID:    ar.GetClient().GetID(),
		Query:       flowQuery(r, ar),
		WorkspaceID: workspaceID,
		CreatedAt:   now,
		ExpiresAt:   now.Add(p.cfg.FlowLifespan),
	}
	return f, p.cfg.Store.CreateFlow(r.Context(), f)
}

// writeAuthorizeError answers a failed authorization request. While the
// client and its redirect URI are not both known and valid, the user sees
// an error page and is never redirected: an unvalidated redirect would be
// an open redirector (RFC 9700 section 4.11). Otherwise the error goes back
// to the app with state and iss.
func (p *Provider) writeAuthorizeError(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, err error) {
	p.logServerError(r.Context(), "authorize", err)
	if fault := asFault(err); fault != nil {
		err = fault
	}
	if ar == nil || !ar.IsRedirectURIValid() || checkRedirectURI(ar) != nil {
		if errors.Is(err, storage.ErrUnavailable) {
			// The app could not be loaded: nothing is known of it, so
			// the user is told to try again, not that the app is unknown.
			p.serverErrorPage(w, r, err)
			return
		}
		key := "error.invalid_request"
		switch {
		case unknownClient(ar):
			key = "error.unknown_client"
		case errors.Is(err, fosite.ErrInvalidRequest) || errors.Is(err, fosite.ErrInvalidClient) || checkRedirectURI(ar) != nil:
			key = "error.redirect_uri"
		}
		detail := fosite.ErrorToRFC6749Error(err).GetDescription()
		if ar != nil && ar.GetRequestForm().Get("client_id") != "" {
			detail = fmt.Sprintf("client_id %q: %s", ar.GetRequestForm().Get("client_id"), detail)
		}
		p.errorPageDetail(w, r, http.StatusBadRequest, key, detail)
		return
	}
	err = forRedirect(ar, err)
	if ar.GetResponseMode() == fosite.ResponseModeFormPost {
		params := fosite.ErrorToRFC6749Error(err).ToValues()
		params.Set("state", ar.GetState())
		p.formPost(w, r, ar, params)
		return
	}
	p.fosite.WriteAuthorizeError(r.Context(), issWriter{w, p.cfg.Issuer}, ar, err)
}

// unknownClient reports whether the authorization request names no app
// the provider knows (or one disabled, which is refused as unknown): fosite
// then leaves its placeholder, a client without an ID.
func unknownClient(ar fosite.AuthorizeRequester) bool {
	return ar == nil || ar.GetClient() == nil || ar.GetClient().GetID() == ""
}

// formPost answers an authorization request whose response_mode is
// form_post: a page that posts params and iss (RFC 9207) to the
// validated redirect URI (OAuth 2.0 Form Post Response Mode). fosite's
// own form_post writer has neither iss nor the pages' layout, language
// and Content-Security-Policy.
func (p *Provider) formPost(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, params url.Values) {
	params = maps.Clone(params)
	params.Set("iss", p.cfg.Issuer)
	redirect := *ar.GetRedirectURI()
	redirect.Fragment = ""
	page := web.FormPostPage{UILocales: ar.GetRequestForm().Get("ui_locales"), Action: redirect.String(), Params: params}
	if err := p.cfg.Pages.FormPost(w, r, page); err != nil {
		p.logger.ErrorContext(r.Context(), "render form_post page", "err", err)
		p.errorPage(w, r, http.StatusInternalServerError, "error.server")
	}
}

// serverErrorPage is the error page of a request that failed through a
// fault of ours: 503 with Retry-After when the store could not be
// reached (the same request may succeed shortly), else 500.
func (p *Provider) serverErrorPage(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, storage.ErrUnavailable) {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", retryAfter)
	}
	p.errorPage(w, r, status, "error.server")
}

// errorPage renders the error page with a message key.
func (p *Provider) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	p.errorPageDetail(w, r, status, key, "")
}

// errorPageDetail is errorPage with the detail its log line gives
// (web.ErrorPage.Detail).
func (p *Provider) errorPageDetail(w http.ResponseWriter, r *http.Request, status int, key, detail string) {
	page := web.ErrorPage{UILocales: r.URL.Query().Get("ui_locales"), Title: "error.title", Message: key,
		RequestID: w.Header().Get("X-Request-Id"), Detail: detail}
	if err := p.cfg.Pages.Error(w, r, status, page); err != nil {
		p.logger.ErrorContext(r.Context(), "render error page", "err", err)
		http.Error(w, "error", status)
	}
}

// issWriter adds the iss parameter to every authorization response
// redirect (RFC 9207), success or error, so a client can tell which
// provider answered (mix-up defence, RFC 9700 section 4.4).
type issWriter struct {
	http.ResponseWriter
	issuer string
}

func (w issWriter) WriteHeader(code int) {
	if code == http.StatusSeeOther || code == http.StatusFound {
		if u, err := url.Parse(w.Header().Get("Location")); err == nil && u.Scheme != "" {
			q := u.Query()
			q.Set("iss", w.issuer)
			u.RawQuery = q.Encode()
			w.Header().Set("Location", u.String())
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// Sessions tells who is signed in to a browser.
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
}

// Pages renders the pages the endpoints answer with.
type Pages interface {
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
	FormPost(w http.ResponseWriter, r *http.Request, p web.FormPostPage) error
}
