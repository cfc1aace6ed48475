// Package login owns signing in and out of the provider:
//
//	GET  /login?flow=ID        the sign-in page for a parked authorization request
//	POST /login                check the password, start the browser session
//	GET  /oauth2/logout        RP-initiated logout: ask the user to confirm
//	POST /oauth2/logout        end the session, return to the app if it may be
//
// A sign-in always belongs to a flow that provider/oauth parked; after it
// the browser goes back to /oauth2/auth?flow=ID, which continues the
// authorization (consent, then the code). Logout follows OpenID Connect
// RP-Initiated Logout 1.0: the return address must be registered for the
// client named by client_id or by the id_token_hint's audience, or the user
// stays on our page.
package login
