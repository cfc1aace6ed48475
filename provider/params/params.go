// Package params holds the checks every protocol endpoint makes of its
// parameters before reading them, so that the authorization, PAR, token,
// device authorization, introspection, revocation and logout endpoints
// agree: each parameter is sent once (RFC 6749 section 3.1), except the
// few a specification lets repeat.
package params

import (
	"net/url"
	"slices"
)

// repeatable reports whether a parameter may be sent more than once:
// audience (RFC 8693 section 2.1, which fosite reads value by value) and
// resource (RFC 8707 section 2: one per resource the token is for).
func repeatable(name string) bool {
	return name == "audience" || name == "resource"
}

// Repeated returns the name of a parameter of form sent more than once
// (the first in sorted order, so the answer does not depend on map
// order), or "" when there is none. "Request and response parameters
// MUST NOT be included more than once" (RFC 6749 section 3.1): a repeated
// grant_type, client_id or redirect_uri leaves it to chance which value a
// check reads and which one is used.
func Repeated(form url.Values) string {
	var names []string
	for name, values := range form {
		if len(values) > 1 && !repeatable(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return slices.Min(names)
}
