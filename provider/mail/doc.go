// Package mail sends the provider's email: the account mails (email
// activation after registration, password reset, the note to an
// account's owner that someone tried to register with their address, and
// the invitation to choose a password of an account an administrator
// created) and the transports that deliver them.
//
// A Sender delivers one Message. Production uses SMTP, a client of a real
// mail server (STARTTLS or implicit TLS, optional AUTH) built on go-mail.
// Dev mode has no mail server: Outbox keeps the last messages in memory,
// logs where each can be read, and shows them on two pages, so that the
// links they carry can be followed.
//
// Outbox.Mount mounts its pages in dev mode only. Routes:
//
//	GET /dev/outbox        the kept messages, newest first
//	GET /dev/outbox/{id}   one message: subject, recipient, HTML and text bodies, its links
//
// A Composer renders the account mails from the templates under
// templates/, in English or Simplified Chinese, as a plain-text and an
// HTML body with the same content. The handlers that own registration and
// password reset (provider/login) and the admin API (provider/admin) make
// the one-time link (provider/links), compose the message and hand it to
// a Sender; this package never makes links and never decides who gets
// mail.
//
// Message bodies carry one-time links, which are secrets: no error or log
// line of this package contains a body. The Outbox is the deliberate
// exception: in dev mode following those links is the point.
package mail

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). It is an alias of the
// same interface type in every package that mounts routes, so each one's
// Mount is a provider.Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
