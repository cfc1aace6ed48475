package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// SendPasswordLink mails the user a password-reset link, as "forgot
// password" does, replacing any older one, and returns when it expires
// (user.password_link_sent). A disabled account is ErrUserDisabled; with
// no mail server, ErrNoMail; a message the server refuses is
// ErrMailFailed, and no link is left behind.
func (a *API) SendPasswordLink(ctx context.Context, by Actor, userID string, loc mail.Locale) (time.Time, error) {
	loc, err := mailLocale(loc)
	if err != nil {
		return time.Time{}, err
	}
	if a.cfg.Mail == nil {
		return time.Time{}, ErrNoMail
	}
	expires := a.cfg.Now().UTC().Add(a.cfg.ResetLink).Truncate(time.Second)
	err = a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		u, err := a.cfg.Store.GetUser(ctx, userID)
		if err != nil {
			return nil, err
		}
		if u.Status == storage.UserDisabled {
			return nil, ErrUserDisabled
		}
		err = a.mailPasswordLink(ctx, u, a.cfg.ResetLink, func(link string) (mail.Message, error) {
			return a.cfg.Composer.PasswordReset(loc, u.Email, mail.PasswordReset{Name: u.Name, Link: link, Expires: a.cfg.ResetLink})
		})
		if err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.PasswordLinkSent, Subject: u.ID,
			Detail: map[string]string{"expires_at": expires.Format(time.RFC3339)}})}, nil
	})
	return expires, err
}

// sendPasswordLink mails the user a password-reset link: 202 with when it
// expires.
func (a *API) sendPasswordLink(w http.ResponseWriter, r *http.Request, caller string) {
	var body struct {
		Locale string `json:"locale"`
	}
	if r.ContentLength != 0 && !decode(w, r, &body) {
		return
	}
	id := r.PathValue("id")
	expires, err := a.SendPasswordLink(r.Context(), ByClient(caller), id, mail.Locale(body.Locale))
	if refused(w, err) || a.mailProblem(w, r, err) || a.notFound(w, r, err, "user") {
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin had a password link sent", "admin_client_id", caller, "user_id", id)
	web.JSON(w, http.StatusAccepted, struct {
		ExpiresAt time.Time `json:"expires_at"`
	}{expires})
}

// resetTOTP removes the user's second factor (see ResetMFA): 200 with the
// user.
func (a *API) resetTOTP(w http.ResponseWriter, r *http.Request, caller string) {
	ctx, id := r.Context(), r.PathValue("id")
	if a.notFound(w, r, a.ResetMFA(ctx, ByClient(caller), id), "user") {
		return
	}
	u, err := a.cfg.Store.GetUser(ctx, id)
	if a.notFound(w, r, err, "user") {
		return
	}
	a.cfg.Logger.InfoContext(ctx, "admin reset a user's second factor", "admin_client_id", caller, "user_id", id)
	web.JSON(w, http.StatusOK, userOut(u))
}
