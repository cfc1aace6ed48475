package web

import (
	"net/http"
	"time"
)

// resourceHandlerKeys are the keys the console's resource pages pass:
// notices, errors and the confirmation's texts.
func resourceHandlerKeys() []string {
	return []string{
		"admin.notice_resource_created", "admin.notice_resource_saved", "admin.notice_resource_deleted",
		"admin.error_resource_uri", "admin.error_resource_name", "admin.error_resource_scopes", "admin.error_resource_exists",
		"admin.error_resource_configured", "admin.confirm_resource_delete_text", "admin.submit_resource_delete",
	}
}

// resourceHandlerArgKeys are the resource confirmation's heading: it
// takes the resource's URI.
func resourceHandlerArgKeys() []string {
	return []string{"admin.confirm_resource_delete_heading"}
}

var testCatalogue = []string{"openid", "im:messages.read", "im:messages.send", "im:calls.read"}

// resourcePageCases are the console's resource pages.
func resourcePageCases() []pageCase {
	configured := AdminResource{ID: "aHR0cHM6Ly9pbS5leGFtcGxlLmNvbQ", URI: "https://im.example.com", Name: "IM service",
		Scopes: []string{"im:messages.read", "im:messages.send"}, Configured: true}
	stored := AdminResource{ID: "aHR0cHM6Ly9jYWxscy5leGFtcGxlLmNvbQ", URI: "https://calls.example.com", Name: "Calls",
		Scopes: []string{"im:calls.read"}, CreatedAt: testT0.Add(-48 * time.Hour), UpdatedAt: testT0}
	shadowed := AdminResource{ID: "aHR0cHM6Ly9pbS5leGFtcGxlLmNvbQ", URI: "https://im.example.com", Name: "Old IM",
		Scopes: []string{"im:messages.read"}, Shadowed: true, CreatedAt: testT0, UpdatedAt: testT0}
	return []pageCase{
		{"admin_resources", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminResources(w, req, http.StatusOK, AdminResourcesPage{CSRFToken: testCSRF, Resources: []AdminResource{configured, stored, shadowed},
				Scopes: testCatalogue, Notice: "admin.notice_resource_deleted"})
		}},
		{"admin_resources_refused", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminResources(w, req, http.StatusBadRequest, AdminResourcesPage{CSRFToken: testCSRF, Scopes: testCatalogue,
				Form: AdminResourceForm{URI: "https://files.example.com/#x", Name: "Files", Scopes: []string{"im:messages.read"}}, Error: "admin.error_resource_uri"})
		}},
		{"admin_resource", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminResource(w, req, http.StatusOK, AdminResourcePage{CSRFToken: testCSRF, Resource: stored, Scopes: testCatalogue,
				Notice: "admin.notice_resource_saved"})
		}},
		{"admin_resource_configured", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminResource(w, req, http.StatusOK, AdminResourcePage{CSRFToken: testCSRF, Resource: configured, Scopes: testCatalogue})
		}},
		{"admin_resource_shadowed", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminResource(w, req, http.StatusOK, AdminResourcePage{CSRFToken: testCSRF, Resource: shadowed, Scopes: testCatalogue})
		}},
	}
}
