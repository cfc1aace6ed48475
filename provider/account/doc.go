// Package account is the signed-in user's own page. Routes:
//
//	GET  /account                          security: passkeys, two-step verification, password, sign-in providers, apps, sign-in sessions
//	POST /account/passkeys/options         start adding a passkey (JSON, for the passkey script)
//	POST /account/passkeys                 finish it: the name and the authenticator's answer checked, stored, recorded
//	POST /account/passkeys/{ref}/rename    rename one of the user's passkeys (name)
//	GET  /account/passkeys/{ref}/remove    the step confirming a passkey's removal (a fresh sign-in)
//	POST /account/passkeys/{ref}/remove    remove one of the user's passkeys (a fresh sign-in)
//	POST /account/mfa/enrol                start setting up TOTP (QR code and secret)
//	POST /account/mfa/confirm              confirm with a first code; recovery codes are shown once
//	POST /account/mfa/disable              turn TOTP off (password and a code)
//	POST /account/mfa/recovery             a new set of recovery codes, shown once (a current code)
//	POST /account/password                 change the password; every other session and token ends
//	POST /account/links/{id}               link the identity connector id vouches for (a fresh sign-in; with Config.Upstreams)
//	POST /account/links/{id}/remove        unlink the identity of connector id the form's subject names
//	POST /account/sessions/signout         sign out one other browser (its row's reference)
//	POST /account/sessions/signout-all     sign out every other browser
//	POST /account/apps/revoke              withdraw an app's access (consent and tokens)
//	POST /account/apps/conversations/revoke  withdraw an app's access to one conversation (its tokens; the rest stays granted)
//
// A browser that is not signed in is sent to /login?next=/account (the
// removal step to /login?next= its own address, to come back to it).
// Wrong codes count on the account's second-factor key, as at sign-in,
// and wrong passwords on its email's key; both are checked before the
// password or the code is. Passwords are checked and hashed through the
// process's password.Pool (Config.Hasher).
//
// A passkey is named in addresses by {ref}, its credential ID in unpadded
// base64url; one that is not, or that names another account's passkey or
// none, is answered 404 with the account page, the same in every case.
// Names follow passkey.Name. Adding a passkey is the WebAuthn ceremony's
// (provider/passkey); the page carries its form.
//
// A fresh sign-in is one within Config.FreshSignIn (5 minutes unless
// set). Removing a passkey asks for one: a browser signed in longer ago
// is sent to /login?next=/account/passkeys/{ref}/remove and comes back to
// the confirmation step. Changing the password asks for the current
// password unless the sign-in is fresh and reached two factors
// (session.ACRTwoFactor or higher). The change ends every session of the
// user (back-channel logouts are queued for them) and revokes every token
// in one transaction with its record; this browser is given a new session
// of the same sign-in (session.Manager.Renew, no fresher than it was), as
// after "sign out everywhere".
//
// Sign-in providers: the page lists the upstream identities linked to
// the account (storage.LinkedIdentity), named as the connector in use is
// (by its ID when it no longer is), and, with Config.Upstreams, a "Link"
// button for each connector in use the account has no link with (no
// section at all with no connector in use and no link). Linking
// asks for a fresh sign-in, as removing a passkey does (a browser signed
// in longer ago is sent to /login?next=/account), refuses a connector not
// in use (400) or one the account has a link with already (409), then
// hands over to Upstreams.StartLink; provider/login finishes the link
// when the upstream answers, and comes back to /account?linked={id},
// which says it did when the account has a link of connector id. Unlinking names the link by connector and
// subject: one that is not the account's is answered 404, and the
// account's last way in (no password, no passkey, no other link) is kept
// and answered 409; otherwise the link goes, with its upstream.unlinked
// record, in one transaction holding the account's row.
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
