// Package registration is dynamic client registration (RFC 7591) and its
// management protocol (RFC 7592): bots, integrations and agents register
// themselves as OAuth clients. Routes:
//
//	POST   /oauth2/register               register a client (RFC 7591 section 3)
//	GET    /oauth2/register/{client_id}   read its registration (RFC 7592 section 2.1)
//	PUT    /oauth2/register/{client_id}   replace its metadata (section 2.2)
//	DELETE /oauth2/register/{client_id}   delete it (section 2.3)
//
// Registration is open or needs an initial access token (Tokens: issued
// by administrators from the console, the admin API or the command line,
// expiring, good for a number of registrations, hashed at rest), as the
// Policy says. The policy also says which grant types and token endpoint
// authentication methods a client may register, and which scopes it gets
// at once; any other scope of the catalogue it asks for waits for an
// administrator's approval (storage.Client.RequestedScopes, as a portal
// service's do). The rules every client passes are
// clientrules.Check's, and those of a client nobody looked at are
// clientrules.CheckSelfRegistered's. A refusal is invalid_redirect_uri
// or invalid_client_metadata naming the field (RFC 7591 section 3.2.2).
// A client may register dpop_bound_access_tokens (RFC 9449 section 5.2):
// the token endpoint then refuses its token requests without a DPoP
// proof; while DPoP is off it is refused (Policy.DPoPOff).
//
// A registered client gets a registration access token, shown once and
// kept as a keyed hash, and its registration_client_uri: with the token
// it reads, replaces and deletes its registration. Each update rotates
// the token: the answer carries the new one, and the old one stops
// working (RFC 7592 section 2.2). Every registration, update and deletion
// is an authorization record whose actor is the app itself.
package registration
