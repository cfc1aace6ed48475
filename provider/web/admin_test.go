package web

import (
	"net/http"
	"slices"
	"time"
)

// adminHandlerKeys are the keys the admin console's handlers put in view
// fields (Notice, Error, a confirmation's Text and Submit, a message
// page's Message).
func adminHandlerKeys() []string {
	return append(slices.Concat(connectorHandlerKeys(), webhookHandlerKeys(), registrationHandlerKeys(), resourceHandlerKeys(), exchangeHandlerKeys()),
		"admin.notice_role", "admin.notice_disabled", "admin.notice_enabled", "admin.notice_mfa_reset", "admin.notice_signed_out",
		"admin.notice_scopes", "admin.notice_secret_rotated", "admin.notice_secret_revoked", "admin.notice_grant_revoked",
		"admin.error_filter", "admin.error_unknown_role", "admin.error_unknown_scope", "admin.error_admin_scope_owned", "admin.error_last_secret",
		"admin.error_too_many_secrets", "admin.error_no_secrets", "admin.not_found", "admin.forbidden", "admin.mfa_required",
		"admin.confirm_role_text", "admin.confirm_disable_text", "admin.confirm_enable_text", "admin.confirm_reset_mfa_text",
		"admin.confirm_signout_text", "admin.confirm_scopes_text", "admin.confirm_rotate_text", "admin.confirm_revoke_secret_text",
		"admin.confirm_revoke_grant_text",
		"admin.submit_role", "admin.submit_disable", "admin.submit_enable", "admin.submit_reset_mfa", "admin.submit_signout",
		"admin.submit_scopes", "admin.submit_rotate", "admin.submit_revoke_secret", "admin.submit_revoke_grant",
		"admin.confirm_disable_app_text", "admin.confirm_enable_app_text", "admin.submit_disable_app", "admin.submit_enable_app",
		"admin.notice_app_disabled", "admin.notice_app_enabled",
		"admin.confirm_options_text", "admin.submit_options", "admin.notice_options", "admin.error_token_format", "admin.error_par_needs_code", "admin.error_dpop_off",
		"admin.error_origin", "admin.error_reuse_window", "admin.error_jwks_uri", "admin.error_introspection",
		"admin.confirm_remove_passkey_text", "admin.submit_remove_passkey", "admin.notice_passkey_removed",
		// The workspace pages.
		"admin.confirm_ws_create_text", "admin.submit_ws_create", "admin.confirm_ws_settings_text", "admin.submit_ws_settings",
		"admin.confirm_ws_policy_text", "admin.submit_ws_policy", "admin.confirm_ws_delete_text", "admin.submit_ws_delete",
		"admin.confirm_member_role_text", "admin.submit_member_role", "admin.confirm_member_remove_text", "admin.submit_member_remove",
		"admin.confirm_invite_text", "admin.submit_invite", "admin.confirm_revoke_invitation_text", "admin.submit_revoke_invitation",
		"admin.confirm_scim_create_text", "admin.submit_scim_create", "admin.confirm_scim_revoke_text", "admin.submit_scim_revoke",
		"admin.notice_ws_created", "admin.notice_ws_settings", "admin.notice_ws_policy", "admin.notice_ws_deleted", "admin.notice_member_role",
		"admin.notice_member_removed", "admin.notice_invited", "admin.notice_invitation_revoked", "admin.notice_scim_created", "admin.notice_scim_revoked",
		"admin.error_ws_handle", "admin.error_ws_handle_taken", "admin.error_ws_name", "admin.error_ws_policy", "admin.error_ws_role",
		"admin.error_ws_email", "admin.error_ws_owner", "admin.error_ws_last_owner", "admin.error_ws_owners_only", "admin.error_ws_already_member",
		"admin.error_ws_default", "admin.error_scim_name",
	)
}

// adminHandlerArgKeys are the confirmation headings: each takes the
// user, app or secret concerned.
func adminHandlerArgKeys() []string {
	return append(slices.Concat(connectorHandlerArgKeys(), webhookHandlerArgKeys(), registrationHandlerArgKeys(), resourceHandlerArgKeys(), exchangeHandlerArgKeys()),
		"admin.confirm_role_heading", "admin.confirm_disable_heading", "admin.confirm_enable_heading", "admin.confirm_reset_mfa_heading",
		"admin.confirm_signout_heading", "admin.confirm_scopes_heading", "admin.confirm_rotate_heading",
		"admin.confirm_revoke_secret_heading", "admin.confirm_revoke_grant_heading",
		"admin.confirm_disable_app_heading", "admin.confirm_enable_app_heading", "admin.confirm_options_heading",
		"admin.confirm_remove_passkey_heading",
		"admin.confirm_ws_create_heading", "admin.confirm_ws_settings_heading", "admin.confirm_ws_policy_heading", "admin.confirm_ws_delete_heading",
		"admin.confirm_member_role_heading", "admin.confirm_member_remove_heading", "admin.confirm_invite_heading",
		"admin.confirm_revoke_invitation_heading", "admin.confirm_scim_create_heading", "admin.confirm_scim_revoke_heading",
	)
}

var (
	testT0     = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	testGrants = []AdminGrant{
		{UserID: "u-7k2m", UserEmail: "ann@example.com", ClientID: "app-7hq2k4", AppName: "Acme Chat", Scopes: []string{"openid", "im:messages.send"},
			GrantedAt: testT0.Add(-48 * time.Hour), ExpiresAt: testT0.Add(30 * 24 * time.Hour), LastUsedAt: testT0.Add(-time.Hour)},
		{UserID: "u-9p3x", ClientID: "app-5bz8r0", Scopes: []string{"im:calls.read"}, GrantedAt: testT0.Add(-24 * time.Hour)},
	}
)

func adminPageCases() []pageCase {
	return append([]pageCase{
		{"admin_records", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminRecords(w, req, http.StatusOK, AdminRecordsPage{
				CSRFToken: testCSRF, Filter: RecordFilter{User: "ann@example.com", Action: "consent.withdrawn"},
				Actions: []string{"signin", "consent.granted", "consent.withdrawn"},
				Records: []AdminRecord{
					{Time: testT0.Add(1500 * time.Microsecond), ActorType: "user", ActorID: "u-admin", ActorEmail: "root@example.com", SubjectEmail: "ann@example.com",
						Action: "consent.withdrawn", Outcome: "success",
						Reason: "revoked by an administrator", Subject: "u-7k2m", ClientID: "app-7hq2k4", Scopes: []string{"openid", "im:messages.send"},
						IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)", RequestID: "req-4f2a"},
					{Time: testT0.Add(-time.Hour), ActorType: "anonymous", Action: "signin", Outcome: "failure", Reason: "bad_password", Subject: "u-7k2m", IP: "198.51.100.9"},
				},
				OlderURL: "/admin/records?action=consent.withdrawn&before=x", NewestURL: "/admin/records?action=consent.withdrawn",
			})
		}},
		{"admin_records_error", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminRecords(w, req, http.StatusBadRequest, AdminRecordsPage{CSRFToken: testCSRF, Filter: RecordFilter{From: "yesterday"}, Actions: []string{"signin"}, Error: "admin.error_filter"})
		}},
		{"admin_users", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminUsers(w, req, http.StatusOK, AdminUsersPage{Query: "an", NextURL: "/admin/users?q=an&after=ann%40example.com", Users: []AdminUser{
				{ID: "u-7k2m", Email: "ann@example.com", Name: "Ann", Role: "member", Status: "active", MFA: true},
				{ID: "u-2b8n", Email: "anna@example.com", Role: "guest", Status: "disabled"},
			}})
		}},
		{"admin_user", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminUser(w, req, http.StatusOK, AdminUserPage{
				User:  AdminUser{ID: "u-7k2m", Email: "ann@example.com", Name: "Ann", Role: "member", Status: "active", MFA: true, CreatedAt: testT0},
				Roles: []string{"admin", "developer", "member", "guest"}, Grants: testGrants[:1], Notice: "admin.notice_grant_revoked",
				Passkeys: []AdminPasskey{
					{ID: "q1w2e3r4t5y6", Ref: "5d41402a", Name: "Work laptop", Synced: true, UserVerified: true, CreatedAt: testT0.Add(-72 * time.Hour), LastUsedAt: testT0.Add(-time.Hour)},
					{ID: "a-_9Zx", Ref: "7c211433", Name: "YubiKey 5 <NFC>", CreatedAt: testT0.Add(-24 * time.Hour)},
				},
			})
		}},
		{"admin_apps", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminApps(w, req, http.StatusOK, AdminAppsPage{Scopes: testOffered, Apps: []AdminApp{
				{ClientID: "app-7hq2k4", Name: "Acme Chat", Type: "confidential", CreatedAt: testT0},
				{ClientID: "app-5bz8r0", Type: "confidential", RequestedScopes: []string{"im:calls.read"}, CreatedAt: testT0},
				{ClientID: "app-m3x9p1", Name: "Old Chat", Type: "public", Disabled: true, CreatedAt: testT0},
			}})
		}},
		{"admin_app", http.StatusCreated, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminApp(w, req, http.StatusCreated, AdminAppPage{
				App: AdminApp{ClientID: "app-5bz8r0", Name: "Acme Bot", Type: "confidential", OwnerID: "u-9p3x", GrantTypes: []string{"client_credentials"},
					Scopes: []string{"openid"}, RequestedScopes: []string{"im:calls.read"}, CreatedAt: testT0, AccessTokenFormat: "jwt", IntrospectionAlg: "RS256"},
				Offered: testOffered, Secrets: testSecrets(), Grants: testGrants[1:], NewSecret: testSecret, Notice: "admin.notice_secret_rotated",
			})
		}},
		{"admin_app_web", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminApp(w, req, http.StatusOK, AdminAppPage{
				App: AdminApp{ClientID: "app-7hq2k4", Name: "Acme Chat", Type: "confidential", OwnerID: "u-9p3x", GrantTypes: []string{"authorization_code", "refresh_token"},
					Scopes: []string{"openid"}, CreatedAt: testT0, AccessTokenFormat: "opaque", RequirePAR: true, DPoPBoundAccessTokens: true, AuthorizationCode: true,
					AllowedOrigins: []string{"https://chat.acme.example", "http://localhost:5173"}, RefreshReuseWindow: "30s",
					JWKSURI: "https://chat.acme.example/jwks.json", IntrospectionAlg: "ES256", IntrospectionEncAlg: "ECDH-ES+A128KW", IntrospectionEnc: "A256GCM"},
				Offered: testOffered, Notice: "admin.notice_options",
			})
		}},
		{"admin_scope", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminScope(w, req, http.StatusOK, AdminScopePage{Scope: "im:calls.read", Grants: testGrants, NextURL: "/admin/scopes?scope=im%3Acalls.read&after=x"})
		}},
		{"admin_confirm", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminConfirm(w, req, http.StatusOK, AdminConfirmPage{
				CSRFToken: testCSRF, Heading: "admin.confirm_revoke_grant_heading", Text: "admin.confirm_revoke_grant_text", Target: "ann@example.com → Acme Chat",
				Items: []string{"openid", "im:messages.send"}, Action: "/admin/grants/u-7k2m/app-7hq2k4/revoke", Submit: "admin.submit_revoke_grant",
				Fields: []Field{{"confirm", "yes"}}, Danger: true, CancelURL: "/admin/users/u-7k2m", Nav: "users",
			})
		}},
	}, slices.Concat(workspacePageCases(), connectorPageCases(), webhookPageCases(), registrationPageCases(), resourcePageCases(), exchangePageCases())...)
}
