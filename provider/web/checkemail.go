package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tokenim/tokenim-auth/provider/i18n"
)

// The kinds of CheckEmailPage.
const (
	// CheckEmailActivate follows registration: an activation link was
	// sent.
	CheckEmailActivate = "activate"
	// CheckEmailReset follows a password reset request: a reset link was
	// sent if the account exists.
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
	// Expires is how long the link stays valid, as the mail says it.
	Expires time.Duration
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
	// ExpiresIn is Expires in words.
	ExpiresIn string
}

// CheckEmail renders the check-your-email page with the given status. A
// Kind other than CheckEmailActivate or CheckEmailReset is an error, with
// nothing written; so is an Expires not above zero.
func (r *Renderer) CheckEmail(w http.ResponseWriter, req *http.Request, status int, p CheckEmailPage) error {
	if p.Kind != CheckEmailActivate && p.Kind != CheckEmailReset {
		return fmt.Errorf("web: check-email page of unknown kind %q", p.Kind)
	}
	if p.Expires <= 0 {
		return fmt.Errorf("web: check-email page with a link lifetime of %s", p.Expires)
	}
	loc := r.Locale(req, p.UILocales)
	return r.render(w, req, status, pageCheckEmail, loc, checkEmailView{meta: r.meta(loc), CheckEmailPage: p, ExpiresIn: i18n.InWords(loc, p.Expires)})
}
