package admin

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// apikeyProblem maps a secret's refusal to a status and message key.
func apikeyProblem(err error) (status int, key string, ok bool) {
	switch {
	case errors.Is(err, apikey.ErrLastSecret):
		return http.StatusConflict, "admin.error_last_secret", true
	case errors.Is(err, apikey.ErrTooManyLive):
		return http.StatusConflict, "admin.error_too_many_secrets", true
	case errors.Is(err, apikey.ErrNoSecrets):
		return http.StatusConflict, "admin.error_no_secrets", true
	}
	return 0, "", false
}

func adminApp(c storage.Client) web.AdminApp {
	return web.AdminApp{ClientID: c.ID, Name: c.Name, Type: string(c.Type), OwnerID: c.OwnerID, GrantTypes: c.GrantTypes,
		Scopes: c.Scopes, RequestedScopes: c.RequestedScopes, Disabled: c.Disabled, CreatedAt: c.CreatedAt,
		AccessTokenFormat: string(c.TokenFormat()), RequirePAR: c.RequirePAR, DPoPBoundAccessTokens: c.DPoPBoundAccessTokens,
		AuthorizationCode: slices.Contains(c.GrantTypes, "authorization_code"),
		AllowedOrigins:    c.AllowedOrigins, RefreshReuseWindow: c.ReuseWindowText(), SelfRegistered: c.SelfRegistered(),
		JWKSURI: c.JWKSURI, IntrospectionAlg: c.IntrospectionAlg(), IntrospectionEncAlg: c.IntrospectionEncryptedResponseAlg, IntrospectionEnc: c.IntrospectionEnc()}
}

// apps lists every app, with a lookup of the grants holding a scope.
func (c *Console) apps(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	c.renderApps(w, r, http.StatusOK, web.AdminAppsPage{Notice: notice(r)})
}

// app shows an app: its permissions, its secrets' state (never a
// secret), and every user who granted it.
func (c *Console) app(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	c.renderApp(w, r, http.StatusOK, web.AdminAppPage{Notice: notice(r)})
}

// renderApp fills p with the app of the path and renders it.
func (c *Console) renderApp(w http.ResponseWriter, r *http.Request, status int, p web.AdminAppPage) {
	ctx := r.Context()
	a, err := c.cfg.Store.GetClient(ctx, r.PathValue("id"))
	if err != nil {
		c.refuse(w, r, "load app", err)
		return
	}
	consents, err := c.cfg.Store.ListClientConsents(ctx, a.ID)
	if err != nil {
		c.fail(w, r, "list the app's grants", err)
		return
	}
	p.App, p.Offered = adminApp(a), c.api.grantable(a)
	now := c.api.cfg.Now()
	for _, s := range a.Secrets {
		p.Secrets = append(p.Secrets, web.SecretRow{ID: s.ID, Prefix: s.Prefix, State: apikey.State(s, now, c.api.cfg.KeyWarn),
			CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt, LastUsedAt: s.LastUsedAt})
	}
	if p.Grants, err = c.grants(r, consents); err != nil {
		c.fail(w, r, "describe the app's grants", err)
		return
	}
	c.rendered(w, r, "app", c.cfg.Pages.AdminApp(w, r, status, p))
}

// appFor loads the app of the path for a confirmation page.
func (c *Console) appFor(w http.ResponseWriter, r *http.Request) (storage.Client, bool) {
	a, err := c.cfg.Store.GetClient(r.Context(), r.PathValue("id"))
	if err != nil {
		c.refuse(w, r, "load app", err)
		return storage.Client{}, false
	}
	return a, true
}

func label(a storage.Client) string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

// confirmScopes shows the permissions an app will have.
func (c *Console) confirmScopes(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	a, ok := c.appFor(w, r)
	if !ok {
		return
	}
	scopes := r.URL.Query()["scope"]
	if err := c.api.checkScopes(a, scopes); err != nil {
		status, key, _ := problem(err)
		c.renderApp(w, r, status, web.AdminAppPage{Error: key})
		return
	}
	back := consoleurl.App(a.ID)
	p := web.AdminConfirmPage{Heading: "admin.confirm_scopes_heading", Text: "admin.confirm_scopes_text", Target: label(a), Items: scopes,
		Action: back + "/scopes", Submit: "admin.submit_scopes", CancelURL: back, Nav: "apps"}
	for _, s := range scopes {
		p.Fields = append(p.Fields, web.Field{Name: "scope", Value: s})
	}
	c.confirm(w, r, p)
}

// setScopes sets the app's permissions once confirmed: requested ones
// among them are approved.
func (c *Console) setScopes(w http.ResponseWriter, r *http.Request, s session.Signed) {
	id := r.PathValue("id")
	if _, err := c.api.SetAppScopes(r.Context(), ByUser(s.User.ID), id, r.PostForm["scope"]); err != nil {
		c.refuse(w, r, "set the app's scopes", err)
		return
	}
	seeOther(w, r, consoleurl.App(id), "scopes")
}

// tokenOptions reads the token settings of the options form: the access
// token format, whether pushed authorization requests and DPoP-bound
// tokens are required, and,
// when the form has them, the allowed origins (separated by spaces or
// lines), the refresh token reuse window (empty for the provider's), the
// key set URL and the introspection answers' algorithms.
func tokenOptions(v url.Values) AppOptions {
	format, par := storage.AccessTokenFormat(v.Get("access_token_format")), v.Get("require_par") == "true"
	dpop := v.Get("dpop_bound_access_tokens") == "true"
	o := AppOptions{AccessTokenFormat: &format, RequirePAR: &par, DPoPBoundAccessTokens: &dpop}
	if v.Has("allowed_origins") {
		origins := strings.Fields(v.Get("allowed_origins"))
		o.AllowedOrigins = &origins
	}
	if v.Has("refresh_token_reuse_window") {
		window := strings.TrimSpace(v.Get("refresh_token_reuse_window"))
		o.RefreshReuseWindow = &window
	}
	for _, f := range keyFields(&o, &storage.Client{}) {
		if v.Has(f.name) {
			value := strings.TrimSpace(v.Get(f.name))
			*f.option = &value
		}
	}
	if o.IntrospectionEncryptedResponseAlg != nil && *o.IntrospectionEncryptedResponseAlg == "" {
		// The form always sends a content encryption; it means nothing
		// without a key encryption.
		o.IntrospectionEncryptedResponseEnc = new("")
	}
	return o
}

// confirmOptions shows the token settings an app will have.
func (c *Console) confirmOptions(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	a, ok := c.appFor(w, r)
	if !ok {
		return
	}
	o := tokenOptions(r.URL.Query())
	next := a
	next.AccessTokenFormat, next.RequirePAR = *o.AccessTokenFormat, *o.RequirePAR
	keys := keyFields(&o, &next)
	for _, f := range keys {
		if *f.option != nil {
			*f.field = **f.option
		}
	}
	origins, window, err := c.api.checkOptions(o)
	if err = cmp.Or(err, checkPAR(next), c.api.checkKeys(next)); err != nil {
		_, key, _ := problem(err)
		c.renderApp(w, r, http.StatusBadRequest, web.AdminAppPage{Error: key})
		return
	}
	back := consoleurl.App(a.ID)
	par, dpop := strconv.FormatBool(*o.RequirePAR), strconv.FormatBool(*o.DPoPBoundAccessTokens)
	p := web.AdminConfirmPage{Heading: "admin.confirm_options_heading", Text: "admin.confirm_options_text", Target: label(a),
		Items: []string{"access_token_format: " + string(*o.AccessTokenFormat), "require_pushed_authorization_requests: " + par,
			"dpop_bound_access_tokens: " + dpop},
		Action: back + "/options", Fields: []web.Field{{Name: "access_token_format", Value: string(*o.AccessTokenFormat)}, {Name: "require_par", Value: par},
			{Name: "dpop_bound_access_tokens", Value: dpop}},
		Submit: "admin.submit_options", CancelURL: back, Nav: "apps"}
	if o.AllowedOrigins != nil {
		joined := strings.Join(origins, " ")
		p.Items = append(p.Items, "allowed_origins: "+cmp.Or(joined, "-"))
		p.Fields = append(p.Fields, web.Field{Name: "allowed_origins", Value: joined})
	}
	if o.RefreshReuseWindow != nil {
		text := storage.Client{RefreshReuseWindow: window}.ReuseWindowText()
		p.Items = append(p.Items, "refresh_token_reuse_window: "+cmp.Or(text, "default"))
		p.Fields = append(p.Fields, web.Field{Name: "refresh_token_reuse_window", Value: text})
	}
	for _, f := range keys {
		if *f.option != nil {
			p.Items = append(p.Items, f.name+": "+cmp.Or(*f.field, "-"))
			p.Fields = append(p.Fields, web.Field{Name: f.name, Value: *f.field})
		}
	}
	c.confirm(w, r, p)
}

// setOptions sets the app's token settings once confirmed, as the JSON
// API does.
func (c *Console) setOptions(w http.ResponseWriter, r *http.Request, s session.Signed) {
	id := r.PathValue("id")
	o := tokenOptions(r.PostForm)
	if err := c.api.SetAppOptions(r.Context(), ByUser(s.User.ID), id, o); err != nil {
		c.refuse(w, r, "set the app's token settings", err)
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin changed an app's token settings", "admin_user_id", s.User.ID, "client_id", id,
		"access_token_format", *o.AccessTokenFormat, "require_par", *o.RequirePAR, "dpop_bound_access_tokens", *o.DPoPBoundAccessTokens)
	seeOther(w, r, consoleurl.App(id), "options")
}

// confirmAppState shows what disabling (or enabling) an app does.
func (c *Console) confirmAppState(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	a, ok := c.appFor(w, r)
	if !ok {
		return
	}
	back := consoleurl.App(a.ID)
	p := web.AdminConfirmPage{Heading: "admin.confirm_enable_app_heading", Text: "admin.confirm_enable_app_text", Target: label(a),
		Action: back + "/enable", Submit: "admin.submit_enable_app", CancelURL: back, Nav: "apps"}
	if strings.HasSuffix(r.URL.Path, "/disable") {
		p.Heading, p.Text, p.Action, p.Submit, p.Danger = "admin.confirm_disable_app_heading", "admin.confirm_disable_app_text",
			back+"/disable", "admin.submit_disable_app", true
	}
	c.confirm(w, r, p)
}

// setAppState disables or enables an app once confirmed.
func (c *Console) setAppState(w http.ResponseWriter, r *http.Request, s session.Signed) {
	id, disable := r.PathValue("id"), strings.HasSuffix(r.URL.Path, "/disable")
	if err := c.api.SetAppDisabled(r.Context(), ByUser(s.User.ID), id, disable); err != nil {
		c.refuse(w, r, "set the app's state", err)
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin changed an app's state", "admin_user_id", s.User.ID, "client_id", id, "disabled", disable)
	done := "app-enabled"
	if disable {
		done = "app-disabled"
	}
	seeOther(w, r, consoleurl.App(id), done)
}

func (c *Console) confirmRotate(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	a, ok := c.appFor(w, r)
	if !ok {
		return
	}
	back := consoleurl.App(a.ID)
	c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_rotate_heading", Text: "admin.confirm_rotate_text", Target: label(a),
		Action: back + "/rotate", Submit: "admin.submit_rotate", CancelURL: back, Nav: "apps"})
}

// rotate creates a new secret and shows it, this once, on the app's page:
// it is not redirected, as the secret must not travel in a URL.
func (c *Console) rotate(w http.ResponseWriter, r *http.Request, s session.Signed) {
	plain, rec, err := c.api.RotateSecret(r.Context(), ByUser(s.User.ID), r.PathValue("id"), c.api.cfg.APIKeys)
	if err != nil {
		if status, key, ok := apikeyProblem(err); ok {
			c.renderApp(w, r, status, web.AdminAppPage{Error: key})
			return
		}
		c.refuse(w, r, "rotate the app's secret", err)
		return
	}
	c.renderApp(w, r, http.StatusCreated, web.AdminAppPage{NewSecret: plain, NewSecretExpires: rec.ExpiresAt, Notice: "admin.notice_secret_rotated"})
}

func (c *Console) confirmRevokeSecret(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	a, ok := c.appFor(w, r)
	if !ok {
		return
	}
	i := slices.IndexFunc(a.Secrets, func(s storage.ClientSecret) bool { return s.ID == r.PathValue("sid") })
	if i < 0 {
		c.refuse(w, r, "find secret", storage.ErrNotFound)
		return
	}
	back := consoleurl.App(a.ID)
	c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_revoke_secret_heading", Text: "admin.confirm_revoke_secret_text",
		Target: a.Secrets[i].Prefix, Action: back + "/secrets/" + url.PathEscape(a.Secrets[i].ID) + "/revoke",
		Submit: "admin.submit_revoke_secret", Danger: true, CancelURL: back, Nav: "apps"})
}

func (c *Console) revokeSecret(w http.ResponseWriter, r *http.Request, s session.Signed) {
	id := r.PathValue("id")
	if err := c.api.RevokeSecret(r.Context(), ByUser(s.User.ID), id, r.PathValue("sid")); err != nil {
		if status, key, ok := apikeyProblem(err); ok {
			c.renderApp(w, r, status, web.AdminAppPage{Error: key})
			return
		}
		c.refuse(w, r, "revoke the app's secret", err)
		return
	}
	seeOther(w, r, consoleurl.App(id), "secret-revoked")
}
