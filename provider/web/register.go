package web

import "net/http"

// RegisterPage is the registration page's view. Its form posts
// csrf_token, email, name, password and, when set, flow to POST /register.
// The page links back to the sign-in page, keeping the flow.
type RegisterPage struct {
	UILocales string
	CSRFToken string
	// Flow is the login flow the user came from, if any, carried in the
	// hidden field "flow" and in the "Sign in" link.
	Flow string
	// Email and Name are echoed back after a failed attempt; the password
	// never is.
	Email string
	Name  string
	// Error is a message key ("password.too_short", "password.common",
	// ...), or empty.
	Error string
}

type registerView struct {
	meta
	RegisterPage
	ErrorText string
}

// Register renders the registration page with the given status: 200, or
// a 4xx after a failed attempt.
func (r *Renderer) Register(w http.ResponseWriter, req *http.Request, status int, p RegisterPage) error {
	loc := r.Locale(req, p.UILocales)
	v := registerView{
		meta:         r.meta(loc),
		RegisterPage: p,
		ErrorText:    r.message(req.Context(), loc, "error", p.Error),
	}
	return r.render(w, req, status, pageRegister, loc, v)
}
