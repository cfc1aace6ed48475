package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// app is an app (client) as the API shows it.
type app struct {
	ClientID                string   `json:"client_id"`
	Name                    string   `json:"name"`
	Type                    string   `json:"type"`
	Description             string   `json:"description,omitempty"`
	OwnerID                 string   `json:"owner_id,omitempty"`
	RedirectURIs            []string `json:"redirect_uris"`
	PostLogoutRedirectURIs  []string `json:"post_logout_redirect_uris"`
	GrantTypes              []string `json:"grant_types"`
	Scopes                  []string `json:"scopes"`
	RequestedScopes         []string `json:"requested_scopes"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	// TokenEndpointAuthSigningAlg is set for a private_key_jwt client.
	TokenEndpointAuthSigningAlg string      `json:"token_endpoint_auth_signing_alg,omitempty"`
	Secrets                     []secretOut `json:"secrets"`
	// Disabled: the app cannot authenticate or get tokens.
	Disabled bool `json:"disabled"`
	// AccessTokenFormat is opaque or jwt (RFC 9068).
	AccessTokenFormat string `json:"access_token_format"`
	// IDTokenSignedResponseAlg is the algorithm of the app's ID tokens.
	IDTokenSignedResponseAlg string `json:"id_token_signed_response_alg"`
	// JWKSURI is where the app publishes its keys: for private_key_jwt,
	// or to have its introspection answers encrypted.
	JWKSURI string `json:"jwks_uri,omitempty"`
	// IntrospectionSignedResponseAlg signs the app's signed introspection
	// answers (RFC 9701); IntrospectionEncryptedResponseAlg and
	// IntrospectionEncryptedResponseEnc encrypt them, when set.
	IntrospectionSignedResponseAlg    string `json:"introspection_signed_response_alg"`
	IntrospectionEncryptedResponseAlg string `json:"introspection_encrypted_response_alg,omitempty"`
	IntrospectionEncryptedResponseEnc string `json:"introspection_encrypted_response_enc,omitempty"`
	// RequirePAR: every authorization request must be pushed (RFC 9126).
	RequirePAR bool `json:"require_pushed_authorization_requests"`
	// DPoPBoundAccessTokens: every token request must carry a DPoP proof
	// (RFC 9449 section 5.2).
	DPoPBoundAccessTokens bool `json:"dpop_bound_access_tokens"`
	// BackchannelLogoutURI is where the app takes logout tokens; empty
	// when it takes none.
	BackchannelLogoutURI             string `json:"backchannel_logout_uri"`
	BackchannelLogoutSessionRequired bool   `json:"backchannel_logout_session_required"`
	// AllowedOrigins are the web origins a browser may call the provider
	// from for the app (CORS); a public app also its redirect URIs'.
	AllowedOrigins []string `json:"allowed_origins"`
	// RefreshTokenReuseWindow is the app's own refresh token reuse window
	// ("10s"); omitted when it takes the provider's.
	RefreshTokenReuseWindow string    `json:"refresh_token_reuse_window,omitempty"`
	CreatedAt               time.Time `json:"created_at"`
}

// secretOut is a secret as the API shows it: never the secret or its hash.
type secretOut struct {
	ID         string     `json:"id"`
	Prefix     string     `json:"prefix"`
	State      string     `json:"state"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

func (a *API) appOut(c storage.Client) app {
	return app{
		ClientID: c.ID, Name: c.Name, Type: string(c.Type), Description: c.Description, OwnerID: c.OwnerID,
		RedirectURIs: nonNil(c.RedirectURIs), PostLogoutRedirectURIs: nonNil(c.PostLogoutRedirectURIs),
		GrantTypes: nonNil(c.GrantTypes), Scopes: nonNil(c.Scopes), RequestedScopes: nonNil(c.RequestedScopes), TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		TokenEndpointAuthSigningAlg: signingAlg(c),
		Secrets:                     a.secretsOut(c), Disabled: c.Disabled, CreatedAt: c.CreatedAt,
		AccessTokenFormat: string(c.TokenFormat()), RequirePAR: c.RequirePAR, IDTokenSignedResponseAlg: c.IDTokenAlg(),
		DPoPBoundAccessTokens: c.DPoPBoundAccessTokens, JWKSURI: c.JWKSURI,
		IntrospectionSignedResponseAlg: c.IntrospectionAlg(), IntrospectionEncryptedResponseAlg: c.IntrospectionEncryptedResponseAlg,
		IntrospectionEncryptedResponseEnc: c.IntrospectionEnc(),
		BackchannelLogoutURI:              c.BackchannelLogoutURI, BackchannelLogoutSessionRequired: c.BackchannelLogoutSessionRequired,
		AllowedOrigins: nonNil(c.AllowedOrigins), RefreshTokenReuseWindow: c.ReuseWindowText(),
	}
}

func (a *API) secretsOut(c storage.Client) []secretOut {
	now := a.cfg.Now()
	out := []secretOut{}
	for _, s := range c.Secrets {
		out = append(out, secretOut{s.ID, s.Prefix, apikey.State(s, now, a.cfg.KeyWarn), s.CreatedAt, optional(s.ExpiresAt), optional(s.LastUsedAt)})
	}
	return out
}

func (a *API) listApps(w http.ResponseWriter, r *http.Request, _ string) {
	list, err := a.cfg.Store.ListClients(r.Context())
	if err != nil {
		a.fail(w, r, "list apps", err)
		return
	}
	out := []app{}
	for _, c := range list {
		out = append(out, a.appOut(c))
	}
	web.JSON(w, http.StatusOK, map[string]any{"apps": out})
}

func (a *API) getApp(w http.ResponseWriter, r *http.Request, _ string) {
	c, err := a.cfg.Store.GetClient(r.Context(), r.PathValue("id"))
	if a.notFound(w, r, err, "app") {
		return
	}
	web.JSON(w, http.StatusOK, a.appOut(c))
}

// patchApp sets the scopes an app may obtain, how an administrator
// approves what a developer requested for a service (requested scopes it
// grants stop being pending), or disables or enables the app, or both.
func (a *API) patchApp(w http.ResponseWriter, r *http.Request, caller string) {
	var body struct {
		Scopes                           *[]string                  `json:"scopes"`
		Disabled                         *bool                      `json:"disabled"`
		AccessTokenFormat                *storage.AccessTokenFormat `json:"access_token_format"`
		RequirePAR                       *bool                      `json:"require_pushed_authorization_requests"`
		DPoPBoundAccessTokens            *bool                      `json:"dpop_bound_access_tokens"`
		BackchannelLogoutURI             *string                    `json:"backchannel_logout_uri"`
		BackchannelLogoutSessionRequired *bool                      `json:"backchannel_logout_session_required"`
		IDTokenSignedResponseAlg         *string                    `json:"id_token_signed_response_alg"`
		JWKSURI                          *string                    `json:"jwks_uri"`
		IntrospectionSignedAlg           *string                    `json:"introspection_signed_response_alg"`
		IntrospectionEncryptedAlg        *string                    `json:"introspection_encrypted_response_alg"`
		IntrospectionEncryptedEnc        *string                    `json:"introspection_encrypted_response_enc"`
		AllowedOrigins                   *[]string                  `json:"allowed_origins"`
		RefreshTokenReuseWindow          *string                    `json:"refresh_token_reuse_window"`
	}
	if !decode(w, r, &body) {
		return
	}
	opts := AppOptions{AccessTokenFormat: body.AccessTokenFormat, RequirePAR: body.RequirePAR, DPoPBoundAccessTokens: body.DPoPBoundAccessTokens,
		BackchannelLogoutURI: body.BackchannelLogoutURI, BackchannelLogoutSessionRequired: body.BackchannelLogoutSessionRequired,
		IDTokenSignedResponseAlg: body.IDTokenSignedResponseAlg, AllowedOrigins: body.AllowedOrigins, RefreshReuseWindow: body.RefreshTokenReuseWindow,
		JWKSURI: body.JWKSURI, IntrospectionSignedResponseAlg: body.IntrospectionSignedAlg,
		IntrospectionEncryptedResponseAlg: body.IntrospectionEncryptedAlg, IntrospectionEncryptedResponseEnc: body.IntrospectionEncryptedEnc}
	if body.Scopes == nil && body.Disabled == nil && opts == (AppOptions{}) {
		writeError(w, http.StatusBadRequest, "invalid_request", "The body must set at least one of \"scopes\" (the full list of scopes the app may obtain), \"disabled\", \"access_token_format\", \"require_pushed_authorization_requests\", \"dpop_bound_access_tokens\", \"backchannel_logout_uri\", \"backchannel_logout_session_required\", \"id_token_signed_response_alg\", \"jwks_uri\", \"introspection_signed_response_alg\", \"introspection_encrypted_response_alg\", \"introspection_encrypted_response_enc\", \"allowed_origins\" and \"refresh_token_reuse_window\".")
		return
	}
	if f := body.AccessTokenFormat; f != nil && !f.Known() {
		writeError(w, http.StatusBadRequest, "invalid_request", `access_token_format must be "opaque" or "jwt".`)
		return
	}
	ctx, id := r.Context(), r.PathValue("id")
	if body.Scopes != nil {
		_, err := a.SetAppScopes(ctx, ByClient(caller), id, *body.Scopes)
		if refused(w, err) || a.notFound(w, r, err, "app") {
			return
		}
	}
	if body.Disabled != nil && a.notFound(w, r, a.SetAppDisabled(ctx, ByClient(caller), id, *body.Disabled), "app") {
		return
	}
	if opts != (AppOptions{}) {
		err := a.SetAppOptions(ctx, ByClient(caller), id, opts)
		if refused(w, err) || a.notFound(w, r, err, "app") {
			return
		}
	}
	c, err := a.cfg.Store.GetClient(ctx, id)
	if a.notFound(w, r, err, "app") {
		return
	}
	a.cfg.Logger.InfoContext(ctx, "admin changed an app", "admin_client_id", caller, "client_id", c.ID, "scopes", strings.Join(c.Scopes, " "), "disabled", c.Disabled)
	web.JSON(w, http.StatusOK, a.appOut(c))
}

func (a *API) deleteApp(w http.ResponseWriter, r *http.Request, caller string) {
	if a.notFound(w, r, a.DeleteApp(r.Context(), ByClient(caller), r.PathValue("id")), "app") {
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin deleted an app", "admin_client_id", caller, "client_id", r.PathValue("id"))
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) listSecrets(w http.ResponseWriter, r *http.Request, _ string) {
	c, err := a.cfg.Store.GetClient(r.Context(), r.PathValue("id"))
	if a.notFound(w, r, err, "app") {
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"secrets": a.secretsOut(c)})
}

// rotateSecret gives the app a new secret, returned once; the previous one
// keeps working for the grace period.
func (a *API) rotateSecret(w http.ResponseWriter, r *http.Request, caller string) {
	var body struct {
		Grace   string `json:"grace"`
		Expires string `json:"expires"`
	}
	if r.ContentLength != 0 && !decode(w, r, &body) {
		return
	}
	p := a.cfg.APIKeys
	if body.Grace != "" {
		d, err := time.ParseDuration(body.Grace)
		if err != nil || d < 0 {
			writeError(w, http.StatusBadRequest, "invalid_request", `grace must be a duration like "24h".`)
			return
		}
		p.Grace = d
	}
	switch body.Expires {
	case "":
	case "never":
		p.Lifetime = 0
	default:
		d, err := time.ParseDuration(body.Expires)
		if err != nil || d < time.Hour {
			writeError(w, http.StatusBadRequest, "invalid_request", `expires must be a duration of at least 1h (like "2160h") or "never".`)
			return
		}
		p.Lifetime = d
	}
	plain, rec, err := a.RotateSecret(r.Context(), ByClient(caller), r.PathValue("id"), p)
	switch {
	case errors.Is(err, apikey.ErrTooManyLive), errors.Is(err, apikey.ErrNoSecrets):
		writeError(w, http.StatusConflict, "conflict", errors.Unwrap(err).Error())
		return
	case a.notFound(w, r, err, "app"):
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin rotated a secret", "admin_client_id", caller, "client_id", r.PathValue("id"), "secret_id", rec.ID)
	web.JSON(w, http.StatusCreated, struct {
		SecretID     string     `json:"secret_id"`
		ClientSecret string     `json:"client_secret"`
		ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	}{rec.ID, plain, optional(rec.ExpiresAt)})
}

func (a *API) revokeSecret(w http.ResponseWriter, r *http.Request, caller string) {
	err := a.RevokeSecret(r.Context(), ByClient(caller), r.PathValue("id"), r.PathValue("sid"))
	if errors.Is(err, apikey.ErrLastSecret) {
		writeError(w, http.StatusConflict, "conflict", "This is the app's only live secret: rotate it first, or delete the app.")
		return
	}
	if a.notFound(w, r, err, "app or secret") {
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin revoked a secret", "admin_client_id", caller, "client_id", r.PathValue("id"), "secret_id", r.PathValue("sid"))
	w.WriteHeader(http.StatusNoContent)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func optional(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// signingAlg is the algorithm a private_key_jwt client's assertions must
// use; empty for other clients.
func signingAlg(c storage.Client) string {
	if c.TokenEndpointAuthMethod != "private_key_jwt" {
		return ""
	}
	return c.AssertionAlg()
}
