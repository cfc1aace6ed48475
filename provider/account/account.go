package account

import (
	"context"
	"encoding/base64"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what the account page needs of storage.
type Store interface {
	UpdateUser(ctx context.Context, id string, update func(storage.User) (storage.User, error)) (storage.User, error)
	ListLoginSessions(ctx context.Context, userID string) ([]storage.LoginSession, error)
	DeleteLoginSession(ctx context.Context, id string) error
	DeleteUserLoginSessions(ctx context.Context, userID string) (int, error)
	ListConsents(ctx context.Context, userID string) ([]storage.Consent, error)
	GetClient(ctx context.Context, id string) (storage.Client, error)
	ListPasskeys(ctx context.Context, userID string) ([]storage.Passkey, error)
	UpdatePasskey(ctx context.Context, id []byte, update func(storage.Passkey) (storage.Passkey, error)) (storage.Passkey, error)
	DeletePasskey(ctx context.Context, userID string, id []byte) error
	ListUserIdentities(ctx context.Context, userID string) ([]storage.LinkedIdentity, error)
	UnlinkIdentity(ctx context.Context, userID, connectorID, subject string) error
	consent.WithdrawStore
	ListDetailGrants(ctx context.Context, userID, clientID string) ([]storage.DetailGrant, error)
	DeleteDetailGrant(ctx context.Context, userID, clientID, typ, location string) error
}

// Sessions tells who is signed in, gives this browser a new session of
// its sign-in after the others ended (session.Manager.Renew), protects
// forms.
type Sessions interface {
	Current(ctx context.Context, r *http.Request) (session.Signed, bool, error)
	Renew(ctx context.Context, w http.ResponseWriter, r *http.Request, user storage.User, ls storage.LoginSession) (storage.LoginSession, error)
	Protect(h http.Handler) http.Handler
}

// Pages renders the account page, its confirmation step, and the result
// and error pages.
type Pages interface {
	Account(w http.ResponseWriter, r *http.Request, status int, p web.AccountPage) error
	PasskeyRemove(w http.ResponseWriter, r *http.Request, status int, p web.PasskeyRemovePage) error
	Message(w http.ResponseWriter, r *http.Request, status int, p web.MessagePage) error
	Error(w http.ResponseWriter, r *http.Request, status int, p web.ErrorPage) error
	// Text is a message's text in the language of r's pages.
	Text(r *http.Request, uiLocales, key string) string
}

// PasswordHasher checks and hashes passwords within the process's bound
// on that work (password.Pool): password.ErrBusy when it is reached.
type PasswordHasher interface {
	Verify(ctx context.Context, pw, hash string) (bool, error)
	Hash(ctx context.Context, pw string) (string, error)
}

// Config holds the handler's dependencies.
type Config struct {
	Store    Store
	Sessions Sessions
	Pages    Pages
	// Sealer seals TOTP secrets; RecoveryHasher hashes recovery codes.
	Sealer         secret.Sealer
	RecoveryHasher secret.Hasher
	// Throttle counts wrong passwords (on the account's email key, shared
	// with sign-in) and wrong codes (on its second-factor key).
	Throttle *throttle.Throttle
	// Hasher checks the password asked for before turning two-step
	// verification off or changing it, and hashes a new one: the
	// process's one password.Pool.
	Hasher PasswordHasher
	// Passwords is the rule a new password must pass, as at registration
	// and reset.
	Passwords password.Policy
	// FreshSignIn is how recent a sign-in must be to remove a passkey, to
	// link an upstream identity, or to change the password with a second
	// factor instead of the current password; 5 minutes when zero.
	FreshSignIn time.Duration
	// Issuer names the provider in authenticator apps.
	Issuer string
	// Passkeys registers passkeys; nil when passkeys are off.
	Passkeys Passkeys
	// Upstreams offers the upstream identities to link; nil when there is
	// no linking (links the account has are still listed, and may be
	// removed).
	Upstreams Upstreams
	// Developers are the roles shown the way to the developer portal.
	Developers []string
	// Audit records MFA changes, sign-outs everywhere, withdrawn grants
	// and removed links.
	Audit  *audit.Recorder
	Now    func() time.Time
	Logger *slog.Logger
}

// DefaultFreshSignIn is Config.FreshSignIn when it is left out.
const DefaultFreshSignIn = 5 * time.Minute

// Handler serves the account page.
type Handler struct {
	cfg Config
}

// New returns the handler.
func New(cfg Config) *Handler {
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	if cfg.FreshSignIn <= 0 {
		cfg.FreshSignIn = DefaultFreshSignIn
	}
	return &Handler{cfg: cfg}
}

// Mount registers the routes behind CSRF protection.
func (h *Handler) Mount(mux Mux) {
	signedIn := session.Gate{Sessions: h.cfg.Sessions, Next: "/account", Fail: func(w http.ResponseWriter, r *http.Request, err error) {
		h.fail(w, r, "load session", err)
	}}
	p := func(f session.Page) http.Handler { return h.cfg.Sessions.Protect(signedIn.Require(f)) }
	mux.Handle("GET /account", p(h.show))
	mux.Handle("POST /account/mfa/enrol", p(h.enrol))
	mux.Handle("POST /account/mfa/confirm", p(h.confirm))
	mux.Handle("POST /account/mfa/disable", p(h.disable))
	mux.Handle("POST /account/mfa/recovery", p(h.renewRecovery))
	mux.Handle("POST /account/sessions/signout", p(h.signOutOne))
	mux.Handle("POST /account/sessions/signout-all", p(h.signOutAll))
	mux.Handle("POST /account/apps/revoke", p(h.revokeApp))
	mux.Handle("POST /account/apps/conversations/revoke", p(h.revokeConversation))
	mux.Handle("POST /account/passkeys/{ref}/rename", p(h.renamePasskey))
	mux.Handle("POST /account/password", p(h.changePassword))
	mux.Handle("POST /account/links/{id}/remove", p(h.unlink))
	if h.cfg.Upstreams != nil {
		mux.Handle("POST /account/links/{id}", p(h.startLink))
	}
	if h.cfg.Passkeys != nil {
		mux.Handle("POST /account/passkeys/options", p(h.passkeyOptions))
		mux.Handle("POST /account/passkeys", p(h.addPasskey))
	}
	// The removal step returns here after a sign-in, as after the one a
	// fresh sign-in asks for.
	back := signedIn
	back.Next = ""
	mux.Handle("GET /account/passkeys/{ref}/remove", h.cfg.Sessions.Protect(back.Require(h.confirmRemovePasskey)))
	mux.Handle("POST /account/passkeys/{ref}/remove", p(h.removePasskey))
}

// page fills the account page for the signed-in user.
func (h *Handler) page(r *http.Request, s session.Signed) (web.AccountPage, error) {
	p := web.AccountPage{CSRFToken: session.CSRFToken(r), Email: s.User.Email, Name: s.User.Name, MFAEnabled: s.User.TOTPEnabled,
		Developer: slices.Contains(h.cfg.Developers, s.User.Role), NoCurrentPassword: h.freshSecondFactor(s), PasskeysOn: h.cfg.Passkeys != nil}
	if s.User.TOTPEnabled {
		p.RecoveryLeft = len(s.User.RecoveryCodes)
	}
	list, err := h.cfg.Store.ListLoginSessions(r.Context(), s.User.ID)
	if err != nil {
		return p, err
	}
	now := h.cfg.Now()
	for _, ls := range list {
		if ls.ACR == "pending" || !ls.ExpiresAt.After(now) {
			continue
		}
		p.Sessions = append(p.Sessions, web.SessionView{ID: sessionRef(ls.ID), Device: ls.UserAgent, IP: ls.IP, SignedInAt: ls.AuthTime, Current: ls.ID == s.Session.ID})
	}
	keys, err := h.cfg.Store.ListPasskeys(r.Context(), s.User.ID)
	if err != nil {
		return p, err
	}
	for _, k := range keys {
		p.Passkeys = append(p.Passkeys, passkeyView(k))
	}
	if err := h.linkSection(r.Context(), &p, s.User.ID); err != nil {
		return p, err
	}
	consents, err := h.cfg.Store.ListConsents(r.Context(), s.User.ID)
	if err != nil {
		return p, err
	}
	details, err := h.cfg.Store.ListDetailGrants(r.Context(), s.User.ID, "")
	if err != nil {
		return p, err
	}
	for _, c := range consents {
		name := c.ClientID
		if cl, err := h.cfg.Store.GetClient(r.Context(), c.ClientID); err == nil {
			name = cl.Name
		}
		p.Apps = append(p.Apps, web.AppGrant{ClientID: c.ClientID, Name: name, Scopes: c.Scopes, GrantedAt: c.GrantedAt, LastUsedAt: c.LastUsedAt,
			Conversations: conversations(details, c.ClientID)})
	}
	return p, nil
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request, s session.Signed) {
	p, err := h.page(r, s)
	if err != nil {
		h.fail(w, r, "account page", err)
		return
	}
	if r.URL.Query().Get("setup") == "mfa" && !s.User.TOTPEnabled {
		// Sent here because the role or an app requires a second factor.
		p.Error = "mfa.required"
	}
	if r.URL.Query().Get("added") == "passkey" {
		// The passkey script's way back after adding one.
		p.Notice = "passkeys.added"
	}
	if id := r.URL.Query().Get("linked"); id != "" && slices.ContainsFunc(p.Links, func(l web.LinkView) bool { return l.Provider.ID == id }) {
		// provider/login's way back after linking an identity of the
		// connector id: said only when the account has that link.
		p.Notice = "links.added"
	}
	h.render(w, r, http.StatusOK, p)
}

// enrol starts setting up TOTP: a new secret, stored sealed but not yet
// on, shown as a QR code and as text.
func (h *Handler) enrol(w http.ResponseWriter, r *http.Request, s session.Signed) {
	p, err := h.page(r, s)
	if err != nil {
		h.fail(w, r, "account page", err)
		return
	}
	if s.User.TOTPEnabled {
		p.Notice = "mfa.enrolled"
		h.render(w, r, http.StatusOK, p)
		return
	}
	e, err := mfa.NewEnrolment(h.cfg.Issuer, s.User.Email)
	if err != nil {
		h.fail(w, r, "new enrolment", err)
		return
	}
	if _, err := h.cfg.Store.UpdateUser(r.Context(), s.User.ID, func(u storage.User) (storage.User, error) {
		u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep = mfa.SealSecret(h.cfg.Sealer, u.ID, e.Secret), false, 0
		return u, nil
	}); err != nil {
		h.fail(w, r, "store enrolment", err)
		return
	}
	if p.Enrolment, err = h.enrolmentView(e); err != nil {
		h.fail(w, r, "QR code", err)
		return
	}
	h.render(w, r, http.StatusOK, p)
}

func (h *Handler) enrolmentView(e mfa.Enrolment) (*web.Enrolment, error) {
	png, err := mfa.QRCode(e, 240)
	if err != nil {
		return nil, err
	}
	// The page's CSP allows data: images; the QR code never leaves it.
	uri := template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	return &web.Enrolment{QRDataURI: uri, Secret: e.Secret}, nil
}

// codeForm starts answering a form that carries a code of the
// authenticator app: the page to answer with, or false when the browser
// has been answered already (an error, or the second-factor key waiting:
// it is checked before the code is).
func (h *Handler) codeForm(w http.ResponseWriter, r *http.Request, s session.Signed) (web.AccountPage, bool) {
	p, err := h.page(r, s)
	if err != nil {
		h.fail(w, r, "account page", err)
		return p, false
	}
	if h.throttled(r.Context(), throttle.SecondFactorKey(s.User.ID)) {
		p.Error = "login.throttled_plain"
		h.render(w, r, http.StatusTooManyRequests, p)
		return p, false
	}
	return p, true
}

// confirm turns TOTP on once a first code from the app verifies, and
// shows ten recovery codes once.
func (h *Handler) confirm(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	p, ok := h.codeForm(w, r, s)
	if !ok {
		return
	}
	codes := mfa.NewRecoveryCodes(mfa.RecoveryCodeCount)
	var pending string
	err := h.inTx(ctx, audit.Event{Action: audit.MFAEnrolled, Subject: s.User.ID, Detail: map[string]string{"method": "totp"}}.ByUser(s.User.ID), func(ctx context.Context) error {
		_, err := h.enableTOTP(ctx, s.User.ID, r.PostFormValue("code"), codes, &pending)
		return err
	})
	switch {
	case errors.Is(err, errNoEnrolment):
		h.show(w, r, s)
		return
	case errors.Is(err, mfa.ErrWrongCode):
		h.countFailure(ctx, throttle.SecondFactorKey(s.User.ID))
		p.Error = "mfa.invalid"
		e, err := mfa.EnrolmentFor(h.cfg.Issuer, s.User.Email, pending)
		if err == nil {
			p.Enrolment, err = h.enrolmentView(e)
		}
		if err != nil {
			h.fail(w, r, "QR code", err)
			return
		}
		h.render(w, r, http.StatusUnauthorized, p)
		return
	case err != nil:
		h.fail(w, r, "confirm enrolment", err)
		return
	}
	h.cfg.Logger.InfoContext(ctx, "second factor enrolled", "user_id", s.User.ID)
	p.MFAEnabled, p.RecoveryCodes, p.Notice = true, codes, "mfa.enrolled"
	h.render(w, r, http.StatusOK, p)
}

// enableTOTP turns TOTP on when code is right for the enrolment waiting,
// with the hashes of codes as the recovery codes; pending receives the
// secret, for showing the enrolment again after a wrong code.
func (h *Handler) enableTOTP(ctx context.Context, userID, code string, codes []string, pending *string) (storage.User, error) {
	return h.cfg.Store.UpdateUser(ctx, userID, func(u storage.User) (storage.User, error) {
		if u.TOTPEnabled || u.TOTPSecret == nil {
			return u, errNoEnrolment
		}
		u, err := mfa.Check(h.cfg.Sealer, h.cfg.RecoveryHasher, u, code, h.cfg.Now(), mfa.TOTPCode)
		if errors.Is(err, mfa.ErrWrongCode) {
			// The secret opened: the enrolment can be shown again.
			*pending, _ = mfa.OpenSecret(h.cfg.Sealer, u.ID, u.TOTPSecret)
		}
		if err != nil {
			return u, err
		}
		u.TOTPEnabled, u.RecoveryCodes = true, mfa.HashRecoveryCodes(h.cfg.RecoveryHasher, codes)
		return u, nil
	})
}

// disable turns TOTP off; it asks for the password and a current code
// (or a recovery code), so a borrowed signed-in browser cannot do it.
func (h *Handler) disable(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	p, err := h.page(r, s)
	if err != nil {
		h.fail(w, r, "account page", err)
		return
	}
	// Both keys are checked before the password and the code are.
	if h.throttled(ctx, throttle.EmailKey(s.User.Email)) || h.throttled(ctx, throttle.SecondFactorKey(s.User.ID)) {
		p.Error = "login.throttled_plain"
		h.render(w, r, http.StatusTooManyRequests, p)
		return
	}
	if !h.currentPassword(w, r, s, p, r.PostFormValue("password")) {
		return
	}
	code := r.PostFormValue("code")
	err = h.inTx(ctx, audit.Event{Action: audit.MFADisabled, Subject: s.User.ID, Detail: map[string]string{"method": "totp"}}.ByUser(s.User.ID), func(ctx context.Context) error {
		_, err := h.disableTOTP(ctx, s.User.ID, code)
		return err
	})
	if errors.Is(err, mfa.ErrWrongCode) {
		h.countFailure(ctx, throttle.SecondFactorKey(s.User.ID))
		p.Error = "mfa.invalid"
		h.render(w, r, http.StatusUnauthorized, p)
		return
	}
	if err != nil && !errors.Is(err, errNotEnrolled) {
		h.fail(w, r, "disable second factor", err)
		return
	}
	if err := h.cfg.Throttle.Succeed(ctx, throttle.SecondFactorKey(s.User.ID)); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "clear failed attempts", "err", err)
	}
	h.cfg.Logger.InfoContext(ctx, "second factor disabled", "user_id", s.User.ID)
	p.MFAEnabled, p.Notice = false, "mfa.disabled"
	h.render(w, r, http.StatusOK, p)
}

// disableTOTP turns TOTP off when code is a current code or an unused
// recovery code; errNotEnrolled when it was not on.
func (h *Handler) disableTOTP(ctx context.Context, userID, code string) (storage.User, error) {
	return h.cfg.Store.UpdateUser(ctx, userID, func(u storage.User) (storage.User, error) {
		if !u.TOTPEnabled {
			return u, errNotEnrolled
		}
		u, err := mfa.Check(h.cfg.Sealer, h.cfg.RecoveryHasher, u, code, h.cfg.Now(), mfa.TOTPCode|mfa.RecoveryCode)
		if err != nil {
			return u, err
		}
		u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.RecoveryCodes = nil, false, 0, nil
		return u, nil
	})
}

// renewRecovery replaces the user's recovery codes with a new set, shown
// once; the old ones stop working in the same update. It asks for a
// current code of the authenticator app (not a recovery code), so a
// borrowed signed-in browser cannot take the codes away.
func (h *Handler) renewRecovery(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	p, ok := h.codeForm(w, r, s)
	if !ok {
		return
	}
	codes := mfa.NewRecoveryCodes(mfa.RecoveryCodeCount)
	var left int
	err := h.inTx(ctx, audit.Event{Action: audit.MFARecoveryRenewed, Subject: s.User.ID}.ByUser(s.User.ID), func(ctx context.Context) error {
		u, err := h.cfg.Store.UpdateUser(ctx, s.User.ID, func(u storage.User) (storage.User, error) {
			if !u.TOTPEnabled {
				return u, errNotEnrolled
			}
			u, err := mfa.Check(h.cfg.Sealer, h.cfg.RecoveryHasher, u, r.PostFormValue("code"), h.cfg.Now(), mfa.TOTPCode)
			if err != nil {
				return u, err
			}
			u.RecoveryCodes = mfa.HashRecoveryCodes(h.cfg.RecoveryHasher, codes)
			return u, nil
		})
		left = len(u.RecoveryCodes)
		return err
	})
	switch {
	case errors.Is(err, errNotEnrolled):
		h.show(w, r, s)
		return
	case errors.Is(err, mfa.ErrWrongCode):
		h.countFailure(ctx, throttle.SecondFactorKey(s.User.ID))
		p.Error = "mfa.invalid"
		h.render(w, r, http.StatusUnauthorized, p)
		return
	case err != nil:
		h.fail(w, r, "renew recovery codes", err)
		return
	}
	if err := h.cfg.Throttle.Succeed(ctx, throttle.SecondFactorKey(s.User.ID)); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "clear failed attempts", "err", err)
	}
	h.cfg.Logger.InfoContext(ctx, "recovery codes renewed", "user_id", s.User.ID)
	p.RecoveryCodes, p.RecoveryLeft, p.Notice = codes, left, "mfa.recovery_renewed"
	h.render(w, r, http.StatusOK, p)
}

// sessionRef is how the page names a session to the form that signs it
// out: the start of its ID (the hash of its cookie), enough to tell one
// account's sessions apart, never enough to be its cookie.
func sessionRef(id string) string { return id[:min(12, len(id))] }

// signOutOne ends one other session of the user, named by its row's
// reference: the session is deleted (which queues back-channel logouts to
// the apps it signed in to) and the sign-out recorded. This browser's own
// session is not ended here: signing out does that.
func (h *Handler) signOutOne(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	ref := r.PostFormValue("session")
	list, err := h.cfg.Store.ListLoginSessions(ctx, s.User.ID)
	if err != nil {
		h.fail(w, r, "list sessions", err)
		return
	}
	var target *storage.LoginSession
	for i, ls := range list {
		if ref != "" && sessionRef(ls.ID) == ref && ls.ID != s.Session.ID && ls.ACR != "pending" {
			target = &list[i]
		}
	}
	if target == nil {
		h.refuse(w, r, s, http.StatusNotFound, "sessions.unknown")
		return
	}
	err = storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		if err := h.cfg.Store.DeleteLoginSession(ctx, target.ID); err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, audit.Event{Action: audit.SignOut, Subject: s.User.ID, Reason: "by_user_elsewhere",
			Detail: map[string]string{"session": storage.Ref(target.ID)}}.ByUser(s.User.ID))
	})
	if errors.Is(err, storage.ErrNotFound) {
		// Ended by itself, or elsewhere, a moment ago.
		h.show(w, r, s)
		return
	}
	if err != nil {
		h.fail(w, r, "sign out a session", err)
		return
	}
	h.cfg.Logger.InfoContext(ctx, "signed out a session", "user_id", s.User.ID, "session", storage.Ref(target.ID))
	h.showWith(w, r, s, "sessions.signed_out_one")
}

// signOutAll ends every session of the user, then gives this browser a
// new session of its sign-in: "sign out everywhere else".
func (h *Handler) signOutAll(w http.ResponseWriter, r *http.Request, s session.Signed) {
	var n int
	h.endEverywhere(w, r, s, "sign out everywhere", "sessions.signed_out", func(ctx context.Context) error {
		var err error
		if n, err = h.cfg.Store.DeleteUserLoginSessions(ctx, s.User.ID); err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, audit.Event{Action: audit.SignOutEverywhere, Subject: s.User.ID, Reason: "by_user",
			Detail: map[string]string{"sessions_ended": strconv.Itoa(n)}}.ByUser(s.User.ID))
	})
}

// endEverywhere runs change, which ends every session of the user, in one
// transaction; then this browser, signed out with the others, is given a
// new session of the same sign-in (session.Manager.Renew: no fresher than
// it was) and shown the account page with notice. what names the change
// in the log.
func (h *Handler) endEverywhere(w http.ResponseWriter, r *http.Request, s session.Signed, what, notice string, change func(ctx context.Context) error) {
	ctx := r.Context()
	if err := storage.InTx(ctx, h.cfg.Store, change); err != nil {
		h.fail(w, r, what, err)
		return
	}
	ls, err := h.cfg.Sessions.Renew(ctx, w, r, s.User, s.Session)
	if err != nil {
		h.fail(w, r, "sign in again", err)
		return
	}
	h.cfg.Logger.InfoContext(ctx, what, "user_id", s.User.ID)
	s.Session = ls
	h.showWith(w, r, s, notice)
}

// refuse shows the account page, as it is now, with status and the error
// key.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, s session.Signed, status int, key string) {
	p, err := h.page(r, s)
	if err != nil {
		h.fail(w, r, "account page", err)
		return
	}
	p.Error = key
	h.render(w, r, status, p)
}

// showWith shows the account page, as it is now, with notice.
func (h *Handler) showWith(w http.ResponseWriter, r *http.Request, s session.Signed, notice string) {
	p, err := h.page(r, s)
	if err != nil {
		h.fail(w, r, "account page", err)
		return
	}
	p.Notice = notice
	h.render(w, r, http.StatusOK, p)
}

// revokeApp withdraws the user's consent for an app and revokes every
// token and refresh token of that app for the user, at once.
func (h *Handler) revokeApp(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	clientID := r.PostFormValue("client_id")
	n, err := consent.Withdraw(ctx, h.cfg.Store, h.cfg.Audit, s.User.ID, clientID, audit.Event{Reason: "by_user"}.ByUser(s.User.ID))
	if err != nil {
		h.fail(w, r, "withdraw an app's access", err)
		return
	}
	h.cfg.Logger.InfoContext(ctx, "app access revoked by the user", "user_id", s.User.ID, "client_id", clientID, "tokens", n)
	h.showWith(w, r, s, "apps.revoked")
}

var (
	errNoEnrolment = errors.New("no enrolment to confirm")
	errNotEnrolled = errors.New("two-step verification is off")
)

// inTx runs change in a transaction with the authorization record of e.
func (h *Handler) inTx(ctx context.Context, e audit.Event, change func(ctx context.Context) error) error {
	return storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		if err := change(ctx); err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, e)
	})
}

// throttled reports whether key must wait before another attempt.
func (h *Handler) throttled(ctx context.Context, key string) bool {
	return h.wait(ctx, key) > 0
}

// wait is how long key must wait before another attempt; 0 when it need
// not (or when the count cannot be read: logged).
func (h *Handler) wait(ctx context.Context, key string) time.Duration {
	wait, err := h.cfg.Throttle.Wait(ctx, key)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "throttle", "err", err)
	}
	return wait
}

func (h *Handler) countFailure(ctx context.Context, key string) {
	if _, err := h.cfg.Throttle.Fail(ctx, key); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "count a failed attempt", "err", err)
	}
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, p web.AccountPage) {
	web.Rendered(h.cfg.Logger, w, r, "account page", h.cfg.Pages.Account(w, r, status, p))
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	web.Fail(h.cfg.Pages, h.cfg.Logger, w, r, "account: "+what, err)
}
