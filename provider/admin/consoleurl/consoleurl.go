// Package consoleurl builds the admin console's addresses: the pages of a
// user, an app, a scope's grants and the filtered records. The console
// (provider/admin) redirects to them and its pages (provider/web) link to
// them; this leaf package is the one place both take them from, so that
// a console route and the links to it cannot drift apart.
//
// An ID becomes one escaped path segment and a filter query values that
// read back unchanged: no address built here leads off the console.
package consoleurl

import "net/url"

// User is the console's page of a user.
func User(id string) string { return "/admin/users/" + url.PathEscape(id) }

// App is the console's page of an app.
func App(clientID string) string { return "/admin/apps/" + url.PathEscape(clientID) }

// Scope is the console's page of the grants holding a scope.
func Scope(scope string) string { return "/admin/scopes?scope=" + url.QueryEscape(scope) }

// Records is the records page filtered by q.
func Records(q url.Values) string {
	if len(q) == 0 {
		return "/admin/records"
	}
	return "/admin/records?" + q.Encode()
}

// Workspaces is the console's list of workspaces.
func Workspaces() string { return "/admin/workspaces" }

// Workspace is the console's page of a workspace.
func Workspace(id string) string { return "/admin/workspaces/" + url.PathEscape(id) }

// WorkspaceApps is the console's page of a workspace's apps: the
// requests waiting for a decision, the apps installed, the apps approved
// beforehand.
func WorkspaceApps(id string) string { return Workspace(id) + "/apps" }

// Connectors is the console's list of upstream identity providers.
func Connectors() string { return "/admin/connectors" }

// Connector is the console's page of a connector.
func Connector(id string) string { return Connectors() + "/" + url.PathEscape(id) }
