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
// [Verifier.Middleware] reads "Authorization: Bearer" (or "DPoP", below), verifies the token
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
//	mux.Handle("GET /messages/export", rs.RequireScope("im:messages.read")(
//		rs.RequireAuth(rs.ACRTwoFactors, 10*time.Minute)(http.HandlerFunc(export))))
//	srv := &http.Server{Handler: v.Middleware(mux)}
//
// and inside a handler:
//
//	tok, _ := rs.FromContext(r.Context())
//	log.Println(tok.Subject, tok.ClientID, tok.Scopes, tok.ACR, tok.AuthTime)
//
// # Step-up (RFC 9470)
//
// A [Token] of a user tells that user's sign-in, from introspection or
// the JWT alike: [Token.ACR] its level, [Token.AMR] its methods (RFC
// 8176), [Token.AuthTime] when it happened (a refresh keeps the sign-in of
// the grant). The levels TokenIM Auth issues, weakest first:
//
//	acr  sign-in
//	1    one factor: a password, or a passkey that did not verify its user
//	2    two factors: a password and an authenticator app's code or a recovery code
//	3    two factors, one of them a passkey (phishing-resistant)
//
// [RequireAuth] guards a route that needs more than a scope, such as
// exporting a chat history: a token whose sign-in is below a level or
// older than a maximum age gets 401 insufficient_user_authentication with
// acr_values and max_age in the challenge. The app then sends its user to
// the provider's authorization endpoint with those acr_values and max_age
// (RFC 9470 section 4), and retries with the new access token.
//
// # Grants as narrow as one conversation (RFC 9396)
//
// An app may be granted access to single conversations and channels
// rather than to all of a user's: the token then carries
// authorization_details (in introspection and in the JWT alike), such as
//
//	[{"type": "im_conversation", "actions": ["messages.send"], "locations": ["conv:launch"]}]
//
// [RequireConversation] guards a route about one conversation: it lets a
// request through when the token has a detail naming that conversation
// (or channel: "chan:ID") and the action, or the action's broad scope
// ([ScopeForAction]: im:messages.send for messages.send), which the user
// granted for every conversation; otherwise 403 insufficient_scope naming
// that scope. A service that wants per-conversation grants only checks
// [Token.HasConversationDetail] itself.
//
//	mux.Handle("POST /conversations/{id}/messages", rs.RequireConversation("messages.send",
//		func(r *http.Request) string { return "conv:" + r.PathValue("id") })(http.HandlerFunc(send)))
//
// # Protected resource metadata (RFC 9728)
//
// With Config.Resource set to the service's URL, an agent (an MCP client,
// say) that knows nothing but that URL finds the provider by itself. Every
// challenge of the Verifier (401 without a token or with an invalid one,
// 403 insufficient_scope, the step-up 401, 400 invalid_request) names the
// service's metadata (RFC 9728 section 5.1):
//
//	HTTP/1.1 401 Unauthorized
//	WWW-Authenticate: Bearer realm="im",
//	  resource_metadata="https://im.example.com/.well-known/oauth-protected-resource"
//
// and [Verifier.MetadataHandler] serves that document, public and
// cacheable, at [Verifier.MetadataPath] (the well-known suffix followed by
// the resource's path, section 3.1):
//
//	{"resource": "https://im.example.com",
//	 "authorization_servers": ["https://auth.example.com"],
//	 "scopes_supported": ["im:messages.read", "im:messages.send"],
//	 "bearer_methods_supported": ["header"],
//	 "resource_name": "TokenIM messages",
//	 "dpop_signing_alg_values_supported": ["ES256", "ES384", "EdDSA", "RS256", "PS256"],
//	 "dpop_bound_access_tokens_required": false}
//
// The agent reads the provider's discovery document at the first
// authorization server (Config.Issuer) + "/.well-known/openid-configuration"
// and gets a token there. Mount the document outside the middleware:
//
//	v, err := rs.New(rs.Config{
//		Issuer: "https://auth.example.com", ClientID: "im-gateway", ClientSecret: secret,
//		Audience:        "https://im.example.com",
//		Resource:        "https://im.example.com",
//		ScopesSupported: []string{"im:messages.read", "im:messages.send"},
//		ResourceName:    "TokenIM messages",
//	})
//	mux := http.NewServeMux()
//	mux.Handle(v.MetadataPath(), v.MetadataHandler())
//	mux.Handle("/", v.Middleware(api))
//
// The resource identifier is an https URL (http on a loopback host only)
// without query or fragment, in printable ASCII without spaces, '"' or '\'
// (New refuses anything else, so that the challenge quotes it unchanged).
// Setting it changes no token check: a token's audience is checked
// against Config.Audience, usually the same URL.
//
// # Signed introspection answers (RFC 9701)
//
// With Config.SignedIntrospection the Verifier asks for introspection
// answers as JWTs the provider signed and takes nothing else: the media
// type, the typ header, the signature by a key of the provider's JWKS,
// iss, aud (Config.ClientID) and an iat at most a minute old are checked
// before the answer is read. Any other answer is a provider fault
// (ErrUnavailable).
//
// # DPoP-bound tokens (RFC 9449)
//
// An app that sent a DPoP proof with its token request holds a token bound
// to its key: introspection and the JWT say cnf.jkt ([Token.JKT]). The
// Middleware accepts such a token only as "Authorization: DPoP <token>"
// with a DPoP header holding a fresh proof of that key for this request
// (htm, htu, iat, ath, a jti never seen before), so a copied token is
// useless without the private key; it refuses the token as a bearer token.
// Refusals are DPoP challenges (RFC 9449 section 7.1):
//
//	HTTP/1.1 401 Unauthorized
//	WWW-Authenticate: DPoP algs="ES256 ES384 EdDSA RS256 PS256", realm="im",
//	  error="invalid_dpop_proof", error_description="..."
//
// and a request without a token is offered both schemes. Config.DPoP sets
// the rest: Required refuses bearer tokens altogether; Replays shares the
// proofs seen between the instances of a service (by default each
// Verifier remembers them in memory); Nonces makes proofs carry a server
// nonce (401 use_dpop_nonce with DPoP-Nonce); URL tells the URL a client
// addressed when a proxy changes it (by default Config.Resource's origin
// with the request's path). The proofs are checked by the dpop package,
// the same code the provider's token endpoint uses.
//
// The package keeps no global state and records no metrics; it logs
// provider faults (never a token) to Config.Logger.
package rs
