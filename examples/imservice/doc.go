// Command imservice is an example IM message service protected by the rs
// package: every request needs a TokenIM Auth access token, checked by
// introspection (or locally, for a JWT access token).
//
//	POST /messages   send a message; needs im:messages.send
//	                 body {"to": "...", "text": "..."}
//	GET  /messages   the messages sent to or by the caller; needs im:messages.read
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
package main
