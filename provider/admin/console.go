package admin

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Sessions tells who is signed in and protects forms.
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	Protect(h http.Handler) http.Handler
}

// Pages renders the console's pages.
type Pages interface {
	AdminRecords(w http.ResponseWriter, r *http.Request, status int, p web.AdminRecordsPage) error
	AdminUsers(w http.ResponseWriter, r *http.Request, status int, p web.AdminUsersPage) error
	AdminUser(w http.ResponseWriter, r *http.Request, status int, p web.AdminUserPage) error
	AdminApps(w http.ResponseWriter, r *http.Request, status int, p web.AdminAppsPage) error
	AdminApp(w http.ResponseWriter, r *http.Request, status int, p web.AdminAppPage) error
	AdminScope(w http.ResponseWriter, r *http.Request, status int, p web.AdminScopePage) error
	AdminConfirm(w http.ResponseWriter, r *http.Request, status int, p web.AdminConfirmPage) error
	AdminWorkspaces(w http.ResponseWriter, r *http.Request, status int, p web.AdminWorkspacesPage) error
	AdminWorkspace(w http.ResponseWriter, r *http.Request, status int, p web.AdminWorkspacePage) error
	AdminInstalls(w http.ResponseWriter, r *http.Request, status int, p web.AdminInstallsPage) error
	AdminConnectors(w http.ResponseWriter, r *http.Request, status int, p web.AdminConnectorsPage) error
	AdminConnector(w http.ResponseWriter, r *http.Request, status int, p web.AdminConnectorPage) error
	AdminWebhooks(w http.ResponseWriter, r *http.Request, status int, p web.AdminWebhooksPage) error
	AdminWebhook(w http.ResponseWriter, r *http.Request, status int, p web.AdminWebhookPage) error
	AdminResources(w http.ResponseWriter, r *http.Request, status int, p web.AdminResourcesPage) error
	AdminResource(w http.ResponseWriter, r *http.Request, status int, p web.AdminResourcePage) error
	AdminExchangePolicies(w http.ResponseWriter, r *http.Request, status int, p web.AdminExchangePoliciesPage) error
	AdminExchangePolicy(w http.ResponseWriter, r *http.Request, status int, p web.AdminExchangePolicyPage) error
	Message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) error
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
}

// ConsoleConfig holds the console's dependencies besides the API it
// shares its actions with.
type ConsoleConfig struct {
	// Store is what the pages read; changes go through the API's actions.
	Store    ConsoleStore
	Sessions Sessions
	Pages    Pages
	// AdminRole is the role whose users may use the console.
	AdminRole string
	// MFARoles are the roles whose users must have signed in with a
	// second factor: when AdminRole is one of them, the console refuses a
	// session signed in with a password alone.
	MFARoles []string
	// Invitations counts the invitations each administrator mails from
	// the console (a throttle.Throttle): past its free ones, the next
	// waits. Nil: no bound.
	Invitations Throttle
}

// Throttle counts events per key and says how long the next must wait.
type Throttle interface {
	Wait(ctx context.Context, key string) (wait time.Duration, err error)
	Fail(ctx context.Context, key string) (wait time.Duration, err error)
}

// ConsoleStore is what the console's pages read: users, their passkeys,
// apps, grants and authorization records (storage.Audit, for the records page and its
// export).
type ConsoleStore interface {
	storage.Audit
	storage.ScopeGrants
	GetUser(ctx context.Context, id string) (storage.User, error)
	GetUserByEmail(ctx context.Context, email string) (storage.User, error)
	ListUsers(ctx context.Context, p storage.Page) ([]storage.User, error)
	GetClient(ctx context.Context, id string) (storage.Client, error)
	ListClients(ctx context.Context) ([]storage.Client, error)
	GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error)
	ListConsents(ctx context.Context, userID string) ([]storage.Consent, error)
	ListClientConsents(ctx context.Context, clientID string) ([]storage.Consent, error)
	GetPasskey(ctx context.Context, id []byte) (storage.Passkey, error)
	ListPasskeys(ctx context.Context, userID string) ([]storage.Passkey, error)
	// The workspaces, their members and invitations (changes go through
	// the API's workspace service).
	GetWorkspace(ctx context.Context, id string) (storage.Workspace, error)
	GetWorkspaceByHandle(ctx context.Context, handle string) (storage.Workspace, error)
	ListWorkspaces(ctx context.Context, p storage.Page) ([]storage.Workspace, error)
	ListMembers(ctx context.Context, workspaceID string, p storage.Page) ([]storage.Member, error)
	GetMember(ctx context.Context, workspaceID, userID string) (storage.Member, error)
	ListUserWorkspaces(ctx context.Context, userID string) ([]storage.Member, error)
	ListInvitations(ctx context.Context, workspaceID string) ([]storage.Invitation, error)
	// The stored connectors and a user's linked identities (changes go
	// through the API's actions).
	GetConnector(ctx context.Context, id string) (storage.Connector, error)
	ListConnectors(ctx context.Context) ([]storage.Connector, error)
	ListUserIdentities(ctx context.Context, userID string) ([]storage.LinkedIdentity, error)
}

// Console serves the admin console's pages under /admin.
type Console struct {
	api *API
	cfg ConsoleConfig
}

// NewConsole returns the console: its pages read cfg.Store, its changes
// go through the API's actions.
func NewConsole(api *API, cfg ConsoleConfig) *Console {
	if cfg.AdminRole == "" {
		cfg.AdminRole = "admin"
	}
	return &Console{api: api, cfg: cfg}
}

// Mount registers the console's routes behind CSRF protection.
func (c *Console) Mount(mux Mux) {
	// Sign-in returns to the very page asked for, query included.
	signedIn := session.Gate{Sessions: c.cfg.Sessions, Fail: func(w http.ResponseWriter, r *http.Request, err error) {
		c.fail(w, r, "load session", err)
	}}
	p := func(f session.Page) http.Handler { return c.cfg.Sessions.Protect(signedIn.Require(c.admin(f))) }
	// ws: the pages a workspace admin opens too, for their workspaces.
	ws := func(f consolePage) http.Handler { return c.cfg.Sessions.Protect(signedIn.Require(c.gate(f))) }
	mux.Handle("GET /admin", http.RedirectHandler("/admin/records", http.StatusSeeOther))
	mux.Handle("GET /admin/{$}", http.RedirectHandler("/admin/records", http.StatusSeeOther))
	mux.Handle("GET /admin/records", ws(c.records))
	mux.Handle("POST /admin/records/export", ws(c.export))
	mux.Handle("GET /admin/workspaces", ws(c.workspaces))
	mux.Handle("GET /admin/workspaces/create", ws(c.platformOnly(c.confirmCreateWorkspace)))
	mux.Handle("POST /admin/workspaces/create", ws(c.platformOnly(c.createWorkspace)))
	mux.Handle("GET /admin/workspaces/{id}", ws(c.workspace))
	mux.Handle("GET /admin/workspaces/{id}/{action}", ws(c.confirmWorkspaceChange))
	mux.Handle("POST /admin/workspaces/{id}/{action}", ws(c.changeWorkspace))
	mux.Handle("GET /admin/workspaces/{id}/invite", ws(c.confirmInvite))
	mux.Handle("POST /admin/workspaces/{id}/invite", ws(c.invite))
	mux.Handle("GET /admin/workspaces/{id}/members/{user}/{action}", ws(c.confirmMemberChange))
	mux.Handle("POST /admin/workspaces/{id}/members/{user}/{action}", ws(c.changeMember))
	mux.Handle("GET /admin/workspaces/{id}/invitations/{invitation}/revoke", ws(c.confirmRevokeInvitation))
	mux.Handle("POST /admin/workspaces/{id}/invitations/{invitation}/revoke", ws(c.revokeInvitation))
	mux.Handle("GET /admin/workspaces/{id}/scim-tokens/create", ws(c.confirmCreateToken))
	mux.Handle("POST /admin/workspaces/{id}/scim-tokens/create", ws(c.createToken))
	mux.Handle("GET /admin/workspaces/{id}/scim-tokens/{token}/revoke", ws(c.confirmRevokeToken))
	mux.Handle("POST /admin/workspaces/{id}/scim-tokens/{token}/revoke", ws(c.revokeToken))
	mux.Handle("GET /admin/workspaces/{id}/apps", ws(c.installs))
	mux.Handle("GET /admin/workspaces/{id}/apps/{iid}/{action}", ws(c.confirmInstallChange))
	mux.Handle("POST /admin/workspaces/{id}/apps/{iid}/{action}", ws(c.changeInstall))
	mux.Handle("GET /admin/workspaces/{id}/approved-apps/add", ws(c.confirmPreapprove))
	mux.Handle("POST /admin/workspaces/{id}/approved-apps/add", ws(c.preapprove))
	mux.Handle("GET /admin/workspaces/{id}/approved-apps/{client}/remove", ws(c.confirmUnapprove))
	mux.Handle("POST /admin/workspaces/{id}/approved-apps/{client}/remove", ws(c.unapprove))
	mux.Handle("GET /admin/users", p(c.users))
	mux.Handle("GET /admin/users/{id}", p(c.user))
	mux.Handle("GET /admin/users/{id}/{action}", p(c.confirmUser))
	mux.Handle("POST /admin/users/{id}/{action}", p(c.changeUser))
	mux.Handle("GET /admin/users/{id}/passkeys/{ref}/remove", p(c.confirmRemovePasskey))
	mux.Handle("POST /admin/users/{id}/passkeys/{ref}/remove", p(c.removePasskey))
	mux.Handle("GET /admin/users/{id}/identities/{connector}/{subject}/remove", p(c.confirmRemoveIdentity))
	mux.Handle("POST /admin/users/{id}/identities/{connector}/{subject}/remove", p(c.removeIdentity))
	mux.Handle("GET /admin/connectors", p(c.connectors))
	mux.Handle("GET /admin/connectors/create", p(c.confirmCreateConnector))
	mux.Handle("POST /admin/connectors/create", p(c.createConnector))
	mux.Handle("GET /admin/connectors/{id}", p(c.connector))
	mux.Handle("POST /admin/connectors/{id}", p(c.saveConnector))
	mux.Handle("GET /admin/connectors/{id}/{action}", p(c.confirmConnectorChange))
	mux.Handle("POST /admin/connectors/{id}/{action}", p(c.changeConnector))
	mux.Handle("GET /admin/webhooks", p(c.webhooks))
	mux.Handle("POST /admin/webhooks/create", p(c.createWebhook))
	mux.Handle("GET /admin/webhooks/{id}", p(c.webhook))
	mux.Handle("POST /admin/webhooks/{id}", p(c.saveWebhook))
	mux.Handle("GET /admin/webhooks/{id}/{action}", p(c.confirmWebhookChange))
	mux.Handle("POST /admin/webhooks/{id}/{action}", p(c.changeWebhook))
	mux.Handle("GET /admin/webhooks/{id}/deliveries/{delivery}/resend", p(c.confirmResend))
	mux.Handle("POST /admin/webhooks/{id}/deliveries/{delivery}/resend", p(c.resend))
	mux.Handle("GET /admin/resources", p(c.resources))
	mux.Handle("POST /admin/resources/create", p(c.createResource))
	mux.Handle("GET /admin/resources/{id}", p(c.resource))
	mux.Handle("POST /admin/resources/{id}", p(c.saveResource))
	mux.Handle("GET /admin/resources/{id}/delete", p(c.confirmDeleteResource))
	mux.Handle("POST /admin/resources/{id}/delete", p(c.deleteResource))
	mux.Handle("GET /admin/token-exchange", p(c.exchangePolicies))
	mux.Handle("POST /admin/token-exchange", p(c.createExchangePolicy))
	mux.Handle("GET /admin/token-exchange/{client_id}", p(c.exchangePolicy))
	mux.Handle("POST /admin/token-exchange/{client_id}", p(c.saveExchangePolicy))
	mux.Handle("GET /admin/token-exchange/{client_id}/delete", p(c.confirmDeleteExchangePolicy))
	mux.Handle("POST /admin/token-exchange/{client_id}/delete", p(c.deleteExchangePolicy))
	mux.Handle("GET /admin/apps", p(c.apps))
	mux.Handle("GET /admin/apps/{id}", p(c.app))
	mux.Handle("GET /admin/apps/{id}/scopes", p(c.confirmScopes))
	mux.Handle("POST /admin/apps/{id}/scopes", p(c.setScopes))
	mux.Handle("GET /admin/apps/{id}/options", p(c.confirmOptions))
	mux.Handle("POST /admin/apps/{id}/options", p(c.setOptions))
	mux.Handle("GET /admin/apps/{id}/disable", p(c.confirmAppState))
	mux.Handle("POST /admin/apps/{id}/disable", p(c.setAppState))
	mux.Handle("GET /admin/apps/{id}/enable", p(c.confirmAppState))
	mux.Handle("POST /admin/apps/{id}/enable", p(c.setAppState))
	mux.Handle("GET /admin/apps/{id}/rotate", p(c.confirmRotate))
	mux.Handle("POST /admin/apps/{id}/rotate", p(c.rotate))
	mux.Handle("GET /admin/apps/{id}/secrets/{sid}/revoke", p(c.confirmRevokeSecret))
	mux.Handle("POST /admin/apps/{id}/secrets/{sid}/revoke", p(c.revokeSecret))
	mux.Handle("GET /admin/registration-tokens/create", p(c.confirmCreateRegistrationToken))
	mux.Handle("POST /admin/registration-tokens/create", p(c.createRegistrationToken))
	mux.Handle("GET /admin/registration-tokens/{token}/revoke", p(c.confirmRevokeRegistrationToken))
	mux.Handle("POST /admin/registration-tokens/{token}/revoke", p(c.revokeRegistrationToken))
	mux.Handle("GET /admin/scopes", p(c.scope))
	mux.Handle("GET /admin/grants/{user}/{app}/revoke", p(c.confirmRevokeGrant))
	mux.Handle("POST /admin/grants/{user}/{app}/revoke", p(c.revokeGrant))
}

// seeOther ends a change: back to a page, which shows what was done
// (POST, redirect, GET).
func seeOther(w http.ResponseWriter, r *http.Request, to, done string) {
	http.Redirect(w, r, to+"?done="+url.QueryEscape(done), http.StatusSeeOther)
}

// notice is the message key of the change a page reports after a
// redirect, from the done parameter: only these, so that a link cannot
// make the console claim anything else.
func notice(r *http.Request) string {
	switch r.URL.Query().Get("done") {
	case "role":
		return "admin.notice_role"
	case "disable":
		return "admin.notice_disabled"
	case "enable":
		return "admin.notice_enabled"
	case "reset-mfa":
		return "admin.notice_mfa_reset"
	case "signout":
		return "admin.notice_signed_out"
	case "passkey-removed":
		return "admin.notice_passkey_removed"
	case "scopes":
		return "admin.notice_scopes"
	case "options":
		return "admin.notice_options"
	case "app-disabled":
		return "admin.notice_app_disabled"
	case "app-enabled":
		return "admin.notice_app_enabled"
	case "secret-revoked":
		return "admin.notice_secret_revoked"
	case "grant-revoked":
		return "admin.notice_grant_revoked"
	case "ws-created":
		return "admin.notice_ws_created"
	case "ws-settings":
		return "admin.notice_ws_settings"
	case "ws-policy":
		return "admin.notice_ws_policy"
	case "ws-deleted":
		return "admin.notice_ws_deleted"
	case "member-role":
		return "admin.notice_member_role"
	case "member-removed":
		return "admin.notice_member_removed"
	case "invitation-revoked":
		return "admin.notice_invitation_revoked"
	case "scim-revoked":
		return "admin.notice_scim_revoked"
	case "install-approved":
		return "admin.notice_install_approved"
	case "install-denied":
		return "admin.notice_install_denied"
	case "uninstalled":
		return "admin.notice_uninstalled"
	case "preapproved":
		return "admin.notice_preapproved"
	case "unapproved":
		return "admin.notice_unapproved"
	case "connector-created":
		return "admin.notice_connector_created"
	case "connector-saved":
		return "admin.notice_connector_saved"
	case "connector-disabled":
		return "admin.notice_connector_disabled"
	case "connector-enabled":
		return "admin.notice_connector_enabled"
	case "connector-deleted":
		return "admin.notice_connector_deleted"
	case "identity-removed":
		return "admin.notice_identity_removed"
	case "webhook-saved":
		return "admin.notice_webhook_saved"
	case "webhook-deleted":
		return "admin.notice_webhook_deleted"
	case "webhook-resent":
		return "admin.notice_webhook_resent"
	case "registration-revoked":
		return "admin.notice_registration_revoked"
	case "resource-created":
		return "admin.notice_resource_created"
	case "resource-saved":
		return "admin.notice_resource_saved"
	case "resource-deleted":
		return "admin.notice_resource_deleted"
	case "exchange-created":
		return "admin.notice_exchange_created"
	case "exchange-saved":
		return "admin.notice_exchange_saved"
	case "exchange-deleted":
		return "admin.notice_exchange_deleted"
	}
	return ""
}

// problem maps an action's error to the message key a page shows and its
// status; ok is false for an error that is the server's fault.
func problem(err error) (status int, key string, ok bool) {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return http.StatusNotFound, "admin.not_found", true
	case errors.Is(err, ErrUnknownRole):
		return http.StatusBadRequest, "admin.error_unknown_role", true
	case errors.Is(err, ErrUnknownScope):
		return http.StatusBadRequest, "admin.error_unknown_scope", true
	case errors.Is(err, ErrAdminScopeOfOwnedApp):
		return http.StatusBadRequest, "admin.error_admin_scope_owned", true
	case errors.Is(err, ErrUnknownFormat):
		return http.StatusBadRequest, "admin.error_token_format", true
	}
	// The console sets no back-channel logout option.
	var bad *FieldError
	if errors.As(err, &bad) {
		switch bad.Field {
		case "require_pushed_authorization_requests":
			return http.StatusBadRequest, "admin.error_par_needs_code", true
		case "dpop_bound_access_tokens":
			return http.StatusBadRequest, "admin.error_dpop_off", true
		case "allowed_origins":
			return http.StatusBadRequest, "admin.error_origin", true
		case "refresh_token_reuse_window":
			return http.StatusBadRequest, "admin.error_reuse_window", true
		case "jwks_uri":
			return http.StatusBadRequest, "admin.error_jwks_uri", true
		case "introspection_signed_response_alg", "introspection_encrypted_response_alg", "introspection_encrypted_response_enc":
			return http.StatusBadRequest, "admin.error_introspection", true
		}
	}
	return apikeyProblem(err)
}

func (c *Console) message(w http.ResponseWriter, r *http.Request, status int, key, linkText, linkURL string) {
	p := web.MessagePage{Title: "message.title", Message: key, LinkText: linkText, LinkURL: linkURL}
	web.ShowMessage(c.cfg.Pages, c.api.cfg.Logger, w, r, status, p)
}

// refuse answers an action's error: a page saying what is wrong, or the
// error page for the server's fault.
func (c *Console) refuse(w http.ResponseWriter, r *http.Request, what string, err error) {
	status, key, ok := problem(err)
	if !ok {
		c.fail(w, r, what, err)
		return
	}
	c.message(w, r, status, key, "admin.nav_records", "/admin/records")
}

func (c *Console) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	web.Fail(c.cfg.Pages, c.api.cfg.Logger, w, r, "admin console: "+what, err)
}

// rendered finishes rendering a console page (web.Rendered).
func (c *Console) rendered(w http.ResponseWriter, r *http.Request, page string, err error) {
	web.Rendered(c.api.cfg.Logger, w, r, "admin "+page+" page", err)
}

// confirm renders a confirmation step.
func (c *Console) confirm(w http.ResponseWriter, r *http.Request, p web.AdminConfirmPage) {
	p.CSRFToken = session.CSRFToken(r)
	c.rendered(w, r, "confirm", c.cfg.Pages.AdminConfirm(w, r, http.StatusOK, p))
}
