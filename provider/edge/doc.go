// Package edge checks what a request carries before any handler reads it,
// and is the one place that peeks at a form body without taking it from
// the handler (PeekForm; provider/ratelimit reads client IDs with it).
//
// Middleware refuses a request whose decoded path, query (keys and
// values) or application/x-www-form-urlencoded body holds a byte sequence
// that is not UTF-8, or a NUL: no handler can do anything useful with
// them, and Postgres refuses them in text (SQLSTATE 22021), which would
// otherwise surface as a server error on every route that looks a value
// up. Path values are pieces of the decoded path, so checking the path
// covers them. The answer is 400: an RFC 6749 section 5.2-shaped JSON
// invalid_request on the protocol and API routes (Protocol), provider/web's
// error page, in the browser's language, on the pages. A page's form body
// longer than MaxFormBytes is refused with 413 (no page of ours posts
// one); the protocol routes, and an upstream's callback where a SAML IdP
// posts its Response (BoundsOwnForm), bound their bodies themselves, so a
// longer one reaches its handler unread.
//
// The checks are cheap: a query or form without a percent escape is
// validated in place, one with escapes is decoded into a buffer and
// validated once (utf8.Valid), with no url.ParseQuery. A form body is read
// at most once here, up to MaxFormBytes, and put back in front of the rest.
//
// What slips past (a multipart body, a JSON string with \u0000) is caught
// by the second line: the backends return storage.ErrInvalidInput, which
// the pages and the admin API answer with 400.
package edge
