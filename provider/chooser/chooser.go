package chooser

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// Path is the chooser's address (oauth.ChooserPath).
const Path = "/choose-workspace"

// decisionDeny is the refusal the chooser writes to a flow, as the
// consent page does; the authorization endpoint answers it with
// access_denied.
const decisionDeny = "deny"

// Store is what the chooser needs of storage.
type Store interface {
	GetClient(ctx context.Context, id string) (storage.Client, error)
	GetFlow(ctx context.Context, id string) (storage.Flow, error)
	UpdateFlow(ctx context.Context, id string, update func(storage.Flow) (storage.Flow, error)) (storage.Flow, error)
	GetWorkspace(ctx context.Context, id string) (storage.Workspace, error)
	GetMember(ctx context.Context, workspaceID, userID string) (storage.Member, error)
	ListUserWorkspaces(ctx context.Context, userID string) ([]storage.Member, error)
}

// Sessions tells who is signed in and protects forms (CSRF).
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	Protect(h http.Handler) http.Handler
}

// Pages renders the chooser, the not-a-member message and errors.
type Pages interface {
	WorkspaceChooser(w http.ResponseWriter, r *http.Request, status int, p web.WorkspaceChooserPage) error
	Message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) error
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
}

// Config holds the handler's dependencies.
type Config struct {
	Store    Store
	Sessions Sessions
	Pages    Pages
	Now      func() time.Time
	Logger   *slog.Logger
}

// Handler serves the chooser.
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
	mux.Handle("GET "+Path, h.cfg.Sessions.Protect(http.HandlerFunc(h.show)))
	mux.Handle("POST "+Path, h.cfg.Sessions.Protect(http.HandlerFunc(h.submit)))
}

// request is a parked flow and who is choosing.
type request struct {
	flow   storage.Flow
	user   storage.User
	query  url.Values
	client storage.Client
}

// back is the authorization endpoint resuming the flow.
func back(flowID string) string {
	return "/oauth2/auth?" + url.Values{"flow": {flowID}}.Encode()
}

// load finds the flow and the signed-in user, or answers the browser (an
// error page, or the sign-in page when nobody is signed in) and returns
// false.
func (h *Handler) load(w http.ResponseWriter, r *http.Request, flowID string) (request, bool) {
	ctx := r.Context()
	if flowID == "" {
		h.errorPage(w, r, nil, http.StatusBadRequest, "error.invalid_request")
		return request{}, false
	}
	f, err := h.cfg.Store.GetFlow(ctx, flowID)
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) || (err == nil && !f.ExpiresAt.After(h.cfg.Now())) {
		h.errorPage(w, r, nil, http.StatusBadRequest, "error.flow_expired")
		return request{}, false
	}
	if err != nil {
		h.fail(w, r, "chooser: load flow", err)
		return request{}, false
	}
	q, _ := url.ParseQuery(f.Query)
	signed, ok, err := h.cfg.Sessions.Current(ctx, r)
	if err != nil {
		h.fail(w, r, "chooser: load session", err)
		return request{}, false
	}
	if !ok {
		http.Redirect(w, r, "/login?"+url.Values{"flow": {f.ID}}.Encode(), http.StatusSeeOther)
		return request{}, false
	}
	c, err := h.cfg.Store.GetClient(ctx, f.ClientID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.fail(w, r, "chooser: load client", err)
		return request{}, false
	}
	return request{flow: f, user: signed.User, query: q, client: c}, true
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	req, ok := h.load(w, r, r.URL.Query().Get("flow"))
	if !ok {
		return
	}
	if req.flow.Decision == storage.FlowNotMember {
		h.notMember(w, r, req)
		return
	}
	h.render(w, r, http.StatusOK, req, "")
}

// notMember tells the user they are not a member of the workspace the app
// asked for; the way back answers the app with access_denied.
func (h *Handler) notMember(w http.ResponseWriter, r *http.Request, req request) {
	name := req.query.Get("organization")
	if ws, err := h.cfg.Store.GetWorkspace(r.Context(), req.flow.WorkspaceID); err == nil {
		name = ws.Handle
	}
	p := web.MessagePage{
		UILocales: req.query.Get("ui_locales"), Title: "message.title", Message: "workspace.not_member", MessageArg: name,
		LinkURL: back(req.flow.ID), LinkText: "message.back_to_app",
	}
	web.ShowMessage(h.cfg.Pages, h.cfg.Logger, w, r, http.StatusForbidden, p)
}

// render shows the user's workspaces to choose from.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, req request, problem string) {
	ctx := r.Context()
	mine, err := workspace.Offered(ctx, h.cfg.Store, req.user.ID)
	if err != nil {
		h.fail(w, r, "chooser: list workspaces", err)
		return
	}
	choices := make([]web.WorkspaceChoice, 0, len(mine))
	for _, m := range mine {
		choices = append(choices, web.WorkspaceChoice{ID: m.Workspace.ID, Name: m.Workspace.Name, Handle: m.Workspace.Handle})
	}
	p := web.WorkspaceChooserPage{
		UILocales: req.query.Get("ui_locales"), CSRFToken: session.CSRFToken(r), Flow: req.flow.ID,
		ClientName: req.client.Name, ClientID: req.flow.ClientID, UserEmail: req.user.Email,
		Workspaces: choices, Error: problem,
	}
	web.Rendered(h.cfg.Logger, w, r, "workspace chooser", h.cfg.Pages.WorkspaceChooser(w, r, status, p))
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, ok := h.load(w, r, r.PostFormValue("flow"))
	if !ok {
		return
	}
	if req.flow.Decision == storage.FlowNotMember {
		// Nothing to choose: the authorization endpoint answers the app.
		http.Redirect(w, r, back(req.flow.ID), http.StatusSeeOther)
		return
	}
	record := func(f storage.Flow) storage.Flow {
		f.UserID, f.Decision, f.GrantedScopes = req.user.ID, decisionDeny, nil
		return f
	}
	if r.PostFormValue("decision") != decisionDeny {
		id := r.PostFormValue("workspace")
		// Only a workspace of the user's: the authorization endpoint
		// checks again, this answers a forged or stale choice clearly.
		_, err := workspace.ActiveMember(ctx, h.cfg.Store, id, req.user.ID)
		switch {
		case workspace.NotActive(err) || id == "":
			h.render(w, r, http.StatusBadRequest, req, "workspace.choose_failed")
			return
		case err != nil:
			h.fail(w, r, "chooser: check membership", err)
			return
		}
		record = func(f storage.Flow) storage.Flow {
			if f.UserID != req.user.ID {
				// Another user's decisions in this flow are not this one's.
				f.Decision, f.GrantedScopes = "", nil
			}
			f.UserID, f.WorkspaceID = req.user.ID, id
			return f
		}
	}
	if _, err := h.cfg.Store.UpdateFlow(ctx, req.flow.ID, func(f storage.Flow) (storage.Flow, error) {
		return record(f), nil
	}); err != nil {
		h.fail(w, r, "chooser: record choice", err)
		return
	}
	http.Redirect(w, r, back(req.flow.ID), http.StatusSeeOther)
}

// fail answers a request the chooser could not complete (web.Fail).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	web.Fail(h.cfg.Pages, h.cfg.Logger, w, r, what, err)
}

// errorPage shows the error page with key, in the flow's language.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, q url.Values, status int, key string) {
	web.ShowError(h.cfg.Pages, h.cfg.Logger, w, r, status, q.Get("ui_locales"), key)
}
