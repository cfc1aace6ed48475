package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// The states of a SecretRow, as the portal describes a secret.
const (
	// SecretLive authenticates and is not close to its expiry.
	SecretLive = "live"
	// SecretExpiring still authenticates but expires soon.
	SecretExpiring = "expiring"
	// SecretExpired no longer authenticates.
	SecretExpired = "expired"
)

// AppFormPage is the view of the developer portal's app form: registering
// an app (New) or seeing and editing one. Every form on it posts
// csrf_token:
//
//	POST /apps                               (New) name, description, logo_uri, kind, redirect_uris,
//	                                         allowed_origins, backchannel_logout_uri, access_token_format,
//	                                         require_par, refresh_token_reuse_window, scope...
//	POST /apps/{ClientID}                    name, description, logo_uri, redirect_uris, allowed_origins,
//	                                         backchannel_logout_uri, access_token_format, require_par,
//	                                         refresh_token_reuse_window, scope...
//	POST /apps/{ClientID}/secrets/{ID}/revoke (no fields) revoke a secret that has not expired
//	POST /apps/{ClientID}/secrets             (no fields) create a new secret
//
// redirect_uris and allowed_origins are one per line; scope is posted
// once per ticked box; access_token_format is opaque or jwt; require_par is
// "true" when ticked, and absent from a service's edit form, as are
// refresh_token_reuse_window (empty for the provider's default) and
// allowed_origins; allowed_origins is absent from a native app's too. An app's kind cannot change, so
// the edit form does not post it. The
// edit page also links to /apps/{ClientID}/delete.
type AppFormPage struct {
	UILocales string
	CSRFToken string
	// New shows the form registering an app; otherwise the page shows App
	// for editing, with its secrets.
	New bool
	// App fills the form: the app as stored, or as posted after a refused
	// attempt.
	App AppForm
	// Offered are the scopes an app registered here may ask for, each shown
	// as a box labelled with its description (see SetScopes), ticked when
	// in App.Scopes. Scopes of App.Scopes not offered are not shown.
	Offered []string
	// Secrets are the app's secrets, for the edit page. The secrets section
	// is shown when there are some, or when App.Kind is neither
	// AppKindNative nor AppKindBrowser.
	Secrets []SecretRow
	// Notice is a message key shown as a success status ("portal.saved",
	// "portal.secret_revoked", ...), or empty.
	Notice string
	// Error is a message key ("portal.name_required",
	// "portal.redirect_invalid", ...), or empty.
	Error string
	// ErrorArg fills the one argument of an Error that takes one:
	// "portal.redirect_invalid" takes the refused redirect URI,
	// "portal.logout_uri_invalid" the refused back-channel logout URI,
	// "portal.origin_invalid" the refused origin.
	// Leave it empty for other keys.
	ErrorArg string
}

// AppForm is an app's fields, as the form shows and posts them.
type AppForm struct {
	// ClientID is empty for a new app.
	ClientID    string
	Name        string
	Description string
	LogoURI     string
	// Kind is AppKindWeb, AppKindBrowser, AppKindNative or AppKindService;
	// on a new app's form it picks the ticked choice, on an edit page it is
	// shown in words.
	Kind string
	// RedirectURIs holds one URI per line.
	RedirectURIs string
	// AllowedOrigins holds the web origins a browser may call the provider
	// from for the app (CORS), one per line; a browser app's default to its
	// redirect URIs' origins.
	AllowedOrigins string
	// RefreshReuseWindow is the app's own refresh token reuse window, like
	// "10s"; empty for the provider's default.
	RefreshReuseWindow string
	// BackchannelLogoutURI is where the app takes logout tokens (OpenID
	// Connect Back-Channel Logout 1.0); empty when it takes none.
	BackchannelLogoutURI string
	// AccessTokenFormat is "opaque" or "jwt" (RFC 9068): the ticked choice;
	// neither is ticked for another value.
	AccessTokenFormat string
	// RequirePAR: the app must push its authorization requests (RFC 9126).
	// The box is not shown on a service's edit page.
	RequirePAR bool
	// DPoPBoundAccessTokens: every token request of the app must carry a
	// DPoP proof (RFC 9449 section 5.2).
	DPoPBoundAccessTokens bool
	// Scopes are ticked; those also in Pending are marked as awaiting an
	// administrator's approval (a service's scopes are approved before it
	// may obtain them).
	Scopes  []string
	Pending []string
}

// SecretRow is one of an app's secrets. The secret itself is never shown
// again after it was created: only its first characters.
type SecretRow struct {
	ID string
	// Prefix is the secret's first characters, shown followed by "…".
	Prefix string
	// State is SecretLive, SecretExpiring or SecretExpired; another value
	// is shown as it is, and logged. Every secret not expired has a revoke
	// button.
	State     string
	CreatedAt time.Time
	// ExpiresAt is zero when the secret never expires.
	ExpiresAt time.Time
	// LastUsedAt is zero when the secret was never used.
	LastUsedAt time.Time
}

type appFormView struct {
	meta
	AppFormPage
	// Heading is the new app form's title, or the app's name (its ID
	// without one).
	Heading string
	// Logo is the app's LogoURI on its page when the page may show it
	// (LogoAllowed), else empty.
	Logo       string
	NoticeText string
	ErrorText  string
	// Action is where the app form posts.
	Action       string
	ScopeChoices []scopeChoice
	// ShowSecrets shows the secrets section, with its rotation form
	// posting to SecretsURL.
	ShowSecrets bool
	SecretsURL  string
	SecretRows  []secretRow
	DeleteURL   string
}

// scopeChoice is one offered scope's box.
type scopeChoice struct {
	ID          string
	Scope       string
	Description string
	Checked     bool
	Pending     bool
}

type secretRow struct {
	Prefix      string
	State       string
	Created     string
	CreatedISO  string
	Expires     string
	ExpiresISO  string
	LastUsed    string
	LastUsedISO string
	// RevokeURL is where its revoke form posts; empty for an expired
	// secret, which has nothing left to revoke.
	RevokeURL string
}

// AppForm renders the app form with the given status: 200, or a 4xx after
// a refused attempt.
func (r *Renderer) AppForm(w http.ResponseWriter, req *http.Request, status int, p AppFormPage) error {
	ctx := req.Context()
	loc := r.Locale(req, p.UILocales)
	v := appFormView{
		meta:        r.meta(loc),
		AppFormPage: p,
		NoticeText:  r.message(ctx, loc, "notice", p.Notice),
		ErrorText:   r.message(ctx, loc, "error", p.Error, arg(p.ErrorArg)...),
	}
	if p.App.Kind != "" || !p.New {
		r.checkKind(ctx, p.App.ClientID, p.App.Kind)
	}
	for i, perm := range r.permissions(ctx, loc, p.Offered) {
		v.ScopeChoices = append(v.ScopeChoices, scopeChoice{
			ID: "scope-" + strconv.Itoa(i), Scope: perm.Scope, Description: perm.Description,
			Checked: slices.Contains(p.App.Scopes, perm.Scope), Pending: slices.Contains(p.App.Pending, perm.Scope),
		})
	}
	if p.New {
		v.Action = "/apps"
		return r.render(w, req, status, pageAppForm, loc, v)
	}
	app := appURL(p.App.ClientID)
	v.Heading = cmp.Or(p.App.Name, p.App.ClientID)
	logo, origins := logos(p.App.LogoURI)
	v.Logo = logo[0]
	v.Action = app
	v.DeleteURL = app + "/delete"
	v.SecretsURL = app + "/secrets"
	v.ShowSecrets = len(p.Secrets) > 0 || (p.App.Kind != AppKindNative && p.App.Kind != AppKindBrowser)
	for _, s := range p.Secrets {
		switch s.State {
		case SecretLive, SecretExpiring, SecretExpired:
		default:
			r.logger.WarnContext(ctx, "unknown secret state", "client_id", p.App.ClientID, "secret_id", s.ID, "state", s.State)
		}
		row := secretRow{Prefix: s.Prefix, State: s.State}
		row.Created, row.CreatedISO = formatTime(s.CreatedAt)
		row.Expires, row.ExpiresISO = formatTime(s.ExpiresAt)
		row.LastUsed, row.LastUsedISO = formatTime(s.LastUsedAt)
		if s.State != SecretExpired {
			row.RevokeURL = v.SecretsURL + "/" + url.PathEscape(s.ID) + "/revoke"
		}
		v.SecretRows = append(v.SecretRows, row)
	}
	return r.renderCSP(w, req, status, pageAppForm, loc, v, logoCSP(origins))
}

// formatTime shows t in UTC as the account page does, with its RFC 3339
// form for a <time> element; both are empty for the zero time, which the
// pages show as "never".
func formatTime(t time.Time) (text, iso string) {
	if t.IsZero() {
		return "", ""
	}
	t = t.UTC()
	return t.Format(sessionTimeLayout), t.Format(time.RFC3339)
}
