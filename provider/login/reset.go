package login

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

func (h *Handler) showForgot(w http.ResponseWriter, r *http.Request) {
	if h.cfg.Mail == nil {
		h.message(w, r, http.StatusOK, web.MessagePage{Title: "message.title", Message: "reset.no_mail"})
		return
	}
	h.renderForgot(w, r, http.StatusOK, web.ForgotPage{CSRFToken: session.CSRFToken(r)})
}

// submitForgot emails a password-reset link. The answer is the same
// whether or not the email belongs to an account.
func (h *Handler) submitForgot(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostFormValue("email"))
	if h.cfg.Mail == nil {
		h.message(w, r, http.StatusOK, web.MessagePage{Title: "message.title", Message: "reset.no_mail"})
		return
	}
	if email == "" {
		h.renderForgot(w, r, http.StatusBadRequest, web.ForgotPage{CSRFToken: session.CSRFToken(r), Error: "register.invalid_email"})
		return
	}
	if h.mailAllowed(ctx, email) {
		if u, err := h.cfg.Store.GetUserByEmail(ctx, email); err == nil && u.Status != storage.UserDisabled {
			if err := h.sendReset(r, u); err != nil {
				h.cfg.Logger.ErrorContext(ctx, "send password reset", "user_id", u.ID, "err", err)
			}
		} else if !errors.Is(err, storage.ErrNotFound) && err != nil {
			h.cfg.Logger.ErrorContext(ctx, "password reset: load user", "err", err)
		}
	}
	h.checkEmail(w, r, web.CheckEmailPage{CSRFToken: session.CSRFToken(r), Kind: "reset", Email: email, Expires: h.cfg.ResetLink})
}

func (h *Handler) sendReset(r *http.Request, u storage.User) error {
	link, err := h.resetLink(r.Context(), u)
	if err != nil {
		return err
	}
	m, err := h.cfg.Composer.PasswordReset(h.mailLocale(r, ""), u.Email, mail.PasswordReset{
		Name: u.Name, Link: link, Expires: h.cfg.ResetLink,
	})
	if err != nil {
		return err
	}
	return h.cfg.Mail.Send(r.Context(), m)
}

// resetLink makes a new password-reset link for u, replacing older ones.
func (h *Handler) resetLink(ctx context.Context, u storage.User) (string, error) {
	return h.links.Password(ctx, u.ID, h.cfg.ResetLink)
}

// showReset shows the new-password form of a live link, or says, before
// anything is typed, that the link has expired or was used, with the form
// asking for a new one. Opening the link does not use it up: mail
// scanners that fetch links must not spend it.
func (h *Handler) showReset(w http.ResponseWriter, r *http.Request) {
	p := web.ResetPage{CSRFToken: session.CSRFToken(r), Token: r.URL.Query().Get("token")}
	if !h.liveLink(w, r, storage.LinkPasswordReset, p.Token, "") {
		return
	}
	h.renderReset(w, r, http.StatusOK, p)
}

// liveLink reports whether token is a live link of purpose, without using
// it (storage.Links.GetLink); otherwise it answers with the link-expired
// page of the link's kind (or a server error). flowID is the login flow
// an activation link's page carries on.
func (h *Handler) liveLink(w http.ResponseWriter, r *http.Request, purpose storage.LinkPurpose, token, flowID string) bool {
	_, err := h.cfg.Store.GetLink(r.Context(), purpose, h.links.Hash(token), h.cfg.Now())
	if errors.Is(err, storage.ErrNotFound) {
		h.linkExpired(w, r, purpose, flowID)
		return false
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "check a link", "purpose", purpose, "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return false
	}
	return true
}

// linkExpired answers a link that is unknown, expired or used (400): the
// page says so and asks, in place of the link's form, for the email
// address to send a new link to (POST /password/forgot, POST
// /activate/resend). An activation link's page keeps the login flow it
// came with while the flow lives, and its language.
func (h *Handler) linkExpired(w http.ResponseWriter, r *http.Request, purpose storage.LinkPurpose, flowID string) {
	if purpose == storage.LinkActivate {
		flowID, uiLocales := h.continuingFlow(r, flowID)
		p := web.ActivatePage{UILocales: uiLocales, CSRFToken: session.CSRFToken(r), Flow: flowID, Expired: true}
		web.Rendered(h.cfg.Logger, w, r, "activation page", h.cfg.Pages.Activate(w, r, http.StatusBadRequest, p))
		return
	}
	h.renderReset(w, r, http.StatusBadRequest, web.ResetPage{CSRFToken: session.CSRFToken(r), Expired: true})
}

// continuingFlow returns flowID and its ui_locales when it names a live
// login flow (liveFlow), else nothing: a page offering to go on with a
// flow only offers a flow that can still be gone on with.
func (h *Handler) continuingFlow(r *http.Request, flowID string) (id, uiLocales string) {
	if flowID == "" {
		return "", ""
	}
	f, _, key := h.liveFlow(r, flowID)
	if key != "" {
		return "", ""
	}
	return f.ID, flowQuery(&f).Get("ui_locales")
}

// submitReset sets the new password, signs the account out everywhere
// (browser sessions and tokens), and clears its failed attempts. The link
// is checked before the password is hashed, so a made-up token costs no
// hashing; it is used up only by the reset that succeeds.
func (h *Handler) submitReset(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := web.ResetPage{CSRFToken: session.CSRFToken(r), Token: r.PostFormValue("token")}
	if !h.liveLink(w, r, storage.LinkPasswordReset, p.Token, "") {
		return
	}
	pw := r.PostFormValue("password")
	if p.Error = web.NewPasswordProblem(h.cfg.Passwords, pw, r.PostFormValue("confirm")); p.Error != "" {
		h.renderReset(w, r, http.StatusBadRequest, p)
		return
	}
	hash, err := h.cfg.Hasher.Hash(ctx, pw)
	if err != nil {
		h.passwordWorkFailed(w, r, "", "reset: hash password", err)
		return
	}
	var u storage.User
	err = storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		l, err := h.cfg.Store.ConsumeLink(ctx, storage.LinkPasswordReset, h.links.Hash(p.Token), h.cfg.Now())
		if err != nil {
			return err
		}
		u, err = h.cfg.Store.UpdateUser(ctx, l.UserID, func(u storage.User) (storage.User, error) {
			u.PasswordHash, u.UpdatedAt = hash, h.cfg.Now().UTC().Truncate(time.Second)
			// The link proves the user reads this mailbox.
			u.EmailVerified = true
			if u.Status == storage.UserPending {
				u.Status = storage.UserActive
			}
			return u, nil
		})
		if err != nil {
			return err
		}
		sessions, err := h.cfg.Store.DeleteUserLoginSessions(ctx, u.ID)
		if err != nil {
			return err
		}
		tokens, err := h.cfg.Store.RevokeSubject(ctx, u.ID, "")
		if err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, audit.Event{Action: audit.PasswordReset, Subject: u.ID, Reason: "email_link",
			Detail: map[string]string{"sessions_ended": strconv.Itoa(sessions), "tokens_revoked": strconv.Itoa(tokens)}}.ByUser(u.ID))
	})
	if errors.Is(err, storage.ErrNotFound) {
		// Used or expired since it was checked.
		h.linkExpired(w, r, storage.LinkPasswordReset, "")
		return
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "reset password", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	h.succeeded(ctx, throttle.EmailKey(u.Email))
	h.cfg.Logger.InfoContext(ctx, "password reset", "user_id", u.ID)
	h.message(w, r, http.StatusOK, web.MessagePage{Title: "message.title", Message: "reset.done", LinkText: "login.submit", LinkURL: "/login"})
}

func (h *Handler) renderForgot(w http.ResponseWriter, r *http.Request, status int, p web.ForgotPage) {
	web.Rendered(h.cfg.Logger, w, r, "forgot-password page", h.cfg.Pages.Forgot(w, r, status, p))
}

func (h *Handler) renderReset(w http.ResponseWriter, r *http.Request, status int, p web.ResetPage) {
	web.Rendered(h.cfg.Logger, w, r, "reset-password page", h.cfg.Pages.Reset(w, r, status, p))
}
