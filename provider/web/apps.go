package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"time"
)

// The kinds of app the developer portal registers, as AppSummary.Kind and
// AppForm.Kind name them. The pages show each in words.
const (
	// AppKindWeb runs on a server that keeps a secret and signs users in
	// through their browser.
	AppKindWeb = "web"
	// AppKindNative runs on the user's device, cannot keep a secret and
	// signs users in with PKCE alone.
	AppKindNative = "native"
	// AppKindBrowser is a single-page app: it runs in the browser at its
	// web origins, keeps no secret, signs users in with PKCE and fetches
	// its tokens from the page (CORS); its sign-ins are bounded in time.
	AppKindBrowser = "browser"
	// AppKindService calls APIs on its own behalf with a secret (client
	// credentials), with no user signed in.
	AppKindService = "service"
)

// AppsPage is the view of the developer portal's list of the signed-in
// developer's apps (GET /apps). It has no form: each app's name links to
// /apps/{ClientID}, and a button links to /apps/new.
type AppsPage struct {
	UILocales string
	// CSRFToken is carried like every portal view's; the page has no form
	// to put it in yet.
	CSRFToken string
	// Apps are listed in the order given.
	Apps []AppSummary
	// Notice is a message key shown as a success status ("portal.deleted",
	// ...), or empty.
	Notice string
	// Error is a message key, or empty.
	Error string
}

// AppSummary is one app in the list.
type AppSummary struct {
	ClientID string
	// Name is the app's name; empty shows ClientID.
	Name string
	// LogoURI is the app's logo, shown beside its name when LogoAllowed
	// says it may be.
	LogoURI string
	// Kind is AppKindWeb, AppKindBrowser, AppKindNative or AppKindService;
	// another value is shown as it is, and logged.
	Kind      string
	CreatedAt time.Time
	// Expiring counts the app's secrets that expire soon; more than zero
	// shows a warning badge.
	Expiring int
}

// appDateLayout is how the list of apps shows the day an app was created,
// in UTC, in both languages.
const appDateLayout = "2006-01-02"

type appsView struct {
	meta
	AppsPage
	NoticeText string
	ErrorText  string
	Rows       []appListRow
}

type appListRow struct {
	URL  string
	Name string
	// Logo is the app's LogoURI when the page may show it, else empty.
	Logo       string
	Kind       string
	Created    string
	CreatedISO string
	Expiring   int
}

// Apps renders the list of the developer's apps with the given status.
func (r *Renderer) Apps(w http.ResponseWriter, req *http.Request, status int, p AppsPage) error {
	loc := r.Locale(req, p.UILocales)
	v := appsView{
		meta:       r.meta(loc),
		AppsPage:   p,
		NoticeText: r.message(req.Context(), loc, "notice", p.Notice),
		ErrorText:  r.message(req.Context(), loc, "error", p.Error),
	}
	uris := make([]string, len(p.Apps))
	for i, a := range p.Apps {
		uris[i] = a.LogoURI
	}
	shown, origins := logos(uris...)
	for i, a := range p.Apps {
		r.checkKind(req.Context(), a.ClientID, a.Kind)
		at := a.CreatedAt.UTC()
		v.Rows = append(v.Rows, appListRow{
			URL: appURL(a.ClientID), Name: cmp.Or(a.Name, a.ClientID), Logo: shown[i], Kind: a.Kind,
			Created: at.Format(appDateLayout), CreatedISO: at.Format(time.RFC3339), Expiring: a.Expiring,
		})
	}
	return r.renderCSP(w, req, status, pageApps, loc, v, logoCSP(origins))
}

// checkKind logs an app kind the pages cannot put in words; they show it
// as it is.
func (r *Renderer) checkKind(ctx context.Context, clientID, kind string) {
	switch kind {
	case AppKindWeb, AppKindBrowser, AppKindNative, AppKindService:
	default:
		r.logger.WarnContext(ctx, "unknown app kind", "client_id", clientID, "kind", kind)
	}
}

// appURL is the address of an app's page in the portal, with the client
// ID escaped as one path segment.
func appURL(clientID string) string {
	return "/apps/" + url.PathEscape(clientID)
}
