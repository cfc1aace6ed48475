package web

import (
	"net/http"
	"time"
)

// exchangeHandlerKeys are the keys the console's token exchange pages
// pass: notices, errors and the confirmation's texts.
func exchangeHandlerKeys() []string {
	return []string{
		"admin.notice_exchange_created", "admin.notice_exchange_saved", "admin.notice_exchange_deleted",
		"admin.error_exchange_client", "admin.error_exchange_resource", "admin.error_exchange_scope", "admin.error_exchange_input",
		"admin.error_exchange_exists", "admin.error_exchange_configured", "admin.confirm_exchange_delete_text", "admin.submit_exchange_delete",
	}
}

// exchangeHandlerArgKeys are the policy confirmation's heading: it takes
// the client's ID.
func exchangeHandlerArgKeys() []string {
	return []string{"admin.confirm_exchange_delete_heading"}
}

// exchangePageCases are the console's token exchange pages.
func exchangePageCases() []pageCase {
	choices := AdminExchangeChoices{Resources: []string{"https://im.example.com", "https://search.example.com"}, Scopes: testCatalogue}
	configured := AdminExchangePolicy{ClientID: "im-gateway", SubjectAudiences: []string{"https://im.example.com"}, Resources: []string{"https://search.example.com"},
		Scopes: []string{"im:messages.read"}, Configured: true}
	stored := AdminExchangePolicy{ClientID: "search-bot", Resources: []string{"https://search.example.com", "https://gone.example.com"}, Impersonation: true,
		CreatedAt: testT0.Add(-48 * time.Hour), UpdatedAt: testT0}
	shadowed := AdminExchangePolicy{ClientID: "im-gateway", Scopes: []string{"im:messages.read"}, Shadowed: true, CreatedAt: testT0, UpdatedAt: testT0}
	return []pageCase{
		{"admin_exchange_policies", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminExchangePolicies(w, req, http.StatusOK, AdminExchangePoliciesPage{CSRFToken: testCSRF, Policies: []AdminExchangePolicy{configured, stored, shadowed},
				Choices: choices, Notice: "admin.notice_exchange_deleted"})
		}},
		{"admin_exchange_policies_refused", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminExchangePolicies(w, req, http.StatusBadRequest, AdminExchangePoliciesPage{CSRFToken: testCSRF, Choices: choices,
				Form: AdminExchangePolicy{ClientID: "web-app", Scopes: []string{"im:messages.read"}}, Error: "admin.error_exchange_client"})
		}},
		{"admin_exchange_policy", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminExchangePolicy(w, req, http.StatusOK, AdminExchangePolicyPage{CSRFToken: testCSRF, Policy: stored, Choices: choices,
				Notice: "admin.notice_exchange_saved"})
		}},
		{"admin_exchange_policy_configured", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminExchangePolicy(w, req, http.StatusOK, AdminExchangePolicyPage{CSRFToken: testCSRF, Policy: configured, Choices: choices})
		}},
		{"admin_exchange_policy_shadowed", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminExchangePolicy(w, req, http.StatusOK, AdminExchangePolicyPage{CSRFToken: testCSRF, Policy: shadowed, Choices: choices})
		}},
	}
}
