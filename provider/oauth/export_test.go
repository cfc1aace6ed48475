package oauth

// The bounds of an authorization request, for the external tests.
const (
	MaxParameter      = maxParameter
	MaxAuthorizeQuery = maxAuthorizeQuery
)
