// Package admin is the JSON admin API, for scripts and operators' tools,
// and the admin console, the same for people (see below). The API's
// routes:
//
//	/admin/api/                                     any other address under it: a JSON 404
//	GET    /admin/api/v1/users                      users, a page at a time (?after=email&limit=n)
//	POST   /admin/api/v1/users                      create a user, with a password or an invitation mailed
//	GET    /admin/api/v1/users/{id}                 one user
//	PATCH  /admin/api/v1/users/{id}                 change name, role or status
//	POST   /admin/api/v1/users/{id}/password-reset  mail a password-reset link
//	POST   /admin/api/v1/users/{id}/totp-reset      remove the second factor, to enrol again
//	GET    /admin/api/v1/users/{id}/passkeys        the user's passkeys (never a public key)
//	DELETE /admin/api/v1/users/{id}/passkeys/{passkey_id}  remove a passkey
//	GET    /admin/api/v1/roles                      roles and the scopes each may grant
//	GET    /admin/api/v1/apps                       apps (clients)
//	POST   /admin/api/v1/apps                       register an app: its secret shown once
//	GET    /admin/api/v1/apps/{id}                  one app
//	PATCH  /admin/api/v1/apps/{id}                  set its scopes (approve requested ones), state, options
//	DELETE /admin/api/v1/apps/{id}                  delete an app with its tokens and grants
//	GET    /admin/api/v1/apps/{id}/secrets          its secrets (prefix, state, dates; never a secret)
//	POST   /admin/api/v1/apps/{id}/secrets          rotate: a new secret, shown once
//	DELETE /admin/api/v1/apps/{id}/secrets/{sid}    revoke a secret at once
//	GET    /admin/api/v1/grants                     grants (consents) of a user or an app (?user=ID | ?app=ID)
//	DELETE /admin/api/v1/grants/{user}/{app}        withdraw a grant and revoke its tokens
//	GET    /admin/api/v1/connectors                 connectors: the configured ones (read-only), then the stored ones
//	POST   /admin/api/v1/connectors                 add a connector, checked by the configuration's rules; its secret write-only
//	GET    /admin/api/v1/connectors/{id}            one connector (has_secret, never the secret)
//	PATCH  /admin/api/v1/connectors/{id}            change a stored connector: the keys given; a new secret replaces the old
//	DELETE /admin/api/v1/connectors/{id}            delete a stored connector and the identities linked through it
//	GET    /admin/api/v1/resources                  protected resources (RFC 8707): the configured ones (read-only), then the stored ones
//	POST   /admin/api/v1/resources                  add a resource: its URI (resources.Check), name and scopes of the catalogue
//	GET    /admin/api/v1/resources/{id}             one resource; {id} is its URI in base64url without padding (ResourceID)
//	PATCH  /admin/api/v1/resources/{id}             change a stored resource's name or scopes
//	DELETE /admin/api/v1/resources/{id}             delete a stored resource
//	GET    /admin/api/v1/token-exchange-policies    token exchange policies (RFC 8693): the configured ones (read-only), then the stored ones
//	POST   /admin/api/v1/token-exchange-policies    give a confidential client a policy (exchangepolicy.Check)
//	GET    /admin/api/v1/token-exchange-policies/{client_id}  a client's policy
//	PATCH  /admin/api/v1/token-exchange-policies/{client_id}  change a stored policy
//	DELETE /admin/api/v1/token-exchange-policies/{client_id}  delete a stored policy
//	GET    /admin/api/v1/users/{id}/identities      the upstream identities linked to a user
//	DELETE /admin/api/v1/users/{id}/identities/{connector}/{subject}  unlink one (subject path-escaped)
//	GET    /admin/api/v1/webhooks                   webhook subscriptions (?client_id= an app's); never a secret
//	POST   /admin/api/v1/webhooks                   add a subscription: its signing secret shown once
//	GET    /admin/api/v1/webhooks/{id}              one subscription
//	PATCH  /admin/api/v1/webhooks/{id}              change its URL, event types, description or disabled
//	DELETE /admin/api/v1/webhooks/{id}              delete it, its queued messages and log
//	POST   /admin/api/v1/webhooks/{id}/rotate-secret  a new secret, shown once; the old one signs beside it for a day
//	GET    /admin/api/v1/webhooks/{id}/deliveries   its recent messages and the log of their attempts
//	POST   /admin/api/v1/webhooks/{id}/deliveries/{delivery}/resend  send a finished message again
//	GET    /admin/api/v1/registration-tokens        initial access tokens of client registration (prefix, uses; never a token)
//	POST   /admin/api/v1/registration-tokens        a new initial access token (expiry, uses), shown once
//	DELETE /admin/api/v1/registration-tokens/{token_id}  revoke an initial access token at once
//	GET    /admin/api/v1/workspaces                 workspaces (a bound client: its own only)
//	POST   /admin/api/v1/workspaces                 create a workspace, with its first owner
//	GET    /admin/api/v1/workspaces/{id}            one workspace
//	PATCH  /admin/api/v1/workspaces/{id}            change its handle, name or policy
//	DELETE /admin/api/v1/workspaces/{id}            delete it, its members' tokens of it revoked
//	GET    /admin/api/v1/workspaces/{id}/members    its members and their roles
//	POST   /admin/api/v1/workspaces/{id}/members    make an account a member (platform only)
//	PATCH  /admin/api/v1/workspaces/{id}/members/{user_id}  change a member's role
//	DELETE /admin/api/v1/workspaces/{id}/members/{user_id}  remove a member, their tokens of it revoked
//	GET    /admin/api/v1/workspaces/{id}/invitations  its pending invitations
//	POST   /admin/api/v1/workspaces/{id}/invitations  invite by email: mailed, and the link shown once
//	DELETE /admin/api/v1/workspaces/{id}/invitations/{invitation}  revoke an invitation
//	GET    /admin/api/v1/workspaces/{id}/scim-tokens  its SCIM tokens (prefix, dates; never a token)
//	POST   /admin/api/v1/workspaces/{id}/scim-tokens  a new SCIM token, shown once
//	DELETE /admin/api/v1/workspaces/{id}/scim-tokens/{token_id}  revoke a SCIM token at once
//	GET    /admin/api/v1/workspaces/{id}/installations  its apps installed or asked for (?status=pending|active|denied)
//	POST   /admin/api/v1/workspaces/{id}/installations/{iid}/approve  approve a request, narrowed by {"scopes": [...]}
//	POST   /admin/api/v1/workspaces/{id}/installations/{iid}/deny  deny it with {"reason": "..."}
//	DELETE /admin/api/v1/workspaces/{id}/installations/{iid}  uninstall, its tokens revoked
//	GET    /admin/api/v1/workspaces/{id}/approved-apps  the apps approved beforehand for members to install
//	PUT    /admin/api/v1/workspaces/{id}/approved-apps/{client_id}  approve an app beforehand (again: replaced)
//	DELETE /admin/api/v1/workspaces/{id}/approved-apps/{client_id}  withdraw that approval
//
// Every call needs an access token with the admin scope, obtained by a
// service through client credentials: a token issued for a user (with a
// subject) is refused, so no browser session can drive the API. Errors are
// RFC 6749-style JSON objects; a refused value is a 400 whose description
// starts with the field. docs/admin-api.yaml is the OpenAPI description;
// a test checks it, and this list, against the routes Mount registers.
//
// Users are created by the rules registration and the command line
// apply (mailaddr.Valid, password.Policy, the configured roles), apps by
// those of a configured client (clientrules.Check). The links mailed to users (an invitation to choose a
// password, a password reset) are made by provider/links and opened by the
// pages of provider/login.
//
// An admin client may be bound to a workspace (storage.Client.WorkspaceID):
// it then calls only the workspace routes, for its workspace: any other
// route is a 403, another workspace's ID a 404 (as an unknown one, so IDs
// cannot be probed), and creating or deleting a workspace or adding a
// member without an invitation a 403. The rules and changes of
// workspaces are provider/workspace's.
//
// The admin scope is never given to an app a developer registered in the
// portal (grantable): whoever holds an app's secret acts with its scopes.
//
// The console serves pages under /admin to signed-in users with the admin
// role (platform administrators), and to workspace admins: users who are
// neither but own or administer a workspace other than the default one
// (workspace.Manages), who see the records and workspace pages of their
// workspaces only (any other workspace is the not-found page, as an
// unknown one) and are refused the platform's pages. Either, when the
// admin role requires a second factor, only with a session signed in
// with one (console_access.go is the one home of this rule;
// docs/admin-console.md). A change is a GET of its confirmation page,
// then a POST of the change. The console's routes:
//
//	GET      /admin                                 to /admin/records
//	GET      /admin/{$}                             to /admin/records
//	GET      /admin/records                         authorization records: filter, keyset pages
//	POST     /admin/records/export                  the filtered records as CSV or JSON lines (recorded)
//	GET      /admin/users                           search users
//	GET      /admin/users/{id}                      a user, their passkeys, their grants
//	GET,POST /admin/users/{id}/{action}             change a user: role, disable, enable, reset-mfa, signout
//	GET,POST /admin/users/{id}/passkeys/{ref}/remove  remove one of the user's passkeys
//	GET,POST /admin/users/{id}/identities/{connector}/{subject}/remove  unlink one of the user's upstream identities
//	GET      /admin/apps                            apps
//	GET      /admin/apps/{id}                       an app, its token settings, its secrets' state, its grants
//	GET,POST /admin/apps/{id}/scopes                set its scopes (approve requested ones)
//	GET,POST /admin/apps/{id}/options               set its options
//	GET,POST /admin/apps/{id}/disable               disable it
//	GET,POST /admin/apps/{id}/enable                enable it
//	GET,POST /admin/apps/{id}/rotate                a new secret, shown once
//	GET,POST /admin/apps/{id}/secrets/{sid}/revoke  revoke a secret at once
//	GET,POST /admin/registration-tokens/create      issue an initial access token of client registration, shown once
//	GET,POST /admin/registration-tokens/{token}/revoke  revoke an initial access token
//	GET      /admin/scopes                          every live grant holding a scope (?scope=)
//	GET,POST /admin/grants/{user}/{app}/revoke      withdraw a grant and revoke its tokens
//	GET      /admin/connectors                      connectors: configured (read-only) and stored, and the kind of a new one
//	GET,POST /admin/connectors/create               add a connector of ?kind=: its form, then its POST
//	GET,POST /admin/connectors/{id}                 a connector: read-only when configured, else its form and its POST
//	GET,POST /admin/connectors/{id}/{action}        change it: disable, enable, delete (its linked identities too)
//	GET      /admin/webhooks                        webhook subscriptions, and the form adding one
//	POST     /admin/webhooks/create                 add a subscription: its page, with the secret shown once
//	GET,POST /admin/webhooks/{id}                   a subscription: its settings, recent deliveries and log; its form's POST
//	GET,POST /admin/webhooks/{id}/{action}          change it: rotate (the new secret shown once), delete
//	GET,POST /admin/webhooks/{id}/deliveries/{delivery}/resend  send a finished delivery again
//	GET      /admin/resources                       protected resources: configured (read-only) and stored, and the form adding one
//	POST     /admin/resources/create                add a resource
//	GET,POST /admin/resources/{id}                  a resource: read-only when configured, else its form and its POST
//	GET,POST /admin/resources/{id}/delete           delete a stored resource, once confirmed
//	GET,POST /admin/token-exchange                  token exchange policies: configured (read-only) and stored; the POST adds one
//	GET,POST /admin/token-exchange/{client_id}      a client's policy: read-only when configured, else its form and its POST
//	GET,POST /admin/token-exchange/{client_id}/delete  delete a stored policy, once confirmed
//	GET      /admin/workspaces                      workspaces (a workspace admin: theirs), keyset pages
//	GET,POST /admin/workspaces/create               create a workspace (platform only)
//	GET      /admin/workspaces/{id}                 a workspace: settings, policy, members, invitations, SCIM tokens
//	GET,POST /admin/workspaces/{id}/{action}        change it: settings, policy, delete (platform only)
//	GET,POST /admin/workspaces/{id}/invite          invite by email: the link shown once, and whether it was mailed
//	GET,POST /admin/workspaces/{id}/members/{user}/{action}  change a member: role, remove
//	GET,POST /admin/workspaces/{id}/invitations/{invitation}/revoke  revoke an invitation
//	GET,POST /admin/workspaces/{id}/scim-tokens/create  a new SCIM token, shown once
//	GET,POST /admin/workspaces/{id}/scim-tokens/{token}/revoke  revoke a SCIM token
//	GET      /admin/workspaces/{id}/apps            its apps: requests, re-approvals, installed, approved beforehand
//	GET,POST /admin/workspaces/{id}/apps/{iid}/{action}  decide on an installation: approve (narrowed), deny (a reason), uninstall
//	GET,POST /admin/workspaces/{id}/approved-apps/add  approve an app beforehand, for members to install
//	GET,POST /admin/workspaces/{id}/approved-apps/{client}/remove  withdraw that approval
//
// Every change, from the API or the console, goes through one function in
// actions.go, which writes it and its authorization record in one
// transaction; the actor is the calling app (API) or the administrator
// (console).
package admin

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). It is an alias of the
// same interface type in every package that mounts routes, so each one's
// Mount is a provider.Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
