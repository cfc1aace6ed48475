package web

import (
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/i18n"
)

// LoginPage is the sign-in page's view. Its form posts email, password,
// flow, next (when set) and csrf_token to POST /login. The page also links to
// /password/forgot.
type LoginPage struct {
	// UILocales is the authorization request's ui_locales, if any.
	UILocales string
	CSRFToken string
	// Flow is the login flow's ID, sent back in the hidden field "flow".
	Flow string
	// Next, for a sign-in that is not part of an authorization flow, is
	// where to go afterwards (an account page), sent back in the hidden
	// field "next" when set. The handler checks it.
	Next string
	// ClientName is the app asking: the heading reads "Sign in to continue
	// to {ClientName}"; empty gives a generic heading.
	ClientName string
	// Email is echoed back into the email field after a failed attempt.
	Email string
	// Error is a message key ("login.invalid", ...), or empty.
	Error string
	// ErrorArg fills the one argument of an Error that takes one:
	// "login.throttled" reads "Try again in {ErrorArg} seconds", so it is
	// the wait in whole seconds ("900"), which reads the same in both
	// languages. Leave it empty for other keys.
	ErrorArg string
	// Resend shows, under the error, a form posting csrf_token, Email (as
	// "email") and Flow (when set) to POST /activate/resend: for
	// "login.pending".
	Resend bool
	// RegisterURL, when set, adds "New to TokenIM? Create an account"
	// linking there; empty when registration is closed.
	RegisterURL string
	// Passkeys offers "Sign in with a passkey" and passkeys in the email
	// field's autofill (conditional mediation), through the passkey
	// script; the password form stays for browsers without WebAuthn.
	Passkeys bool
	// NoPassword leaves the password form out: the workspace the app
	// asked for lets its members sign in with passkeys only. The page
	// says so, and offers the passkey sign-in when Passkeys is set.
	NoPassword bool
	// Upstreams are the upstream identity providers offered: a "Sign in
	// with ..." button each, posting csrf_token, flow and next to POST
	// /login/upstream/{ID}.
	Upstreams []UpstreamButton
	// SSO adds "Use single sign-on" to the form, a button posting the
	// email alone with sso=1: some connector routes email domains
	// (home-realm discovery).
	SSO bool
}

// UpstreamButton is an upstream identity provider on the sign-in page.
type UpstreamButton struct {
	// ID is the connector's ID, the last segment of the form's action.
	ID string
	// Name and NameZH are its display names in English and Simplified
	// Chinese (NameZH empty: Name in both).
	Name, NameZH string
	// Icon is one of upstream.Icons, drawn as a badge before the name;
	// empty for none.
	Icon string
}

// iconMarks are the badges' letters, by icon name (upstream.Icons):
// the provider's initial, or its name's first character in Chinese.
var iconMarks = map[string]string{
	"google": "G", "microsoft": "M", "apple": "A", "github": "GH", "gitlab": "GL", "okta": "O",
	"wecom": "企", "dingtalk": "钉", "feishu": "飞", "lark": "L", "wechat": "微",
	"directory": "D", "saml": "S", "sso": "ID",
}

// Label is the provider's name in the language loc.
func (b UpstreamButton) Label(loc Locale) string {
	if loc == i18n.Chinese && b.NameZH != "" {
		return b.NameZH
	}
	return b.Name
}

type loginView struct {
	meta
	LoginPage
	ErrorText string
	// Script is the passkey script's URL.
	Script string
	// Buttons are the Upstreams' buttons, in order.
	Buttons []upstreamView
}

type upstreamView struct {
	ID    string
	Label string
	// Icon and Mark are the badge's class suffix and letters, empty for
	// none.
	Icon, Mark string
}

// Login renders the sign-in page with the given status: 200, or a 4xx
// after a failed attempt.
func (r *Renderer) Login(w http.ResponseWriter, req *http.Request, status int, p LoginPage) error {
	loc := r.Locale(req, p.UILocales)
	v := loginView{
		meta:      r.meta(loc),
		LoginPage: p,
		ErrorText: r.message(req.Context(), loc, "error", p.Error, arg(p.ErrorArg)...),
		Script:    r.scriptURL,
	}
	for _, b := range p.Upstreams {
		view := upstreamView{ID: b.ID, Label: r.message(req.Context(), loc, "upstream", "upstream.signin", b.Label(loc))}
		if mark, ok := iconMarks[b.Icon]; ok {
			view.Icon, view.Mark = b.Icon, mark
		}
		v.Buttons = append(v.Buttons, view)
	}
	return r.render(w, req, status, pageLogin, loc, v)
}
