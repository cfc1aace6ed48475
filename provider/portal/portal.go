package portal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/clientrules"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Sessions tells who is signed in and protects forms.
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	Protect(h http.Handler) http.Handler
}

// Pages renders the portal's pages.
type Pages interface {
	Apps(w http.ResponseWriter, r *http.Request, status int, p web.AppsPage) error
	AppForm(w http.ResponseWriter, r *http.Request, status int, p web.AppFormPage) error
	SecretShown(w http.ResponseWriter, r *http.Request, status int, p web.SecretShownPage) error
	DeleteApp(w http.ResponseWriter, r *http.Request, status int, p web.DeleteAppPage) error
	Message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) error
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
}

// Store is what the portal reads and changes.
type Store interface {
	storage.Clients
	storage.Transactor
}

// Config holds the portal's dependencies.
type Config struct {
	Store    Store
	Sessions Sessions
	Pages    Pages
	Hasher   secret.Hasher
	APIKeys  apikey.Policy
	// KeyWarn is how long before its expiry a secret shows as expiring.
	KeyWarn time.Duration
	// Scopes are the scopes an app may ask for (the catalogue without
	// admin).
	Scopes []string
	// Roles are the roles whose users may register apps.
	Roles []string
	// Dev allows an app's URIs and origins http on any host, not only on
	// a loopback one (clientrules.Options.Dev).
	Dev bool
	// DPoPOff says the provider takes no DPoP proofs: an app cannot be
	// made to require them (clientrules.Options.DPoPOff).
	DPoPOff bool
	// Audit records each change to an app and its secrets.
	Audit  *audit.Recorder
	Now    func() time.Time
	Logger *slog.Logger
}

// Handler serves the portal.
type Handler struct {
	cfg Config
}

// New returns the portal.
func New(cfg Config) *Handler {
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	return &Handler{cfg: cfg}
}

// Mount registers the routes behind CSRF protection.
func (h *Handler) Mount(mux Mux) {
	signedIn := session.Gate{Sessions: h.cfg.Sessions, Next: "/apps", Fail: func(w http.ResponseWriter, r *http.Request, err error) {
		h.fail(w, r, "load session", err)
	}}
	p := func(f session.Page) http.Handler { return h.cfg.Sessions.Protect(signedIn.Require(h.developer(f))) }
	mux.Handle("GET /apps", p(h.list))
	mux.Handle("GET /apps/new", p(h.newForm))
	mux.Handle("POST /apps", p(h.create))
	mux.Handle("GET /apps/{id}", p(h.show))
	mux.Handle("POST /apps/{id}", p(h.save))
	mux.Handle("POST /apps/{id}/secrets", p(h.rotate))
	mux.Handle("POST /apps/{id}/secrets/{sid}/revoke", p(h.revoke))
	mux.Handle("GET /apps/{id}/delete", p(h.confirmDelete))
	mux.Handle("POST /apps/{id}/delete", p(h.delete))
}

// developer runs f for a signed-in user whose role may register apps.
func (h *Handler) developer(f session.Page) session.Page {
	return func(w http.ResponseWriter, r *http.Request, s session.Signed) {
		if !slices.Contains(h.cfg.Roles, s.User.Role) {
			h.message(w, r, http.StatusForbidden, "portal.developers_only")
			return
		}
		f(w, r, s)
	}
}

// kinds of app, as the portal offers them.
const (
	kindWeb     = "web"
	kindBrowser = "browser"
	kindNative  = "native"
	kindService = "service"
)

func kindOf(c storage.Client) string {
	switch {
	case c.BrowserApp():
		return kindBrowser
	case c.Type == storage.ClientPublic:
		return kindNative
	case slices.Contains(c.GrantTypes, "client_credentials") && !slices.Contains(c.GrantTypes, "authorization_code"):
		return kindService
	default:
		return kindWeb
	}
}

// own returns the app with the path's ID if the user registered it; any
// other app is "not found", so the portal does not tell which IDs exist.
func (h *Handler) own(w http.ResponseWriter, r *http.Request, s session.Signed) (storage.Client, bool) {
	c, err := h.cfg.Store.GetClient(r.Context(), r.PathValue("id"))
	if errors.Is(err, storage.ErrNotFound) || (err == nil && c.OwnerID != s.User.ID) {
		h.message(w, r, http.StatusNotFound, "portal.not_found")
		return storage.Client{}, false
	}
	if err != nil {
		h.fail(w, r, "load app", err)
		return storage.Client{}, false
	}
	return c, true
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request, s session.Signed) {
	h.renderList(w, r, s, http.StatusOK, "")
}

func (h *Handler) renderList(w http.ResponseWriter, r *http.Request, s session.Signed, status int, notice string) {
	all, err := h.cfg.Store.ListClients(r.Context())
	if err != nil {
		h.fail(w, r, "list apps", err)
		return
	}
	p := web.AppsPage{CSRFToken: session.CSRFToken(r), Notice: notice}
	now := h.cfg.Now()
	for _, c := range all {
		if c.OwnerID != s.User.ID {
			continue
		}
		sum := web.AppSummary{ClientID: c.ID, Name: c.Name, LogoURI: c.LogoURI, Kind: kindOf(c), CreatedAt: c.CreatedAt}
		for _, sec := range c.Secrets {
			if apikey.State(sec, now, h.cfg.KeyWarn) == "expiring" {
				sum.Expiring++
			}
		}
		p.Apps = append(p.Apps, sum)
	}
	web.Rendered(h.cfg.Logger, w, r, "apps page", h.cfg.Pages.Apps(w, r, status, p))
}

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	h.renderForm(w, r, http.StatusOK, web.AppFormPage{New: true, App: web.AppForm{Kind: kindWeb, AccessTokenFormat: string(storage.AccessTokenOpaque)}})
}

func (h *Handler) renderForm(w http.ResponseWriter, r *http.Request, status int, p web.AppFormPage) {
	p.CSRFToken, p.Offered = session.CSRFToken(r), h.cfg.Scopes
	web.Rendered(h.cfg.Logger, w, r, "app form", h.cfg.Pages.AppForm(w, r, status, p))
}

// appForm is the app form as read and checked: the fields, and what they
// become.
type appForm struct {
	web.AppForm
	redirects []string
	// origins are the allowed origins as stored: for a browser app, its
	// redirect URIs' origins when none are given.
	origins []string
	// window is the app's own refresh token reuse window; nil for the
	// provider's.
	window *time.Duration
}

// form reads and checks the app form by the rules of every client
// (clientrules.Check) and the portal's own; problem is a message key
// (with its argument) when the form is refused: the first of formChecks
// to find something wrong.
func (h *Handler) form(r *http.Request, kind string) (f appForm, problem, arg string) {
	f.AppForm = web.AppForm{
		Name: strings.TrimSpace(r.PostFormValue("name")), Description: strings.TrimSpace(r.PostFormValue("description")),
		LogoURI: strings.TrimSpace(r.PostFormValue("logo_uri")), Kind: kind, RedirectURIs: r.PostFormValue("redirect_uris"),
		AllowedOrigins:       r.PostFormValue("allowed_origins"),
		RefreshReuseWindow:   strings.TrimSpace(r.PostFormValue("refresh_token_reuse_window")),
		BackchannelLogoutURI: strings.TrimSpace(r.PostFormValue("backchannel_logout_uri")), Scopes: r.PostForm["scope"],
		// An unticked radio group posts nothing: the default.
		AccessTokenFormat:     cmp.Or(strings.TrimSpace(r.PostFormValue("access_token_format")), string(storage.AccessTokenOpaque)),
		RequirePAR:            r.PostFormValue("require_par") != "",
		DPoPBoundAccessTokens: r.PostFormValue("dpop_bound_access_tokens") != "",
	}
	for _, line := range strings.Split(f.RedirectURIs, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			f.redirects = append(f.redirects, line)
		}
	}
	origins := strings.Fields(f.AllowedOrigins)
	if kind == kindBrowser && len(origins) == 0 {
		for _, u := range f.redirects {
			origins = append(origins, storage.OriginOf(u))
		}
	}
	var reuse string
	f.window, reuse = clientrules.ParseReuseWindow(f.RefreshReuseWindow)
	found := h.problems(f, origins, reuse != "")
	for _, check := range formChecks() {
		i := slices.IndexFunc(found, func(p clientrules.Problem) bool { return p.Field == check.field && (p.Index >= 0) == check.item })
		if i < 0 {
			continue
		}
		if check.arg != nil {
			arg = check.arg(found[i].Index, f, origins)
		}
		return f, check.key, arg
	}
	if len(found) > 0 {
		// What the form cannot set, for a kind the portal does not know.
		return f, "portal.kind_invalid", ""
	}
	f.origins = clientrules.NormalOrigins(origins)
	if kind == kindService {
		// No redirects, and no refresh tokens: no window.
		f.redirects, f.window = nil, nil
	}
	return f, "", ""
}

// problems checks the app form f, with the origins it would allow, by
// the rules of every client and the portal's own; badWindow says the
// reuse window was refused.
func (h *Handler) problems(f appForm, origins []string, badWindow bool) []clientrules.Problem {
	kind := f.Kind
	// The ID is the portal's to make, and valid.
	app := clientrules.Client{
		ID: "app", Name: f.Name, RedirectURIs: f.redirects, Scopes: f.Scopes, RequirePAR: f.RequirePAR, DPoPBoundAccessTokens: f.DPoPBoundAccessTokens,
		AccessTokenFormat: f.AccessTokenFormat, BackchannelLogoutURI: f.BackchannelLogoutURI,
	}
	var typ storage.ClientType
	typ, app.GrantTypes, app.TokenEndpointAuthMethod = kindClient(kind)
	app.Type = string(typ)
	if kind == kindWeb || kind == kindBrowser {
		// Refused to other kinds below, before they are checked.
		app.AllowedOrigins = origins
	}
	found := clientrules.Check(app, clientrules.Options{Dev: h.cfg.Dev, Scopes: h.cfg.Scopes, WebOnlyBrowserApps: true, DPoPOff: h.cfg.DPoPOff})
	// The portal's own rules, as problems of the fields they concern.
	if !slices.Contains([]string{kindWeb, kindBrowser, kindNative, kindService}, kind) {
		found = append(found, clientrules.Problem{Field: "kind", Index: -1})
	}
	if f.LogoURI != "" && !web.LogoAllowed(f.LogoURI) {
		found = append(found, clientrules.Problem{Field: "logo_uri", Index: -1})
	}
	if len(origins) > 0 && kind != kindWeb && kind != kindBrowser {
		// Origins would make a native app a browser app; a service has
		// no page.
		found = append(found, clientrules.Problem{Field: "origins_kind", Index: -1})
	}
	if badWindow {
		found = append(found, clientrules.Problem{Field: "refresh_token_reuse_window", Index: -1})
	}
	return found
}

// formCheck maps a problem of the app form with the field, of an item of
// the field when item, to the message the form shows, and to the value it
// quotes (arg, given the item's index).
type formCheck struct {
	field string
	item  bool
	key   string
	arg   func(i int, f appForm, origins []string) string
}

// formChecks are the app form's problems, the one shown first first.
func formChecks() []formCheck {
	return []formCheck{
		{field: "name", key: "portal.name_required"},
		{field: "kind", key: "portal.kind_invalid"},
		{field: "scopes", item: true, key: "portal.scope_not_offered"},
		{field: "logo_uri", key: "portal.logo_invalid"},
		{field: "access_token_format", key: "portal.token_format_invalid"},
		// A service uses no authorization endpoint (client credentials
		// only): there is nothing to push.
		{field: "require_pushed_authorization_requests", key: "portal.par_service"},
		{field: "dpop_bound_access_tokens", key: "portal.dpop_off"},
		{field: "backchannel_logout_uri", key: "portal.logout_uri_invalid", arg: func(_ int, f appForm, _ []string) string { return f.BackchannelLogoutURI }},
		// A browser app is redirected to its pages: https, or http on a
		// loopback host, as a web app's.
		{field: "redirect_uris", item: true, key: "portal.redirect_invalid", arg: func(i int, f appForm, _ []string) string { return f.redirects[i] }},
		{field: "redirect_uris", key: "portal.redirect_required"},
		{field: "origins_kind", key: "portal.origins_not_for_kind"},
		{field: "allowed_origins", item: true, key: "portal.origin_invalid", arg: func(i int, _ appForm, origins []string) string { return origins[i] }},
		{field: "refresh_token_reuse_window", key: "portal.reuse_window_invalid"},
	}
}

// kindClient returns the type, grant types and authentication method of
// an app of the kind.
func kindClient(kind string) (typ storage.ClientType, grants []string, method string) {
	switch kind {
	case kindWeb:
		return storage.ClientConfidential, []string{"authorization_code", "refresh_token"}, "client_secret_basic"
	case kindBrowser:
		// A single-page app: no secret, PKCE (required of every
		// client), tokens fetched from its origins; its refresh tokens
		// rotate and its sign-ins are bounded (BrowserApp).
		return storage.ClientPublic, []string{"authorization_code", "refresh_token"}, "none"
	case kindNative:
		// Desktop, mobile and command-line apps: in the browser, or on a
		// device the user approves from a phone (RFC 8628).
		return storage.ClientPublic, []string{"authorization_code", "refresh_token", deviceGrant}, "none"
	case kindService:
		return storage.ClientConfidential, []string{"client_credentials"}, "client_secret_basic"
	}
	return "", nil, ""
}

// deviceGrant is the device authorization grant's type (RFC 8628).
const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

// create registers an app for the developer and shows its secret once.
func (h *Handler) create(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	f, problem, arg := h.form(r, r.PostFormValue("kind"))
	if problem != "" {
		h.renderForm(w, r, http.StatusBadRequest, web.AppFormPage{New: true, App: f.AppForm, Error: problem, ErrorArg: arg})
		return
	}
	now := h.cfg.Now().UTC().Truncate(time.Second)
	c := storage.Client{
		ID: "app-" + strings.ToLower(secret.Random(9)), Name: f.Name, Description: f.Description, LogoURI: f.LogoURI,
		OwnerID: s.User.ID, RedirectURIs: f.redirects, BackchannelLogoutURI: f.BackchannelLogoutURI, Scopes: f.Scopes, CreatedAt: now, UpdatedAt: now,
		AccessTokenFormat: storage.AccessTokenFormat(f.AccessTokenFormat), RequirePAR: f.RequirePAR, DPoPBoundAccessTokens: f.DPoPBoundAccessTokens,
		AllowedOrigins: f.origins, RefreshReuseWindow: f.window,
	}
	c.Type, c.GrantTypes, c.TokenEndpointAuthMethod = kindClient(f.Kind)
	if f.Kind == kindService {
		// A service acts on its own, with no user to consent: what it may
		// do waits for an administrator's approval.
		c.Scopes, c.RequestedScopes = nil, f.Scopes
	}
	shown := web.SecretShownPage{ClientID: c.ID, AppName: c.Name, Created: true}
	err := storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		if err := h.cfg.Store.CreateClient(ctx, c); err != nil {
			return err
		}
		created := audit.Event{Action: audit.AppCreated, ClientID: c.ID, Scopes: c.Scopes,
			Detail: map[string]string{"kind": f.Kind, "name": c.Name, "requested_scopes": strings.Join(c.RequestedScopes, " "),
				"access_token_format": string(c.AccessTokenFormat), "require_par": strconv.FormatBool(c.RequirePAR),
				"dpop_bound_access_tokens": strconv.FormatBool(c.DPoPBoundAccessTokens),
				"allowed_origins":          strings.Join(c.AllowedOrigins, " "), "refresh_token_reuse_window": c.ReuseWindowText()}}
		if err := h.cfg.Audit.Record(ctx, created.ByUser(s.User.ID)); err != nil {
			return err
		}
		if c.Type == storage.ClientPublic {
			return nil
		}
		plain, rec, err := apikey.Rotate(ctx, h.cfg.Store, h.cfg.Hasher, c.ID, h.cfg.APIKeys, h.cfg.Now())
		if err != nil {
			return fmt.Errorf("create the app's secret: %w", err)
		}
		shown.Secret, shown.ExpiresAt = plain, rec.ExpiresAt
		return h.cfg.Audit.Record(ctx, apikey.Event(audit.SecretCreated, c.ID, rec).ByUser(s.User.ID))
	})
	if err != nil {
		h.fail(w, r, "create app", err)
		return
	}
	h.cfg.Logger.InfoContext(ctx, "app registered", "client_id", c.ID, "user_id", s.User.ID, "kind", f.Kind)
	h.renderShown(w, r, http.StatusCreated, shown)
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request, s session.Signed) {
	c, ok := h.own(w, r, s)
	if !ok {
		return
	}
	h.renderForm(w, r, http.StatusOK, h.editPage(c, ""))
}

func (h *Handler) editPage(c storage.Client, notice string) web.AppFormPage {
	p := web.AppFormPage{
		App: web.AppForm{ClientID: c.ID, Name: c.Name, Description: c.Description, LogoURI: c.LogoURI, Kind: kindOf(c),
			RedirectURIs: strings.Join(c.RedirectURIs, "\n"), BackchannelLogoutURI: c.BackchannelLogoutURI, Scopes: append(slices.Clone(c.Scopes), c.RequestedScopes...), Pending: c.RequestedScopes,
			AccessTokenFormat: string(c.TokenFormat()), RequirePAR: c.RequirePAR, DPoPBoundAccessTokens: c.DPoPBoundAccessTokens,
			AllowedOrigins: strings.Join(c.AllowedOrigins, "\n"), RefreshReuseWindow: c.ReuseWindowText()},
		Notice: notice,
	}
	now := h.cfg.Now()
	for _, s := range c.Secrets {
		p.Secrets = append(p.Secrets, web.SecretRow{ID: s.ID, Prefix: s.Prefix, State: apikey.State(s, now, h.cfg.KeyWarn),
			CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt, LastUsedAt: s.LastUsedAt})
	}
	return p
}

// save changes an app's name, description, logo, redirect URIs,
// back-channel logout URI, access token format, pushed authorization
// requests, DPoP-bound tokens and scopes; its kind cannot change.
func (h *Handler) save(w http.ResponseWriter, r *http.Request, s session.Signed) {
	c, ok := h.own(w, r, s)
	if !ok {
		return
	}
	f, problem, arg := h.form(r, kindOf(c))
	if problem != "" {
		p := h.editPage(c, "")
		f.ClientID = c.ID
		p.App, p.Error, p.ErrorArg = f.AppForm, problem, arg
		h.renderForm(w, r, http.StatusBadRequest, p)
		return
	}
	var before storage.Client
	err := storage.InTx(r.Context(), h.cfg.Store, func(ctx context.Context) error {
		var err error
		c, err = h.cfg.Store.UpdateClient(ctx, c.ID, func(c storage.Client) (storage.Client, error) {
			before = c
			return h.edit(c, f), nil
		})
		if err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, appChanged(before, c).ByUser(s.User.ID))
	})
	if err != nil {
		h.fail(w, r, "save app", err)
		return
	}
	h.cfg.Logger.InfoContext(r.Context(), "app changed", "client_id", c.ID, "user_id", s.User.ID)
	h.renderForm(w, r, http.StatusOK, h.editPage(c, "portal.saved"))
}

// edit applies the form to the app c.
func (h *Handler) edit(c storage.Client, f appForm) storage.Client {
	var scopes, requested []string
	service := kindOf(c) == kindService
	for _, s := range f.Scopes {
		if service && !slices.Contains(c.Scopes, s) {
			// A service's new scope waits for approval.
			requested = append(requested, s)
			continue
		}
		scopes = append(scopes, s)
	}
	// Scopes the portal does not offer (admin, given by an
	// administrator) have no checkbox: keep them.
	for _, s := range c.Scopes {
		if !slices.Contains(h.cfg.Scopes, s) {
			scopes = append(scopes, s)
		}
	}
	c.Name, c.Description, c.LogoURI, c.RedirectURIs, c.Scopes, c.RequestedScopes = f.Name, f.Description, f.LogoURI, f.redirects, scopes, requested
	c.RefreshReuseWindow = f.window
	if kind := kindOf(c); kind == kindWeb || kind == kindBrowser {
		// The form shows no origins to others: one an administrator set
		// stays.
		c.AllowedOrigins = f.origins
	}
	c.BackchannelLogoutURI = f.BackchannelLogoutURI
	if c.BackchannelLogoutURI == "" {
		// Set by an administrator; meaningless without a URI.
		c.BackchannelLogoutSessionRequired = false
	}
	if format := storage.AccessTokenFormat(f.AccessTokenFormat); format != c.TokenFormat() {
		c.AccessTokenFormat = format
	}
	// The form refuses it for a service; one set by an administrator
	// before goes with the save.
	c.RequirePAR = f.RequirePAR && !service
	c.DPoPBoundAccessTokens = f.DPoPBoundAccessTokens
	c.UpdatedAt = h.cfg.Now().UTC().Truncate(time.Second)
	return c
}

// rotate creates a new secret, shown once; the current one keeps working
// for the grace period.
func (h *Handler) rotate(w http.ResponseWriter, r *http.Request, s session.Signed) {
	c, ok := h.own(w, r, s)
	if !ok {
		return
	}
	var plain string
	var rec storage.ClientSecret
	err := storage.InTx(r.Context(), h.cfg.Store, func(ctx context.Context) error {
		var err error
		if plain, rec, err = apikey.Rotate(ctx, h.cfg.Store, h.cfg.Hasher, c.ID, h.cfg.APIKeys, h.cfg.Now()); err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, apikey.Event(audit.SecretRotated, c.ID, rec).ByUser(s.User.ID))
	})
	switch {
	case errors.Is(err, apikey.ErrTooManyLive), errors.Is(err, apikey.ErrNoSecrets):
		p := h.editPage(c, "")
		p.Error = "portal.too_many_secrets"
		if errors.Is(err, apikey.ErrNoSecrets) {
			p.Error = "portal.kind_invalid"
		}
		h.renderForm(w, r, http.StatusConflict, p)
		return
	case err != nil:
		h.fail(w, r, "rotate secret", err)
		return
	}
	h.cfg.Logger.InfoContext(r.Context(), "app secret rotated", "client_id", c.ID, "user_id", s.User.ID, "secret_id", rec.ID)
	h.renderShown(w, r, http.StatusCreated, web.SecretShownPage{ClientID: c.ID, AppName: c.Name, Secret: plain, ExpiresAt: rec.ExpiresAt})
}

// revoke removes a secret at once (a leaked key).
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request, s session.Signed) {
	c, ok := h.own(w, r, s)
	if !ok {
		return
	}
	sid := r.PathValue("sid")
	err := storage.InTx(r.Context(), h.cfg.Store, func(ctx context.Context) error {
		if err := apikey.Revoke(ctx, h.cfg.Store, c.ID, sid, h.cfg.Now()); err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, audit.Event{Action: audit.SecretRevoked, ClientID: c.ID, Reason: "by_owner",
			Detail: map[string]string{"secret_id": sid}}.ByUser(s.User.ID))
	})
	if errors.Is(err, apikey.ErrLastSecret) || errors.Is(err, storage.ErrNotFound) {
		p := h.editPage(c, "")
		p.Error = "portal.last_secret"
		if errors.Is(err, storage.ErrNotFound) {
			p.Error = "portal.not_found"
		}
		h.renderForm(w, r, http.StatusConflict, p)
		return
	}
	if err != nil {
		h.fail(w, r, "revoke secret", err)
		return
	}
	h.cfg.Logger.InfoContext(r.Context(), "app secret revoked", "client_id", c.ID, "user_id", s.User.ID, "secret_id", r.PathValue("sid"))
	c, _ = h.cfg.Store.GetClient(r.Context(), c.ID)
	h.renderForm(w, r, http.StatusOK, h.editPage(c, "portal.secret_revoked"))
}

func (h *Handler) confirmDelete(w http.ResponseWriter, r *http.Request, s session.Signed) {
	c, ok := h.own(w, r, s)
	if !ok {
		return
	}
	p := web.DeleteAppPage{CSRFToken: session.CSRFToken(r), ClientID: c.ID, AppName: c.Name}
	web.Rendered(h.cfg.Logger, w, r, "delete page", h.cfg.Pages.DeleteApp(w, r, http.StatusOK, p))
}

// delete removes the app with its secrets, tokens and grants, once the
// developer confirmed.
func (h *Handler) delete(w http.ResponseWriter, r *http.Request, s session.Signed) {
	c, ok := h.own(w, r, s)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		h.confirmDelete(w, r, s)
		return
	}
	err := storage.InTx(r.Context(), h.cfg.Store, func(ctx context.Context) error {
		if err := h.cfg.Store.DeleteClient(ctx, c.ID); err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, audit.Event{Action: audit.AppDeleted, ClientID: c.ID, Scopes: c.Scopes,
			Detail: map[string]string{"name": c.Name}}.ByUser(s.User.ID))
	})
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.fail(w, r, "delete app", err)
		return
	}
	h.cfg.Logger.InfoContext(r.Context(), "app deleted", "client_id", c.ID, "user_id", s.User.ID)
	h.renderList(w, r, s, http.StatusOK, "portal.deleted")
}

func (h *Handler) renderShown(w http.ResponseWriter, r *http.Request, status int, p web.SecretShownPage) {
	web.Rendered(h.cfg.Logger, w, r, "secret page", h.cfg.Pages.SecretShown(w, r, status, p))
}

func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, key string) {
	web.ShowMessage(h.cfg.Pages, h.cfg.Logger, w, r, status, web.MessagePage{Title: "message.title", Message: key, LinkText: "message.account", LinkURL: "/account"})
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	web.Fail(h.cfg.Pages, h.cfg.Logger, w, r, "portal: "+what, err)
}

// appChanged is the record of an app changed from before to after: the
// scopes it now has, and what changed.
func appChanged(before, after storage.Client) audit.Event {
	d := map[string]string{}
	if before.Name != after.Name {
		d["name"] = after.Name
	}
	if !slices.Equal(before.RedirectURIs, after.RedirectURIs) {
		d["redirect_uris"] = strings.Join(after.RedirectURIs, " ")
	}
	if before.BackchannelLogoutURI != after.BackchannelLogoutURI {
		d["backchannel_logout_uri"] = after.BackchannelLogoutURI
	}
	if before.TokenFormat() != after.TokenFormat() {
		d["access_token_format"] = string(after.TokenFormat())
	}
	if before.RequirePAR != after.RequirePAR {
		d["require_par"] = strconv.FormatBool(after.RequirePAR)
	}
	if before.DPoPBoundAccessTokens != after.DPoPBoundAccessTokens {
		d["dpop_bound_access_tokens"] = strconv.FormatBool(after.DPoPBoundAccessTokens)
	}
	if !slices.Equal(before.AllowedOrigins, after.AllowedOrigins) {
		d["allowed_origins"] = strings.Join(after.AllowedOrigins, " ")
	}
	if before.ReuseWindowText() != after.ReuseWindowText() {
		d["refresh_token_reuse_window"] = after.ReuseWindowText()
	}
	if !slices.Equal(before.Scopes, after.Scopes) {
		d["scopes_before"] = strings.Join(before.Scopes, " ")
	}
	if !slices.Equal(before.RequestedScopes, after.RequestedScopes) {
		d["requested_scopes"] = strings.Join(after.RequestedScopes, " ")
	}
	return audit.Event{Action: audit.AppChanged, ClientID: after.ID, Scopes: after.Scopes, Detail: d}
}
