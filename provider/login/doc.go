// Package login owns signing in and out of the provider. Routes:
//
//	GET  /login                the sign-in page for a parked authorization request (?flow=ID)
//	POST /login                check the password, start the browser session
//	GET  /login/mfa            the second step (or a step-up): a code or a passkey
//	POST /login/mfa            check the code, finish the sign-in
//	POST /login/passkey/options       start a passkey sign-in (JSON, for the passkey script)
//	POST /login/passkey               finish it: verify the answer, sign in
//	POST /login/mfa/passkey/options   start the second step with one of the account's passkeys
//	POST /login/mfa/passkey           finish it
//	POST /login/upstream/{id}          sign in through an upstream identity provider: to it, the state in a sealed cookie
//	GET  /login/upstream/callback/{id} back from it: check the state, find, link by email or create the account, or link it to the signed-in one (upstream.go)
//	POST /login/upstream/callback/{id} back from it by a cross-site POST (form_post, SAML): posted again from this site, with the state cookie
//	GET  /login/upstream/saml/{id}/metadata  a SAML connector's service-provider metadata, for the IdP
//	POST /login/upstream/backchannel/{id}   an upstream's back-channel logout token: end the sessions it started that it names (upstream_logout.go)
//	GET  /login/upstream/logged-out/{id}    back from the upstream's end-session endpoint: on to where our logout was going, by the sealed state (upstream_endsession.go)
//	GET  /login/directory/{id}         a directory connector's (LDAP) own sign-in page (directory.go)
//	POST /login/directory/{id}         the directory checks the user name and password; sign in or link as above
//	GET  /register             the registration page
//	POST /register             create a pending account, mail its activation link
//	GET  /activate             an activation link (?token=): a page whose button activates
//	POST /activate             activate the account of a live link
//	POST /activate/resend      mail a pending account a new activation link
//	GET  /password/forgot      ask for a reset link
//	POST /password/forgot      mail a reset link
//	GET  /password/reset       the new-password form of a live reset link (?token=)
//	POST /password/reset       set the new password, sign out everywhere
//	GET  /oauth2/logout        RP-initiated logout: ask the user to confirm
//	POST /oauth2/logout        with csrf_token: the page's form; end the session,
//	                           return to the app if it may be. Without: an
//	                           app's request by POST, sent on by GET (303)
//
// Emailed links change nothing when opened (mail scanners fetch them): a
// page checks the link, without using it (storage.Links.GetLink), and its
// form acts, checking it again. A link that is unknown, expired or used
// says so when opened, with the form asking for a new one in place of its
// own (POST /password/forgot, POST /activate/resend). Every
// password is hashed or checked through the process's one password.Pool
// (Config.Hasher), after the checks that cost nothing: the throttles, the
// link, the new password's rules; a full pool is answered 503 with
// Retry-After. Registration answers a taken address as a new one and
// mails its owner instead. Wrong second-factor codes count on the
// account's own second-factor key (throttle.SecondFactorKey), which a
// right password does not clear.
//
// Passkeys (when Config.Passkeys is set): the sign-in page offers "Sign
// in with a passkey" and the email field's autofill, and the second step
// offers the account's passkeys beside the authenticator code. The passkey
// script (templates/static/passkey.js) posts JSON to the passkey routes,
// which answer JSON: the options and sealed state of a ceremony
// (provider/passkey), then where the browser goes, or an error's text in
// the page's language. Each sign-in's amr and acr come from
// session.AMR and session.ACR: a passkey whose authenticator verified its
// user is two factors by itself.
//
// Step-up: when an authorization request asks more of a signed-in user
// than the sign-in had (acr_values, a role's second factor) but not a
// fresher one (prompt=login, max_age), GET /login sends the browser to
// the second step, which offers only what reaches the level asked (a
// passkey for level 3). A sign-in too old for max_age is a new sign-in,
// the email filled in.
//
// A sign-in always belongs to a flow that provider/oauth parked; after it
// the browser goes back to /oauth2/auth?flow=ID, which continues the
// authorization (consent, then the code). Logout follows OpenID Connect
// RP-Initiated Logout 1.0: the return address must be registered for the
// client named by client_id or by the id_token_hint's audience, or the user
// stays on our page.
//
// Ending the upstream's session too: a connector with EndUpstreamSession
// (config end_upstream_session, oidc only, off by default) whose upstream
// has an end_session_endpoint has it end its own session when a session
// it signed in ends by our logout. Our session ends first, as without it;
// then the browser goes to the upstream's end-session endpoint with
// client_id, post_logout_redirect_uri issuer + "/login/upstream/logged-out/"
// + the connector's ID (UpstreamLoggedOutPath: the address operators
// register at the upstream) and a state sealed for ten minutes holding
// where our logout was going. Back at the logged-out route, only that
// sealed destination is followed: the app's validated
// post_logout_redirect_uri with its state, or our signed-out page. An
// upstream out of reach leaves our logout as it is, logged and recorded
// (upstream.end_session).
package login

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). It is an alias of the
// same interface type in every package that mounts routes, so each one's
// Mount is a provider.Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
