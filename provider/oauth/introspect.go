package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/authzdetails"
	"github.com/tokenim/tokenim-auth/storage"
)

// introspect is the introspection endpoint (RFC 7662). The caller must
// authenticate as a client (RFC 7662 section 2.1): a resource server may
// introspect any token, any other confidential client only the tokens
// issued to it; for any other token the answer is {"active":false}, which
// reveals nothing (section 2.2).
func (p *Provider) introspect(w http.ResponseWriter, r *http.Request) {
	start := p.cfg.Now()
	result := IntrospectionUnauthorized
	defer func() { p.cfg.Observer.Introspected(result, p.cfg.Now().Sub(start)) }()
	if !readClientForm(w, r, "Client authentication is required: introspection answers registered resource servers and confidential clients only.") {
		return
	}
	r, secret := withSecretRecorder(r)
	ctx := r.Context()
	caller, err := p.fosite.AuthenticateClient(ctx, r, r.PostForm)
	if err != nil {
		if err = clientAuthError(r, err); asFault(err) != nil {
			p.logServerError(ctx, "introspect", err)
			writeFositeError(w, err)
			return
		}
		desc := "Client authentication failed: introspection needs the credentials of a registered resource server or confidential client."
		if hint, ok := p.expiredHint(r); ok {
			desc = hint
		}
		writeError(w, http.StatusUnauthorized, "invalid_client", desc)
		return
	}
	p.touch(ctx, caller, secret)
	if caller.IsPublic() {
		writeError(w, http.StatusUnauthorized, "invalid_client", "A public client cannot authenticate, so it cannot introspect tokens.")
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		result = IntrospectionError
		writeError(w, http.StatusBadRequest, "invalid_request", "The token parameter is missing.")
		return
	}
	result = IntrospectionInactive
	tokenUse, ar, err := p.fosite.IntrospectToken(ctx, token, fosite.TokenUse(r.PostForm.Get("token_type_hint")), NewSession(""))
	if errors.Is(err, storage.ErrUnavailable) {
		// The token could not be looked up (the store is down and the
		// token is not in the cache): it may well be valid, so the answer
		// is 503 with Retry-After, never an inactive token that would
		// sign a user out of the IM service.
		result = IntrospectionError
		p.logServerError(ctx, "introspect", err)
		writeFositeError(w, err)
		return
	}
	if err != nil {
		if lookupFailed(err) {
			result = IntrospectionError
			p.logger.ErrorContext(ctx, "oauth endpoint failed", "endpoint", "introspect", "err", err)
		}
		p.answerIntrospection(w, r, caller, introspection{Active: false})
		return
	}
	if !mayIntrospect(caller, ar) {
		p.answerIntrospection(w, r, caller, introspection{Active: false})
		return
	}
	result = IntrospectionActive
	p.answerIntrospection(w, r, caller, p.describe(tokenUse, ar))
}

// lookupFailed tells a token lookup that failed through a fault of ours
// (the store unreachable, a record that does not decode) from a token
// that is unknown, expired, revoked or malformed. fosite reports both as
// request_unauthorized; only a fault carries a cause of its own.
func lookupFailed(err error) bool {
	if errors.Is(err, fosite.ErrNotFound) || errors.Is(err, fosite.ErrTokenExpired) || errors.Is(err, fosite.ErrInactiveToken) {
		return false
	}
	var rfc *fosite.RFC6749Error
	if !errors.As(err, &rfc) {
		return true
	}
	return rfc.CodeField >= http.StatusInternalServerError || rfc.Cause() != nil
}

// introspection is an RFC 7662 section 2.2 response.
type introspection struct {
	Active    bool     `json:"active"`
	Scope     string   `json:"scope,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	Username  string   `json:"username,omitempty"`
	TokenType string   `json:"token_type,omitempty"`
	Exp       int64    `json:"exp,omitempty"`
	Iat       int64    `json:"iat,omitempty"`
	Sub       string   `json:"sub,omitempty"`
	Aud       []string `json:"aud,omitempty"`
	Iss       string   `json:"iss,omitempty"`
	// TokenUse says whether the token is an access or a refresh token.
	TokenUse string `json:"token_use,omitempty"`
	// Jti identifies the token's family (RFC 7662 section 2.2): the
	// revocation stream names a revoked family by it.
	Jti string `json:"jti,omitempty"`
	// AuthTime, Acr and Amr describe the user's sign-in the token was
	// issued through, as its ID token and a JWT access token do (OpenID
	// Connect Core 1.0 section 2, RFC 9068 section 2.2.1), so that a
	// resource server can ask for a stronger or fresher one (RFC 9470).
	// A token of no user (client credentials) has none of them.
	AuthTime int64    `json:"auth_time,omitempty"`
	Acr      string   `json:"acr,omitempty"`
	Amr      []string `json:"amr,omitempty"`
	// OrgID and OrgHandle name the workspace the token was issued for
	// (workspaceOf), which a resource server checks (rs.RequireWorkspace):
	// a token for one workspace never authorizes another.
	OrgID     string `json:"org_id,omitempty"`
	OrgHandle string `json:"org_handle,omitempty"`
	// AuthorizationDetails are the details granted with the token (RFC
	// 9396 section 9.1).
	AuthorizationDetails authzdetails.List `json:"authorization_details,omitempty"`
	// Cnf names the DPoP key a bound token must be presented with (RFC
	// 9449 section 6.2); a bound access token's token_type is DPoP.
	Cnf *confirmation `json:"cnf,omitempty"`
	// Act names who acts for the subject, for a token got by token
	// exchange (RFC 8693 section 4.1), nested for a chain.
	Act map[string]any `json:"act,omitempty"`
	// ExchangedFrom are the token families an exchanged token derives
	// from (their jti): a resource server following the revocation stream
	// drops it when one of them is revoked.
	ExchangedFrom []string `json:"exchanged_from,omitempty"`
}

// describe tells an active token's metadata.
func (p *Provider) describe(use fosite.TokenUse, ar fosite.AccessRequester) introspection {
	kind := fosite.AccessToken
	if use == fosite.RefreshToken {
		kind = fosite.RefreshToken
	}
	out := introspection{
		Active:   true,
		Scope:    strings.Join(ar.GetGrantedScopes(), " "),
		ClientID: ar.GetClient().GetID(),
		Iss:      p.cfg.Issuer,
		Iat:      ar.GetRequestedAt().Unix(),
		Aud:      tokenAudience(ar),
		TokenUse: string(use),
		Jti:      ar.GetID(),
	}
	out.Cnf = tokenConfirmation(ar.GetSession())
	out.Act = sessionAct(ar.GetSession())
	out.ExchangedFrom = sessionList(ar.GetSession(), sessionExchangedKey)
	if use == fosite.AccessToken {
		out.TokenType = "Bearer"
		if out.Cnf != nil {
			out.TokenType = "DPoP"
		}
	}
	if sess := ar.GetSession(); sess != nil {
		out.Sub = sess.GetSubject()
		out.Username = sess.GetUsername()
		if exp := sess.GetExpiresAt(kind); !exp.IsZero() {
			out.Exp = exp.Unix()
		}
	}
	if in, ok := userSignIn(ar.GetSession()); ok {
		if !in.AuthTime.IsZero() {
			out.AuthTime = in.AuthTime.Unix()
		}
		out.Acr, out.Amr = in.ACR, in.AMR
	}
	out.OrgID, out.OrgHandle = workspaceOf(ar.GetSession())
	out.AuthorizationDetails = sessionDetails(ar.GetSession())
	if out.Sub == "" && use == fosite.AccessToken && issuesJWT(ar) {
		// A JWT access token of no user names its client as "sub" (RFC
		// 9068 section 2.2); introspection says the same.
		out.Sub = out.ClientID
	}
	return out
}

// signIn is what a token's session says of the user's sign-in it was
// issued through.
type signIn struct {
	AuthTime time.Time
	ACR      string
	AMR      []string
}

// userSignIn reads the sign-in from the ID token claims a session keeps
// (set when the grant was made: authorize.go, device.go; a refresh carries
// the session over). ok is false for a session of no user, such as a
// client-credentials token's. Introspection and JWT access tokens both
// tell it this way.
func userSignIn(sess fosite.Session) (in signIn, ok bool) {
	oidc, isOIDC := sess.(*openid.DefaultSession)
	if !isOIDC || oidc.GetSubject() == "" {
		return signIn{}, false
	}
	if c := oidc.Claims; c != nil {
		in = signIn{AuthTime: c.AuthTime, ACR: c.AuthenticationContextClassReference, AMR: c.AuthenticationMethodsReferences}
	}
	return in, true
}

// mayIntrospect says whether caller may learn about the token of ar.
func mayIntrospect(caller fosite.Client, ar fosite.AccessRequester) bool {
	if c, ok := caller.(*client); ok && c.Type == storage.ClientResourceServer {
		return true
	}
	return caller.GetID() == ar.GetClient().GetID()
}

// revoke is the revocation endpoint (RFC 7009): a client revokes its own
// access or refresh token, and with it the whole token family.
func (p *Provider) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !readClientForm(w, r, "Client authentication is required to revoke a token.") {
		return
	}
	if r.PostForm.Get("token") == "" {
		writeError(w, http.StatusBadRequest, "invalid_request", "The token parameter is missing.")
		return
	}
	// fosite authenticates the client and revokes in one step: a browser
	// origin is checked against the client the request names.
	presented, _ := presentedCredentials(r)
	if err := p.checkOrigin(r, presented); err != nil {
		writeFositeError(w, err)
		return
	}
	// fosite's revocation handler finds the token's request through the
	// store; the probe keeps it, for the authorization record written in
	// the same transaction as the revocation.
	probe := &revocationProbe{}
	err := storage.InTx(withProbe(ctx, probe), p.cfg.Store, func(ctx context.Context) error {
		if err := p.fosite.NewRevocationRequest(ctx, r); err != nil {
			return err
		}
		if probe.found == nil {
			return nil // unknown or already revoked: nothing changed
		}
		e := requestEvent(audit.TokenRevoked, probe.found)
		e.Reason, e.Detail["token_type"] = "rfc7009", probe.kind
		return p.cfg.Audit.Record(ctx, e)
	})
	if err != nil {
		err = p.expiredSecret(r, clientAuthError(r, err))
		p.logServerError(ctx, "revoke", err)
		writeFositeError(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// revocationProbe receives, during a revocation, the request of the token
// being revoked, as the store finds it.
type revocationProbe struct {
	found fosite.Requester
	kind  string
}

type probeKey struct{}

func withProbe(ctx context.Context, p *revocationProbe) context.Context {
	return context.WithValue(ctx, probeKey{}, p)
}

// probed hands a found, active token's request to the revocation probe
// ctx carries, if any: the first one found is the one revoked.
func probed(ctx context.Context, kind storage.TokenKind, req fosite.Requester, active bool) {
	if p, ok := ctx.Value(probeKey{}).(*revocationProbe); ok && p.found == nil && active {
		p.found, p.kind = req, string(kind)
	}
}
