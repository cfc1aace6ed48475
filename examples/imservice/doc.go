// Command imservice is an example IM message service protected by the rs
// package: every request needs a TokenIM Auth access token, checked by
// introspection (or locally, for a JWT access token).
//
//	POST /messages   send a message; needs im:messages.send
//	                 body {"to": "...", "text": "..."}
//	POST /conversations/{id}/messages
//	                 send a message to the conversation conv:{id}; needs
//	                 messages.send in that conversation (an RFC 9396
//	                 authorization detail, rs.RequireConversation) or
//	                 im:messages.send; body {"text": "..."}
//	GET  /messages   the messages sent to or by the caller; needs im:messages.read
//	GET  /messages/export
//	                 the same, as a file to download; needs im:messages.read
//	                 and a two-factor sign-in (acr 2) at most 10 minutes old
//	POST /workspaces/{ws}/messages, GET /workspaces/{ws}/messages
//	                 the same as /messages, within the workspace ws (its ID
//	                 or handle); only a token issued for that workspace
//	                 (org_id, org_handle) gets through (rs.RequireWorkspace)
//
// The export is guarded with rs.RequireAuth (OAuth 2.0 Step Up
// Authentication, RFC 9470): a token from a one-factor sign-in, or from a
// sign-in older than ten minutes, is refused with 401 and
//
//	WWW-Authenticate: Bearer realm="imservice", error="insufficient_user_authentication",
//	  error_description="...", acr_values="2", max_age="600"
//
// upon which the app sends its user to the provider's authorization
// endpoint with acr_values=2 and max_age=600 and retries with the new
// access token.
//
// Every challenge names the service's protected resource metadata (RFC
// 9728), which it serves to anyone at
// /.well-known/oauth-protected-resource (followed by the path of
// -resource, when it has one): an agent that knows only the service's URL
// reads there that the provider (-issuer) is its authorization server,
// and the scopes it asks for. -resource is the service's resource
// identifier, its https URL; by default http:// and the -listen address,
// which must then be a loopback one.
//
// Messages live in memory. The service introspects tokens as a resource
// server client of the provider, and follows its revocation stream
// (rs.Verifier.FollowRevocations, GET /oauth2/revocations) with the same
// credentials: an opaque token revoked at the provider is refused as soon
// as the provider streams the revocation, though its active introspection
// answer is otherwise reused for up to -cache-ttl. (A JWT access token is
// checked locally and stays valid until it expires.)
//
// Run it as:
//
//	TOKENIM_RS_CLIENT_SECRET=... go run ./examples/imservice \
//		-issuer http://127.0.0.1:8080 -client-id demo-gateway -listen 127.0.0.1:8090
//
// and behind a TLS-terminating proxy at https://im.example.com, with
// -resource https://im.example.com.
package main
