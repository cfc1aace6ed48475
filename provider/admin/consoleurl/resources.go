package consoleurl

import "net/url"

// Resources is the console's list of protected resources.
func Resources() string { return "/admin/resources" }

// Resource is the console's page of the protected resource id (its URI
// in base64url, admin.ResourceID).
func Resource(id string) string { return Resources() + "/" + url.PathEscape(id) }
