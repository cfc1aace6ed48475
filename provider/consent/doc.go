// Package consent asks the user whether an app may act for them:
//
//	GET  /consent?flow=ID   the consent page for a parked authorization request
//	POST /consent           record the decision (and remember it if asked)
//
// provider/oauth parks a request and sends the browser here when no
// remembered consent covers the requested scopes. The decision is written
// to the flow (and, with "remember this decision", to the grant store),
// and the browser goes back to /oauth2/auth?flow=ID, which grants what the
// user allowed or answers the app with access_denied.
package consent
