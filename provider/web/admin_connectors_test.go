package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// connectorHandlerKeys are the keys the console's connector pages pass:
// the kinds and settings in words, notices, errors and confirmations.
func connectorHandlerKeys() []string {
	keys := []string{
		"admin.notice_connector_created", "admin.notice_connector_saved", "admin.notice_connector_disabled", "admin.notice_connector_enabled",
		"admin.notice_connector_deleted", "admin.notice_identity_removed",
		"admin.error_connector_taken", "admin.error_connector_configured", "admin.error_connector_kind",
		"admin.confirm_connector_disable_text", "admin.submit_connector_disable", "admin.confirm_connector_enable_text", "admin.submit_connector_enable",
		"admin.confirm_connector_delete_text", "admin.submit_connector_delete", "admin.confirm_remove_identity_text", "admin.submit_remove_identity",
	}
	for kind, fields := range connectorKindFields {
		keys = append(keys, "admin.connector_kind."+kind)
		for _, f := range fields {
			keys = append(keys, "admin.connector_field."+strings.ReplaceAll(f.Name, ".", "_"))
		}
		if s := ConnectorSecretField(kind); s != "" {
			keys = append(keys, "admin.connector_field."+s)
		}
	}
	return keys
}

// connectorHandlerArgKeys are the connector pages' confirmation
// headings: each takes the connector or the identity concerned.
func connectorHandlerArgKeys() []string {
	return []string{"admin.confirm_connector_disable_heading", "admin.confirm_connector_enable_heading", "admin.confirm_connector_delete_heading",
		"admin.confirm_remove_identity_heading"}
}

func testConnectors() []AdminConnector {
	return []AdminConnector{
		{ID: "entra", Kind: "oidc", Name: "Microsoft Entra ID", Domains: []string{"corp.example.com"}, OnlyWay: true, Configured: true,
			Settings: map[string]string{"preset": "entra", "tenant": "corp.example.com", "client_id": "00000000-0000"}},
		{ID: "dir", Kind: "ldap", Name: "Directory", Disabled: true, HasSecret: true, CreatedAt: testT0.Add(-time.Hour), UpdatedAt: testT0,
			Settings: map[string]string{"url": "ldaps://ldap.example.com", "bind_dn": "cn=svc", "user_search.base_dn": "ou=people", "user_search.filter": "(uid=%s)", "email_verified": "true"}},
	}
}

// connectorPageCases are the console's connector pages, and a user's
// page with linked identities.
func connectorPageCases() []pageCase {
	return []pageCase{
		{"admin_connectors", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminConnectors(w, req, http.StatusOK, AdminConnectorsPage{Connectors: testConnectors(), Kinds: []string{"oidc", "ldap", "saml"},
				Notice: "admin.notice_connector_deleted"})
		}},
		{"admin_connector_configured", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminConnector(w, req, http.StatusOK, AdminConnectorPage{CSRFToken: testCSRF, Connector: testConnectors()[0]})
		}},
		{"admin_connector", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminConnector(w, req, http.StatusOK, AdminConnectorPage{CSRFToken: testCSRF, Connector: testConnectors()[1],
				Roles: []string{"admin", "member"}, Notice: "admin.notice_connector_saved"})
		}},
		{"admin_connector_new", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminConnector(w, req, http.StatusBadRequest, AdminConnectorPage{CSRFToken: testCSRF, New: true, Roles: []string{"admin", "member"},
				Connector: AdminConnector{ID: "okta", Kind: "oidc", Name: "Okta", Domains: []string{"okta.example"}, RoleMapping: "groups admins admin",
					Settings: map[string]string{"preset": "okta", "client_id": "0oa1"}},
				Problems: []AdminFieldProblem{{"issuer", "required for kind oidc: the issuer URL, such as https://sso.example.com"},
					{"client_secret", "required for kind oidc: set client_secret, client_secret_file or client_secret_env"}}})
		}},
		{"admin_user_identities", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminUser(w, req, http.StatusOK, AdminUserPage{
				User:  AdminUser{ID: "u-7k2m", Email: "ann@example.com", Name: "Ann", Role: "member", Status: "active", CreatedAt: testT0},
				Roles: []string{"admin", "member"}, Notice: "admin.notice_identity_removed",
				Identities: []AdminIdentity{
					{ConnectorID: "entra", ConnectorName: "Microsoft Entra ID", Subject: "a/b c", Email: "ann@corp.example.com", LinkedAt: testT0.Add(-72 * time.Hour), LastUsedAt: testT0},
					{ConnectorID: "gone", Subject: "42", LinkedAt: testT0.Add(-24 * time.Hour)},
				},
			})
		}},
	}
}

// TestConnectorPageShowsNoSecret: the form's secret field is empty even
// when a secret is kept, and says it is kept.
func TestConnectorPageShowsNoSecret(t *testing.T) {
	t.Parallel()
	r := newTestRenderer(t)
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/admin/connectors/dir", nil)
	w := httptest.NewRecorder()
	if err := r.AdminConnector(w, req, http.StatusOK, AdminConnectorPage{CSRFToken: testCSRF, Connector: testConnectors()[1]}); err != nil {
		t.Fatal(err)
	}
	page := w.Body.String()
	for _, want := range []string{`name="bind_password" type="password" value="" autocomplete="new-password"`, "A secret is kept", `action="/admin/connectors/dir"`,
		`name="user_search.filter" type="text" value="(uid=%s)"`, `href="/admin/connectors/dir/delete"`, `href="/admin/connectors/dir/enable"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
}
