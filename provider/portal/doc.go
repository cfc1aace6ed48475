// Package portal is the developer portal, for signed-in users whose role
// may register apps (developer, admin):
//
//	GET  /apps                                   your apps
//	GET  /apps/new, POST /apps                   register an app; its secret is shown once
//	GET  /apps/{id}, POST /apps/{id}             see and edit an app, with its secrets
//	POST /apps/{id}/secrets                      create a new secret (rotation, shown once)
//	POST /apps/{id}/secrets/{sid}/revoke         revoke a secret at once
//	GET  /apps/{id}/delete, POST /apps/{id}/delete   delete an app after confirmation
//
// The app form sets, besides names and URIs, the access token format
// (opaque or JWT, RFC 9068) and, for web and native apps, whether the app
// must push its authorization requests (RFC 9126); a service cannot.
// A developer sees and changes only the apps they registered. Secrets are
// API keys managed by provider/apikey: they expire, rotate with a grace
// period, and only their keyed hash is stored.
package portal
