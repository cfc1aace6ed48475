package web

import (
	"cmp"
	"context"
	"maps"
	"net/http"
)

// ConsentPage is the consent page's view. Its form posts flow,
// csrf_token, remember ("1" when ticked) and decision ("allow" or "deny")
// to POST /consent.
type ConsentPage struct {
	UILocales string
	CSRFToken string
	Flow      string
	// ClientName names the app in the heading; without one the page uses
	// ClientID.
	ClientName string
	ClientID   string
	// ClientLogoURI is the app's logo, shown above the heading when
	// LogoAllowed says it may be.
	ClientLogoURI string
	// UserEmail is shown as "Signed in as …", next to a "Not you?" link to
	// /login?flow={Flow}&switch=1.
	UserEmail string
	// Scopes are the scope names asked for; the page lists each one's
	// description in the page's language (see SetScopes).
	Scopes []string
	// Remember is the initial state of the "Remember this decision" box.
	Remember bool
	// Error is a message key ("consent.failed"), or empty.
	Error string
}

type consentView struct {
	meta
	ConsentPage
	// App is what the page calls the app: its name, else its ID.
	App string
	// Logo is ClientLogoURI when the page may show it, else empty.
	Logo        string
	ErrorText   string
	Permissions []permission
}

// permission is one requested scope as the consent page lists it.
type permission struct {
	Scope       string
	Description string
}

// Consent renders the consent page with the given status: 200, or an
// error status when recording a decision failed.
func (r *Renderer) Consent(w http.ResponseWriter, req *http.Request, status int, p ConsentPage) error {
	loc := r.Locale(req, p.UILocales)
	logo, origins := logos(p.ClientLogoURI)
	v := consentView{
		meta:        r.meta(loc),
		ConsentPage: p,
		App:         cmp.Or(p.ClientName, p.ClientID),
		Logo:        logo[0],
		ErrorText:   r.message(req.Context(), loc, "error", p.Error),
		Permissions: r.permissions(req.Context(), loc, p.Scopes),
	}
	return r.renderCSP(w, req, status, pageConsent, loc, v, logoCSP(origins))
}

// SetScopes gives the consent page each scope's description per locale,
// from the configured scope catalogue. Call it before serving; a later
// call replaces the descriptions for the pages rendered after it. The map
// is copied.
func (r *Renderer) SetScopes(descriptions map[string]map[Locale]string) {
	c := make(map[string]map[Locale]string, len(descriptions))
	for scope, d := range descriptions {
		c[scope] = maps.Clone(d)
	}
	r.scopes.Store(&c)
}

// permissions describes each scope in the page's language. A scope with no
// description in that language falls back to English, then to its name
// (logged: the scope catalogue is incomplete), so the user always sees
// everything they are asked to allow.
func (r *Renderer) permissions(ctx context.Context, loc Locale, scopes []string) []permission {
	var known map[string]map[Locale]string
	if c := r.scopes.Load(); c != nil {
		known = *c
	}
	ps := make([]permission, 0, len(scopes))
	for _, s := range scopes {
		d := cmp.Or(known[s][loc], known[s][English])
		if d == "" {
			r.logger.WarnContext(ctx, "scope has no description", "scope", s, "locale", string(loc))
			d = s
		}
		ps = append(ps, permission{Scope: s, Description: d})
	}
	return ps
}
