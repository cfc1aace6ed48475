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
	// Details are the conversations and channels the app asks for (RFC
	// 9396 authorization details), each with a box the user may untick;
	// the form posts the Value of each ticked one as "detail".
	Details []ConsentDetail
}

// ConsentDetail is one conversation or channel the consent page lists.
type ConsentDetail struct {
	// Value is what the form posts as "detail" while the box is ticked.
	Value string
	// Name is the conversation's name from the IM platform, or its
	// Location when the name is not known.
	Name string
	// Location is the conversation as the request names it ("conv:123").
	Location string
	// Actions are what the app asks to do there (messages.read,
	// messages.send, calls.read).
	Actions []string
}

// detailView is a ConsentDetail with one sentence per action in the
// page's language ("Send messages in #launch-team").
type detailView struct {
	ConsentDetail
	Lines []string
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
	Details     []detailView
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
		Details:     r.details(req.Context(), loc, p.Details),
	}
	return r.renderCSP(w, req, status, pageConsent, loc, v, logoCSP(origins))
}

// details puts each detail in words in the page's language.
func (r *Renderer) details(ctx context.Context, loc Locale, ds []ConsentDetail) []detailView {
	out := make([]detailView, 0, len(ds))
	for _, d := range ds {
		v := detailView{ConsentDetail: d}
		for _, a := range d.Actions {
			v.Lines = append(v.Lines, r.message(ctx, loc, "details", detailActionKey(a), d.Name))
		}
		out = append(out, v)
	}
	return out
}

// detailActionKey is the message key of an authorization detail's action.
func detailActionKey(action string) string {
	switch action {
	case "messages.read":
		return "consent.detail_action.messages_read"
	case "messages.send":
		return "consent.detail_action.messages_send"
	case "calls.read":
		return "consent.detail_action.calls_read"
	}
	return "consent.detail_action.unknown"
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
