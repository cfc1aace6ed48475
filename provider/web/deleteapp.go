package web

import (
	"cmp"
	"net/http"
)

// DeleteAppPage is the view of the page asking a developer to confirm
// deleting an app. Its form posts csrf_token and confirm ("yes") to
// POST /apps/{ClientID}/delete; "Cancel" links back to /apps/{ClientID}.
type DeleteAppPage struct {
	UILocales string
	CSRFToken string
	ClientID  string
	// AppName is the app's name; empty shows ClientID.
	AppName string
}

type deleteAppView struct {
	meta
	DeleteAppPage
	App    string
	AppURL string
}

// DeleteApp renders the delete confirmation page with the given status.
func (r *Renderer) DeleteApp(w http.ResponseWriter, req *http.Request, status int, p DeleteAppPage) error {
	loc := r.Locale(req, p.UILocales)
	v := deleteAppView{
		meta:          r.meta(loc),
		DeleteAppPage: p,
		App:           cmp.Or(p.AppName, p.ClientID),
		AppURL:        appURL(p.ClientID),
	}
	return r.render(w, req, status, pageDeleteApp, loc, v)
}
