// Package mailaddr holds the rule an account's email address must pass,
// wherever an account is made: self-registration, the admin API, the
// command line and the configuration's bootstrap users. It imports only
// the standard library.
package mailaddr

import netmail "net/mail"

// MaxLen is the most bytes of an address, as RFC 5321 section 4.5.3.1.3
// allows a path.
const MaxLen = 254

// Valid reports whether s is a bare address (RFC 5322 addr-spec: no
// display name, no angle brackets, no surrounding spaces) of at most
// MaxLen bytes: one the provider's mails can be sent to. The activation
// mail is the real check.
func Valid(s string) bool {
	a, err := netmail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= MaxLen
}
