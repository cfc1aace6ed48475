// Package device serves the verification side of the device authorization
// grant (RFC 8628): the page where a person signed in on a browser, often
// their phone, approves a sign-in started on another device — an IM
// desktop app, a meeting-room screen, a CLI — and the QR codes such a
// device shows. Routes:
//
//	GET  /device               ask for the user code; with ?user_code=, show
//	                           which app and device ask (verification_uri_complete),
//	                           and the workspace, or a choice of them
//	                           (?workspace= checks one)
//	POST /device               approve or deny (CSRF-checked)
//	GET  /device/qr.png        the QR code of verification_uri_complete for
//	                           ?user_code=, as PNG
//	GET  /device/qr.svg        the same, as SVG
//
// The request is for one workspace of the user's (workspace.go): the one
// its organization parameter named (a user who is not an active member of
// it is refused, and the device gets access_denied), else the user's only
// active workspace, else the one the user chooses on the page, posted with
// the approval (POST field workspace) and checked again. The user's role
// there caps the scopes approving grants (consent.RoleScopes), and the
// workspace's sign-in policy applies (RequireMFA, SignInMethods,
// SessionLifetime: provider/session's rules).
//
// Control passes by redirect: a visitor who is not signed in, or whose
// session does not meet the role's or the workspace's policy, goes to
// /login?next=/device?... and comes back (with the workspace chosen). The decision is stored on the device authorization
// request (storage.DeviceAuthorizations), where the token endpoint
// (provider/oauth) finds it when the device polls. Approving also
// remembers the grant (consent.Remember), so it shows on the account page
// and can be withdrawn there; each decision is an authorization record.
package device

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). It is an alias of the
// same interface type in every package that mounts routes, so each one's
// Mount is a provider.Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
