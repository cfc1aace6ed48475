package oauth

import "time"

// Observer is told what the protocol endpoints did, for metrics. Its
// methods are called on the request path: they must be cheap and safe for
// concurrent use.
type Observer interface {
	// TokenIssued is called after each successful token response, with
	// its grant type (authorization_code, refresh_token or
	// client_credentials) and the client's ID.
	TokenIssued(grantType, clientID string)
	// Introspected is called once per introspection request with its
	// result, one of the Introspection* constants, and the time taken.
	Introspected(result string, d time.Duration)
}

// Results of an introspection request, as reported to the Observer.
const (
	// IntrospectionActive: the answer described an active token.
	IntrospectionActive = "active"
	// IntrospectionInactive: the answer was {"active":false}: the token is
	// unknown, expired or revoked, or the caller may not see it.
	IntrospectionInactive = "inactive"
	// IntrospectionError: the request had no token, or looking the token
	// up failed (the answer is then {"active":false}, and the fault logged).
	IntrospectionError = "error"
	// IntrospectionUnauthorized: the caller did not authenticate as a
	// confidential client or resource server.
	IntrospectionUnauthorized = "unauthorized"
)

// IntrospectionResults lists every result Introspected reports.
func IntrospectionResults() []string {
	return []string{IntrospectionActive, IntrospectionInactive, IntrospectionError, IntrospectionUnauthorized}
}

// nopObserver is the Observer of a provider configured without one.
type nopObserver struct{}

func (nopObserver) TokenIssued(string, string)         {}
func (nopObserver) Introspected(string, time.Duration) {}
