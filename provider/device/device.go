package device

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/devicecode"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what the device page needs of storage.
type Store interface {
	GetClient(ctx context.Context, id string) (storage.Client, error)
	GetDeviceAuthorizationByUserCode(ctx context.Context, userCodeSignature string) (storage.DeviceAuthorization, error)
	UpdateDeviceAuthorization(ctx context.Context, deviceCodeSignature string, update func(storage.DeviceAuthorization) (storage.DeviceAuthorization, error)) (storage.DeviceAuthorization, error)
	RecordSessionSignIn(ctx context.Context, s storage.SessionSignIn) error
	GetWorkspace(ctx context.Context, id string) (storage.Workspace, error)
	GetMember(ctx context.Context, workspaceID, userID string) (storage.Member, error)
	ListUserWorkspaces(ctx context.Context, userID string) ([]storage.Member, error)
	// The app's installation in the workspace caps what is granted
	// there (consent.InstalledScopes).
	consent.InstallationReader
	consent.RememberStore
	storage.Transactor
}

// Sessions tells who is signed in and protects forms.
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	Protect(h http.Handler) http.Handler
}

// Pages renders the device, result and error pages.
type Pages interface {
	Device(w http.ResponseWriter, r *http.Request, status int, p web.DevicePage) error
	Message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) error
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
}

// Throttle slows down guessing: each wrong code counts against the user.
type Throttle interface {
	Wait(ctx context.Context, key string) (time.Duration, error)
	Fail(ctx context.Context, key string) (time.Duration, error)
}

// Config holds the handler's dependencies.
type Config struct {
	// Issuer is the provider's public base URL: QR codes encode
	// Issuer/device?user_code=....
	Issuer   string
	Store    Store
	Sessions Sessions
	Pages    Pages
	// Codes hashes user codes as the device authorization endpoint stored
	// them.
	Codes devicecode.Keyed
	// Throttle counts wrong codes per user.
	Throttle Throttle
	// RoleScopes maps each role to the scopes its users may grant, global
	// and workspace roles alike (consent.RoleScopes); MFARoles are the
	// roles that must have signed in with a second factor.
	RoleScopes map[string][]string
	MFARoles   []string
	// ConsentLifespan is how long a remembered grant lasts; 0 is until
	// withdrawn.
	ConsentLifespan time.Duration
	// Audit records each decision.
	Audit  *audit.Recorder
	Now    func() time.Time
	Logger *slog.Logger
}

// Handler serves the device page and its QR codes.
type Handler struct {
	cfg Config
}

// New returns the handler.
func New(cfg Config) *Handler {
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	return &Handler{cfg: cfg}
}

// Mount registers the routes; the page's are behind CSRF protection.
func (h *Handler) Mount(mux Mux) {
	mux.Handle("GET /device", h.cfg.Sessions.Protect(http.HandlerFunc(h.show)))
	mux.Handle("POST /device", h.cfg.Sessions.Protect(http.HandlerFunc(h.submit)))
	mux.HandleFunc("GET /device/qr.png", h.qrPNG)
	mux.HandleFunc("GET /device/qr.svg", h.qrSVG)
}

// throttleKey is the counter of a user's wrong codes.
func throttleKey(userID string) string { return "device:" + userID }

// here is the page's own address for a code, where sign-in comes back to,
// with the workspace chosen, if any, chosen again.
func here(userCode, workspaceID string) string {
	if userCode == "" {
		return "/device"
	}
	q := url.Values{"user_code": {userCode}}
	if workspaceID != "" {
		q.Set(workspaceField, workspaceID)
	}
	return "/device?" + q.Encode()
}

// signIn sends the browser to sign in (again), then back to the page.
func signIn(w http.ResponseWriter, r *http.Request, userCode, workspaceID string) {
	http.Redirect(w, r, "/login?"+url.Values{"next": {here(userCode, workspaceID)}}.Encode(), http.StatusSeeOther)
}

// switchURL is the "Not you?" link: sign this browser out, sign in as
// someone else, and come back to the code.
func switchURL(userCode string) string {
	return "/login?" + url.Values{"next": {here(userCode, "")}, "switch": {"1"}}.Encode()
}

// pending is a device request waiting for the signed-in user's decision.
type pending struct {
	request storage.DeviceAuthorization
	client  storage.Client
	// workspace is the workspace approving signs the device in to, once
	// known (see place).
	workspace storage.Workspace
	// scopes are what approving grants: requested ∩ the app's ∩ what the
	// user's roles allow (consent.RoleScopes).
	scopes []string
	// code is the user code as people read it.
	code string
}

// lookup finds the pending request for what the user typed. When there is
// none it renders the code form with the reason and returns false.
func (h *Handler) lookup(w http.ResponseWriter, r *http.Request, s session.Signed, typed string) (pending, bool) {
	ctx := r.Context()
	page := web.DevicePage{UserCode: typed, UserEmail: s.User.Email, SwitchURL: switchURL(typed)}
	key := throttleKey(s.User.ID)
	if wait, err := h.cfg.Throttle.Wait(ctx, key); err != nil {
		h.fail(w, r, "device: throttle", err)
		return pending{}, false
	} else if wait > 0 {
		page.Error, page.ErrorArg = "device.throttled", throttle.Seconds(wait)
		h.render(w, r, http.StatusTooManyRequests, page)
		return pending{}, false
	}
	code, err := devicecode.Normalize(typed)
	if err != nil {
		page.Error = "device.malformed"
		h.render(w, r, http.StatusBadRequest, page)
		return pending{}, false
	}
	d, err := h.cfg.Store.GetDeviceAuthorizationByUserCode(ctx, h.cfg.Codes.UserCode(code))
	var c storage.Client
	if err == nil {
		c, err = h.cfg.Store.GetClient(ctx, d.ClientID)
	}
	switch {
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		h.fail(w, r, "device: find request", err)
		return pending{}, false
	case err != nil || d.Status != storage.DevicePending || !d.ExpiresAt.After(h.cfg.Now()) || c.Disabled:
		// Unknown, used, expired or of an app disabled or deleted: the
		// same answer, counted as a wrong guess.
		if wait, err := h.cfg.Throttle.Fail(ctx, key); err != nil {
			h.cfg.Logger.ErrorContext(ctx, "device: count a wrong code", "err", err)
		} else if wait > 0 {
			h.cfg.Logger.InfoContext(ctx, "device: wrong codes, user throttled", "user_id", s.User.ID, "wait", wait.String())
		}
		page.Error = "device.unknown"
		h.render(w, r, http.StatusBadRequest, page)
		return pending{}, false
	}
	return pending{request: d, client: c, code: devicecode.Format(code)}, true
}

// current returns who is signed in with a session good enough for a
// decision; otherwise it sends the browser to sign in and returns false.
func (h *Handler) current(w http.ResponseWriter, r *http.Request, userCode string) (session.Signed, bool) {
	s, ok, err := h.cfg.Sessions.Current(r.Context(), r)
	if err != nil {
		h.fail(w, r, "device: load session", err)
		return s, false
	}
	if !ok || !h.meetsPolicy(s, storage.WorkspacePolicy{}) {
		signIn(w, r, userCode, "")
		return s, false
	}
	return s, true
}

// meetsPolicy reports whether s's sign-in may approve a request for a
// workspace of policy p (the zero policy before the workspace is known):
// session.MeetsPolicy, with the level the user's global role needs.
func (h *Handler) meetsPolicy(s session.Signed, p storage.WorkspacePolicy) bool {
	want := session.Required("", slices.Contains(h.cfg.MFARoles, s.User.Role))
	return session.MeetsPolicy(p, s.Session, want, false, h.cfg.Now())
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	typed := strings.TrimSpace(r.URL.Query().Get("user_code"))
	s, ok := h.current(w, r, typed)
	if !ok {
		return
	}
	if typed == "" {
		h.render(w, r, http.StatusOK, web.DevicePage{UserEmail: s.User.Email, SwitchURL: switchURL("")})
		return
	}
	p, ok := h.lookup(w, r, s, typed)
	if !ok {
		return
	}
	p, ok = h.place(w, r, s, p, r.URL.Query().Get(workspaceField), false)
	if !ok {
		return
	}
	h.confirm(w, r, http.StatusOK, s, p, "")
}

// confirm asks the user to approve the request for its workspace.
func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, status int, s session.Signed, p pending, problem string) {
	page := h.page(r, s, p, problem)
	page.Request.Scopes = p.scopes
	page.Workspace = &web.WorkspaceChoice{ID: p.workspace.ID, Name: p.workspace.Name, Handle: p.workspace.Handle}
	h.render(w, r, status, page)
}

// page is the confirmation page of p, before its workspace is shown.
func (h *Handler) page(r *http.Request, s session.Signed, p pending, problem string) web.DevicePage {
	return web.DevicePage{
		CSRFToken: session.CSRFToken(r), UserCode: p.code, UserEmail: s.User.Email, SwitchURL: switchURL(p.code), Error: problem,
		Request: &web.DeviceRequest{
			ClientName: p.client.Name, ClientID: p.client.ID, ClientIP: p.request.ClientIP, UserAgent: p.request.UserAgent,
			Age: h.cfg.Now().Sub(p.request.CreatedAt),
		},
	}
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	typed := strings.TrimSpace(r.PostFormValue("user_code"))
	s, ok := h.current(w, r, typed)
	if !ok {
		return
	}
	p, ok := h.lookup(w, r, s, typed)
	if !ok {
		return
	}
	decision := r.PostFormValue("decision")
	if decision == "deny" {
		// Denying needs no workspace: nothing is granted.
		p.scopes = nil
	} else if p, ok = h.place(w, r, s, p, r.PostFormValue(workspaceField), true); !ok {
		return
	}
	if decision != "allow" && decision != "deny" {
		h.confirm(w, r, http.StatusBadRequest, s, p, "device.failed")
		return
	}
	err := h.decide(ctx, s, p, decision == "allow", "denied_by_user")
	if errors.Is(err, storage.ErrConflict) {
		// Decided in another tab a moment ago.
		h.render(w, r, http.StatusConflict, web.DevicePage{UserCode: p.code, UserEmail: s.User.Email, SwitchURL: switchURL(p.code), Error: "device.unknown"})
		return
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "device: record decision", "err", err)
		h.confirm(w, r, http.StatusInternalServerError, s, p, "device.failed")
		return
	}
	h.cfg.Logger.InfoContext(ctx, "device sign-in decided", "user_id", s.User.ID, "client_id", p.client.ID, "decision", decision,
		"scopes", strings.Join(p.scopes, " "))
	result := web.MessagePage{Title: "device.approved_title", Message: "device.approved"}
	if decision == "deny" {
		result = web.MessagePage{Title: "device.denied_title", Message: "device.denied"}
	}
	if err := h.cfg.Pages.Message(w, r, http.StatusOK, result); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "render message page", "err", err)
	}
}

// refuse denies the request for reason, a record's Reason, and tells the
// user why with page; the device gets access_denied.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, s session.Signed, p pending, reason string, page web.MessagePage) {
	ctx := r.Context()
	p.scopes = nil
	if err := h.decide(ctx, s, p, false, reason); err != nil && !errors.Is(err, storage.ErrConflict) {
		h.fail(w, r, "device: record refusal", err)
		return
	}
	web.ShowMessage(h.cfg.Pages, h.cfg.Logger, w, r, http.StatusForbidden, page)
}

// decide stores the user's decision on the request, and on approval the
// grant, with its authorization record, in one transaction. ErrConflict
// when the request was decided meanwhile.
func (h *Handler) decide(ctx context.Context, s session.Signed, p pending, allow bool, reason string) error {
	now := h.cfg.Now().UTC().Truncate(time.Second)
	e := audit.Event{Action: audit.ConsentGranted, Subject: s.User.ID, ClientID: p.client.ID, Scopes: p.scopes, WorkspaceID: cmp.Or(p.workspace.ID, p.request.WorkspaceID),
		Detail: map[string]string{"grant": "device_code", "device_ip": p.request.ClientIP, "token_family": p.request.RequestID}}.ByUser(s.User.ID)
	if !allow {
		e.Outcome, e.Reason, e.Scopes = audit.Failure, reason, nil
	}
	return storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		if _, err := h.cfg.Store.UpdateDeviceAuthorization(ctx, p.request.DeviceCodeSignature, func(d storage.DeviceAuthorization) (storage.DeviceAuthorization, error) {
			if d.Status != storage.DevicePending {
				return d, fmt.Errorf("device request is %s: %w", d.Status, storage.ErrConflict)
			}
			d.Status, d.UserID, d.DecidedAt = storage.DeviceDenied, s.User.ID, now
			if allow {
				d.Status, d.GrantedScopes, d.WorkspaceID = storage.DeviceApproved, p.scopes, p.workspace.ID
				d.LoginSessionID, d.AuthTime, d.AMR, d.ACR = s.Session.ID, s.Session.AuthTime, session.TokenAMR(s.Session), s.Session.ACR
			}
			return d, nil
		}); err != nil {
			return err
		}
		if allow {
			if err := consent.Remember(ctx, h.cfg.Store, s.User.ID, p.client, p.scopes, h.cfg.ConsentLifespan, now); err != nil {
				return fmt.Errorf("remember the grant: %w", err)
			}
			// The device's ID token carries this session's sid: ending
			// the session tells the app (back-channel logout), as for a
			// browser sign-in.
			if err := h.cfg.Store.RecordSessionSignIn(ctx, storage.SessionSignIn{
				SessionID: s.Session.ID, ClientID: p.client.ID, SID: session.SID(s.Session.ID),
			}); err != nil {
				return fmt.Errorf("record the session's sign-in: %w", err)
			}
		}
		return h.cfg.Audit.Record(ctx, e)
	})
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, p web.DevicePage) {
	web.Rendered(h.cfg.Logger, w, r, "device page", h.cfg.Pages.Device(w, r, status, p))
}

// fail shows the error page for err (web.Fail).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	web.Fail(h.cfg.Pages, h.cfg.Logger, w, r, what, err)
}
