// Package oauth wires fosite into TokenIM Auth and owns the protocol
// endpoints. OPTIONS is the CORS preflight: the public documents' always,
// the others' when Config.CORS is set. Routes:
//
//	GET              /oauth2/auth                             authorization endpoint (RFC 6749 section 3.1)
//	POST,OPTIONS     /oauth2/token                            token endpoint (RFC 6749 section 3.2)
//	POST             /oauth2/introspect                       token introspection (RFC 7662)
//	POST,OPTIONS     /oauth2/revoke                           token revocation (RFC 7009)
//	POST             /oauth2/par                              pushed authorization requests (RFC 9126)
//	POST,OPTIONS     /oauth2/device/auth                      device authorization (RFC 8628 section 3.1)
//	GET,POST,OPTIONS /userinfo                                OpenID Connect UserInfo
//	GET,OPTIONS      /.well-known/openid-configuration        OpenID Connect Discovery 1.0
//	GET,OPTIONS      /.well-known/oauth-authorization-server  the same document (RFC 8414)
//	GET,OPTIONS      /.well-known/jwks.json                   the public signing keys
//	/oauth2/token                                             405 with Allow to any other method
//	/oauth2/introspect                                        405 with Allow to any other method
//	/oauth2/revoke                                            405 with Allow to any other method
//	/oauth2/par                                               405 with Allow to any other method
//	/oauth2/device/auth                                       405 with Allow to any other method
//
// A pushed request is kept as a token record of kind par under a keyed
// hash of its request_uri; /oauth2/auth?client_id=...&request_uri=...
// uses it up and continues as if its parameters had been sent there. A
// client with RequirePAR is refused at /oauth2/auth without one.
//
// ID tokens are signed with the current key of the algorithm their
// client registered (id_token_signed_response_alg, RS256 by default), and
// discovery lists every algorithm kept (signing.go). A client whose access
// token format is jwt gets RFC 9068 JWT access tokens signed with the key
// of the provider's own algorithm (keys.algorithm, jwt_access.go); they
// are stored and introspected like opaque ones.
//
// Each authorization response records the browser session's sign-in to
// the client (storage.BackchannelLogouts), and LogoutToken signs the
// logout tokens provider/backchannel sends when that session ends (OpenID
// Connect Back-Channel Logout 1.0, logout_token.go).
//
// The token, revocation, device authorization and userinfo endpoints
// answer browsers' cross-origin requests through Config.CORS
// (provider/cors), and refuse a request from a browser origin the client
// it is for may not be called from (checkOrigin) before doing anything;
// discovery and the JWKS answer any origin. A browser app's refresh tokens
// never outlive its sign-in's first one, which BrowserRefreshTokenLifespan
// bounds (boundRefresh).
//
// What fosite leaves loose is checked here, once each: every parameter is
// sent once (provider/params, at every endpoint); an authorization
// request is at most 8 KiB with no parameter over 2 KiB, or it ends on the
// error page, and an error description sent back in a redirect is cut to
// 512 bytes (request.go); the redirect URI is exactly a registered one,
// except a native app's loopback URI, whose port alone may change (RFC
// 8252 section 7.3), and never carries a user@ part (checkRedirectURI);
// the response modes are query and form_post (a page of provider/web that
// posts the response, with iss, to the redirect URI), and an unsupported
// one is answered in the query once the redirect URI is checked. Only an
// access token opens /userinfo and the admin API, and only from the Authorization header or a POST
// body (accessToken, bearerToken). Errors of the JSON endpoints are RFC
// 6749-shaped (protocolError): server_error for a fault of ours, 503
// temporarily_unavailable with Retry-After when the store cannot be
// reached (storage.ErrUnavailable).
//
// fosite does the protocol; this package composes exactly the handlers we
// support (authorization code with PKCE, refresh with rotation, client
// credentials, OpenID Connect, introspection, revocation, pushed
// authorization requests) and adapts the store (Store: what it uses of
// storage.Store) to the storage interfaces those handlers expect. fosite types stop here: the rest of
// the provider sees storage records.
package oauth

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). It is an alias of the
// same interface type in every package that mounts routes, so each one's
// Mount is a provider.Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
