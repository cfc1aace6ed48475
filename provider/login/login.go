package login

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/links"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what sign-in, registration and logout need of storage.
type Store interface {
	GetUser(ctx context.Context, id string) (storage.User, error)
	GetUserByEmail(ctx context.Context, email string) (storage.User, error)
	CreateUser(ctx context.Context, u storage.User) error
	UpdateUser(ctx context.Context, id string, update func(storage.User) (storage.User, error)) (storage.User, error)
	GetClient(ctx context.Context, id string) (storage.Client, error)
	GetFlow(ctx context.Context, id string) (storage.Flow, error)
	UpdateFlow(ctx context.Context, id string, update func(storage.Flow) (storage.Flow, error)) (storage.Flow, error)
	storage.Links
	// GetLinkedIdentity, LinkIdentity and TouchIdentity find, make and
	// mark used the links of upstream identities to accounts.
	GetLinkedIdentity(ctx context.Context, connectorID, subject string) (storage.LinkedIdentity, error)
	LinkIdentity(ctx context.Context, l storage.LinkedIdentity) error
	TouchIdentity(ctx context.Context, connectorID, subject string, at time.Time) error
	DeleteUserLoginSessions(ctx context.Context, userID string) (int, error)
	// ListUpstreamSessions and DeleteLoginSession end the sessions an
	// upstream's logout names.
	ListUpstreamSessions(ctx context.Context, connector, subject, sid string) ([]storage.LoginSession, error)
	DeleteLoginSession(ctx context.Context, id string) error
	RevokeSubject(ctx context.Context, subject, clientID string) (int, error)
	// RevokeSubjectBeyond revokes the account's tokens a new role no
	// longer allows (an upstream's role mapping).
	RevokeSubjectBeyond(ctx context.Context, subject string, allowed []string) (int, error)
	ListPasskeys(ctx context.Context, userID string) ([]storage.Passkey, error)
	// GetWorkspace reads the policy of the workspace a flow is for;
	// GetMember whether the user is an active member of the one the
	// device page names.
	GetWorkspace(ctx context.Context, id string) (storage.Workspace, error)
	GetMember(ctx context.Context, workspaceID, userID string) (storage.Member, error)
	storage.Transactor
}

// Sessions signs browsers in and out.
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	Pending(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	// StartFrom and StartPendingFrom start a session (a pending one,
	// before the second factor) recording the upstream that signed the
	// user in (none for the provider's own sign-in).
	StartFrom(ctx context.Context, w http.ResponseWriter, r *http.Request, user storage.User, amr []string, acr string, origin session.Origin) (storage.LoginSession, error)
	StartPendingFrom(ctx context.Context, w http.ResponseWriter, r *http.Request, user storage.User, amr []string, origin session.Origin) (storage.LoginSession, error)
	End(ctx context.Context, w http.ResponseWriter, r *http.Request) error
	Protect(h http.Handler) http.Handler
}

// Pages renders the pages this package answers with.
type Pages interface {
	Login(w http.ResponseWriter, r *http.Request, status int, p web.LoginPage) error
	MFA(w http.ResponseWriter, r *http.Request, status int, p web.MFAPage) error
	Register(w http.ResponseWriter, r *http.Request, status int, p web.RegisterPage) error
	CheckEmail(w http.ResponseWriter, r *http.Request, status int, p web.CheckEmailPage) error
	Forgot(w http.ResponseWriter, r *http.Request, status int, p web.ForgotPage) error
	Reset(w http.ResponseWriter, r *http.Request, status int, p web.ResetPage) error
	Activate(w http.ResponseWriter, r *http.Request, status int, p web.ActivatePage) error
	Message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) error
	Logout(w http.ResponseWriter, r *http.Request, p web.LogoutPage) error
	LoggedOut(w http.ResponseWriter, r *http.Request, p web.LoggedOutPage) error
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
	// FormPost posts an upstream's cross-site answer again from this
	// site; Directory is a directory connector's sign-in page.
	FormPost(w http.ResponseWriter, r *http.Request, p web.FormPostPage) error
	Directory(w http.ResponseWriter, r *http.Request, status int, p web.DirectoryPage) error
	// Locale is the language a page for r would be in.
	Locale(r *http.Request, uiLocales string) web.Locale
	// Text is a message's text in that language.
	Text(r *http.Request, uiLocales, key string) string
}

// PasswordHasher hashes and checks passwords within the process's bound
// on that work (password.Pool): password.ErrBusy when it is reached.
type PasswordHasher interface {
	Hash(ctx context.Context, pw string) (string, error)
	Verify(ctx context.Context, pw, hash string) (bool, error)
	VerifyNothing(ctx context.Context, pw string) error
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
	// Accounts and IPs throttle failed passwords and codes per account
	// (or unknown email) and per client IP.
	Accounts *throttle.Throttle
	IPs      *throttle.Throttle
	// Registrations counts the accounts created from each client IP.
	Registrations *throttle.Throttle
	// Sealer opens TOTP secrets; RecoveryHasher hashes recovery codes.
	Sealer         secret.Sealer
	RecoveryHasher secret.Hasher
	// Links hashes the tokens of emailed links.
	Links secret.Hasher
	// Mail sends activation and reset links; nil when no mail server is
	// configured (registration is then off, and "forgot password" tells
	// the user to ask an administrator).
	Mail     Mailer
	Composer Composer
	// Registration opens /register.
	Registration bool
	// MFARoles are the roles whose users must use a second factor.
	MFARoles []string
	// RoleScopes maps each role to the scopes its users may hold: a role
	// an upstream's mapping gives revokes the tokens beyond it.
	RoleScopes map[string][]string
	// Issuer is the provider's public URL, the base of emailed links.
	Issuer         string
	ActivationLink time.Duration
	ResetLink      time.Duration
	Passwords      password.Policy
	// Hasher does the argon2id work of every request: the process's one
	// password.Pool.
	Hasher PasswordHasher
	// Passkeys runs the passkey sign-in ceremonies; nil when passkeys are
	// off (the issuer is not a host name browsers offer them on).
	Passkeys Passkeys
	// Observer is told of refused sign-ins (metrics); nil reports
	// nothing.
	Observer Observer
	// Upstreams are the upstream identity providers the sign-in page
	// offers (upstream.go), nil for none; UpstreamSealer seals their sign-ins' state
	// into the browser's cookie (secret.PurposeUpstreamState), and
	// UpstreamObserver is told of each step (metrics; nil: nothing).
	Upstreams        UpstreamSource
	UpstreamSealer   secret.Sealer
	UpstreamObserver UpstreamObserver
	// Audit records sign-ins, refusals, lockouts, sign-outs, accounts
	// created and activated, and password resets.
	Audit  *audit.Recorder
	Now    func() time.Time
	Logger *slog.Logger
}

// Handler serves the sign-in, second-factor, registration, password-reset
// and logout pages.
type Handler struct {
	cfg   Config
	links *links.Maker
}

// New returns the handler.
func New(cfg Config) *Handler {
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	return &Handler{cfg: cfg, links: links.New(links.Config{Store: cfg.Store, Hasher: cfg.Links, Issuer: cfg.Issuer, Now: cfg.Now})}
}

// Mount registers the routes, each behind CSRF protection but an app's
// logout request by POST, which only leads to the page that asks.
func (h *Handler) Mount(mux Mux) {
	p := func(f http.HandlerFunc) http.Handler { return h.cfg.Sessions.Protect(f) }
	mux.Handle("GET /login", p(h.showLogin))
	mux.Handle("POST /login", p(h.submitLogin))
	mux.Handle("GET /login/mfa", p(h.showMFA))
	mux.Handle("POST /login/mfa", p(h.submitMFA))
	if h.cfg.Passkeys != nil {
		mux.Handle("POST /login/passkey/options", p(h.passkeyOptions))
		mux.Handle("POST /login/passkey", p(h.submitPasskey))
		mux.Handle("POST /login/mfa/passkey/options", p(h.secondPasskeyOptions))
		mux.Handle("POST /login/mfa/passkey", p(h.submitSecondPasskey))
	}
	if h.cfg.Upstreams != nil {
		mux.Handle("POST /login/upstream/{id}", p(h.startUpstream))
		mux.Handle("GET "+UpstreamCallbackPath+"{id}", p(h.upstreamCallback))
		// An upstream's cross-site POST carries no CSRF token: the sealed
		// state bound to this browser is its defence (postedCallback).
		mux.Handle("POST "+UpstreamCallbackPath+"{id}", http.HandlerFunc(h.postedCallback))
		mux.Handle("GET /login/upstream/saml/{id}/metadata", http.HandlerFunc(h.samlMetadata))
		// An upstream server's request: no browser, no CSRF token.
		mux.Handle("POST "+UpstreamBackchannelPath+"{id}", http.HandlerFunc(h.upstreamBackchannel))
		mux.Handle("GET "+UpstreamLoggedOutPath+"{id}", p(h.upstreamLoggedOut))
		mux.Handle("GET "+directoryPath+"{id}", p(h.showDirectory))
		mux.Handle("POST "+directoryPath+"{id}", p(h.submitDirectory))
	}
	mux.Handle("GET /register", p(h.showRegister))
	mux.Handle("POST /register", p(h.submitRegister))
	mux.Handle("GET /activate", p(h.showActivate))
	mux.Handle("POST /activate", p(h.activate))
	mux.Handle("POST /activate/resend", p(h.resendActivation))
	mux.Handle("GET /password/forgot", p(h.showForgot))
	mux.Handle("POST /password/forgot", p(h.submitForgot))
	mux.Handle("GET /password/reset", p(h.showReset))
	mux.Handle("POST /password/reset", p(h.submitReset))
	mux.Handle("GET /oauth2/logout", p(h.showLogout))
	mux.Handle("POST /oauth2/logout", h.postLogout(p(h.submitLogout)))
}

// safeNext keeps a return address only if it is one of the provider's
// own account, portal, admin console or device sign-in pages: anything
// else could make sign-in an open redirector. An admin console page keeps
// its query (the records' filter), the device page its user code. One
// that is not a URL (a stray "%") would land the browser on a 400.
func safeNext(next string) string {
	_, err := url.Parse(next)
	switch {
	case next == "/account", next == "/account?setup=mfa", next == "/apps", next == "/admin", next == "/device":
		return next
	case err != nil || strings.ContainsAny(next, "\\#") || strings.Contains(next, "//") || strings.ContainsFunc(next, unicode.IsControl):
		return ""
	case strings.HasPrefix(next, "/account/") && !strings.Contains(next, "?"),
		strings.HasPrefix(next, "/admin/"), strings.HasPrefix(next, "/admin?"),
		strings.HasPrefix(next, "/device?") && !strings.Contains(next[len("/device?"):], "/"),
		pathOf(next, "invitations", "*"), pathOf(next, "workspaces", "*", "apps", "*", "install"):
		return next
	}
	return ""
}

// pathOf reports whether next is the path of the segments shape, where
// "*" stands for one non-empty segment, with no query: an invitation's
// page (provider/workspace), an app's installation page (provider/install).
func pathOf(next string, shape ...string) bool {
	parts := strings.Split(strings.TrimPrefix(next, "/"), "/")
	if !strings.HasPrefix(next, "/") || strings.Contains(next, "?") || len(parts) != len(shape) {
		return false
	}
	for i, p := range parts {
		if p == "" || p == "." || p == ".." || (shape[i] != "*" && p != shape[i]) {
			return false
		}
	}
	return true
}

// loadFlow finds the live flow a sign-in belongs to, or writes the error
// page and returns false.
func (h *Handler) loadFlow(w http.ResponseWriter, r *http.Request, id string) (storage.Flow, bool) {
	f, status, key := h.liveFlow(r, id)
	if key != "" {
		h.errorPage(w, r, "", status, key)
		return storage.Flow{}, false
	}
	return f, true
}

// liveFlow finds the live flow with id; otherwise the status and message
// key to answer with: an unknown, expired or malformed ID (one that is not
// text names no flow either) is the expired-flow error, a store failure
// a server error, logged.
func (h *Handler) liveFlow(r *http.Request, id string) (f storage.Flow, status int, key string) {
	f, err := h.cfg.Store.GetFlow(r.Context(), id)
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) || (err == nil && !f.ExpiresAt.After(h.cfg.Now())) {
		return storage.Flow{}, http.StatusBadRequest, "error.flow_expired"
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "load flow", "flow", id, "err", err)
		return storage.Flow{}, http.StatusInternalServerError, "error.server"
	}
	return f, 0, ""
}

// target is where a sign-in continues: an authorization flow, or one of
// the account pages.
type target struct {
	flow *storage.Flow
	next string
	// viewer is the user signed in in this browser when next is the
	// device page of a workspace: the page asks for the sign-in that
	// workspace takes if viewer is an active member of it (policy).
	viewer string
}

// loadTarget reads the flow or next parameter. A sign-in needs one of
// them; without either the user is sent to their account page.
func (h *Handler) loadTarget(w http.ResponseWriter, r *http.Request, flowID, next string) (target, bool) {
	if flowID == "" {
		if next = safeNext(next); next == "" {
			next = "/account"
		}
		t := target{next: next}
		if deviceWorkspace(next) != "" {
			if s, ok, err := h.cfg.Sessions.Current(r.Context(), r); err == nil && ok {
				t.viewer = s.User.ID
			}
		}
		return t, true
	}
	f, ok := h.loadFlow(w, r, flowID)
	if !ok {
		return target{}, false
	}
	return target{flow: &f}, true
}

// page fills the parts of the sign-in page that come from the target.
func (h *Handler) page(r *http.Request, t target) web.LoginPage {
	p := web.LoginPage{CSRFToken: session.CSRFToken(r), Next: t.next, Passkeys: h.cfg.Passkeys != nil}
	policy := h.policy(r.Context(), t, t.viewer)
	p.NoPassword = !session.AllowsMethod(policy, session.MethodPassword)
	if len(policy.SignInMethods) == 0 {
		// A workspace that lists its members' sign-in methods names none
		// an upstream's sign-in matches (session.MethodAllowed).
		p.Upstreams, p.SSO = h.upstreamButtons(r.Context())
	}
	if h.cfg.Registration {
		p.RegisterURL = "/register"
	}
	if t.flow == nil {
		return p
	}
	q, _ := url.ParseQuery(t.flow.Query)
	p.UILocales, p.Flow, p.Email = q.Get("ui_locales"), t.flow.ID, q.Get("login_hint")
	if p.RegisterURL != "" {
		p.RegisterURL = "/register?" + url.Values{"flow": {t.flow.ID}}.Encode()
	}
	if c, err := h.cfg.Store.GetClient(r.Context(), t.flow.ClientID); err == nil {
		p.ClientName = c.Name
	}
	return p
}

// uiLocales is the ui_locales of the flow a page belongs to.
func (h *Handler) uiLocales(r *http.Request, flowID string) string {
	if flowID == "" {
		return ""
	}
	f, err := h.cfg.Store.GetFlow(r.Context(), flowID)
	if err != nil {
		return ""
	}
	q, _ := url.ParseQuery(f.Query)
	return q.Get("ui_locales")
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, ok := h.loadTarget(w, r, q.Get("flow"), q.Get("next"))
	if !ok {
		return
	}
	if q.Get("switch") == "1" {
		// "Not you?": sign this browser out, then ask again.
		if err := h.cfg.Sessions.End(r.Context(), w, r); err != nil {
			h.cfg.Logger.ErrorContext(r.Context(), "end session", "err", err)
		}
		q.Del("switch")
		http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
		return
	}
	p := h.page(r, t)
	if t.flow != nil || t.viewer != "" {
		s, ok, err := h.cfg.Sessions.Current(r.Context(), r)
		if err == nil && ok {
			if h.onlyFactorMissing(r.Context(), t, s) {
				// Signed in recently enough, but not strongly enough:
				// ask only for what is missing.
				q := url.Values{"next": {t.next}}
				if t.flow != nil {
					q = url.Values{"flow": {t.flow.ID}}
				}
				http.Redirect(w, r, "/login/mfa?"+q.Encode(), http.StatusSeeOther)
				return
			}
			if p.Email == "" {
				p.Email = s.User.Email
			}
		}
	}
	h.render(w, r, http.StatusOK, p)
}

// onlyFactorMissing reports whether the sign-in t is for (the request a
// flow parked, or the device page of a workspace) needs of s's sign-in
// only a stronger one (acr_values, a role's or the workspace's second
// factor), not a fresher one (prompt=login, max_age, the workspace's
// session lifetime) nor one of another method: then the user is asked
// for a second factor, not to sign in again.
func (h *Handler) onlyFactorMissing(ctx context.Context, t target, s session.Signed) bool {
	signedDuring := false
	if t.flow != nil {
		q := flowQuery(t.flow)
		if session.NeedsSignIn(strings.Fields(q.Get("prompt")), q.Get("max_age"), true, s.Session.AuthTime, t.flow.CreatedAt, h.cfg.Now()) {
			return false
		}
		signedDuring = !s.Session.AuthTime.Before(t.flow.CreatedAt)
	}
	if !signedDuring && session.PolicyNeedsSignIn(h.policy(ctx, t, s.User.ID), s.Session.AuthTime, s.Session.AMR, h.cfg.Now()) {
		// The workspace's policy asks for a new sign-in, not a step-up.
		return false
	}
	return !session.MeetsACR(s.Session.ACR, h.required(ctx, t, s.User))
}

// submitLogin checks an email and password, as a sequence of named steps:
// read the form, hold back an account or address that must wait, verify
// the password, check that the account may sign in, then finish the
// sign-in or send it on to its second factor.
func (h *Handler) submitLogin(w http.ResponseWriter, r *http.Request) {
	if h.routedSignIn(w, r) {
		return
	}
	t, p, pw, ok := h.readLogin(w, r)
	if !ok {
		return
	}
	if p.NoPassword {
		// The workspace the app or the device page asked for does not
		// take passwords: say so before the password is looked at.
		p.Error = "workspace.sign_in_method"
		h.render(w, r, http.StatusForbidden, p)
		return
	}
	key := throttle.EmailKey(p.Email)
	if h.heldBack(w, r, p, key) {
		return
	}
	user, ok := h.verifyPassword(w, r, p, key, pw)
	if !ok || !h.accountOpen(w, r, p, user) {
		return
	}
	h.afterPassword(w, r, t, user, key)
}

// readLogin reads the sign-in form: where the sign-in continues, the page
// to answer with (the email trimmed), and the password. Without an email
// and a password it answers 400 and returns false.
func (h *Handler) readLogin(w http.ResponseWriter, r *http.Request) (t target, p web.LoginPage, pw string, ok bool) {
	if t, ok = h.loadTarget(w, r, r.PostFormValue("flow"), r.PostFormValue("next")); !ok {
		return t, p, "", false
	}
	p = h.page(r, t)
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	pw = r.PostFormValue("password")
	if p.Email == "" || pw == "" {
		p.Error = "login.required"
		h.render(w, r, http.StatusBadRequest, p)
		return t, p, "", false
	}
	return t, p, pw, true
}

// heldBack answers a sign-in whose account key or client IP must wait
// (429 saying how long) and returns true. It is asked before the password
// is looked at: during a wait even the right password is refused, and the
// answer is the same whether or not the account exists.
func (h *Handler) heldBack(w http.ResponseWriter, r *http.Request, p web.LoginPage, key string) bool {
	ctx := r.Context()
	wait, err := h.waitFor(ctx, key, reqctx.ClientIP(ctx))
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "sign-in: throttle", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return true
	}
	if wait <= 0 {
		return false
	}
	h.cfg.Logger.InfoContext(ctx, "sign-in refused", "reason", "throttled", "wait", wait.String())
	h.refused(ctx, ReasonThrottled, "", p.Email)
	p.Error, p.ErrorArg = "login.throttled", throttle.Seconds(wait)
	h.render(w, r, http.StatusTooManyRequests, p)
	return true
}

// verifyPassword returns the account of the form's email when pw is its
// password. Otherwise it answers and returns false: a wrong password, or
// an email no account has (after the same work, so the timing does not
// tell them apart), is counted and answered 401 alike; a full password
// pool 503; anything else 500.
func (h *Handler) verifyPassword(w http.ResponseWriter, r *http.Request, p web.LoginPage, key, pw string) (storage.User, bool) {
	ctx := r.Context()
	user, err := h.cfg.Store.GetUserByEmail(ctx, p.Email)
	if errors.Is(err, storage.ErrNotFound) {
		if err := h.cfg.Hasher.VerifyNothing(ctx, pw); err != nil {
			h.passwordWorkFailed(w, r, p.UILocales, "sign-in: verify nothing", err)
			return user, false
		}
		h.failed(ctx, key, reqctx.ClientIP(ctx), "", p.Email)
		h.refused(ctx, ReasonUnknownAccount, "", p.Email)
		p.Error = "login.invalid"
		h.render(w, r, http.StatusUnauthorized, p)
		return user, false
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "sign-in: load user", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return user, false
	}
	ok, err := h.cfg.Hasher.Verify(ctx, pw, user.PasswordHash)
	if password.Busy(err) {
		h.passwordWorkFailed(w, r, p.UILocales, "sign-in: verify password", err)
		return user, false
	}
	if err != nil || !ok {
		if err != nil {
			h.cfg.Logger.ErrorContext(ctx, "sign-in: verify password", "user_id", user.ID, "err", err)
		}
		h.failed(ctx, key, reqctx.ClientIP(ctx), user.ID, p.Email)
		h.cfg.Logger.InfoContext(ctx, "sign-in failed", "user_id", user.ID, "reason", "password")
		h.refused(ctx, ReasonWrongPassword, user.ID, p.Email)
		p.Error = "login.invalid"
		h.render(w, r, http.StatusUnauthorized, p)
		return user, false
	}
	return user, true
}

// accountOpen reports whether user's account may sign in: one not yet
// activated (offered a new activation link when mail is on) or disabled
// is answered 403.
func (h *Handler) accountOpen(w http.ResponseWriter, r *http.Request, p web.LoginPage, user storage.User) bool {
	ctx := r.Context()
	switch user.Status {
	case storage.UserActive:
		return true
	case storage.UserPending:
		h.refused(ctx, ReasonAccountPending, user.ID, p.Email)
		p.Error, p.Resend = "login.pending", h.cfg.Mail != nil
	default:
		h.cfg.Logger.InfoContext(ctx, "sign-in refused", "user_id", user.ID, "reason", "disabled")
		h.refused(ctx, ReasonAccountDisabled, user.ID, p.Email)
		p.Error = "login.disabled"
	}
	h.render(w, r, http.StatusForbidden, p)
	return false
}

// afterPassword forgets the account's failures once the password was
// right, and goes on to the second factor (afterFirstFactor).
func (h *Handler) afterPassword(w http.ResponseWriter, r *http.Request, t target, user storage.User, key string) {
	h.succeeded(r.Context(), key)
	h.afterFirstFactor(w, r, t, user, session.AMR(session.AMRPassword), nil, session.Origin{})
}

// afterFirstFactor decides on the second factor once the first (the
// methods of first: a password, an upstream's sign-in) was given: an
// account with TOTP on, or one with a passkey whose role or app requires
// a second factor, is sent to give it; one whose role or app requires a
// second factor it has not set up is signed in to its account page only,
// to set one up; any other is signed in (with detail's entries recorded)
// and continues to its target. origin is the upstream that gave the first
// factor, kept with the session through the second.
func (h *Handler) afterFirstFactor(w http.ResponseWriter, r *http.Request, t target, user storage.User, first []string, detail map[string]string, origin session.Origin) {
	ctx := r.Context()
	flowID := ""
	if t.flow != nil {
		flowID = t.flow.ID
	}
	needsMore := !session.MeetsACR(session.ACR(first), h.required(ctx, t, user))
	// The passkeys matter only when more than the first factor is needed
	// and no authenticator app will be asked: most sign-ins read none.
	hasPasskeys := false
	if needsMore && !user.TOTPEnabled {
		var err error
		if hasPasskeys, err = h.passkeysOf(ctx, user.ID); err != nil {
			h.cfg.Logger.ErrorContext(ctx, "sign-in: list passkeys", "err", err)
			h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
			return
		}
	}
	if user.TOTPEnabled || (needsMore && hasPasskeys) {
		if _, err := h.cfg.Sessions.StartPendingFrom(ctx, w, r, user, first, origin); err != nil {
			h.cfg.Logger.ErrorContext(ctx, "sign-in: start pending session", "err", err)
			h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
			return
		}
		q := url.Values{}
		if flowID != "" {
			q.Set("flow", flowID)
		} else {
			q.Set("next", t.next)
		}
		http.Redirect(w, r, "/login/mfa?"+q.Encode(), http.StatusSeeOther)
		return
	}
	if needsMore {
		h.cfg.Logger.InfoContext(ctx, "second factor required but not set up", "user_id", user.ID)
		flowID, t.next = "", "/account?setup=mfa"
	}
	to, err := h.signIn(w, r, user, first, detail, origin, flowID, t.next)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "sign-in", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// finishSignIn signs the browser in (through origin) and continues: back
// to the authorization flow, or to the account page.
func (h *Handler) finishSignIn(w http.ResponseWriter, r *http.Request, user storage.User, amr []string, origin session.Origin, flowID, next string) {
	to, err := h.signIn(w, r, user, amr, nil, origin, flowID, next)
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "sign-in", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// signIn starts the browser's session for user with the methods of amr,
// records the sign-in (with detail's entries, such as the passkey used),
// writes it to the authorization flow if there is one, and returns where
// the browser continues: the flow, or the account page next names.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, user storage.User, amr []string, detail map[string]string, origin session.Origin, flowID, next string) (string, error) {
	ctx := r.Context()
	acr := session.ACR(amr)
	ls, err := h.cfg.Sessions.StartFrom(ctx, w, r, user, amr, acr, origin)
	if err != nil {
		return "", fmt.Errorf("start session: %w", err)
	}
	h.cfg.Logger.InfoContext(ctx, "signed in", "user_id", user.ID, "amr", strings.Join(amr, " "))
	d := map[string]string{"amr": strings.Join(amr, " "), "acr": acr}
	maps.Copy(d, detail)
	signedIn := audit.Event{Action: audit.SignIn, Subject: user.ID, Detail: d}.ByUser(user.ID)
	if flowID == "" {
		h.cfg.Audit.Try(ctx, signedIn)
		if next = safeNext(next); next == "" {
			next = "/account"
		}
		return next, nil
	}
	f, err := h.cfg.Store.UpdateFlow(ctx, flowID, func(f storage.Flow) (storage.Flow, error) {
		f.UserID, f.AuthTime, f.AMR = user.ID, ls.AuthTime, ls.AMR
		return f, nil
	})
	if err != nil {
		return "", fmt.Errorf("record in flow: %w", err)
	}
	// The flow names the app the user signs in to.
	signedIn.ClientID = f.ClientID
	h.cfg.Audit.Try(ctx, signedIn)
	return "/oauth2/auth?" + url.Values{"flow": {flowID}}.Encode(), nil
}

// waitFor returns how long the account key (and the client IP, when
// given) must wait before another attempt.
func (h *Handler) waitFor(ctx context.Context, key, ip string) (time.Duration, error) {
	wait, err := h.cfg.Accounts.Wait(ctx, key)
	if err != nil || ip == "" {
		return wait, err
	}
	ipWait, err := h.cfg.IPs.Wait(ctx, throttle.IPKey(ip))
	return max(wait, ipWait), err
}

// failed counts a failed attempt against the account key and the IP. A
// counting error is logged, not shown: the attempt failed anyway. The
// failure that makes the account wait is recorded as a lockout (of the
// user with userID, or of an email no account has).
func (h *Handler) failed(ctx context.Context, key, ip, userID, email string) {
	if wait, err := h.cfg.Accounts.Fail(ctx, key); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "count a failed attempt", "err", err)
	} else if wait > 0 {
		h.cfg.Audit.Try(ctx, audit.Event{Action: audit.Lockout, Outcome: audit.Failure, Reason: "too_many_failures", Subject: userID,
			Detail: map[string]string{"email": email, "wait_seconds": strconv.Itoa(int(wait.Round(time.Second).Seconds()))}})
	}
	if ip != "" {
		if _, err := h.cfg.IPs.Fail(ctx, throttle.IPKey(ip)); err != nil {
			h.cfg.Logger.ErrorContext(ctx, "count a failed attempt", "err", err)
		}
	}
}

// refused tells the observer and the authorization records of a refused
// sign-in: of the user with userID, or of an email no account has.
func (h *Handler) refused(ctx context.Context, reason, userID, email string) {
	h.cfg.Observer.SignInFailed(reason)
	e := audit.Event{Action: audit.SignIn, Outcome: audit.Failure, Reason: reason, Subject: userID}
	if email != "" {
		e.Detail = map[string]string{"email": email}
	}
	h.cfg.Audit.Try(ctx, e)
}

// succeeded forgets the account's failures. The IP's are left to decay:
// one account of its own must not let an address reset its count.
func (h *Handler) succeeded(ctx context.Context, key string) {
	if err := h.cfg.Accounts.Succeed(ctx, key); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "clear failed attempts", "err", err)
	}
}

// passwordWorkFailed answers a request whose password could not be hashed
// or checked: while the pool is busy 503 with Retry-After and a page
// saying to try again shortly, otherwise a server error.
func (h *Handler) passwordWorkFailed(w http.ResponseWriter, r *http.Request, uiLocales, what string, err error) {
	if !password.Busy(err) {
		h.cfg.Logger.ErrorContext(r.Context(), what, "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	// Debug only: a flood would otherwise flood the log too.
	h.cfg.Logger.DebugContext(r.Context(), what, "err", err)
	web.Busy(h.cfg.Pages, h.cfg.Logger, w, r, uiLocales)
}

func (h *Handler) message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) {
	web.ShowMessage(h.cfg.Pages, h.cfg.Logger, w, r, status, p)
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, p web.LoginPage) {
	web.Rendered(h.cfg.Logger, w, r, "sign-in page", h.cfg.Pages.Login(w, r, status, p))
}

// errorPage renders the error page; query is the authorization request's
// parameters, for its ui_locales.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, query string, status int, key string) {
	q, _ := url.ParseQuery(query)
	locales := q.Get("ui_locales")
	if locales == "" {
		locales = r.URL.Query().Get("ui_locales")
	}
	web.ShowError(h.cfg.Pages, h.cfg.Logger, w, r, status, locales, key)
}
