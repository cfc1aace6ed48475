package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
	fositestorage "github.com/ory/fosite/storage"

	"github.com/tokenim/tokenim-auth/provider/devicecode"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// grantDeviceCode is the device authorization grant's type (RFC 8628
// section 3.4).
const grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// Defaults of the device authorization grant.
const (
	defaultDeviceCodeLifespan = 10 * time.Minute
	defaultDevicePollInterval = 5 * time.Second
	// slowDownStep is how much longer a device must wait after polling too
	// fast (RFC 8628 section 3.5).
	slowDownStep = 5 * time.Second
)

// deviceAuthorizationResponse is RFC 8628 section 3.2.
type deviceAuthorizationResponse struct {
	DeviceCode              string `json:"device_code"`
	UserCode                string `json:"user_code"`
	VerificationURI         string `json:"verification_uri"`
	VerificationURIComplete string `json:"verification_uri_complete"`
	ExpiresIn               int64  `json:"expires_in"`
	Interval                int64  `json:"interval"`
}

// deviceAuthorize is the device authorization endpoint (RFC 8628 section
// 3.1): a client that may use the device grant asks for a device code and
// a user code, for the workspace its organization parameter names, if any
// (see workspace.go). The client authenticates as at the token endpoint (a public
// client with its client_id alone). The request is stored under keyed
// hashes of both codes, with the device's IP and user agent for the user to
// recognise it on the verification page.
func (p *Provider) deviceAuthorize(w http.ResponseWriter, r *http.Request) {
	if !readClientForm(w, r, "Client authentication is required: send the client's credentials, or its client_id for a public client.") {
		return
	}
	r, secret := withSecretRecorder(r)
	ctx := r.Context()
	c, err := p.fosite.AuthenticateClient(ctx, r, r.PostForm)
	if err != nil {
		err = p.expiredSecret(r, clientAuthError(r, err))
		p.logServerError(ctx, "device_authorization", err)
		writeFositeError(w, err)
		return
	}
	if err := p.checkOrigin(r, c.GetID()); err != nil {
		writeFositeError(w, err)
		return
	}
	p.touch(ctx, c, secret)
	if !c.GetGrantTypes().Has(grantDeviceCode) {
		writeError(w, http.StatusBadRequest, "unauthorized_client", "This client may not use the device authorization grant; an administrator can add "+grantDeviceCode+" to its grant types.")
		return
	}
	scopes := fosite.RemoveEmpty(strings.Split(r.PostForm.Get("scope"), " "))
	for _, s := range scopes {
		if !fosite.ExactScopeStrategy(c.GetScopes(), s) {
			writeError(w, http.StatusBadRequest, "invalid_scope", "The client may not request the scope \""+s+"\".")
			return
		}
	}
	// The resources the device's tokens are for (RFC 8707), checked as at
	// the authorization endpoint.
	resources, err := p.requestedResources(r.PostForm, c)
	if err != nil {
		writeFositeError(w, err)
		return
	}
	// The workspace, as at the authorization endpoint: an unknown one is
	// invalid_request; the verification page checks the user is a member.
	ws, _, err := p.namedWorkspace(ctx, r.PostForm)
	if err != nil {
		p.logServerError(ctx, "device_authorization", err)
		writeFositeError(w, err)
		return
	}
	now := p.cfg.Now().UTC().Truncate(time.Second)
	d := storage.DeviceAuthorization{
		RequestID:   fosite.NewRequest().GetID(),
		ClientID:    c.GetID(),
		Scopes:      scopes,
		Resources:   resources,
		WorkspaceID: ws.ID,
		ClientIP:    reqctx.ClientIP(ctx),
		UserAgent:   reqctx.UserAgent(ctx),
		Status:      storage.DevicePending,
		Interval:    p.cfg.DevicePollInterval,
		CreatedAt:   now,
		ExpiresAt:   now.Add(p.cfg.DeviceCodeLifespan),
	}
	var deviceCode, userCode string
	// A fresh pair of codes until neither is taken: with 20^8 user codes
	// a collision is rare, and two in a row rarer still.
	for range 5 {
		deviceCode, userCode = devicecode.NewDeviceCode(), devicecode.NewUserCode()
		d.DeviceCodeSignature, d.UserCodeSignature = p.cfg.DeviceCodes.DeviceCode(deviceCode), p.cfg.DeviceCodes.UserCode(userCode)
		if err = p.cfg.Store.CreateDeviceAuthorization(ctx, d); !errors.Is(err, storage.ErrAlreadyExists) {
			break
		}
	}
	if err != nil {
		p.logger.ErrorContext(ctx, "store a device authorization request", "client_id", c.GetID(), "err", err)
		writeFositeError(w, err)
		return
	}
	web.JSON(w, http.StatusOK, deviceAuthorizationResponse{
		DeviceCode:              deviceCode,
		UserCode:                devicecode.Format(userCode),
		VerificationURI:         devicecode.VerificationURI(p.cfg.Issuer, ""),
		VerificationURIComplete: devicecode.VerificationURI(p.cfg.Issuer, userCode),
		ExpiresIn:               int64(p.cfg.DeviceCodeLifespan / time.Second),
		Interval:                int64(p.cfg.DevicePollInterval / time.Second),
	})
}

// deviceGrant is the token endpoint's handler of the device authorization
// grant (RFC 8628 section 3.4), which fosite v0.49 does not have. It
// answers the device's polls from the stored request: pending (with
// slow_down when polled faster than the interval), denied, expired, or
// approved, when the tokens are issued as for an authorization code: an
// access token in the client's format, a refresh token when offline access
// was granted, and an ID token when openid was.
type deviceGrant struct {
	store    *fositeStore
	devices  deviceStore
	codes    devicecode.Keyed
	strategy accessTokens
	idTokens *openid.IDTokenHandleHelper
	config   *fosite.Config
	now      func() time.Time
	logger   *slog.Logger
}

var _ fosite.TokenEndpointHandler = (*deviceGrant)(nil)

// deviceStore is what the device grant reads and writes: the requests,
// and the workspace an approved one is for.
type deviceStore interface {
	storage.DeviceAuthorizations
	workspaceStore
}

// deviceError is one of RFC 8628 section 3.5's token endpoint errors.
func deviceError(code, description string) *fosite.RFC6749Error {
	return &fosite.RFC6749Error{ErrorField: code, DescriptionField: description, CodeField: http.StatusBadRequest}
}

// Errors of a device authorization request the poll found decided.
var (
	errWrongClient    = errors.New("device code issued to another client")
	errExpired        = errors.New("device code expired")
	errDenied         = errors.New("device authorization denied")
	errRedeemed       = errors.New("device code already redeemed")
	errNoLongerMember = errors.New("no longer a member of the device request's workspace")
)

// CanHandleTokenEndpointRequest implements fosite.TokenEndpointHandler.
func (g *deviceGrant) CanHandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) bool {
	return r.GetGrantTypes().ExactOne(grantDeviceCode)
}

// CanSkipClientAuth implements fosite.TokenEndpointHandler: the device
// authenticates as it did when it asked for the code (a public client by
// its client_id).
func (g *deviceGrant) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool { return false }

// HandleTokenEndpointRequest implements fosite.TokenEndpointHandler. Each
// poll is recorded on the request, atomically with reading it, so that two
// polls at once count as two.
func (g *deviceGrant) HandleTokenEndpointRequest(ctx context.Context, r fosite.AccessRequester) error {
	if !g.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	if !r.GetClient().GetGrantTypes().Has(grantDeviceCode) {
		return fosite.ErrUnauthorizedClient.WithHint("This client may not use the device authorization grant.")
	}
	code := r.GetRequestForm().Get("device_code")
	if code == "" {
		return fosite.ErrInvalidRequest.WithHint("The device_code parameter is missing.")
	}
	now := g.now().UTC()
	var tooFast bool
	d, err := g.devices.UpdateDeviceAuthorization(ctx, g.codes.DeviceCode(code), func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) {
		switch {
		case d.ClientID != r.GetClient().GetID():
			return d, errWrongClient
		case !d.ExpiresAt.After(now):
			return d, errExpired
		case d.Status == storage.DeviceDenied:
			return d, errDenied
		case d.Status == storage.DeviceRedeemed:
			return d, errRedeemed
		}
		// Clocks and networks jitter: a poll a fifth of the interval
		// early still counts as on time.
		tooFast = !d.LastPolledAt.IsZero() && now.Sub(d.LastPolledAt) < d.Interval-d.Interval/5
		if tooFast {
			d.Interval += slowDownStep
		}
		d.LastPolledAt = now
		return d, nil
	})
	switch {
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, errWrongClient):
		return fosite.ErrInvalidGrant.WithHint("The device code is not valid for this client.")
	case errors.Is(err, errExpired):
		return deviceError("expired_token", "The device code has expired; start again with a new device authorization request.")
	case errors.Is(err, errDenied):
		return deviceError("access_denied", "The user denied the request.")
	case errors.Is(err, errRedeemed):
		// Like an authorization code presented again (RFC 6749 section
		// 4.1.2): the tokens issued for it are revoked.
		g.revokeFamily(ctx, code)
		return fosite.ErrInvalidGrant.WithHint("The device code has already been used; the tokens issued for it are revoked.")
	case err != nil:
		return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
	case tooFast:
		return deviceError("slow_down", "Polling too fast: wait at least "+(d.Interval/time.Second*time.Second).String()+" between requests.")
	case d.Status == storage.DevicePending:
		return deviceError("authorization_pending", "The user has not yet approved the request.")
	}

	ws, err := g.workspace(ctx, d)
	switch {
	case errors.Is(err, errNoLongerMember):
		return deviceError("access_denied", "The user is no longer a member of the workspace the request was approved for.")
	case err != nil:
		return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
	}

	r.SetID(d.RequestID)
	r.SetRequestedScopes(d.Scopes)
	for _, s := range d.GrantedScopes {
		r.GrantScope(s)
	}
	sess := NewSession(d.UserID)
	if ws.ID != "" {
		setWorkspaceClaims(sess, ws)
	}
	sess.Claims.AuthTime = d.AuthTime.UTC()
	sess.Claims.RequestedAt = d.CreatedAt.UTC()
	sess.Claims.AuthenticationMethodsReferences = d.AMR
	sess.Claims.AuthenticationContextClassReference = d.ACR
	if d.LoginSessionID != "" {
		sess.Claims.Extra["sid"] = session.SID(d.LoginSessionID)
	}
	setSessionList(sess, sessionResourcesKey, d.Resources)
	atLifespan := fosite.GetEffectiveLifespan(r.GetClient(), fosite.GrantTypeAuthorizationCode, fosite.AccessToken, g.config.GetAccessTokenLifespan(ctx))
	sess.SetExpiresAt(fosite.AccessToken, now.Add(atLifespan).Round(time.Second))
	if rt := fosite.GetEffectiveLifespan(r.GetClient(), fosite.GrantTypeAuthorizationCode, fosite.RefreshToken, g.config.GetRefreshTokenLifespan(ctx)); rt > -1 {
		sess.SetExpiresAt(fosite.RefreshToken, now.Add(rt).Round(time.Second))
	}
	r.SetSession(sess)
	return nil
}

// workspace is the workspace the approved request d is for, the zero one
// for a request of none (approved before workspaces). errNoLongerMember when
// the workspace is gone or the user's membership was ended or suspended
// since the approval: removing a member revokes their tokens of the
// workspace, and a code approved a moment before must not bring new ones.
func (g *deviceGrant) workspace(ctx context.Context, d storage.DeviceAuthorization) (storage.Workspace, error) {
	if d.WorkspaceID == "" {
		return storage.Workspace{}, nil
	}
	am, err := workspace.ActiveMember(ctx, g.devices, d.WorkspaceID, d.UserID)
	if workspace.NotActive(err) {
		return storage.Workspace{}, fmt.Errorf("workspace %s: %w", d.WorkspaceID, errNoLongerMember)
	}
	return am.Workspace, err
}

// revokeFamily revokes the tokens issued for a device code presented again.
func (g *deviceGrant) revokeFamily(ctx context.Context, code string) {
	d, err := g.devices.GetDeviceAuthorization(ctx, g.codes.DeviceCode(code))
	if err != nil {
		return
	}
	if err := g.store.revokeTokens(ctx, d.RequestID); err != nil {
		g.logger.ErrorContext(ctx, "revoke the tokens of a device code presented again", "grant_ref", storage.Ref(d.RequestID), "err", err)
	}
}

// PopulateTokenEndpointResponse implements fosite.TokenEndpointHandler:
// the request is marked redeemed in the transaction that stores its
// tokens, so that of two polls at once only one gets tokens.
func (g *deviceGrant) PopulateTokenEndpointResponse(ctx context.Context, r fosite.AccessRequester, resp fosite.AccessResponder) (err error) {
	if !g.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	signature := g.codes.DeviceCode(r.GetRequestForm().Get("device_code"))
	access, accessSignature, err := g.strategy.GenerateAccessToken(ctx, r)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
	}
	var refresh, refreshSignature string
	if r.GetGrantedScopes().HasOneOf(g.config.GetRefreshTokenScopes(ctx)...) && r.GetClient().GetGrantTypes().Has("refresh_token") {
		if refresh, refreshSignature, err = g.strategy.GenerateRefreshToken(ctx, r); err != nil {
			return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
		}
	}

	ctx, err = fositestorage.MaybeBeginTx(ctx, g.store)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
	}
	defer func() {
		if err != nil {
			if rbErr := fositestorage.MaybeRollbackTx(ctx, g.store); rbErr != nil {
				err = fosite.ErrServerError.WithWrap(err).WithDebugf("error: %s; rollback error: %s", err, rbErr)
			}
		}
	}()
	if _, err = g.devices.UpdateDeviceAuthorization(ctx, signature, func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) {
		if d.Status != storage.DeviceApproved {
			return d, storage.ErrConflict
		}
		d.Status = storage.DeviceRedeemed
		return d, nil
	}); err != nil {
		return fositeError(err)
	}
	if err = g.store.CreateAccessTokenSession(ctx, accessSignature, r.Sanitize(nil)); err != nil {
		return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
	}
	if refreshSignature != "" {
		if err = g.store.CreateRefreshTokenSession(ctx, refreshSignature, accessSignature, r.Sanitize(nil)); err != nil {
			return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
		}
	}
	if err = fositestorage.MaybeCommitTx(ctx, g.store); err != nil {
		return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
	}

	resp.SetAccessToken(access)
	resp.SetTokenType("bearer")
	resp.SetExpiresIn(r.GetSession().GetExpiresAt(fosite.AccessToken).Sub(g.now()).Round(time.Second))
	resp.SetScopes(r.GetGrantedScopes())
	if refresh != "" {
		resp.SetExtra("refresh_token", refresh)
	}
	if r.GetGrantedScopes().Has("openid") {
		sess, ok := r.GetSession().(openid.Session)
		if !ok {
			return fosite.ErrServerError.WithDebug("the session of a device grant is not an OpenID Connect session")
		}
		sess.IDTokenClaims().AccessTokenHash = g.idTokens.GetAccessTokenHash(ctx, r, resp)
		lifespan := fosite.GetEffectiveLifespan(r.GetClient(), fosite.GrantTypeAuthorizationCode, fosite.IDToken, g.config.GetIDTokenLifespan(ctx))
		if err := g.idTokens.IssueExplicitIDToken(ctx, lifespan, r, resp); err != nil {
			return fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
		}
	}
	return nil
}
