// Package backchannel sends OpenID Connect Back-Channel Logout 1.0
// notifications: when a browser session ends (sign-out, sign-out
// everywhere, a password reset, an account disabled), each client the
// session signed in to that registered a backchannel_logout_uri is sent a
// logout token by a direct POST from the provider (section 2.5), so that
// it can end its own session of the user without the browser.
//
// It owns no route. The notifications are queued by the store itself, in
// the same write that deletes the session (storage.BackchannelLogouts), so
// a sign-out that commits is always followed by its notifications and one
// that rolls back by none. A Sender on every node (Run, started by serve)
// takes due deliveries with SELECT ... FOR UPDATE SKIP LOCKED under a
// lease, so no two nodes send the same one at once, signs a fresh logout
// token for each attempt (the queue holds no bearer credential), and POSTs
// it without following redirects. A network error or a status other than
// 2xx is retried with exponential backoff (Config.Retry doubling up to
// Config.MaxRetry) up to Config.Attempts sends, then given up. Each
// outcome, delivered or given up, is an authorization record
// (logout.notified, logout.failed) with the client, the subject, the
// attempts and the last HTTP status, and each attempt is reported to
// Config.Observer (metrics) as delivered, retried or failed (given up).
package backchannel
