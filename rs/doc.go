// Package rs protects the HTTP APIs of IM services (resource servers)
// with TokenIM Auth access tokens.
//
// A [Verifier] checks a bearer token in one of two ways:
//
//   - A JWT access token (RFC 9068, "typ": "at+jwt") is verified locally:
//     its signature against the provider's JWKS (found through discovery,
//     cached, fetched again when a token names an unknown key id, at most
//     once per Config.JWKSRefreshInterval), then "iss", "aud", "exp",
//     "nbf" and "iat" with a small leeway. Such a token is not looked
//     up at the provider, so it stays valid until its "exp" even when
//     revoked: the invalidation methods below concern introspected tokens.
//   - Any other token is opaque and is introspected (RFC 7662) at
//     {issuer}/oauth2/introspect with the resource server's own client
//     credentials (client_secret_basic). Answers are kept in a bounded
//     in-process LRU cache: an active token no longer than its "exp" and
//     Config.CacheTTL, an inactive one for Config.NegativeTTL, so a revoked
//     token cannot hammer the provider; concurrent requests carrying the
//     same uncached token share one introspection. [Verifier.Invalidate],
//     [Verifier.InvalidateSubject] and [Verifier.InvalidateAll] drop entries
//     when a revocation is learnt of.
//
// [Verifier.Middleware] reads "Authorization: Bearer", verifies the token
// and puts its [Token] in the request context ([FromContext]). It answers
// as RFC 6750 section 3 says: 401 with WWW-Authenticate and no error code
// when the request has no token, 401 invalid_token for a token that is
// expired, revoked, unknown or malformed, 400 invalid_request for a
// malformed Authorization header, and 503 when the provider cannot be
// reached to decide. [RequireScope] guards one route and answers 403
// insufficient_scope naming the missing scopes. Every refusal also has a
// JSON body {"error": ..., "error_description": ...}.
//
// Usage:
//
//	v, err := rs.New(rs.Config{
//		Issuer:       "https://auth.example.com",
//		ClientID:     "im-gateway",
//		ClientSecret: os.Getenv("TOKENIM_RS_CLIENT_SECRET"),
//		Audience:     "https://im.example.com",
//	})
//	if err != nil {
//		return err
//	}
//	mux := http.NewServeMux()
//	mux.Handle("POST /messages", rs.RequireScope("im:messages.send")(http.HandlerFunc(send)))
//	mux.Handle("GET /messages", rs.RequireScope("im:messages.read")(http.HandlerFunc(list)))
//	srv := &http.Server{Handler: v.Middleware(mux)}
//
// and inside a handler:
//
//	tok, _ := rs.FromContext(r.Context())
//	log.Println(tok.Subject, tok.ClientID, tok.Scopes)
//
// The package keeps no global state and records no metrics; it logs
// provider faults (never a token) to Config.Logger.
package rs
