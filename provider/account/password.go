package account

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// freshSecondFactor reports whether the browser signed in a moment ago
// with two factors (a second factor or a passkey), which stands in for
// the current password when it is changed.
func (h *Handler) freshSecondFactor(s session.Signed) bool {
	return h.fresh(s) && session.MeetsACR(s.Session.ACR, session.ACRTwoFactor)
}

// changePassword sets a new password for the signed-in user. It asks for
// the current password (wrong ones counted on the account's email key,
// as at sign-in, which is checked first) unless the sign-in is fresh and
// two-factor. The new one follows the same policy as at registration and
// reset. Every session of the user ends and every token is revoked with
// the change, in one transaction; this browser stays signed in.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	p, err := h.page(r, s)
	if err != nil {
		h.fail(w, r, "account page", err)
		return
	}
	askCurrent := !p.NoCurrentPassword
	if askCurrent {
		if wait := h.wait(ctx, throttle.EmailKey(s.User.Email)); wait > 0 {
			w.Header().Set("Retry-After", throttle.Seconds(wait))
			p.Error, p.ErrorArg = "login.throttled", throttle.Seconds(wait)
			h.render(w, r, http.StatusTooManyRequests, p)
			return
		}
	}
	pw := r.PostFormValue("new_password")
	if p.Error = web.NewPasswordProblem(h.cfg.Passwords, pw, r.PostFormValue("confirm")); p.Error != "" {
		h.render(w, r, http.StatusBadRequest, p)
		return
	}
	if askCurrent && !h.currentPassword(w, r, s, p, r.PostFormValue("current_password")) {
		return
	}
	hash, err := h.cfg.Hasher.Hash(ctx, pw)
	if password.Busy(err) {
		web.Busy(h.cfg.Pages, h.cfg.Logger, w, r, "")
		return
	}
	if err != nil {
		h.fail(w, r, "hash a new password", err)
		return
	}
	h.endEverywhere(w, r, s, "password changed", "password.changed", func(ctx context.Context) error {
		if _, err := h.cfg.Store.UpdateUser(ctx, s.User.ID, func(u storage.User) (storage.User, error) {
			u.PasswordHash, u.UpdatedAt = hash, h.cfg.Now().UTC().Truncate(time.Second)
			return u, nil
		}); err != nil {
			return err
		}
		sessions, err := h.cfg.Store.DeleteUserLoginSessions(ctx, s.User.ID)
		if err != nil {
			return err
		}
		tokens, err := h.cfg.Store.RevokeSubject(ctx, s.User.ID, "")
		if err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, audit.Event{Action: audit.PasswordChanged, Subject: s.User.ID, Reason: "by_user",
			Detail: map[string]string{"sessions_ended": strconv.Itoa(sessions), "tokens_revoked": strconv.Itoa(tokens)}}.ByUser(s.User.ID))
	})
}

// currentPassword checks pw, given as the account's current password.
// The right one clears the failures counted on the account's email key;
// a wrong one is counted there and answered 401 with p, a busy password
// pool 503, and it returns false. The caller checks the key's wait first.
func (h *Handler) currentPassword(w http.ResponseWriter, r *http.Request, s session.Signed, p web.AccountPage, pw string) bool {
	ctx := r.Context()
	key := throttle.EmailKey(s.User.Email)
	ok, err := h.cfg.Hasher.Verify(ctx, pw, s.User.PasswordHash)
	if password.Busy(err) {
		web.Busy(h.cfg.Pages, h.cfg.Logger, w, r, "")
		return false
	}
	if err == nil && ok {
		if err := h.cfg.Throttle.Succeed(ctx, key); err != nil {
			h.cfg.Logger.ErrorContext(ctx, "clear failed attempts", "err", err)
		}
		return true
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "account: verify password", "user_id", s.User.ID, "err", err)
	}
	h.countFailure(ctx, key)
	p.Error = "login.invalid_password"
	h.render(w, r, http.StatusUnauthorized, p)
	return false
}
