// Package account is the signed-in user's own page. Routes:
//
//	GET  /account                         security: two-step verification, sign-in sessions
//	POST /account/mfa/enrol               start setting up TOTP (QR code and secret)
//	POST /account/mfa/confirm             confirm with a first code; recovery codes are shown once
//	POST /account/mfa/disable             turn TOTP off (password and a code)
//	POST /account/mfa/recovery            a new set of recovery codes, shown once (a current code)
//	POST /account/sessions/signout        sign out one other browser (its row's reference)
//	POST /account/sessions/signout-all    sign out every other browser
//	POST /account/apps/revoke             withdraw an app's access (consent and tokens)
//
// A browser that is not signed in is sent to /login?next=/account. Wrong
// codes count on the account's second-factor key, as at sign-in, and
// wrong passwords on its email's key; both are checked before the
// password or the code is. The password is checked through the process's
// password.Pool (Config.Hasher).
package account

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). It is an alias of the
// same interface type in every package that mounts routes, so each one's
// Mount is a provider.Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
