// Package ratelimit caps how often a client or an address may call the
// endpoints that cost the most or invite guessing: the token endpoint,
// introspection, sign-in (the password and the second-factor steps) and
// the account pages that hash a password, send mail or check a secret.
//
// A Limiter keeps one budget per key ("token:client:chat-web",
// "login:ip:192.0.2.7") with the generic cell rate algorithm (GCRA): Rate
// requests per Period, of which up to Burst may come at once. With Redis
// the budgets live there (go-redis/redis_rate), so every node sharing that
// Redis spends the same budget; without Redis (dev mode, one node) they
// live in the process (golang.org/x/time/rate, the least recently used keys
// forgotten beyond a bound). A Redis fault never fails a request: that
// request is counted in the process instead, and a warning is logged at
// most every ten seconds.
//
// Middleware applies a list of Rules, each naming a route as http.ServeMux
// spells it ("POST /oauth2/token"), before the handler runs. A refused
// request gets 429 Too Many Requests with Retry-After in whole seconds: an
// RFC 6749-shaped JSON error ("rate_limited") on the protocol endpoints, a
// page in the reader's language on the sign-in pages. The client of a
// request is read the way RFC 6749 section 2.3.1 sends it (HTTP Basic, or
// client_id in the form, or the subject of a client assertion, RFC 7523)
// without taking the body from the handler; the client is not
// authenticated here, so a per-client budget bounds what one client ID can
// cost, while the per-IP budget bounds a caller trying many IDs.
package ratelimit
