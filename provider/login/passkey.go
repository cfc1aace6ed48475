package login

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Passkeys runs the WebAuthn sign-in ceremonies (passkey.Ceremonies).
type Passkeys interface {
	BeginLogin(ctx context.Context, u *storage.User, requireVerification bool) (passkey.Options, error)
	FinishLogin(ctx context.Context, u *storage.User, state string, response []byte) (passkey.SignIn, error)
}

// maxPasskeyBody bounds what the passkey script posts: a sealed state and
// an authenticator's answer are a few kilobytes.
const maxPasskeyBody = 64 << 10

// passkeyRequest is what the passkey script posts: where the sign-in
// continues and, to finish a ceremony, its state and the authenticator's
// answer (the PublicKeyCredential as JSON).
type passkeyRequest struct {
	Flow       string          `json:"flow"`
	Next       string          `json:"next"`
	State      string          `json:"state"`
	Credential json.RawMessage `json:"credential"`
}

// readPasskey reads the passkey script's request, or answers 400.
func (h *Handler) readPasskey(w http.ResponseWriter, r *http.Request) (passkeyRequest, bool) {
	var req passkeyRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPasskeyBody))
	if err := dec.Decode(&req); err != nil {
		h.passkeyError(w, r, req.Flow, http.StatusBadRequest, "error.bad_input")
		return req, false
	}
	req.Next = safeNext(req.Next)
	return req, true
}

// passkeyOptions starts a sign-in with any passkey: "Sign in with a
// passkey" and the email field's autofill. It costs no storage: the
// ceremony's state goes to the page, sealed.
func (h *Handler) passkeyOptions(w http.ResponseWriter, r *http.Request) {
	req, ok := h.readPasskey(w, r)
	if !ok {
		return
	}
	opts, err := h.cfg.Passkeys.BeginLogin(r.Context(), nil, false)
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "passkey sign-in: begin", "err", err)
		h.passkeyError(w, r, req.Flow, http.StatusInternalServerError, "error.server")
		return
	}
	web.JSON(w, http.StatusOK, opts)
}

// submitPasskey finishes a sign-in with a passkey: the answer verified
// (origin, challenge, signature, counter), the account open, the browser
// signed in with the passkey's methods (a passkey whose authenticator
// verified its user is two factors by itself), and sent on.
func (h *Handler) submitPasskey(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req, ok := h.readPasskey(w, r)
	if !ok || !h.passkeyTarget(w, r, req) || h.passkeyHeldBack(w, r, req.Flow) {
		return
	}
	in, err := h.cfg.Passkeys.FinishLogin(ctx, nil, req.State, req.Credential)
	if err != nil {
		h.passkeyRefused(w, r, req.Flow, in, err)
		return
	}
	switch in.User.Status {
	case storage.UserActive:
	case storage.UserPending:
		h.refused(ctx, ReasonAccountPending, in.User.ID, "")
		h.passkeyError(w, r, req.Flow, http.StatusForbidden, "login.pending")
		return
	default:
		h.refused(ctx, ReasonAccountDisabled, in.User.ID, "")
		h.passkeyError(w, r, req.Flow, http.StatusForbidden, "login.disabled")
		return
	}
	h.passkeySignedIn(w, r, req, in, session.AMR(in.Methods...), session.Origin{})
}

// passkeySignedIn signs the browser in after a passkey verified and tells
// the script where to go.
func (h *Handler) passkeySignedIn(w http.ResponseWriter, r *http.Request, req passkeyRequest, in passkey.SignIn, amr []string, origin session.Origin) {
	to, err := h.signIn(w, r, in.User, amr, map[string]string{"passkey": passkey.ShortRef(in.Passkey.ID)}, origin, req.Flow, req.Next)
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "passkey sign-in", "err", err)
		h.passkeyError(w, r, req.Flow, http.StatusInternalServerError, "error.server")
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"redirect": to})
}

// passkeyTarget checks the flow a passkey sign-in continues, or answers
// as loadFlow would, in JSON.
func (h *Handler) passkeyTarget(w http.ResponseWriter, r *http.Request, req passkeyRequest) bool {
	if req.Flow == "" {
		return true
	}
	if _, status, key := h.liveFlow(r, req.Flow); key != "" {
		h.passkeyError(w, r, "", status, key)
		return false
	}
	return true
}

// passkeyHeldBack answers 429 while the client address must wait after
// failed sign-ins (passwords, codes and passkeys count alike).
func (h *Handler) passkeyHeldBack(w http.ResponseWriter, r *http.Request, flowID string) bool {
	ctx := r.Context()
	ip := reqctx.ClientIP(ctx)
	if ip == "" {
		return false
	}
	wait, err := h.cfg.IPs.Wait(ctx, throttle.IPKey(ip))
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "passkey sign-in: throttle", "err", err)
		h.passkeyError(w, r, flowID, http.StatusInternalServerError, "error.server")
		return true
	}
	if wait <= 0 {
		return false
	}
	h.refused(ctx, ReasonThrottled, "", "")
	w.Header().Set("Retry-After", throttle.Seconds(wait))
	h.passkeyError(w, r, flowID, http.StatusTooManyRequests, "login.throttled_plain")
	return true
}

// passkeyRefused answers a passkey that did not sign in, records why, and
// counts it against the client address. A cloned authenticator is also a
// record of its own against the passkey's account.
func (h *Handler) passkeyRefused(w http.ResponseWriter, r *http.Request, flowID string, in passkey.SignIn, err error) {
	ctx := r.Context()
	status, key, reason := http.StatusUnauthorized, "passkey.refused", ReasonPasskeyRefused
	switch {
	case errors.Is(err, passkey.ErrCeremony):
		status, key, reason = http.StatusBadRequest, "passkey.expired", ""
	case errors.Is(err, passkey.ErrWrongOrigin):
		key, reason = "passkey.wrong_origin", ReasonPasskeyWrongOrigin
	case errors.Is(err, passkey.ErrUnknown):
		key, reason = "passkey.unknown", ReasonPasskeyUnknown
	case errors.Is(err, passkey.ErrCloned):
		key, reason = "passkey.cloned", ReasonPasskeyCloned
		h.cfg.Audit.Try(ctx, audit.Event{Action: audit.PasskeyCloned, Outcome: audit.Failure, Reason: "counter_went_back",
			Subject: in.User.ID, Detail: map[string]string{"passkey": passkey.ShortRef(in.Passkey.ID), "name": in.Passkey.Name}})
	case errors.Is(err, passkey.ErrRefused):
	default:
		h.cfg.Logger.ErrorContext(ctx, "passkey sign-in", "err", err)
		h.passkeyError(w, r, flowID, http.StatusInternalServerError, "error.server")
		return
	}
	h.cfg.Logger.InfoContext(ctx, "passkey sign-in refused", "user_id", in.User.ID, "err", err)
	if reason != "" {
		h.refused(ctx, reason, in.User.ID, "")
		if ip := reqctx.ClientIP(ctx); ip != "" {
			if _, err := h.cfg.IPs.Fail(ctx, throttle.IPKey(ip)); err != nil {
				h.cfg.Logger.ErrorContext(ctx, "count a failed attempt", "err", err)
			}
		}
	}
	h.passkeyError(w, r, flowID, status, key)
}

// passkeyError answers the passkey script with the text of a message
// key, in the page's language, for it to show.
func (h *Handler) passkeyError(w http.ResponseWriter, r *http.Request, flowID string, status int, key string) {
	web.JSON(w, status, map[string]string{"error": h.cfg.Pages.Text(r, h.uiLocales(r, flowID), key)})
}

// passkeysOf reports whether user has a passkey to use (and passkeys are
// on).
func (h *Handler) passkeysOf(ctx context.Context, userID string) (bool, error) {
	if h.cfg.Passkeys == nil {
		return false, nil
	}
	list, err := h.cfg.Store.ListPasskeys(ctx, userID)
	return len(list) > 0, err
}

// flowQuery is the authorization request a flow parked.
func flowQuery(f *storage.Flow) url.Values {
	if f == nil {
		return url.Values{}
	}
	q, _ := url.ParseQuery(f.Query)
	return q
}

// required is the sign-in level the sign-in for t needs of user: what
// its flow's acr_values ask, two factors when the user's role requires
// them, and what the workspace's policy adds (policy).
func (h *Handler) required(ctx context.Context, t target, user storage.User) string {
	want := session.Required(flowQuery(t.flow).Get("acr_values"), roleNeedsTwoFactor(h.cfg.MFARoles, user.Role))
	return session.WorkspaceRequired(want, h.policy(ctx, t, user.ID))
}

func roleNeedsTwoFactor(roles []string, role string) bool {
	return slices.Contains(roles, role)
}
