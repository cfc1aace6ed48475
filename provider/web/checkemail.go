package web

import (
	"fmt"
	"net/http"
)

// The kinds of CheckEmailPage.
const (
	// CheckEmailActivate follows registration: an activation link was
	// sent, valid for 24 hours.
	CheckEmailActivate = "activate"
	// CheckEmailReset follows a password reset request: a reset link was
	// sent if the account exists, valid for 30 minutes.
	CheckEmailReset = "reset"
)

// CheckEmailPage is the view of the page telling the user an email is on
// its way.
type CheckEmailPage struct {
	UILocales string
	// Kind is CheckEmailActivate or CheckEmailReset.
	Kind string
	// Email is the address as the user typed it. For CheckEmailReset the
	// page reads the same whether or not an account has it, so that it
	// does not tell who has an account.
	Email string
	// CSRFToken goes with the CheckEmailActivate page's resend form, which
	// posts csrf_token, email and flow (when set) to POST /activate/resend.
	CSRFToken string
	// Flow is the login flow the registration started from, if any, so
	// that a resent link still leads back to the app.
	Flow string
}

type checkEmailView struct {
	meta
	CheckEmailPage
}

// CheckEmail renders the check-your-email page with the given status. A
// Kind other than CheckEmailActivate or CheckEmailReset is an error, with
// nothing written.
func (r *Renderer) CheckEmail(w http.ResponseWriter, req *http.Request, status int, p CheckEmailPage) error {
	if p.Kind != CheckEmailActivate && p.Kind != CheckEmailReset {
		return fmt.Errorf("web: check-email page of unknown kind %q", p.Kind)
	}
	loc := r.locales.choose(p.UILocales, req.Header.Get("Accept-Language"))
	return r.render(w, req, status, pageCheckEmail, loc, checkEmailView{meta: r.meta(loc), CheckEmailPage: p})
}
