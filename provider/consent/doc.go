// Package consent asks the user whether an app may act for them. Routes:
//
//	GET  /consent           the consent page for a parked authorization request (?flow=ID)
//	POST /consent           record the decision (and remember it if asked)
//
// provider/oauth parks a request and sends the browser here when no
// remembered consent covers the requested scopes. The decision is written
// to the flow (and, with "remember this decision", to the grant store),
// and the browser goes back to /oauth2/auth?flow=ID, which grants what the
// user allowed or answers the app with access_denied.
package consent

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest). It is an alias of the
// same interface type in every package that mounts routes, so each one's
// Mount is a provider.Mounter.
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
