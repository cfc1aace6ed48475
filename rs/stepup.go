package rs

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The levels of sign-in (the "acr" claim) TokenIM Auth issues, weakest
// first; a higher level meets a requirement for a lower one.
const (
	// ACROneFactor is a sign-in with one factor: a password alone, or a
	// passkey that did not verify its user.
	ACROneFactor = "1"
	// ACRTwoFactors is a sign-in with two factors: a password and an
	// authenticator app's code or a recovery code.
	ACRTwoFactors = "2"
	// ACRPasskey is a sign-in with two factors one of them a passkey (a
	// passkey that verified its user, or a password and a passkey); it
	// resists phishing.
	ACRPasskey = "3"
)

// insufficientUserAuthentication is RFC 9470's error code (section 3).
const insufficientUserAuthentication = "insufficient_user_authentication"

// RequireAuth returns middleware letting a request through only when the
// user's sign-in behind the token Middleware put in its context is strong
// enough and recent enough, for a route that needs more than the token's
// scope (exporting a chat history, changing a phone number): OAuth 2.0
// Step Up Authentication (RFC 9470). It belongs inside Middleware, like
// RequireScope; a request without a verified token gets 401.
//
// acr is the least level the sign-in must have: the provider's levels
// ACROneFactor < ACRTwoFactors < ACRPasskey compare by rank (any decimal
// level meets a requirement for a lower one), any other value must be the
// token's "acr" exactly, and "" requires no level. maxAge is the most time
// since that sign-in ("auth_time"), counted in whole seconds as max_age
// is (a fraction of a second is dropped; a positive maxAge under a second
// is one second); maxAge <= 0 requires no age, and a token that does not
// say when its user signed in (a client-credentials token, say) fails an
// age requirement. The time is the Verifier's Config.Now.
//
// A token that falls short is refused with 401 and the error
// insufficient_user_authentication, in the challenge and the JSON body,
// which name every requirement of the route (acr_values when acr is set,
// max_age when maxAge is), whichever the token failed:
//
//	HTTP/1.1 401 Unauthorized
//	WWW-Authenticate: Bearer realm="im", error="insufficient_user_authentication",
//	  error_description="A stronger or more recent sign-in is required: ...",
//	  acr_values="2", max_age="600"
//
// The app reacts as RFC 9470 section 4 says: it sends its user to the
// provider's authorization endpoint again, with the challenge's values as
// the acr_values and max_age parameters, so that the provider asks the
// user to sign in again (with a second factor for acr_values=2), and
// retries the request with the access token it gets for the new code:
//
//	GET /oauth2/auth?response_type=code&client_id=chat-web&scope=...
//	  &acr_values=2&max_age=600&code_challenge=...&state=...
//
// acr must be printable ASCII without spaces, '"' or '\' (RFC 6750
// section 3 quoting); RequireAuth panics on any other value, as a mux
// panics on a malformed pattern, since that is a fault of the program.
//
// Usage, after RequireScope:
//
//	mux.Handle("GET /messages/export", rs.RequireScope("im:messages.read")(
//		rs.RequireAuth(rs.ACRTwoFactors, 10*time.Minute)(http.HandlerFunc(export))))
func RequireAuth(acr string, maxAge time.Duration) func(http.Handler) http.Handler {
	if unquotable(acr) {
		panic(fmt.Sprintf("rs: RequireAuth: acr %q is not printable ASCII without spaces, quotes or backslashes", acr))
	}
	var maxAgeSeconds int64
	if maxAge > 0 {
		maxAgeSeconds = max(int64(maxAge/time.Second), 1)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, ok := verified(w, r)
			if !ok {
				return
			}
			if short := a.token.shortOf(acr, maxAgeSeconds, a.now()); len(short) > 0 {
				a.challenge.refuse(w, http.StatusUnauthorized, errorBody{
					Error:       insufficientUserAuthentication,
					Description: "A stronger or more recent sign-in is required: " + strings.Join(short, ", and ") + ".",
					ACRValues:   acr,
					MaxAge:      maxAgeSeconds,
				})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// shortOf says how t's sign-in falls short of level acr and an age of at
// most maxAge seconds (none when 0) at now; nil when it meets both.
func (t Token) shortOf(acr string, maxAge int64, now time.Time) []string {
	var short []string
	switch {
	case meetsACR(t.ACR, acr):
	case t.ACR == "":
		short = append(short, "the access token's sign-in has no level (acr), and this request needs acr "+acr)
	default:
		short = append(short, "the access token's sign-in is below the level this request needs (acr "+acr+")")
	}
	switch {
	case maxAge == 0:
	case t.AuthTime.IsZero():
		short = append(short, "the access token does not say when its user signed in (auth_time), and this request needs a sign-in within "+seconds(maxAge))
	case now.Sub(t.AuthTime) > time.Duration(maxAge)*time.Second:
		short = append(short, "the access token's sign-in is older than this request allows (max_age "+seconds(maxAge)+")")
	}
	return short
}

// seconds says n seconds in words.
func seconds(n int64) string {
	if n == 1 {
		return "1 second"
	}
	return strconv.FormatInt(n, 10) + " seconds"
}

// meetsACR says whether a sign-in of level have meets a requirement for
// level want: decimal levels by rank, as the provider orders them, any
// other value exactly; "" requires nothing.
func meetsACR(have, want string) bool {
	if want == "" {
		return true
	}
	w, ok := acrRank(want)
	if !ok {
		return have == want
	}
	h, ok := acrRank(have)
	return ok && h >= w
}

// acrRank reads a decimal level: one to nine digits, no sign, no leading
// zero.
func acrRank(acr string) (int, bool) {
	if acr == "" || len(acr) > 9 || acr[0] == '0' {
		return 0, false
	}
	for _, c := range acr {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(acr)
	return n, err == nil
}
