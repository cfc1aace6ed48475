package web

import "net/http"

// LogoutPage is the page asking the user to confirm an RP-initiated
// logout (OpenID Connect RP-Initiated Logout 1.0 section 2). Its form
// posts csrf_token and the non-empty request parameters below to
// POST /oauth2/logout.
type LogoutPage struct {
	// UILocales is the logout request's ui_locales; it is also carried in
	// the form, so the signed-out page keeps the language.
	UILocales string
	CSRFToken string
	// ClientName is the app that asked to sign out; may be empty.
	ClientName string
	// Carried in hidden fields client_id, post_logout_redirect_uri, state
	// and id_token_hint.
	ClientID              string
	PostLogoutRedirectURI string
	State                 string
	IDTokenHint           string
}

type logoutView struct {
	meta
	LogoutPage
}

// Logout renders the sign-out confirmation page.
func (r *Renderer) Logout(w http.ResponseWriter, req *http.Request, p LogoutPage) error {
	loc := r.Locale(req, p.UILocales)
	return r.render(w, req, http.StatusOK, pageLogout, loc, logoutView{meta: r.meta(loc), LogoutPage: p})
}

// LoggedOutPage is the view of the page shown after signing out when
// there is no app to return to.
type LoggedOutPage struct {
	UILocales string
}

type loggedOutView struct {
	meta
	LoggedOutPage
}

// LoggedOut renders the signed-out page.
func (r *Renderer) LoggedOut(w http.ResponseWriter, req *http.Request, p LoggedOutPage) error {
	loc := r.Locale(req, p.UILocales)
	return r.render(w, req, http.StatusOK, pageLoggedOut, loc, loggedOutView{meta: r.meta(loc), LoggedOutPage: p})
}
