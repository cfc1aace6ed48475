// Package portal is the developer portal, for signed-in users whose role
// may register apps (developer, admin). Routes:
//
//	GET  /apps                              your apps
//	GET  /apps/new                          the form to register an app
//	POST /apps                              register an app; its secret is shown once
//	GET  /apps/{id}                         see an app, with its secrets
//	POST /apps/{id}                         save an app's changes
//	POST /apps/{id}/secrets                 create a new secret (rotation, shown once)
//	POST /apps/{id}/secrets/{sid}/revoke    revoke a secret at once
//	GET  /apps/{id}/delete                  ask to confirm deleting an app
//	POST /apps/{id}/delete                  delete it
//
// The app form sets, besides names and URIs, the access token format
// (opaque or JWT, RFC 9068) and, for web and native apps, whether the app
// must push its authorization requests (RFC 9126); a service cannot.
// A developer sees and changes only the apps they registered. Secrets are
// API keys managed by provider/apikey: they expire, rotate with a grace
// period, and only their keyed hash is stored.
package portal

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). It is an alias of the
// same interface type in every package that mounts routes, so each one's
// Mount is a provider.Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
