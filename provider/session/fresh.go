package session

import (
	"slices"
	"strconv"
	"time"
)

// NeedsSignIn says whether the user must sign in (again): prompt=login
// asks for a sign-in made during this request (a resumed flow whose sign-in
// came after the request), max_age for one recent enough (OpenID Connect
// Core 1.0 section 3.1.2.1).
func NeedsSignIn(prompt []string, maxAge string, resumed bool, authTime, requestedAt, now time.Time) bool {
	if resumed && !authTime.Before(requestedAt) {
		// The user signed in during this very request.
		return false
	}
	if slices.Contains(prompt, "login") {
		return true
	}
	if maxAge == "" {
		return false
	}
	secs, err := strconv.ParseInt(maxAge, 10, 64)
	if err != nil || secs < 0 {
		return true
	}
	// max_age=0 asks for a sign-in every time.
	return secs == 0 || now.Sub(authTime) > time.Duration(secs)*time.Second
}
