package login

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// secondStep returns the sign-in the second step is for: one whose
// password was right and whose second factor is still to come, or, for a
// step-up (an app asking for more than the sign-in had), the browser's
// current one.
func (h *Handler) secondStep(r *http.Request) (session.Signed, bool) {
	ctx := r.Context()
	if s, ok, err := h.cfg.Sessions.Pending(ctx, r); err == nil && ok {
		return s, true
	}
	if s, ok, err := h.cfg.Sessions.Current(ctx, r); err == nil && ok {
		return s, true
	}
	return session.Signed{}, false
}

// mfaPage is what the second step offers s's account: the authenticator
// app's code where that reaches the level the flow needs, the account's
// passkeys, or, where it has neither, what to set up.
func (h *Handler) mfaPage(r *http.Request, s session.Signed, flowID, next string, recovery bool) (web.MFAPage, error) {
	ctx := r.Context()
	p := web.MFAPage{CSRFToken: session.CSRFToken(r), Flow: flowID, Next: next}
	t := target{next: next}
	if flowID != "" {
		if f, err := h.cfg.Store.GetFlow(ctx, flowID); err == nil {
			t.flow = &f
			p.UILocales = flowQuery(t.flow).Get("ui_locales")
		}
	}
	want := h.required(ctx, t, s.User)
	hasPasskeys, err := h.passkeysOf(ctx, s.User.ID)
	if err != nil {
		return p, err
	}
	withCode := session.ACR(session.AMR(append(slices.Clone(s.Session.AMR), session.AMROTP)...))
	p.TOTP = s.User.TOTPEnabled && session.MeetsACR(withCode, want)
	p.Passkey = hasPasskeys
	p.Recovery = recovery && p.TOTP
	switch {
	case p.TOTP || p.Passkey:
	case want == session.ACRPasskey:
		p.Missing = "mfa.need_passkey"
	default:
		p.Missing = "mfa.need_setup"
	}
	return p, nil
}

// showMFA asks for the second factor of a sign-in whose password was
// right, or of a step-up.
func (h *Handler) showMFA(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s, ok := h.secondStep(r)
	if !ok {
		h.restart(w, r, q.Get("flow"), q.Get("next"))
		return
	}
	p, err := h.mfaPage(r, s, q.Get("flow"), safeNext(q.Get("next")), q.Get("recovery") == "1")
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "second factor page", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	h.renderMFA(w, r, http.StatusOK, p)
}

// submitMFA checks the TOTP code or a recovery code, then signs the
// browser in with the methods it had and "otp", and continues where the
// sign-in started.
func (h *Handler) submitMFA(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	flowID, next := r.PostFormValue("flow"), safeNext(r.PostFormValue("next"))
	pending, ok := h.secondStep(r)
	if !ok {
		h.restart(w, r, flowID, next)
		return
	}
	recovery := r.PostFormValue("recovery_code") != ""
	page, err := h.mfaPage(r, pending, flowID, next, recovery)
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "second factor page", "err", err)
		h.errorPage(w, r, "", http.StatusInternalServerError, "error.server")
		return
	}
	if !page.TOTP {
		// No code would do here: the page offers what would.
		h.renderMFA(w, r, http.StatusBadRequest, page)
		return
	}
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
	h.finishSignIn(w, r, pending.User, session.AMR(append(slices.Clone(pending.Session.AMR), session.AMROTP)...), session.OriginOf(pending.Session), flowID, next)
}

// secondPasskeyOptions starts the second step (or a step-up) with one of
// the account's passkeys. A sign-in no password made asks the
// authenticator to verify its user: touching the same key again would
// add nothing.
func (h *Handler) secondPasskeyOptions(w http.ResponseWriter, r *http.Request) {
	req, ok := h.readPasskey(w, r)
	if !ok {
		return
	}
	s, ok := h.secondStep(r)
	if !ok {
		h.passkeyError(w, r, req.Flow, http.StatusUnauthorized, "passkey.expired")
		return
	}
	opts, err := h.cfg.Passkeys.BeginLogin(r.Context(), &s.User, !slices.Contains(s.Session.AMR, session.AMRPassword))
	if errors.Is(err, passkey.ErrUnknown) {
		h.passkeyError(w, r, req.Flow, http.StatusBadRequest, "passkey.unknown")
		return
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "second step: begin passkey", "err", err)
		h.passkeyError(w, r, req.Flow, http.StatusInternalServerError, "error.server")
		return
	}
	web.JSON(w, http.StatusOK, opts)
}

// submitSecondPasskey finishes the second step with a passkey: the
// browser is signed in with the methods it had and the passkey's.
func (h *Handler) submitSecondPasskey(w http.ResponseWriter, r *http.Request) {
	req, ok := h.readPasskey(w, r)
	if !ok || !h.passkeyTarget(w, r, req) || h.passkeyHeldBack(w, r, req.Flow) {
		return
	}
	s, ok := h.secondStep(r)
	if !ok {
		h.passkeyError(w, r, req.Flow, http.StatusUnauthorized, "passkey.expired")
		return
	}
	in, err := h.cfg.Passkeys.FinishLogin(r.Context(), &s.User, req.State, req.Credential)
	if err != nil {
		if in.User.ID == "" {
			in.User = s.User
		}
		h.passkeyRefused(w, r, req.Flow, in, err)
		return
	}
	h.passkeySignedIn(w, r, req, in, session.AMR(append(slices.Clone(s.Session.AMR), in.Methods...)...), session.OriginOf(s.Session))
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
