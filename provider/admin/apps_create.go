package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/clientrules"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// AppSpec is an app an administrator registers through the API: the
// fields of a configured client (config.Client), named as the
// configuration and the API name them. What is left empty takes the
// default of the app's type, as in the configuration.
type AppSpec struct {
	// ClientID is the app's client_id; empty for a generated one.
	ClientID                    string   `json:"client_id"`
	Name                        string   `json:"name"`
	Type                        string   `json:"type"`
	RedirectURIs                []string `json:"redirect_uris"`
	PostLogoutRedirectURIs      []string `json:"post_logout_redirect_uris"`
	Scopes                      []string `json:"scopes"`
	GrantTypes                  []string `json:"grant_types"`
	TokenEndpointAuthMethod     string   `json:"token_endpoint_auth_method"`
	JWKSURI                     string   `json:"jwks_uri"`
	TokenEndpointAuthSigningAlg string   `json:"token_endpoint_auth_signing_alg"`
	IDTokenSignedResponseAlg    string   `json:"id_token_signed_response_alg"`
	// IntrospectionSignedResponseAlg, IntrospectionEncryptedResponseAlg
	// and IntrospectionEncryptedResponseEnc: how the app's signed
	// introspection answers are signed and encrypted (RFC 9701).
	IntrospectionSignedResponseAlg    string `json:"introspection_signed_response_alg"`
	IntrospectionEncryptedResponseAlg string `json:"introspection_encrypted_response_alg"`
	IntrospectionEncryptedResponseEnc string `json:"introspection_encrypted_response_enc"`
	SkipConsent                       bool   `json:"skip_consent"`
	RequirePAR                        bool   `json:"require_pushed_authorization_requests"`
	DPoPBoundAccessTokens             bool   `json:"dpop_bound_access_tokens"`
	AccessTokenFormat                 string `json:"access_token_format"`
	// RefreshTokenReuseWindow is like "10s"; empty for the provider's.
	RefreshTokenReuseWindow          string   `json:"refresh_token_reuse_window"`
	AllowedOrigins                   []string `json:"allowed_origins"`
	BackchannelLogoutURI             string   `json:"backchannel_logout_uri"`
	BackchannelLogoutSessionRequired bool     `json:"backchannel_logout_session_required"`
}

// AppProblems is the refusal of an app by the rules of a configured
// client: every problem, each naming its field ("redirect_uris[0]: ...").
type AppProblems struct{ Err error }

func (e *AppProblems) Error() string { return e.Err.Error() }
func (e *AppProblems) Unwrap() error { return e.Err }

// CreateApp registers an app an administrator describes, checked as a
// configured client is, by clientrules.Check in the API's mode and
// against its scope catalogue (an *AppProblems otherwise), and
// gives it a secret unless it authenticates without one (a public app, or
// private_key_jwt): the secret is returned this once; only its keyed hash
// is kept. An ID in use is storage.ErrAlreadyExists. Recorded as
// app.created (name, type) and, for the secret, secret.created.
func (a *API) CreateApp(ctx context.Context, by Actor, spec AppSpec) (storage.Client, string, error) {
	if spec.ClientID == "" {
		spec.ClientID = "app-" + strings.ToLower(secret.Random(9))
	}
	c, err := a.checkApp(spec)
	if err != nil {
		return storage.Client{}, "", &AppProblems{err}
	}
	now := a.cfg.Now().UTC().Truncate(time.Second)
	c.CreatedAt, c.UpdatedAt, c.Secrets = now, now, nil
	var plain string
	err = a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := a.cfg.Store.CreateClient(ctx, c); err != nil {
			return nil, err
		}
		events := []audit.Event{by.On(audit.Event{Action: audit.AppCreated, ClientID: c.ID, Scopes: c.Scopes,
			Detail: map[string]string{"name": c.Name, "type": string(c.Type)}})}
		var rec storage.ClientSecret
		var err error
		plain, rec, err = apikey.Rotate(ctx, a.cfg.Store, a.cfg.Hasher, c.ID, a.cfg.APIKeys, a.cfg.Now())
		switch {
		case errors.Is(err, apikey.ErrNoSecrets):
			return events, nil
		case err != nil:
			return nil, fmt.Errorf("create the app's secret: %w", err)
		}
		c.Secrets = []storage.ClientSecret{rec}
		return append(events, by.On(apikey.Event(audit.SecretCreated, c.ID, rec))), nil
	})
	if err != nil {
		return storage.Client{}, "", err
	}
	return c, plain, nil
}

// checkApp checks an app as a configured client, but for its secret,
// which the API makes, and returns it as it is stored, its type's
// defaults filled in, without a secret; an error names each field at
// fault ("redirect_uris[0]: ...").
func (a *API) checkApp(s AppSpec) (storage.Client, error) {
	window, problem := clientrules.ParseReuseWindow(s.RefreshTokenReuseWindow)
	if problem != "" {
		return storage.Client{}, errors.New("refresh_token_reuse_window: " + problem)
	}
	c := clientrules.Client{
		ID: s.ClientID, Name: s.Name, Type: s.Type, RedirectURIs: s.RedirectURIs, PostLogoutRedirectURIs: s.PostLogoutRedirectURIs,
		Scopes: s.Scopes, GrantTypes: s.GrantTypes, TokenEndpointAuthMethod: s.TokenEndpointAuthMethod, JWKSURI: s.JWKSURI,
		TokenEndpointAuthSigningAlg: s.TokenEndpointAuthSigningAlg, IDTokenSignedResponseAlg: s.IDTokenSignedResponseAlg,
		IntrospectionSignedResponseAlg: s.IntrospectionSignedResponseAlg, IntrospectionEncryptedResponseAlg: s.IntrospectionEncryptedResponseAlg,
		IntrospectionEncryptedResponseEnc: s.IntrospectionEncryptedResponseEnc,
		SkipConsent:                       s.SkipConsent, RequirePAR: s.RequirePAR, DPoPBoundAccessTokens: s.DPoPBoundAccessTokens, AccessTokenFormat: s.AccessTokenFormat,
		RefreshReuseWindow: window, AllowedOrigins: s.AllowedOrigins,
		BackchannelLogoutURI: s.BackchannelLogoutURI, BackchannelLogoutSessionRequired: s.BackchannelLogoutSessionRequired,
	}
	var errs []error
	for _, p := range clientrules.Check(c, clientrules.Options{Dev: a.cfg.Dev, Scopes: a.cfg.Scopes, DPoPOff: a.cfg.DPoPOff}) {
		errs = append(errs, errors.New(p.String()))
	}
	if len(errs) > 0 {
		return storage.Client{}, errors.Join(errs...)
	}
	return c.Record(time.Time{}), nil
}

// createApp registers an app (see CreateApp): 201 with the app and, when
// it has one, its secret, shown this once.
func (a *API) createApp(w http.ResponseWriter, r *http.Request, caller string) {
	var spec AppSpec
	if !decode(w, r, &spec) {
		return
	}
	c, plain, err := a.CreateApp(r.Context(), ByClient(caller), spec)
	var refused *AppProblems
	switch {
	case errors.As(err, &refused):
		writeError(w, http.StatusBadRequest, "invalid_request", strings.ReplaceAll(refused.Error(), "\n", "; ")+".")
		return
	case errors.Is(err, storage.ErrAlreadyExists):
		writeError(w, http.StatusConflict, "conflict", "client_id: an app with this ID exists.")
		return
	case err != nil:
		a.fail(w, r, "create app", err)
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin created an app", "admin_client_id", caller, "client_id", c.ID, "type", string(c.Type))
	web.JSON(w, http.StatusCreated, struct {
		app
		ClientSecret string `json:"client_secret,omitempty"`
	}{a.appOut(c), plain})
}
