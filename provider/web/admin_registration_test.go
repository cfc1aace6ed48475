package web

import (
	"net/http"
	"time"
)

// registrationHandlerKeys are the keys of dynamic client registration
// the console's handlers pass (provider/admin console_registration.go).
func registrationHandlerKeys() []string {
	return []string{"admin.confirm_registration_text", "admin.submit_registration_create", "admin.confirm_registration_revoke_text",
		"admin.submit_registration_revoke", "admin.notice_registration_created", "admin.notice_registration_revoked", "admin.error_registration_token"}
}

// registrationHandlerArgKeys are those that take one argument.
func registrationHandlerArgKeys() []string {
	return []string{"admin.confirm_registration_heading", "admin.confirm_registration_revoke_heading"}
}

// registrationPageCases are the console pages of dynamic client
// registration: the apps page with its registration tokens, one just
// issued, and a self-registered app.
func registrationPageCases() []pageCase {
	return []pageCase{
		{"admin_apps_registration", http.StatusCreated, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.AdminApps(w, req, http.StatusCreated, AdminAppsPage{Scopes: testOffered, Apps: []AdminApp{
				{ClientID: "dcr-4k2m9x", Name: "Build bot", Type: "confidential", RequestedScopes: []string{"im:messages.send"}, SelfRegistered: true, CreatedAt: testT0},
			}, Registration: true, NewRegistrationToken: "tkm_iat_Xb3k9QpL2mZaS3cr3tT0k3nV4lu3", Notice: "admin.notice_registration_created",
				RegistrationTokens: []AdminRegistrationToken{
					{ID: "Xb3k9QpL2mZa", Name: "CI bots", Prefix: "tkm_iat_Xb3k9QpL2mZa", CreatedAt: testT0, ExpiresAt: testT0.Add(24 * time.Hour), MaxUses: 5, Uses: 1, Usable: true},
					{ID: "Pq7r2Lm9Ks0a", Prefix: "tkm_iat_Pq7r2Lm9Ks0a", CreatedAt: testT0, ExpiresAt: testT0.Add(time.Hour), MaxUses: 1, Uses: 1},
					{ID: "Zz1x2c3v4b5n", Name: "leaked", Prefix: "tkm_iat_Zz1x2c3v4b5n", CreatedAt: testT0, ExpiresAt: testT0.Add(time.Hour), MaxUses: 3, RevokedAt: testT0.Add(time.Minute)},
				}})
		}},
	}
}
