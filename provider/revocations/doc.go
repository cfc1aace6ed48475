// Package revocations is the revocation stream for IM gateways. Routes:
//
//	GET /oauth2/revocations   Server-Sent Events, for resource-server clients
//
// An IM gateway holds long-lived connections opened with a token and must
// drop one the moment its token, grant or user is revoked. It subscribes
// here, authenticated as a resource-server client (HTTP Basic with its
// secret, as at introspection), and receives one event per revocation
// made on any node:
//
//	id: 1842
//	event: revocation
//	data: {"seq":1842,"kind":"grant","action":"consent.withdrawn","subject":"…","client_id":"chat-web","reason":"by_user","time":"…"}
//
// The events are the authorization records of revoking actions, read from
// the chain in its order (provider/audit seals every record within a
// second of its commit, on whichever node made it), so every node streams
// the same events with the same IDs. A gateway that reconnects sends
// Last-Event-ID (or ?after=) and gets every event after it, none lost and
// none twice; without one it gets the events from now on. Kinds:
//
//	token    one token family: token_family names it (RFC 7009
//	         revocation, a refresh token reused)
//	grant    every token of client_id for subject (consent withdrawn)
//	subject  every token of subject (user disabled, password reset,
//	         signed out everywhere, MFA reset, role changed: a gateway
//	         introspects again)
//	client   every token of client_id (app deleted or disabled)
//	workspace every token of subject for workspace_id (a member removed,
//	         leaving, given another role, or suspended by the workspace's
//	         directory; an app uninstalled, subject then being the
//	         installation); with no subject, every token for workspace_id
//	         of client_id (an app's installation narrowed: its bot's and
//	         its members'), or of every client without client_id (the
//	         workspace deleted)
package revocations

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). It is an alias of the
// same interface type in every package that mounts routes, so each one's
// Mount is a provider.Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
