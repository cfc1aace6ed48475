package login

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Mailer sends the emails of accounts.
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// Composer writes the emails of accounts in the reader's language.
type Composer interface {
	Activation(loc mail.Locale, to string, a mail.Activation) (mail.Message, error)
	PasswordReset(loc mail.Locale, to string, r mail.PasswordReset) (mail.Message, error)
	AccountExists(loc mail.Locale, to string, a mail.AccountExists) (mail.Message, error)
}

func (h *Handler) showRegister(w http.ResponseWriter, r *http.Request) {
	if !h.cfg.Registration {
		h.message(w, r, http.StatusForbidden, web.MessagePage{Title: "message.title", Message: "register.disabled"})
		return
	}
	flowID := r.URL.Query().Get("flow")
	h.renderRegister(w, r, http.StatusOK, web.RegisterPage{UILocales: h.uiLocales(r, flowID), CSRFToken: session.CSRFToken(r), Flow: flowID})
}

// submitRegister creates a pending account and emails its activation
// link. The account cannot sign in until the link is opened.
func (h *Handler) submitRegister(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !h.cfg.Registration {
		h.message(w, r, http.StatusForbidden, web.MessagePage{Title: "message.title", Message: "register.disabled"})
		return
	}
	flowID := r.PostFormValue("flow")
	p := web.RegisterPage{
		UILocales: h.uiLocales(r, flowID), CSRFToken: session.CSRFToken(r), Flow: flowID,
		Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
	}
	pw := r.PostFormValue("password")
	if !mailaddr.Valid(p.Email) {
		p.Error = "register.invalid_email"
		h.renderRegister(w, r, http.StatusBadRequest, p)
		return
	}
	if err := h.cfg.Passwords.Check(pw); err != nil {
		p.Error = web.PasswordProblem(err)
		h.renderRegister(w, r, http.StatusBadRequest, p)
		return
	}
	// Every attempt that gets this far is counted, before the password
	// is hashed, which is what costs: whether the address is new or taken
	// (the two are answered alike), it is work done for this client. A
	// request whose client address is unknown is not counted: one shared
	// count would shut registration for everyone.
	if wait, err := h.countRegistration(ctx); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "register: throttle", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	} else if wait > 0 {
		h.cfg.Logger.InfoContext(ctx, "registration refused", "reason", "throttled", "wait", wait.String())
		w.Header().Set("Retry-After", throttle.Seconds(wait))
		p.Error = "register.throttled"
		h.renderRegister(w, r, http.StatusTooManyRequests, p)
		return
	}
	hash, err := h.cfg.Hasher.Hash(ctx, pw)
	if err != nil {
		h.passwordWorkFailed(w, r, p.UILocales, "register: hash password", err)
		return
	}
	now := h.cfg.Now().UTC().Truncate(time.Second)
	u := storage.User{ID: uuid.NewString(), Email: p.Email, Name: truncateRunes(p.Name, storage.MaxUserName), PasswordHash: hash, Status: storage.UserPending, CreatedAt: now, UpdatedAt: now}
	err = storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		if err := h.cfg.Store.CreateUser(ctx, u); err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, audit.Event{Action: audit.UserCreated, Subject: u.ID, Reason: "registered",
			Detail: map[string]string{"email": u.Email}}.ByUser(u.ID))
	})
	switch {
	case errors.Is(err, storage.ErrAlreadyExists):
		// Answered as a new address is, after the same work, so that
		// registration does not tell who has an account; the owner is
		// told by mail instead.
		h.tellOwner(ctx, r, p.Email, p.UILocales)
	case err != nil:
		h.cfg.Logger.ErrorContext(ctx, "register: create user", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	default:
		h.cfg.Logger.InfoContext(ctx, "account registered", "user_id", u.ID)
		if err := h.sendActivation(ctx, r, u, flowID, p.UILocales); err != nil {
			h.cfg.Logger.ErrorContext(ctx, "register: send activation", "user_id", u.ID, "err", err)
		}
	}
	h.checkEmail(w, r, web.CheckEmailPage{UILocales: p.UILocales, CSRFToken: session.CSRFToken(r), Kind: "activate", Email: p.Email, Flow: flowID, Expires: h.cfg.ActivationLink})
}

// countRegistration counts a registration attempt from the client's
// address, unless the address must wait first: then it returns the wait
// and counts nothing.
func (h *Handler) countRegistration(ctx context.Context) (time.Duration, error) {
	ip := reqctx.ClientIP(ctx)
	if ip == "" {
		return 0, nil
	}
	key := "register:" + throttle.IPKey(ip)
	wait, err := h.cfg.Registrations.Wait(ctx, key)
	if err != nil || wait > 0 {
		return wait, err
	}
	_, err = h.cfg.Registrations.Fail(ctx, key)
	return 0, err
}

// tellOwner mails the owner of an address someone tried to register with:
// a way to sign in, and a password-reset link, as "forgot password" would
// send. A disabled account gets nothing, and the per-address mail limit
// applies.
func (h *Handler) tellOwner(ctx context.Context, r *http.Request, email, uiLocales string) {
	u, err := h.cfg.Store.GetUserByEmail(ctx, email)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "register: load the address's owner", "err", err)
		return
	}
	h.cfg.Logger.InfoContext(ctx, "registration with a taken address", "user_id", u.ID)
	if u.Status == storage.UserDisabled || h.cfg.Mail == nil || !h.mailAllowed(ctx, u.Email) {
		return
	}
	link, err := h.resetLink(ctx, u)
	if err == nil {
		var m mail.Message
		m, err = h.cfg.Composer.AccountExists(h.mailLocale(r, uiLocales), u.Email, mail.AccountExists{
			Name: u.Name, SignIn: h.cfg.Issuer + "/login", Reset: link, Expires: h.cfg.ResetLink,
		})
		if err == nil {
			err = h.cfg.Mail.Send(ctx, m)
		}
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "register: tell the address's owner", "user_id", u.ID, "err", err)
	}
}

// sendActivation replaces the user's activation links with a new one and
// emails it.
func (h *Handler) sendActivation(ctx context.Context, r *http.Request, u storage.User, flowID, uiLocales string) error {
	if h.cfg.Mail == nil {
		return errors.New("no mail server is configured")
	}
	link, err := h.links.Activation(ctx, u.ID, flowID, h.cfg.ActivationLink)
	if err != nil {
		return err
	}
	m, err := h.cfg.Composer.Activation(h.mailLocale(r, uiLocales), u.Email, mail.Activation{
		Name: u.Name, Link: link, Expires: h.cfg.ActivationLink,
	})
	if err != nil {
		return err
	}
	return h.cfg.Mail.Send(ctx, m)
}

// showActivate opens an activation link: a live link gets a page whose
// button activates the account, an unknown, expired or used one says so
// before the button is pressed, with the form asking for a new link.
// Opening it changes nothing, as mail scanners fetch the links in mail
// too.
func (h *Handler) showActivate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !h.liveLink(w, r, storage.LinkActivate, q.Get("token"), q.Get("flow")) {
		return
	}
	p := web.ActivatePage{UILocales: h.uiLocales(r, q.Get("flow")), CSRFToken: session.CSRFToken(r), Token: q.Get("token"), Flow: q.Get("flow")}
	web.Rendered(h.cfg.Logger, w, r, "activation page", h.cfg.Pages.Activate(w, r, http.StatusOK, p))
}

// activate uses an activation link, from the form of its page: the
// account becomes active and its email verified.
func (h *Handler) activate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := url.Values{"token": {r.PostFormValue("token")}, "flow": {r.PostFormValue("flow")}}
	var l storage.OneTimeLink
	err := storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		var err error
		if l, err = h.cfg.Store.ConsumeLink(ctx, storage.LinkActivate, h.links.Hash(q.Get("token")), h.cfg.Now()); err != nil {
			return err
		}
		activated := false
		if _, err := h.cfg.Store.UpdateUser(ctx, l.UserID, func(u storage.User) (storage.User, error) {
			if u.Status == storage.UserPending {
				u.Status, activated = storage.UserActive, true
			}
			u.EmailVerified, u.UpdatedAt = true, h.cfg.Now().UTC().Truncate(time.Second)
			return u, nil
		}); err != nil || !activated {
			return err
		}
		return h.cfg.Audit.Record(ctx, audit.Event{Action: audit.UserActivated, Subject: l.UserID, Reason: "email_link"}.ByUser(l.UserID))
	})
	if errors.Is(err, storage.ErrNotFound) {
		// Unknown, or used or expired since its page was shown.
		h.linkExpired(w, r, storage.LinkActivate, q.Get("flow"))
		return
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "activate", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	h.cfg.Logger.InfoContext(ctx, "account activated", "user_id", l.UserID)
	signIn := "/login"
	if f := q.Get("flow"); f != "" {
		signIn += "?" + url.Values{"flow": {f}}.Encode()
	}
	h.message(w, r, http.StatusOK, web.MessagePage{UILocales: h.uiLocales(r, q.Get("flow")), Title: "message.title", Message: "activate.done", LinkText: "login.submit", LinkURL: signIn})
}

// resendActivation emails a new activation link to a pending account. The
// answer is the same whether or not the email belongs to one.
func (h *Handler) resendActivation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostFormValue("email"))
	flowID := r.PostFormValue("flow")
	page := web.CheckEmailPage{UILocales: h.uiLocales(r, flowID), CSRFToken: session.CSRFToken(r), Kind: "activate", Email: email, Flow: flowID, Expires: h.cfg.ActivationLink}
	if h.mailAllowed(ctx, email) {
		if u, err := h.cfg.Store.GetUserByEmail(ctx, email); err == nil && u.Status == storage.UserPending {
			if err := h.sendActivation(ctx, r, u, flowID, page.UILocales); err != nil {
				h.cfg.Logger.ErrorContext(ctx, "resend activation", "user_id", u.ID, "err", err)
			}
		}
	}
	h.checkEmail(w, r, page)
}

// mailAllowed limits how often mail is sent to one address, so the forms
// cannot be used to flood someone's inbox. Each send counts as a failure
// of the address's mail key; past the free ones the sender must wait.
func (h *Handler) mailAllowed(ctx context.Context, email string) bool {
	key := "mail:" + throttle.EmailKey(email)
	wait, err := h.cfg.Accounts.Wait(ctx, key)
	if err != nil || wait > 0 {
		return false
	}
	if _, err := h.cfg.Accounts.Fail(ctx, key); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "count a sent mail", "err", err)
	}
	return true
}

func (h *Handler) mailLocale(r *http.Request, uiLocales string) mail.Locale {
	return h.cfg.Pages.Locale(r, uiLocales)
}

func (h *Handler) renderRegister(w http.ResponseWriter, r *http.Request, status int, p web.RegisterPage) {
	web.Rendered(h.cfg.Logger, w, r, "registration page", h.cfg.Pages.Register(w, r, status, p))
}

func (h *Handler) checkEmail(w http.ResponseWriter, r *http.Request, p web.CheckEmailPage) {
	web.Rendered(h.cfg.Logger, w, r, "check-your-email page", h.cfg.Pages.CheckEmail(w, r, http.StatusOK, p))
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
