package consent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/authzdetails"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what consent needs of storage.
type Store interface {
	GetClient(ctx context.Context, id string) (storage.Client, error)
	GetFlow(ctx context.Context, id string) (storage.Flow, error)
	UpdateFlow(ctx context.Context, id string, update func(storage.Flow) (storage.Flow, error)) (storage.Flow, error)
	GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error)
	SaveConsent(ctx context.Context, c storage.Consent) error
	// GetMember reads the user's role in the flow's workspace, which caps
	// what the page offers (RoleScopes).
	GetMember(ctx context.Context, workspaceID, userID string) (storage.Member, error)
	ListDetailGrants(ctx context.Context, userID, clientID string) ([]storage.DetailGrant, error)
	SaveDetailGrants(ctx context.Context, userID, clientID string, grants []storage.DetailGrant) error
	// GetWorkspaceInstallation reads the app's installation in the
	// flow's workspace, which caps what the page offers too
	// (InstalledScopes).
	InstallationReader
	storage.Transactor
}

// Sessions tells who is signed in and protects forms.
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	Protect(h http.Handler) http.Handler
}

// Pages renders the consent and error pages.
type Pages interface {
	Consent(w http.ResponseWriter, r *http.Request, status int, p web.ConsentPage) error
	Message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) error
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
}

// Config holds the handler's dependencies.
type Config struct {
	Store    Store
	Sessions Sessions
	Pages    Pages
	// Lifespan is how long a remembered decision lasts; 0 is until the
	// user withdraws it.
	Lifespan time.Duration
	// RoleScopes maps each role to the scopes its users may grant; the
	// page offers only those.
	RoleScopes map[string][]string
	// Names names the conversations of authorization details (Lookup);
	// nil shows their IDs.
	Names Names
	// Audit records each decision.
	Audit  *audit.Recorder
	Now    func() time.Time
	Logger *slog.Logger
}

// Handler serves the consent page.
type Handler struct {
	cfg Config
}

// New returns the handler.
func New(cfg Config) *Handler {
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	return &Handler{cfg: cfg}
}

// Mount registers the routes behind CSRF protection.
func (h *Handler) Mount(mux Mux) {
	mux.Handle("GET /consent", h.cfg.Sessions.Protect(http.HandlerFunc(h.show)))
	mux.Handle("POST /consent", h.cfg.Sessions.Protect(http.HandlerFunc(h.submit)))
}

// request is a flow being consented to, with who is deciding.
type request struct {
	flow   storage.Flow
	client storage.Client
	user   storage.User
	scopes []string
	// details are the authorization details asked for (RFC 9396),
	// narrowed like scopes, one per conversation.
	details authzdetails.List
	query   url.Values
}

// load finds the flow, its client and the signed-in user, or answers the
// browser itself (an error page, or the sign-in page when nobody is signed
// in) and returns false.
func (h *Handler) load(w http.ResponseWriter, r *http.Request, flowID string) (request, bool) {
	ctx := r.Context()
	if flowID == "" {
		h.errorPage(w, r, nil, http.StatusBadRequest, "error.invalid_request")
		return request{}, false
	}
	f, err := h.cfg.Store.GetFlow(ctx, flowID)
	// An ID that is not text (storage.ErrInvalidInput) names no flow either.
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) || (err == nil && !f.ExpiresAt.After(h.cfg.Now())) {
		h.errorPage(w, r, nil, http.StatusBadRequest, "error.flow_expired")
		return request{}, false
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "consent: load flow", "flow", flowID, "err", err)
		h.errorPage(w, r, nil, http.StatusInternalServerError, "error.server")
		return request{}, false
	}
	q, _ := url.ParseQuery(f.Query)
	signed, ok, err := h.cfg.Sessions.Current(ctx, r)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "consent: load session", "err", err)
		h.errorPage(w, r, q, http.StatusInternalServerError, "error.server")
		return request{}, false
	}
	if !ok {
		http.Redirect(w, r, "/login?"+url.Values{"flow": {f.ID}}.Encode(), http.StatusSeeOther)
		return request{}, false
	}
	c, err := h.cfg.Store.GetClient(ctx, f.ClientID)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "consent: load client", "client_id", f.ClientID, "err", err)
		h.errorPage(w, r, q, http.StatusBadRequest, "error.unknown_client")
		return request{}, false
	}
	// The scopes were validated against the client's list when the flow
	// was parked; intersect again in case the client changed since.
	roleScopes, err := h.roleScopes(ctx, signed.User, f.WorkspaceID, c.ID)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "consent: load workspace role", "workspace_id", f.WorkspaceID, "err", err)
		h.errorPage(w, r, q, http.StatusInternalServerError, "error.server")
		return request{}, false
	}
	scopes, _ := Narrow(strings.Fields(q.Get("scope")), c.Scopes, roleScopes)
	details := requestDetails(q, c.Scopes, roleScopes)
	return request{flow: f, client: c, user: signed.User, scopes: scopes, details: details, query: q}, true
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	req, ok := h.load(w, r, r.URL.Query().Get("flow"))
	if !ok {
		return
	}
	if req.flow.Decision == "role" {
		// The user's role allows none of what the app needs: say which
		// permission is missing; the way back tells the app.
		p := web.MessagePage{
			UILocales: req.query.Get("ui_locales"), Title: "message.title", Message: "scope.not_allowed",
			MessageArg: strings.Join(req.flow.GrantedScopes, ", "),
			LinkURL:    "/oauth2/auth?" + url.Values{"flow": {req.flow.ID}}.Encode(), LinkText: "message.back_to_app",
		}
		web.ShowMessage(h.cfg.Pages, h.cfg.Logger, w, r, http.StatusForbidden, p)
		return
	}
	h.render(w, r, http.StatusOK, req, "")
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, req request, problem string) {
	p := web.ConsentPage{
		UILocales: req.query.Get("ui_locales"), CSRFToken: session.CSRFToken(r), Flow: req.flow.ID,
		ClientName: req.client.Name, ClientID: req.client.ID, ClientLogoURI: req.client.LogoURI, UserEmail: req.user.Email,
		Scopes: req.scopes, Remember: true, Error: problem,
		Details: pageDetails(r.Context(), h.cfg.Names, req.details),
	}
	web.Rendered(h.cfg.Logger, w, r, "consent page", h.cfg.Pages.Consent(w, r, status, p))
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, ok := h.load(w, r, r.PostFormValue("flow"))
	if !ok {
		return
	}
	if req.flow.Decision == "role" {
		// Nothing to decide: the role decided.
		http.Redirect(w, r, "/oauth2/auth?"+url.Values{"flow": {req.flow.ID}}.Encode(), http.StatusSeeOther)
		return
	}
	decision := r.PostFormValue("decision")
	if decision != "allow" && decision != "deny" {
		h.render(w, r, http.StatusBadRequest, req, "consent.failed")
		return
	}
	now := h.cfg.Now().UTC().Truncate(time.Second)
	remember := decision == "allow" && r.PostFormValue("remember") == "1"
	details := tickedDetails(req.details, r.PostForm["detail"])
	e := audit.Event{Action: audit.ConsentGranted, Subject: req.user.ID, ClientID: req.client.ID, Scopes: req.scopes,
		Detail: map[string]string{"remembered": strconv.FormatBool(remember)}}.ByUser(req.user.ID)
	if decision == "deny" {
		e.Outcome, e.Reason = audit.Failure, "denied_by_user"
	}
	if len(req.details) > 0 {
		e.Detail[authzdetails.Param] = details.String()
	}
	err := storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		if remember {
			if err := RememberWithDetails(ctx, h.cfg.Store, req.user.ID, req.client, req.scopes, details, h.cfg.Lifespan, now); err != nil {
				return fmt.Errorf("remember: %w", err)
			}
		}
		if _, err := h.cfg.Store.UpdateFlow(ctx, req.flow.ID, func(f storage.Flow) (storage.Flow, error) {
			f.UserID, f.Decision, f.GrantedScopes = req.user.ID, decision, nil
			if decision == "allow" {
				f.GrantedScopes = req.scopes
				if len(req.details) > 0 {
					// The request now asks only for what the user kept.
					f.Query = withDetails(req.query, details)
				}
			}
			return f, nil
		}); err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, e)
	})
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "consent: record decision", "err", err)
		h.render(w, r, http.StatusInternalServerError, req, "consent.failed")
		return
	}
	h.cfg.Logger.InfoContext(ctx, "consent decided", "user_id", req.user.ID, "client_id", req.client.ID, "decision", decision,
		"scopes", strings.Join(req.scopes, " "))
	http.Redirect(w, r, "/oauth2/auth?"+url.Values{"flow": {req.flow.ID}}.Encode(), http.StatusSeeOther)
}

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, q url.Values, status int, key string) {
	web.ShowError(h.cfg.Pages, h.cfg.Logger, w, r, status, q.Get("ui_locales"), key)
}

// roleScopes is what user may grant the app clientID for the flow's
// workspace (RoleScopes, InstalledScopes), as the authorization endpoint
// narrows it. A user who is no longer a member of it may grant nothing:
// the authorization endpoint refuses the request when the browser
// returns.
func (h *Handler) roleScopes(ctx context.Context, user storage.User, workspaceID, clientID string) ([]string, error) {
	if workspaceID == "" {
		return h.cfg.RoleScopes[user.Role], nil
	}
	m, err := h.cfg.Store.GetMember(ctx, workspaceID, user.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	scopes, _ := RoleScopes(h.cfg.RoleScopes, user.Role, m.Role)
	return InstalledScopes(ctx, h.cfg.Store, workspaceID, clientID, scopes)
}
