// Package cors answers browsers' cross-origin requests (the Fetch
// standard's CORS protocol) on the endpoints a browser app — a single-page
// app, draft-ietf-oauth-browser-based-apps — calls with fetch:
//
//	POST         /oauth2/token          Authorization, Content-Type
//	POST         /oauth2/revoke         Authorization, Content-Type
//	POST         /oauth2/device/auth    Authorization, Content-Type
//	GET, POST    /userinfo              Authorization, Content-Type
//	GET          /.well-known/*, JWKS   (public documents)
//
// provider/oauth mounts each route with its methods on the OPTIONS route
// too (Origins.Endpoint, Public); the header protocol itself is
// github.com/rs/cors.
//
// # Who may call
//
// A client may be called from its origins (storage.Client.Origins): those
// it lists in AllowedOrigins and, for a public client, those of its
// redirect URIs. A preflight carries no client_id, so an origin is
// answered — its preflight with 204 and the endpoint's methods and
// headers, its request with Access-Control-Allow-Origin reflecting it and
// Vary: Origin — when any enabled client may be called from it. Any other
// origin gets no CORS header (the browser keeps the answer from the page),
// and a preflight needs no authentication. Credentials mode is never
// allowed (no Access-Control-Allow-Credentials: browser apps send tokens,
// not cookies), and no authenticated endpoint answers with a wildcard;
// the discovery document and the JWKS, which are public, answer any
// origin with "*".
//
// That answer only lets the page read the response. Which client a
// request acts for is checked by the endpoint, once the client is known:
// Origins.Permits refuses a request from a browser origin the client may
// not be called from (the token and device endpoints after client
// authentication, revocation by the client_id presented, userinfo by the
// client the token was issued to). So a public client_id cannot be used
// from a page at an origin the client never registered, and a request
// without an Origin header (not a browser's) or from the provider's own
// origin is not concerned.
//
// # Cache
//
// The origin check runs before a request body is read, so the origins of
// every client are kept in memory (Origins), loaded from the store when
// first needed and again once Config.Refresh has passed or Invalidate was
// called: by Watch on a change of a client made on this node, and by the
// Redis cache's invalidation channel on a change made on any node
// (storage/redis, OnClientsChanged).
package cors
