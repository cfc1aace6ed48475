package web

import "net/http"

// ActivatePage is the view of the page an activation link opens. Opening
// the link changes nothing, as mail scanners fetch links too: the page's
// button activates the account, posting csrf_token, token and, when set,
// flow to POST /activate.
type ActivatePage struct {
	UILocales string
	CSRFToken string
	// Token is the activation link's token, carried in the hidden field
	// "token". The page is sent with Referrer-Policy: no-referrer.
	Token string
	// Flow is the login flow the registration started from, if any, so
	// that the way to sign in after activating leads back to the app.
	Flow string
	// Expired says the link is unknown, expired or already used, before
	// the button is pressed: the page says so and, in place of the
	// button, offers a form asking for a new activation link (csrf_token,
	// email and, when set, flow, posted to POST /activate/resend), and a
	// link to sign in (the account may be active already).
	Expired bool
}

type activateView struct {
	meta
	ActivatePage
}

// Activate renders the activation page, or the expired link's page, with
// the given status.
func (r *Renderer) Activate(w http.ResponseWriter, req *http.Request, status int, p ActivatePage) error {
	loc := r.Locale(req, p.UILocales)
	return r.render(w, req, status, pageActivate, loc, activateView{meta: r.meta(loc), ActivatePage: p})
}
