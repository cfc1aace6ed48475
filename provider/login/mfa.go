package login

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// showMFA asks for the second factor of a sign-in whose password was right.
func (h *Handler) showMFA(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if _, ok, err := h.cfg.Sessions.Pending(r.Context(), r); err != nil || !ok {
		h.restart(w, r, q.Get("flow"), q.Get("next"))
		return
	}
	h.renderMFA(w, r, http.StatusOK, web.MFAPage{
		UILocales: h.uiLocales(r, q.Get("flow")), CSRFToken: session.CSRFToken(r),
		Flow: q.Get("flow"), Next: safeNext(q.Get("next")), Recovery: q.Get("recovery") == "1",
	})
}

// submitMFA checks the TOTP code or a recovery code, then signs the
// browser in with amr pwd+otp and continues where the sign-in started.
func (h *Handler) submitMFA(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	flowID, next := r.PostFormValue("flow"), safeNext(r.PostFormValue("next"))
	pending, ok, err := h.cfg.Sessions.Pending(ctx, r)
	if err != nil || !ok {
		h.restart(w, r, flowID, next)
		return
	}
	recovery := r.PostFormValue("recovery_code") != ""
	page := web.MFAPage{UILocales: h.uiLocales(r, flowID), CSRFToken: session.CSRFToken(r), Flow: flowID, Next: next, Recovery: recovery}
	// Wrong codes count on a key of their own, checked before the code
	// is: the right password, which clears the email's key, does not
	// clear this one, so signing in again buys no more guesses.
	key := throttle.SecondFactorKey(pending.User.ID)
	if wait, err := h.waitFor(ctx, key, ""); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "second factor: throttle", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	} else if wait > 0 {
		h.refused(ctx, ReasonThrottled, pending.User.ID, "")
		page.Error, page.ErrorArg = "login.throttled", throttle.Seconds(wait)
		h.renderMFA(w, r, http.StatusTooManyRequests, page)
		return
	}
	if recovery {
		err = h.useCode(ctx, pending.User.ID, r.PostFormValue("recovery_code"), mfa.RecoveryCode)
	} else {
		err = h.useCode(ctx, pending.User.ID, r.PostFormValue("code"), mfa.TOTPCode)
	}
	if errors.Is(err, mfa.ErrWrongCode) {
		h.failed(ctx, key, reqctx.ClientIP(ctx), pending.User.ID, pending.User.Email)
		h.cfg.Logger.InfoContext(ctx, "sign-in failed", "user_id", pending.User.ID, "reason", "second_factor")
		page.Error = "mfa.invalid"
		reason := ReasonWrongTOTP
		if recovery {
			page.Error, reason = "mfa.recovery_invalid", ReasonWrongRecoveryCode
		}
		h.refused(ctx, reason, pending.User.ID, "")
		h.renderMFA(w, r, http.StatusUnauthorized, page)
		return
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "second factor", "user_id", pending.User.ID, "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	h.succeeded(ctx, key)
	h.finishSignIn(w, r, pending.User, session.AMR(session.AMRPassword, session.AMROTP), flowID, next)
}

// useCode accepts a TOTP code, or a recovery code, once: the code's step
// becomes the last used step, or the recovery code is removed, in the
// same atomic update that checked it, so two requests racing with one
// code cannot both pass.
func (h *Handler) useCode(ctx context.Context, userID, code string, kind mfa.Codes) error {
	_, err := h.cfg.Store.UpdateUser(ctx, userID, func(u storage.User) (storage.User, error) {
		if !u.TOTPEnabled {
			return u, mfa.ErrWrongCode
		}
		return mfa.Check(h.cfg.Sealer, h.cfg.RecoveryHasher, u, code, h.cfg.Now(), kind)
	})
	return err
}

// restart sends a browser whose pending sign-in is gone (expired, or never
// started) back to the sign-in page.
func (h *Handler) restart(w http.ResponseWriter, r *http.Request, flowID, next string) {
	q := url.Values{}
	if flowID != "" {
		q.Set("flow", flowID)
	}
	if next != "" {
		q.Set("next", next)
	}
	http.Redirect(w, r, "/login?"+q.Encode(), http.StatusSeeOther)
}

func (h *Handler) renderMFA(w http.ResponseWriter, r *http.Request, status int, p web.MFAPage) {
	web.Rendered(h.cfg.Logger, w, r, "second-factor page", h.cfg.Pages.MFA(w, r, status, p))
}
