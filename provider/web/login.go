package web

import "net/http"

// LoginPage is the sign-in page's view. Its form posts email, password,
// flow and csrf_token to POST /login.
type LoginPage struct {
	// UILocales is the authorization request's ui_locales, if any.
	UILocales string
	CSRFToken string
	// Flow is the login flow's ID, sent back in the hidden field "flow".
	Flow string
	// ClientName is the app asking: the heading reads "Sign in to continue
	// to {ClientName}"; empty gives a generic heading.
	ClientName string
	// Email is echoed back into the email field after a failed attempt.
	Email string
	// Error is a message key ("login.invalid", ...), or empty.
	Error string
}

type loginView struct {
	meta
	LoginPage
	ErrorText string
}

// Login renders the sign-in page with the given status: 200, or a 4xx
// after a failed attempt.
func (r *Renderer) Login(w http.ResponseWriter, req *http.Request, status int, p LoginPage) error {
	loc := r.locales.choose(p.UILocales, req.Header.Get("Accept-Language"))
	v := loginView{
		meta:      r.meta(loc),
		LoginPage: p,
		ErrorText: r.message(req.Context(), loc, "error", p.Error),
	}
	return r.render(w, req, status, pageLogin, loc, v)
}
