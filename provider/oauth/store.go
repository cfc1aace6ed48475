package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/handler/pkce"
	fositestorage "github.com/ory/fosite/storage"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what the provider uses of storage.Store: tokenStore, the
// parked authorization requests, the device authorization requests, and
// the few calls below.
type Store interface {
	tokenStore
	workspaceStore
	installationStore
	storage.Flows
	storage.DeviceAuthorizations
	// UpdateClient saves the client's keys fetched from its jwks_uri.
	UpdateClient(ctx context.Context, id string, update func(storage.Client) (storage.Client, error)) (storage.Client, error)
	// TouchClientSecret notes when a client's secret was last used.
	TouchClientSecret(ctx context.Context, clientID, secretID string, at time.Time) error
	// GetUser reads the user a request is for (userinfo, ID tokens).
	GetUser(ctx context.Context, id string) (storage.User, error)
	// GetConsent reads the consent a user remembered for a client.
	GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error)
	// ListDetailGrants reads the per-conversation grants remembered with
	// it (RFC 9396 authorization details).
	ListDetailGrants(ctx context.Context, userID, clientID string) ([]storage.DetailGrant, error)
	// RecordSessionSignIn notes that a browser session signed in to a
	// client (storage.BackchannelLogouts).
	RecordSessionSignIn(ctx context.Context, s storage.SessionSignIn) error
}

// tokenStore is what fositeStore uses of the store: the token records,
// the client assertion IDs seen, the transactions fosite's handlers run
// in, and the clients they authenticate.
type tokenStore interface {
	storage.Tokens
	storage.JTIs
	storage.Transactor
	GetClient(ctx context.Context, id string) (storage.Client, error)
}

// fositeStore adapts the store (tokenStore) to the storage interfaces
// fosite's handlers type-assert (compose/compose_*.go). It owns the
// encoding of fosite requests and maps storage errors to the fosite errors
// the handlers test for; nothing outside this package sees a fosite type.
type fositeStore struct {
	store tokenStore
	now   func() time.Time
	// codeSignature turns an authorization code into its signature: fosite
	// hands the OpenID Connect storage the code itself, which must not be
	// stored.
	codeSignature func(ctx context.Context, code string) string
	// decoded keeps access-token requests decoded; nil keeps none.
	decoded *decoded
	// audit records tokens issued and refresh tokens reused.
	audit *audit.Recorder
	// parKey keys the hash a pushed request's request_uri is stored under;
	// parLifespan is how long the request_uri stays usable.
	parKey      []byte
	parLifespan time.Duration
	// maxAssertion is the furthest ahead a client assertion may expire.
	maxAssertion time.Duration
	// refreshReuse is the reuse window of a rotated refresh token
	// (storage.Tokens.RotateRefreshToken) of a client that sets none of
	// its own; zero: none.
	refreshReuse time.Duration
}

var (
	_ fosite.Storage                     = (*fositeStore)(nil)
	_ oauth2.CoreStorage                 = (*fositeStore)(nil)
	_ oauth2.TokenRevocationStorage      = (*fositeStore)(nil)
	_ openid.OpenIDConnectRequestStorage = (*fositeStore)(nil)
	_ pkce.PKCERequestStorage            = (*fositeStore)(nil)
	_ fositestorage.Transactional        = (*fositeStore)(nil)
	_ fosite.PARStorage                  = (*fositeStore)(nil)
)

// storedRequest is the serialized form of a fosite request.
type storedRequest struct {
	ID                string          `json:"id"`
	RequestedAt       time.Time       `json:"requested_at"`
	ClientID          string          `json:"client_id"`
	RequestedScope    []string        `json:"requested_scope,omitempty"`
	GrantedScope      []string        `json:"granted_scope,omitempty"`
	RequestedAudience []string        `json:"requested_audience,omitempty"`
	GrantedAudience   []string        `json:"granted_audience,omitempty"`
	Form              url.Values      `json:"form,omitempty"`
	Session           json.RawMessage `json:"session"`
	// The authorization request's own fields, kept for a pushed request
	// (RFC 9126) only.
	RedirectURI   string   `json:"redirect_uri,omitempty"`
	ResponseTypes []string `json:"response_types,omitempty"`
	State         string   `json:"state,omitempty"`
	ResponseMode  string   `json:"response_mode,omitempty"`
}

// expiryKind says which session expiry applies to each kind of record.
func expiryKind(kind storage.TokenKind) fosite.TokenType {
	switch kind {
	case storage.KindAccessToken:
		return fosite.AccessToken
	case storage.KindRefreshToken:
		return fosite.RefreshToken
	default:
		return fosite.AuthorizeCode
	}
}

func (s *fositeStore) create(ctx context.Context, kind storage.TokenKind, signature, accessSignature string, r fosite.Requester) error {
	t, err := s.token(kind, signature, accessSignature, r)
	if err != nil {
		return err
	}
	return fositeError(s.store.CreateToken(ctx, t))
}

// token is the record of a code or token of request r.
func (s *fositeStore) token(kind storage.TokenKind, signature, accessSignature string, r fosite.Requester) (storage.Token, error) {
	sess, err := json.Marshal(r.GetSession())
	if err != nil {
		return storage.Token{}, fmt.Errorf("oauth: encode session: %w", err)
	}
	sr := storedRequest{
		ID:                r.GetID(),
		RequestedAt:       r.GetRequestedAt(),
		ClientID:          r.GetClient().GetID(),
		RequestedScope:    r.GetRequestedScopes(),
		GrantedScope:      r.GetGrantedScopes(),
		RequestedAudience: r.GetRequestedAudience(),
		GrantedAudience:   r.GetGrantedAudience(),
		Form:              r.GetRequestForm(),
		Session:           sess,
	}
	if ar, ok := r.(fosite.AuthorizeRequester); ok && kind == storage.KindPAR {
		if u := ar.GetRedirectURI(); u != nil {
			sr.RedirectURI = u.String()
		}
		sr.ResponseTypes, sr.State, sr.ResponseMode = ar.GetResponseTypes(), ar.GetState(), string(ar.GetResponseMode())
	}
	body, err := json.Marshal(sr)
	if err != nil {
		return storage.Token{}, fmt.Errorf("oauth: encode request: %w", err)
	}
	var subject string
	var expires time.Time
	if session := r.GetSession(); session != nil {
		subject = session.GetSubject()
		expires = session.GetExpiresAt(expiryKind(kind))
	}
	workspaceID, _ := workspaceOf(r.GetSession())
	return storage.Token{
		Kind:            kind,
		Signature:       signature,
		RequestID:       r.GetID(),
		ClientID:        r.GetClient().GetID(),
		Subject:         subject,
		Scopes:          r.GetGrantedScopes(),
		Active:          true,
		RequestedAt:     r.GetRequestedAt().UTC().Truncate(time.Microsecond),
		ExpiresAt:       expires.UTC().Truncate(time.Microsecond),
		AccessSignature: accessSignature,
		WorkspaceID:     workspaceID,
		Session:         body,
	}, nil
}

// get loads a record and rebuilds its request, decoding the session into
// the one fosite passes (or a new OpenID Connect session when it passes
// none). It returns the request together with the record's Active flag.
func (s *fositeStore) get(ctx context.Context, kind storage.TokenKind, signature string, session fosite.Session) (fosite.Requester, bool, error) {
	tok, _, req, err := s.load(ctx, kind, signature, session)
	if err != nil {
		return nil, false, err
	}
	probed(ctx, kind, req, tok.Active)
	return req, tok.Active, nil
}

// load reads a record and rebuilds its request (see get), returning the
// record and its decoded form as well.
func (s *fositeStore) load(ctx context.Context, kind storage.TokenKind, signature string, session fosite.Session) (storage.Token, storedRequest, *fosite.Request, error) {
	tok, err := s.store.GetToken(ctx, kind, signature)
	if err != nil {
		return tok, storedRequest{}, nil, fositeError(err)
	}
	if session == nil {
		session = NewSession("")
	}
	sr, err := s.decode(kind, tok, session)
	if err != nil {
		return tok, sr, nil, err
	}
	c, err := s.GetClient(ctx, sr.ClientID)
	if err != nil {
		return tok, sr, nil, err
	}
	req := &fosite.Request{
		ID:                sr.ID,
		RequestedAt:       sr.RequestedAt,
		Client:            c,
		RequestedScope:    sr.RequestedScope,
		GrantedScope:      sr.GrantedScope,
		RequestedAudience: sr.RequestedAudience,
		GrantedAudience:   sr.GrantedAudience,
		Form:              sr.Form,
		Session:           session,
	}
	if req.Form == nil {
		req.Form = url.Values{}
	}
	return tok, sr, req, nil
}

// decode rebuilds the stored request of tok into session, from the
// decoded access tokens when it can.
func (s *fositeStore) decode(kind storage.TokenKind, tok storage.Token, session fosite.Session) (storedRequest, error) {
	oidc, cacheable := session.(*openid.DefaultSession)
	cacheable = cacheable && kind == storage.KindAccessToken && s.decoded != nil
	if cacheable {
		if sr, ok := s.decoded.get(tok.Signature, tok.Session, oidc); ok {
			return sr, nil
		}
	}
	var sr storedRequest
	if err := json.Unmarshal(tok.Session, &sr); err != nil {
		return sr, fmt.Errorf("oauth: decode %s ref %s: %w", kind, storage.Ref(tok.Signature), err)
	}
	if err := json.Unmarshal(sr.Session, session); err != nil {
		return sr, fmt.Errorf("oauth: decode session of %s ref %s: %w", kind, storage.Ref(tok.Signature), err)
	}
	if cacheable {
		s.decoded.put(tok.Signature, tok.Session, sr, oidc)
	}
	return sr, nil
}

// fositeError maps storage sentinels to the fosite errors handlers test
// for, keeping the original in the chain. A signature or ID that is not
// text (storage.ErrInvalidInput) names no record: fosite answers a
// lookup of it as an unknown token, not a server error.
func fositeError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrInvalidInput):
		return fosite.ErrNotFound.WithWrap(err).WithDebug(err.Error())
	case errors.Is(err, storage.ErrConflict):
		return fosite.ErrSerializationFailure.WithWrap(err).WithDebug(err.Error())
	default:
		return err
	}
}

// GetClient implements fosite.ClientManager.
func (s *fositeStore) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := s.store.GetClient(ctx, id)
	if err == nil {
		err = usable(c)
	}
	if err != nil {
		return nil, fositeError(err)
	}
	fc := newClient(c, s.now())
	// The two ways of sending a secret are one method to this provider:
	// relying-party libraries pick one without asking (zitadel/oidc posts
	// the secret when it refreshes, and sends it in the header when it
	// exchanges a code), and the secret is equally exposed either way.
	if presented, _ := ctx.Value(secretMethodKey{}).(string); presented != "" && isSecretMethod(fc.GetTokenEndpointAuthMethod()) {
		fc.TokenEndpointAuthMethod = presented
	}
	return fc, nil
}

// isSecretMethod reports whether method sends a client secret.
func isSecretMethod(method string) bool {
	return method == "client_secret_basic" || method == "client_secret_post"
}

// CreateAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage.
func (s *fositeStore) CreateAuthorizeCodeSession(ctx context.Context, signature string, r fosite.Requester) error {
	return s.create(ctx, storage.KindAuthorizeCode, signature, "", r)
}

// GetAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage: a
// redeemed code returns its request with ErrInvalidatedAuthorizeCode, so
// fosite revokes the tokens issued for it.
func (s *fositeStore) GetAuthorizeCodeSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	req, active, err := s.get(ctx, storage.KindAuthorizeCode, signature, session)
	if err != nil {
		return nil, err
	}
	if !active {
		return req, fosite.ErrInvalidatedAuthorizeCode
	}
	return req, nil
}

// InvalidateAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage.
func (s *fositeStore) InvalidateAuthorizeCodeSession(ctx context.Context, signature string) error {
	return fositeError(s.store.DeactivateToken(ctx, storage.KindAuthorizeCode, signature))
}

// CreateAccessTokenSession implements oauth2.AccessTokenStorage. The
// token's authorization record (never the token) is stored with it, in
// one statement: in fosite's transaction for a code or a refresh token, on
// its own for client credentials.
func (s *fositeStore) CreateAccessTokenSession(ctx context.Context, signature string, r fosite.Requester) error {
	t, err := s.token(storage.KindAccessToken, signature, "", r)
	if err != nil {
		return err
	}
	if s.audit == nil {
		return fositeError(s.store.CreateToken(ctx, t))
	}
	e := requestEvent(audit.TokenIssued, r)
	e.Detail["grant_type"] = grantType(ctx)
	maps.Copy(e.Detail, exchangeDetail(r.GetSession()))
	if err := s.store.CreateTokenRecorded(ctx, t, s.audit.Build(ctx, e)); err != nil {
		return fositeError(err)
	}
	s.audit.Appended()
	return nil
}

// requestEvent is the authorization record of action on the tokens of r,
// by r's client.
func requestEvent(action string, r fosite.Requester) audit.Event {
	e := audit.Event{Action: action, ClientID: r.GetClient().GetID(), Scopes: r.GetGrantedScopes(),
		Detail: map[string]string{"token_family": r.GetID()}}
	if session := r.GetSession(); session != nil {
		e.Subject = session.GetSubject()
	}
	return e.ByClient(e.ClientID)
}

// GetAccessTokenSession implements oauth2.AccessTokenStorage; a revoked
// token is ErrInactiveToken.
func (s *fositeStore) GetAccessTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	req, active, err := s.get(ctx, storage.KindAccessToken, signature, session)
	if err != nil {
		return nil, err
	}
	if !active {
		return req, fosite.ErrInactiveToken
	}
	// An exchanged token lives while every grant it derives from does
	// (RFC 8693: revoking the subject's grant ends what came of it).
	for _, family := range sessionList(req.GetSession(), sessionExchangedKey) {
		alive, err := s.store.FamilyActive(ctx, family, s.now())
		if err != nil {
			return nil, fositeError(err)
		}
		if !alive {
			return req, fosite.ErrInactiveToken
		}
	}
	return req, nil
}

// DeleteAccessTokenSession implements oauth2.AccessTokenStorage.
func (s *fositeStore) DeleteAccessTokenSession(ctx context.Context, signature string) error {
	return fositeError(s.store.DeleteToken(ctx, storage.KindAccessToken, signature))
}

// CreateRefreshTokenSession implements oauth2.RefreshTokenStorage. A
// refresh that narrowed the scope of its access token keeps the refresh
// token's own (narrowRefresh).
func (s *fositeStore) CreateRefreshTokenSession(ctx context.Context, signature, accessSignature string, r fosite.Requester) error {
	if scopes, ok := refreshGrant(ctx); ok {
		if req, isReq := r.(*fosite.Request); isReq {
			kept := *req
			kept.GrantedScope = scopes
			r = &kept
		}
	}
	return s.create(ctx, storage.KindRefreshToken, signature, accessSignature, r)
}

// GetRefreshTokenSession implements oauth2.RefreshTokenStorage: a rotated
// or revoked refresh token returns its request with ErrInactiveToken,
// which makes fosite revoke the whole family (reuse detection, RFC 9700
// section 4.14.2) — except a token rotated within the reuse window and not
// revoked since, which is usable: the client sent parallel refreshes or
// lost the response to its refresh, and RotateRefreshToken gives it a new
// pair of the family.
func (s *fositeStore) GetRefreshTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	tok, _, req, err := s.load(ctx, storage.KindRefreshToken, signature, session)
	if err != nil {
		return nil, err
	}
	active := tok.Active || tok.WithinReuse(s.now(), s.reuseWindow(req.GetClient()))
	probed(ctx, storage.KindRefreshToken, req, active)
	if !active {
		return req, fosite.ErrInactiveToken
	}
	return req, nil
}

// DeleteRefreshTokenSession implements oauth2.RefreshTokenStorage. fosite
// calls it only when a rotated refresh token is presented again, before
// revoking its family (flow_refresh.go, handleRefreshTokenReuse), in its
// transaction: the reuse is recorded there.
func (s *fositeStore) DeleteRefreshTokenSession(ctx context.Context, signature string) error {
	tok, err := s.store.GetToken(ctx, storage.KindRefreshToken, signature)
	if err != nil {
		return fositeError(err)
	}
	if err := s.store.DeleteToken(ctx, storage.KindRefreshToken, signature); err != nil {
		return fositeError(err)
	}
	e := audit.Event{Action: audit.RefreshReuse, Outcome: audit.Failure, Reason: "rotated_refresh_token_presented",
		Subject: tok.Subject, ClientID: tok.ClientID, Scopes: tok.Scopes,
		Detail: map[string]string{"token_family": tok.RequestID}}.ByClient(tok.ClientID)
	return s.audit.Record(ctx, e)
}

// RotateRefreshToken implements oauth2.RefreshTokenStorage: a token
// rotated within the reuse window of the refreshing client (withRefresher)
// is rotated again, keeping the pairs its earlier rotations issued; a
// concurrent refresh waits for the one in progress and then is such a
// retry.
func (s *fositeStore) RotateRefreshToken(ctx context.Context, requestID, signature string) error {
	c, _ := ctx.Value(refresherKey{}).(fosite.Client)
	_, err := s.store.RotateRefreshToken(ctx, requestID, signature, s.now(), s.reuseWindow(c))
	return fositeError(err)
}

type refresherKey struct{}

// withRefresher carries the client of a refresh request to
// RotateRefreshToken, which fosite calls with no client.
func withRefresher(ctx context.Context, c fosite.Client) context.Context {
	return context.WithValue(ctx, refresherKey{}, c)
}

// reuseWindow is the refresh token reuse window of client c: its own, or
// the provider's when it sets none (or c is unknown).
func (s *fositeStore) reuseWindow(c fosite.Client) time.Duration {
	if cl, ok := c.(*client); ok && cl.RefreshReuseWindow != nil {
		return *cl.RefreshReuseWindow
	}
	return s.refreshReuse
}

// RevokeRefreshToken implements oauth2.TokenRevocationStorage (RFC 7009).
func (s *fositeStore) RevokeRefreshToken(ctx context.Context, requestID string) error {
	_, err := s.store.RevokeFamily(ctx, storage.KindRefreshToken, requestID)
	return fositeError(err)
}

// RevokeAccessToken implements oauth2.TokenRevocationStorage (RFC 7009).
func (s *fositeStore) RevokeAccessToken(ctx context.Context, requestID string) error {
	_, err := s.store.RevokeFamily(ctx, storage.KindAccessToken, requestID)
	return fositeError(err)
}

// revokeTokens revokes every access and refresh token of the family
// requestID: the tokens issued for a code or device code presented again.
// A family with no tokens left is not an error.
func (s *fositeStore) revokeTokens(ctx context.Context, requestID string) error {
	var errs []error
	for _, kind := range []storage.TokenKind{storage.KindAccessToken, storage.KindRefreshToken} {
		if _, err := s.store.RevokeFamily(ctx, kind, requestID); err != nil {
			errs = append(errs, fmt.Errorf("revoke %s family of grant ref %s: %w", kind, storage.Ref(requestID), err))
		}
	}
	return errors.Join(errs...)
}

// CreatePKCERequestSession implements pkce.PKCERequestStorage.
func (s *fositeStore) CreatePKCERequestSession(ctx context.Context, signature string, r fosite.Requester) error {
	return s.create(ctx, storage.KindPKCE, signature, "", r)
}

// GetPKCERequestSession implements pkce.PKCERequestStorage.
func (s *fositeStore) GetPKCERequestSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	req, _, err := s.get(ctx, storage.KindPKCE, signature, session)
	return req, err
}

// DeletePKCERequestSession implements pkce.PKCERequestStorage. The data
// gone since it was read means another request is redeeming the same code
// at this moment: a lost race, not a server error.
func (s *fositeStore) DeletePKCERequestSession(ctx context.Context, signature string) error {
	err := s.store.DeleteToken(ctx, storage.KindPKCE, signature)
	if errors.Is(err, storage.ErrNotFound) {
		return fosite.ErrSerializationFailure.WithWrap(err).WithDebug(err.Error())
	}
	return fositeError(err)
}

// retireCode deactivates an authorization code issued to clientID,
// whether or not it still was active, and returns the ID of the request
// it was issued for; empty when that client has no such code.
func (s *fositeStore) retireCode(ctx context.Context, code, clientID string) (string, error) {
	signature := s.codeSignature(ctx, code)
	tok, err := s.store.GetToken(ctx, storage.KindAuthorizeCode, signature)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && tok.ClientID != clientID) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	if err := s.store.DeactivateToken(ctx, storage.KindAuthorizeCode, signature); err != nil && !errors.Is(err, storage.ErrConflict) {
		return "", err
	}
	return tok.RequestID, nil
}

// CreateOpenIDConnectSession implements openid.OpenIDConnectRequestStorage.
func (s *fositeStore) CreateOpenIDConnectSession(ctx context.Context, code string, r fosite.Requester) error {
	return s.create(ctx, storage.KindOpenID, s.codeSignature(ctx, code), "", r)
}

// GetOpenIDConnectSession implements openid.OpenIDConnectRequestStorage.
func (s *fositeStore) GetOpenIDConnectSession(ctx context.Context, code string, r fosite.Requester) (fosite.Requester, error) {
	req, _, err := s.get(ctx, storage.KindOpenID, s.codeSignature(ctx, code), r.GetSession())
	return req, err
}

// DeleteOpenIDConnectSession implements openid.OpenIDConnectRequestStorage.
func (s *fositeStore) DeleteOpenIDConnectSession(ctx context.Context, code string) error {
	return fositeError(s.store.DeleteToken(ctx, storage.KindOpenID, s.codeSignature(ctx, code)))
}

// BeginTX implements fosite's storage.Transactional.
func (s *fositeStore) BeginTX(ctx context.Context) (context.Context, error) {
	return s.store.BeginTx(ctx)
}

// Commit implements fosite's storage.Transactional.
func (s *fositeStore) Commit(ctx context.Context) error { return fositeError(s.store.Commit(ctx)) }

// Rollback implements fosite's storage.Transactional.
func (s *fositeStore) Rollback(ctx context.Context) error { return s.store.Rollback(ctx) }
