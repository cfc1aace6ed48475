package admin

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/provider/links"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/provider/scim"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/webhooks"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what the admin API reads, and what the changes of both the API
// and the console (actions.go) read and change. The console's pages read
// through their own ConsoleStore.
type Store interface {
	storage.Users
	storage.Clients
	// storage.Workspaces: the workspaces, their members and invitations
	// the API lists (changes go through Config.Workspaces).
	storage.Workspaces
	// links.Store: the invitation and password-reset links.
	links.Store
	// consent.WithdrawStore: withdrawing a grant.
	consent.WithdrawStore
	ListConsents(ctx context.Context, userID string) ([]storage.Consent, error)
	ListClientConsents(ctx context.Context, clientID string) ([]storage.Consent, error)
	RevokeSubjectBeyond(ctx context.Context, subject string, allowed []string) (int, error)
	DeleteUserLoginSessions(ctx context.Context, userID string) (int, error)
	// The user's passkeys: listed, and removed by RemovePasskey.
	GetPasskey(ctx context.Context, id []byte) (storage.Passkey, error)
	ListPasskeys(ctx context.Context, userID string) ([]storage.Passkey, error)
	DeletePasskey(ctx context.Context, userID string, id []byte) error
	// The connectors made in the console and the API, and the identities
	// linked to accounts (connectors.go).
	CreateConnector(ctx context.Context, c storage.Connector) error
	GetConnector(ctx context.Context, id string) (storage.Connector, error)
	ListConnectors(ctx context.Context) ([]storage.Connector, error)
	UpdateConnector(ctx context.Context, id string, update func(storage.Connector) (storage.Connector, error)) (storage.Connector, error)
	DeleteConnector(ctx context.Context, id string) error
	ListUserIdentities(ctx context.Context, userID string) ([]storage.LinkedIdentity, error)
	UnlinkIdentity(ctx context.Context, userID, connectorID, subject string) error
	// The protected resources made in the console and the API
	// (resources.go).
	storage.Resources
	// The token exchange policies made in the console and the API
	// (exchange.go).
	storage.ExchangePolicies
}

// Authenticate checks a bearer token: the client it was issued to, its
// user (empty for client credentials) and its scopes.
type Authenticate func(ctx context.Context, token string) (clientID, subject string, scopes []string, err error)

// Config holds the API's dependencies.
type Config struct {
	Store        Store
	Authenticate Authenticate
	// Roles maps each role to the scopes its users may grant, in order.
	Roles []Role
	// Scopes is the scope catalogue: the scopes an app may be given.
	Scopes     []string
	Hasher     secret.Hasher
	APIKeys    apikey.Policy
	KeyWarn    time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
	AdminScope string
	// Audit records every change made through the API.
	Audit *audit.Recorder
	// Workspaces makes the changes to workspaces, their members and
	// invitations (provider/workspace).
	Workspaces *workspace.Service
	// SCIMTokens makes, lists and revokes the workspaces' SCIM tokens
	// (provider/scim).
	SCIMTokens SCIMTokens
	// RegistrationTokens issues the initial access tokens of dynamic
	// client registration; nil when registration is off.
	RegistrationTokens RegistrationTokens
	// Installs decides on the apps installed into workspaces.
	Installs *install.Service
	// Connectors checks the connectors made here by the configuration's
	// rules and knows the configured ones (config.Config).
	Connectors ConnectorRules
	// UpstreamSealer seals the connectors' secrets: the sealer for
	// secret.PurposeUpstreams.
	UpstreamSealer *secret.Sealer
	// Resources are the configured protected resources (RFC 8707):
	// read-only here, beside the stored ones.
	Resources []resources.Resource
	// Exchange are the configured token exchange policies (RFC 8693):
	// read-only here, beside the stored ones.
	Exchange []storage.ExchangePolicy
	// Webhooks makes and changes the webhook subscriptions
	// (provider/webhooks); nil answers their routes 404.
	Webhooks *webhooks.Service
	// Dev allows an app's URIs and origins http on any host, not only on
	// a loopback one (clientrules.Options.Dev), as --dev does for the
	// configuration's clients.
	Dev bool
	// DPoPOff says the provider takes no DPoP proofs: an app cannot be
	// made to require them (clientrules.Options.DPoPOff).
	DPoPOff bool

	// Passwords is the rule a new password must pass (password.Policy).
	Passwords interface{ Check(pw string) error }
	// PasswordHasher hashes a new password within the process's bound
	// (its one password.Pool).
	PasswordHasher interface {
		Hash(ctx context.Context, pw string) (string, error)
	}
	// Mail sends the account mails; nil when no mail server is
	// configured, and then no link can be mailed.
	Mail     Mailer
	Composer Composer
	// Links hashes the tokens of mailed links.
	Links secret.Hasher
	// Issuer is the provider's public URL, the base of mailed links.
	Issuer string
	// InvitationLink is how long the link to choose the password of an
	// account created without one works (accounts.activation_link);
	// ResetLink how long a password-reset link does (accounts.reset_link).
	InvitationLink, ResetLink time.Duration
}

// SCIMTokens makes, lists and revokes the workspaces' SCIM tokens
// (scim.Tokens).
type SCIMTokens interface {
	Create(ctx context.Context, by scim.Actor, workspaceID, name string, life time.Duration) (string, storage.SCIMToken, error)
	List(ctx context.Context, workspaceID string) ([]storage.SCIMToken, error)
	Revoke(ctx context.Context, by scim.Actor, workspaceID, id string) error
}

// Mailer sends the account mails.
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// Composer writes the account mails the API has sent.
type Composer interface {
	Invitation(loc mail.Locale, to string, i mail.Invitation) (mail.Message, error)
	PasswordReset(loc mail.Locale, to string, r mail.PasswordReset) (mail.Message, error)
}

// Role is a user role and the scopes its users may grant.
type Role struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
}

// API serves the admin API.
type API struct {
	cfg   Config
	links *links.Maker
}

// New returns the API.
func New(cfg Config) *API {
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	if cfg.AdminScope == "" {
		cfg.AdminScope = "admin"
	}
	return &API{cfg: cfg, links: links.New(links.Config{Store: cfg.Store, Hasher: cfg.Links, Issuer: cfg.Issuer, Now: cfg.Now})}
}

// routes maps each route pattern to its handler.
func (a *API) routes() map[string]func(http.ResponseWriter, *http.Request, string) {
	return map[string]func(http.ResponseWriter, *http.Request, string){
		"GET /admin/api/v1/users":                                          a.listUsers,
		"POST /admin/api/v1/users":                                         a.createUser,
		"GET /admin/api/v1/users/{id}":                                     a.getUser,
		"PATCH /admin/api/v1/users/{id}":                                   a.patchUser,
		"POST /admin/api/v1/users/{id}/password-reset":                     a.sendPasswordLink,
		"POST /admin/api/v1/users/{id}/totp-reset":                         a.resetTOTP,
		"GET /admin/api/v1/users/{id}/passkeys":                            a.listPasskeys,
		"DELETE /admin/api/v1/users/{id}/passkeys/{passkey_id}":            a.deletePasskey,
		"GET /admin/api/v1/roles":                                          a.listRoles,
		"GET /admin/api/v1/apps":                                           a.listApps,
		"POST /admin/api/v1/apps":                                          a.createApp,
		"GET /admin/api/v1/apps/{id}":                                      a.getApp,
		"PATCH /admin/api/v1/apps/{id}":                                    a.patchApp,
		"DELETE /admin/api/v1/apps/{id}":                                   a.deleteApp,
		"GET /admin/api/v1/apps/{id}/secrets":                              a.listSecrets,
		"POST /admin/api/v1/apps/{id}/secrets":                             a.rotateSecret,
		"DELETE /admin/api/v1/apps/{id}/secrets/{sid}":                     a.revokeSecret,
		"GET /admin/api/v1/grants":                                         a.listGrants,
		"DELETE /admin/api/v1/grants/{user}/{app}":                         a.deleteGrant,
		"GET /admin/api/v1/connectors":                                     a.listConnectors,
		"POST /admin/api/v1/connectors":                                    a.createConnector,
		"GET /admin/api/v1/connectors/{id}":                                a.getConnector,
		"PATCH /admin/api/v1/connectors/{id}":                              a.patchConnector,
		"DELETE /admin/api/v1/connectors/{id}":                             a.deleteConnector,
		"GET /admin/api/v1/users/{id}/identities":                          a.listIdentities,
		"DELETE /admin/api/v1/users/{id}/identities/{connector}/{subject}": a.deleteIdentity,
		"GET /admin/api/v1/resources":                                      a.listResources,
		"POST /admin/api/v1/resources":                                     a.createResource,
		"GET /admin/api/v1/resources/{id}":                                 a.getResource,
		"PATCH /admin/api/v1/resources/{id}":                               a.patchResource,
		"DELETE /admin/api/v1/resources/{id}":                              a.deleteResource,
		"GET /admin/api/v1/token-exchange-policies":                        a.listExchangePolicies,
		"POST /admin/api/v1/token-exchange-policies":                       a.createExchangePolicy,
		"GET /admin/api/v1/token-exchange-policies/{client_id}":            a.getExchangePolicy,
		"PATCH /admin/api/v1/token-exchange-policies/{client_id}":          a.patchExchangePolicy,
		"DELETE /admin/api/v1/token-exchange-policies/{client_id}":         a.deleteExchangePolicy,
		"GET /admin/api/v1/webhooks":                                       a.listWebhooks,
		"POST /admin/api/v1/webhooks":                                      a.createWebhook,
		"GET /admin/api/v1/webhooks/{id}":                                  a.getWebhook,
		"PATCH /admin/api/v1/webhooks/{id}":                                a.patchWebhook,
		"DELETE /admin/api/v1/webhooks/{id}":                               a.deleteWebhook,
		"POST /admin/api/v1/webhooks/{id}/rotate-secret":                   a.rotateWebhookSecret,
		"GET /admin/api/v1/webhooks/{id}/deliveries":                       a.listWebhookDeliveries,
		"POST /admin/api/v1/webhooks/{id}/deliveries/{delivery}/resend":    a.resendWebhookDelivery,
		"GET /admin/api/v1/registration-tokens":                            a.listRegistrationTokens,
		"POST /admin/api/v1/registration-tokens":                           a.createRegistrationToken,
		"DELETE /admin/api/v1/registration-tokens/{token_id}":              a.revokeRegistrationToken,
	}
}

// workspaceRoutes maps each route pattern open to an admin client bound to
// a workspace (storage.Client.WorkspaceID) to its handler: the others
// answer such a client 403.
func (a *API) workspaceRoutes() map[string]func(http.ResponseWriter, *http.Request, string) {
	return map[string]func(http.ResponseWriter, *http.Request, string){
		"GET /admin/api/v1/workspaces":                                   a.listWorkspaces,
		"POST /admin/api/v1/workspaces":                                  a.createWorkspace,
		"GET /admin/api/v1/workspaces/{id}":                              a.getWorkspace,
		"PATCH /admin/api/v1/workspaces/{id}":                            a.patchWorkspace,
		"DELETE /admin/api/v1/workspaces/{id}":                           a.deleteWorkspace,
		"GET /admin/api/v1/workspaces/{id}/members":                      a.listMembers,
		"POST /admin/api/v1/workspaces/{id}/members":                     a.addMember,
		"PATCH /admin/api/v1/workspaces/{id}/members/{user_id}":          a.patchMember,
		"DELETE /admin/api/v1/workspaces/{id}/members/{user_id}":         a.removeMember,
		"GET /admin/api/v1/workspaces/{id}/invitations":                  a.listInvitations,
		"POST /admin/api/v1/workspaces/{id}/invitations":                 a.invite,
		"DELETE /admin/api/v1/workspaces/{id}/invitations/{invitation}":  a.revokeInvitation,
		"GET /admin/api/v1/workspaces/{id}/scim-tokens":                  a.listSCIMTokens,
		"POST /admin/api/v1/workspaces/{id}/scim-tokens":                 a.createSCIMToken,
		"DELETE /admin/api/v1/workspaces/{id}/scim-tokens/{token_id}":    a.revokeSCIMToken,
		"GET /admin/api/v1/workspaces/{id}/installations":                a.listInstallations,
		"POST /admin/api/v1/workspaces/{id}/installations/{iid}/approve": a.approveInstallation,
		"POST /admin/api/v1/workspaces/{id}/installations/{iid}/deny":    a.denyInstallation,
		"DELETE /admin/api/v1/workspaces/{id}/installations/{iid}":       a.uninstall,
		"GET /admin/api/v1/workspaces/{id}/approved-apps":                a.listApprovedApps,
		"PUT /admin/api/v1/workspaces/{id}/approved-apps/{client_id}":    a.approveApp,
		"DELETE /admin/api/v1/workspaces/{id}/approved-apps/{client_id}": a.unapproveApp,
	}
}

// Routes returns the patterns of every route the API serves.
func (a *API) Routes() []string {
	var out []string
	for pattern := range a.routes() {
		out = append(out, pattern)
	}
	for pattern := range a.workspaceRoutes() {
		out = append(out, pattern)
	}
	slices.Sort(out)
	return out
}

// Mount registers the routes.
func (a *API) Mount(mux Mux) {
	for pattern, h := range a.routes() {
		mux.Handle(pattern, a.authorized(a.platformOnly(h)))
	}
	for pattern, h := range a.workspaceRoutes() {
		mux.Handle(pattern, a.authorized(h))
	}
	mux.HandleFunc("/admin/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "No such admin API resource or method; see docs/admin-api.yaml.")
	})
}

// authorized runs h for a request with an admin token of a service, and
// passes the calling client's ID on.
func (a *API) authorized(h func(http.ResponseWriter, *http.Request, string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The scheme is case-insensitive (RFC 9110 section 11.1), as
		// userinfo and provider/rs read it.
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tokenim-auth admin", scope="`+a.cfg.AdminScope+`"`)
			writeError(w, http.StatusUnauthorized, "invalid_token", "An access token with the admin scope is required (Authorization: Bearer …).")
			return
		}
		clientID, subject, scopes, err := a.cfg.Authenticate(r.Context(), token)
		if errors.Is(err, storage.ErrUnavailable) {
			// The token could not be looked up: it may well be good.
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "The service is temporarily unavailable; try again in a few seconds.")
			return
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tokenim-auth admin", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid_token", "The access token is invalid, expired or revoked.")
			return
		}
		if subject != "" || !slices.Contains(scopes, a.cfg.AdminScope) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tokenim-auth admin", error="insufficient_scope", scope="`+a.cfg.AdminScope+`"`)
			writeError(w, http.StatusForbidden, "insufficient_scope", "The admin API needs a client-credentials token with the admin scope.")
			return
		}
		c, err := a.cfg.Store.GetClient(r.Context(), clientID)
		if err != nil {
			// Its token was good a moment ago: the app was just deleted,
			// or the store failed.
			a.notFound(w, r, err, "calling app")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		h(w, r.WithContext(context.WithValue(r.Context(), boundKey{}, c.WorkspaceID)), clientID)
	})
}

// boundKey carries, in a request's context, the workspace the calling
// admin client is bound to (empty: platform-wide).
type boundKey struct{}

// bound returns the workspace the calling admin client is bound to, or
// "" for a platform-wide one.
func bound(r *http.Request) string {
	id, _ := r.Context().Value(boundKey{}).(string)
	return id
}

// platformOnly refuses h to an admin client bound to a workspace: the
// users, apps, roles and grants are the platform's.
func (a *API) platformOnly(h func(http.ResponseWriter, *http.Request, string)) func(http.ResponseWriter, *http.Request, string) {
	return func(w http.ResponseWriter, r *http.Request, caller string) {
		if bound(r) != "" {
			forbidden(w)
			return
		}
		h(w, r, caller)
	}
}

// forbidden answers a workspace-bound admin client a platform-wide call.
func forbidden(w http.ResponseWriter) {
	writeError(w, http.StatusForbidden, "insufficient_scope", "This admin client is bound to a workspace: it manages that workspace only, under /admin/api/v1/workspaces.")
}

// user is a user as the API shows it: never a hash or a secret.
type user struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"email_verified"`
	Name          string    `json:"name"`
	Role          string    `json:"role"`
	Status        string    `json:"status"`
	MFA           bool      `json:"mfa"`
	CreatedAt     time.Time `json:"created_at"`
}

func userOut(u storage.User) user {
	return user{u.ID, u.Email, u.EmailVerified, u.Name, u.Role, string(u.Status), u.TOTPEnabled, u.CreatedAt}
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, _ string) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	list, err := a.cfg.Store.ListUsers(r.Context(), storage.Page{After: strings.ToLower(r.URL.Query().Get("after")), Limit: min(max(limit, 0), 500)})
	if err != nil {
		a.fail(w, r, "list users", err)
		return
	}
	out := []user{}
	for _, u := range list {
		out = append(out, userOut(u))
	}
	web.JSON(w, http.StatusOK, map[string]any{"users": out})
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, _ string) {
	u, err := a.cfg.Store.GetUser(r.Context(), r.PathValue("id"))
	if a.notFound(w, r, err, "user") {
		return
	}
	web.JSON(w, http.StatusOK, userOut(u))
}

// patchUser changes a user's name, role or status (see ChangeUser).
func (a *API) patchUser(w http.ResponseWriter, r *http.Request, caller string) {
	var body struct {
		Name   *string `json:"name"`
		Role   *string `json:"role"`
		Status *string `json:"status"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.Name == nil && body.Role == nil && body.Status == nil {
		writeError(w, http.StatusBadRequest, "invalid_request", `The body must set at least one of "name", "role" and "status".`)
		return
	}
	ch := UserChange{Name: body.Name, Role: body.Role}
	if body.Status != nil {
		st := storage.UserStatus(*body.Status)
		ch.Status = &st
	}
	u, err := a.ChangeUser(r.Context(), ByClient(caller), r.PathValue("id"), ch)
	if refused(w, err) || a.notFound(w, r, err, "user") {
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin changed a user", "admin_client_id", caller, "user_id", u.ID, "role", u.Role, "status", string(u.Status))
	web.JSON(w, http.StatusOK, userOut(u))
}

func (a *API) listRoles(w http.ResponseWriter, _ *http.Request, _ string) {
	web.JSON(w, http.StatusOK, map[string]any{"roles": a.cfg.Roles})
}
