package login

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what sign-in and logout need of storage.
type Store interface {
	GetUserByEmail(ctx context.Context, email string) (storage.User, error)
	GetClient(ctx context.Context, id string) (storage.Client, error)
	GetFlow(ctx context.Context, id string) (storage.Flow, error)
	UpdateFlow(ctx context.Context, id string, update func(storage.Flow) (storage.Flow, error)) (storage.Flow, error)
}

// Sessions signs browsers in and out.
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	Start(ctx context.Context, w http.ResponseWriter, r *http.Request, user storage.User, amr []string, acr string) (storage.LoginSession, error)
	End(ctx context.Context, w http.ResponseWriter, r *http.Request) error
	Protect(h http.Handler) http.Handler
}

// Pages renders the pages this package answers with.
type Pages interface {
	Login(w http.ResponseWriter, r *http.Request, status int, p web.LoginPage) error
	Logout(w http.ResponseWriter, r *http.Request, p web.LogoutPage) error
	LoggedOut(w http.ResponseWriter, r *http.Request, p web.LoggedOutPage) error
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
}

// Verifier checks that an ID token was signed by the provider.
type Verifier interface {
	Verify(ctx context.Context, compact string) ([]byte, error)
}

// Config holds the handlers' dependencies.
type Config struct {
	Store    Store
	Sessions Sessions
	Pages    Pages
	Keys     Verifier
	Now      func() time.Time
	Logger   *slog.Logger
}

// Handler serves the sign-in and logout pages.
type Handler struct {
	cfg Config
}

// New returns the handler.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg}
}

// Mount registers the routes, each behind CSRF protection.
func (h *Handler) Mount(mux *http.ServeMux) {
	p := h.cfg.Sessions.Protect
	mux.Handle("GET /login", p(http.HandlerFunc(h.showLogin)))
	mux.Handle("POST /login", p(http.HandlerFunc(h.submitLogin)))
	mux.Handle("GET /oauth2/logout", p(http.HandlerFunc(h.showLogout)))
	mux.Handle("POST /oauth2/logout", p(http.HandlerFunc(h.submitLogout)))
}

// loadFlow finds the live flow a sign-in belongs to, or writes the error
// page and returns false.
func (h *Handler) loadFlow(w http.ResponseWriter, r *http.Request, id string) (storage.Flow, bool) {
	if id == "" {
		h.errorPage(w, r, "", http.StatusBadRequest, "error.invalid_request")
		return storage.Flow{}, false
	}
	f, err := h.cfg.Store.GetFlow(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !f.ExpiresAt.After(h.cfg.Now())) {
		h.errorPage(w, r, "", http.StatusBadRequest, "error.flow_expired")
		return storage.Flow{}, false
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "load flow", "flow", id, "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return storage.Flow{}, false
	}
	return f, true
}

// page fills the parts of the sign-in page that come from the flow.
func (h *Handler) page(r *http.Request, f storage.Flow) web.LoginPage {
	q, _ := url.ParseQuery(f.Query)
	p := web.LoginPage{UILocales: q.Get("ui_locales"), CSRFToken: session.CSRFToken(r), Flow: f.ID, Email: q.Get("login_hint")}
	if c, err := h.cfg.Store.GetClient(r.Context(), f.ClientID); err == nil {
		p.ClientName = c.Name
	}
	return p
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request) {
	f, ok := h.loadFlow(w, r, r.URL.Query().Get("flow"))
	if !ok {
		return
	}
	if r.URL.Query().Get("switch") == "1" {
		// "Not you?": sign this browser out, then ask again.
		if err := h.cfg.Sessions.End(r.Context(), w, r); err != nil {
			h.cfg.Logger.ErrorContext(r.Context(), "end session", "err", err)
		}
		http.Redirect(w, r, "/login?"+url.Values{"flow": {f.ID}}.Encode(), http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, h.page(r, f))
}

func (h *Handler) submitLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, ok := h.loadFlow(w, r, r.PostFormValue("flow"))
	if !ok {
		return
	}
	p := h.page(r, f)
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	pw := r.PostFormValue("password")
	if p.Email == "" || pw == "" {
		p.Error = "login.required"
		h.render(w, r, http.StatusBadRequest, p)
		return
	}
	user, err := h.cfg.Store.GetUserByEmail(ctx, p.Email)
	if errors.Is(err, storage.ErrNotFound) {
		// The same work as for a real account: the answer's timing does
		// not tell whether the email is registered.
		password.VerifyNothing(pw)
		p.Error = "login.invalid"
		h.render(w, r, http.StatusUnauthorized, p)
		return
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "sign-in: load user", "err", err)
		h.errorPage(w, r, f.Query, http.StatusInternalServerError, "error.server")
		return
	}
	if ok, err := password.Verify(pw, user.PasswordHash); err != nil || !ok {
		if err != nil {
			h.cfg.Logger.ErrorContext(ctx, "sign-in: verify password", "user_id", user.ID, "err", err)
		}
		h.cfg.Logger.InfoContext(ctx, "sign-in failed", "user_id", user.ID, "reason", "password")
		p.Error = "login.invalid"
		h.render(w, r, http.StatusUnauthorized, p)
		return
	}
	switch user.Status {
	case storage.UserActive:
	case storage.UserPending:
		p.Error = "login.pending"
		h.render(w, r, http.StatusForbidden, p)
		return
	default:
		h.cfg.Logger.InfoContext(ctx, "sign-in refused", "user_id", user.ID, "reason", "disabled")
		p.Error = "login.disabled"
		h.render(w, r, http.StatusForbidden, p)
		return
	}
	ls, err := h.cfg.Sessions.Start(ctx, w, r, user, []string{"pwd"}, session.ACRPassword)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "sign-in: start session", "err", err)
		h.errorPage(w, r, f.Query, http.StatusInternalServerError, "error.server")
		return
	}
	if _, err := h.cfg.Store.UpdateFlow(ctx, f.ID, func(f storage.Flow) (storage.Flow, error) {
		f.UserID, f.AuthTime, f.AMR = user.ID, ls.AuthTime, ls.AMR
		return f, nil
	}); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "sign-in: record in flow", "err", err)
		h.errorPage(w, r, f.Query, http.StatusInternalServerError, "error.server")
		return
	}
	h.cfg.Logger.InfoContext(ctx, "signed in", "user_id", user.ID, "client_id", f.ClientID)
	http.Redirect(w, r, "/oauth2/auth?"+url.Values{"flow": {f.ID}}.Encode(), http.StatusSeeOther)
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, p web.LoginPage) {
	if err := h.cfg.Pages.Login(w, r, status, p); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "render sign-in page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// errorPage renders the error page; query is the authorization request's
// parameters, for its ui_locales.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, query string, status int, key string) {
	q, _ := url.ParseQuery(query)
	locales := q.Get("ui_locales")
	if locales == "" {
		locales = r.URL.Query().Get("ui_locales")
	}
	p := web.ErrorPage{UILocales: locales, Title: "error.title", Message: key, RequestID: w.Header().Get("X-Request-Id")}
	if err := h.cfg.Pages.Error(w, r, status, p); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "render error page", "err", err)
		http.Error(w, "error", status)
	}
}
