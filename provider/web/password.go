package web

import (
	"net/http"
	"net/url"
)

// ForgotPage is the view of the page asking for the email of an account
// whose password was forgotten. Its form posts csrf_token and email to
// POST /password/forgot.
type ForgotPage struct {
	UILocales string
	CSRFToken string
	// Email is echoed back after a failed attempt.
	Email string
	// Error is a message key ("register.invalid_email", ...), or empty.
	Error string
}

type forgotView struct {
	meta
	ForgotPage
	ErrorText string
}

// Forgot renders the forgotten-password page with the given status.
func (r *Renderer) Forgot(w http.ResponseWriter, req *http.Request, status int, p ForgotPage) error {
	loc := r.Locale(req, p.UILocales)
	v := forgotView{
		meta:       r.meta(loc),
		ForgotPage: p,
		ErrorText:  r.message(req.Context(), loc, "error", p.Error),
	}
	return r.render(w, req, status, pageForgot, loc, v)
}

// ResetPage is the view of the page, reached from a reset link, where the
// user chooses a new password. Its form posts csrf_token, token, password
// and confirm (the password again) to POST /password/reset.
type ResetPage struct {
	UILocales string
	CSRFToken string
	// Expired says the link is unknown, expired or already used, before
	// anything is typed: the page says so and, in place of the
	// new-password form, asks for a new link with the forgotten-password
	// form (csrf_token and email, posted to POST /password/forgot).
	Expired bool
	// Token is the reset link's token, carried in the hidden field "token".
	// The page is sent with Referrer-Policy: no-referrer, so it does not
	// leak through the links on the page.
	Token string
	// Error is a message key ("password.mismatch", "password.common", ...),
	// or empty.
	Error string
}

type resetView struct {
	meta
	ResetPage
	ErrorText string
}

// Reset renders the new-password page, or the expired link's page, with
// the given status.
func (r *Renderer) Reset(w http.ResponseWriter, req *http.Request, status int, p ResetPage) error {
	loc := r.Locale(req, p.UILocales)
	v := resetView{
		meta:      r.meta(loc),
		ResetPage: p,
		ErrorText: r.message(req.Context(), loc, "error", p.Error),
	}
	return r.render(w, req, status, pageReset, loc, v)
}

// pageAddress is the new-password page's own address, link token
// included: the page answering a refused new password is the form of
// that link again (see addresser).
func (v resetView) pageAddress() string {
	if v.Token == "" || v.Expired {
		return "/password/reset"
	}
	return "/password/reset?" + url.Values{"token": {v.Token}}.Encode()
}
