package web

import (
	"net/http"
	"net/url"
)

// MFAPage is the view of the second step of sign-in, and of a step-up
// (a signed-in user asked for more by an app). Its form posts
// csrf_token, flow, next (when set) and either code (a TOTP code from an
// authenticator app) or, when Recovery is set, recovery_code to
// POST /login/mfa. The page links to the other form:
// /login/mfa?flow={Flow}&recovery=1 and back to /login/mfa?flow={Flow}
// (with next={Next} too when set).
type MFAPage struct {
	UILocales string
	CSRFToken string
	// Flow is the login flow's ID, sent back in the hidden field "flow".
	Flow string
	// Next is where a sign-in outside an authorization flow goes
	// afterwards, as LoginPage.Next; sent back in the hidden field "next".
	Next string
	// Error is a message key ("mfa.invalid", "mfa.recovery_invalid",
	// "login.throttled", ...), or empty.
	Error string
	// ErrorArg fills the one argument of an Error that takes one, as
	// LoginPage.ErrorArg does.
	ErrorArg string
	// Recovery asks for a recovery code instead of a TOTP code.
	Recovery bool
	// TOTP offers the authenticator app's code (and a recovery code).
	TOTP bool
	// Passkey offers "Use a passkey" (one of the account's), through the
	// passkey script.
	Passkey bool
	// Missing, when the account has no factor that would do, says what to
	// set up on the account page instead of a form: "mfa.need_passkey"
	// (the app asks for a passkey) or "mfa.need_setup" (for any second
	// factor).
	Missing string
}

type mfaView struct {
	meta
	MFAPage
	ErrorText string
	// MissingText is Missing's text; Script the passkey script's URL.
	MissingText string
	Script      string
	// OtherURL links to the other form: recovery code or app code.
	OtherURL string
}

// MFA renders the second sign-in step with the given status: 200, or a
// 4xx after a wrong code.
func (r *Renderer) MFA(w http.ResponseWriter, req *http.Request, status int, p MFAPage) error {
	loc := r.Locale(req, p.UILocales)
	v := mfaView{
		meta:        r.meta(loc),
		MFAPage:     p,
		ErrorText:   r.message(req.Context(), loc, "error", p.Error, arg(p.ErrorArg)...),
		OtherURL:    mfaURL(p.Flow, p.Next, !p.Recovery),
		Script:      r.scriptURL,
		MissingText: r.message(req.Context(), loc, "missing", p.Missing),
	}
	return r.render(w, req, status, pageMFA, loc, v)
}

// mfaURL is the address of the second-step page asking for an app code,
// or for a recovery code.
func mfaURL(flow, next string, recovery bool) string {
	q := url.Values{}
	if flow != "" {
		q.Set("flow", flow)
	}
	if next != "" {
		q.Set("next", next)
	}
	if recovery {
		q.Set("recovery", "1")
	}
	if len(q) == 0 {
		return "/login/mfa"
	}
	return "/login/mfa?" + q.Encode()
}
