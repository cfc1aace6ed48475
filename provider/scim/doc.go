// Package scim serves SCIM 2.0 provisioning (RFC 7643, RFC 7644) per
// workspace, so that a company's directory (Microsoft Entra ID, Okta)
// creates, updates, suspends and removes the members of its workspace and
// keeps its groups.
//
// Routes, under /scim/v2 (the "tenant URL" an administrator gives Entra ID
// or Okta, with a secret token):
//
//	GET    /scim/v2/ServiceProviderConfig, /ResourceTypes, /Schemas
//	GET    /scim/v2/Users?filter=userName eq "…"&startIndex=1&count=100
//	POST   /scim/v2/Users
//	GET    /scim/v2/Users/{id}
//	PUT    /scim/v2/Users/{id}
//	PATCH  /scim/v2/Users/{id}
//	DELETE /scim/v2/Users/{id}
//	       and the same for /scim/v2/Groups
//
// The bearer token names the workspace: one URL serves every workspace,
// and a token of workspace A finds nothing of workspace B (404). Tokens
// are made, listed and revoked by Tokens (the command line's
// "tokenim-auth scim-tokens"); only a keyed hash of each is stored.
// Failed authentications are throttled per client IP.
//
// The protocol (schemas, validation, PATCH paths, filter parsing, list
// responses, SCIM error bodies) is github.com/elimity-com/scim's; this
// package gives it the Users and Groups resource handlers (users.go,
// groups.go) over two interfaces it declares, Members and Groups, which
// Store implements over storage (store.go). Store is the one place that
// applies the workspace rules SCIM needs; it is meant to be replaced by
// the workspace service when that exists.
//
// A User is a workspace member: id is the account's ID, userName its email
// (which SCIM never changes: the account may be shared with other
// workspaces), active the membership's Suspended flag negated, externalId
// the membership's. Creating a user whose email has an account attaches
// that account; DELETE ends the membership only, never the account, which
// stays a member of the default workspace and of any other.
//
// A Group is a named set of the workspace's members. It gives no role:
// workspace roles are changed by workspace administrators only, so that a
// directory cannot make anyone an owner.
package scim
