// Package chooser is the workspace chooser: where a member of several
// workspaces picks the one an app's sign-in is for, and where a user is
// told that they are not a member of the workspace an app asked for.
// Routes:
//
//	GET  /choose-workspace  the chooser for a parked authorization request (?flow=ID)
//	POST /choose-workspace  record the chosen workspace (or the refusal) in the flow
//
// provider/oauth parks a request here (oauth.ChooserPath) when the user is
// a member of several workspaces and the request names none
// (organization), and when the user is not a member of the one it names
// (the flow's decision is then oauth.DecisionNotMember). The choice is
// written to the flow (storage.Flow.WorkspaceID, with the user who made
// it), and the browser goes back to /oauth2/auth?flow=ID, which checks the
// membership again and answers the app; a refusal answers it with
// access_denied.
package chooser

import "net/http"

// Mux is what Mount registers the routes on: an *http.ServeMux, or a
// test's recorder (provider/internal/routetest).
type Mux = interface {
	Handle(pattern string, handler http.Handler)
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}
