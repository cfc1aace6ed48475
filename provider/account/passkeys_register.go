package account

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// Passkeys runs the registration ceremony (passkey.Ceremonies).
type Passkeys interface {
	BeginRegistration(ctx context.Context, u storage.User) (passkey.Options, error)
	FinishRegistration(ctx context.Context, u storage.User, state string, response []byte, name string) (storage.Passkey, error)
}

// maxPasskeyBody bounds what the passkey script posts: a sealed state, a
// name and an authenticator's answer are a few kilobytes.
const maxPasskeyBody = 64 << 10

// newPasskey is what the passkey script posts to add a passkey.
type newPasskey struct {
	State      string          `json:"state"`
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

// passkeyOptions starts adding a passkey to the signed-in account: the
// options navigator.credentials.create takes, the account's passkeys
// excluded, and the ceremony's sealed state.
func (h *Handler) passkeyOptions(w http.ResponseWriter, r *http.Request, s session.Signed) {
	opts, err := h.cfg.Passkeys.BeginRegistration(r.Context(), s.User)
	if err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "passkey registration: begin", "err", err)
		h.passkeyError(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	web.JSON(w, http.StatusOK, opts)
}

// addPasskey finishes adding a passkey: its name by the rule, the
// authenticator's answer verified, the passkey stored with its record in
// one transaction. The script then shows the account page with a notice.
func (h *Handler) addPasskey(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	var req newPasskey
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPasskeyBody)).Decode(&req); err != nil {
		h.passkeyError(w, r, http.StatusBadRequest, "error.bad_input")
		return
	}
	name, err := passkey.Name(req.Name)
	if err != nil {
		h.passkeyError(w, r, http.StatusBadRequest, passkeyNameProblem(err))
		return
	}
	var added storage.Passkey
	err = storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		var err error
		if added, err = h.cfg.Passkeys.FinishRegistration(ctx, s.User, req.State, req.Credential, name); err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, audit.Event{Action: audit.PasskeyRegistered, Subject: s.User.ID,
			Detail: map[string]string{"passkey": passkey.ShortRef(added.ID), "name": name}}.ByUser(s.User.ID))
	})
	if err != nil {
		h.passkeyRefused(w, r, s, err)
		return
	}
	h.cfg.Logger.InfoContext(ctx, "passkey added", "user_id", s.User.ID, "passkey", passkey.ShortRef(added.ID))
	web.JSON(w, http.StatusOK, map[string]string{"redirect": "/account?added=passkey"})
}

// passkeyRefused answers a passkey that could not be added.
func (h *Handler) passkeyRefused(w http.ResponseWriter, r *http.Request, s session.Signed, err error) {
	status, key := http.StatusBadRequest, ""
	switch {
	case errors.Is(err, passkey.ErrCeremony):
		key = "passkey.expired"
	case errors.Is(err, passkey.ErrWrongOrigin):
		key = "passkey.wrong_origin"
	case errors.Is(err, passkey.ErrExists):
		status, key = http.StatusConflict, "passkeys.exists"
	case errors.Is(err, passkey.ErrRefused):
		key = "passkey.refused"
	default:
		h.cfg.Logger.ErrorContext(r.Context(), "passkey registration", "user_id", s.User.ID, "err", err)
		h.passkeyError(w, r, http.StatusInternalServerError, "error.server")
		return
	}
	h.cfg.Logger.InfoContext(r.Context(), "passkey refused", "user_id", s.User.ID, "err", err)
	h.passkeyError(w, r, status, key)
}

// passkeyError answers the passkey script with a message's text in the
// page's language.
func (h *Handler) passkeyError(w http.ResponseWriter, r *http.Request, status int, key string) {
	web.JSON(w, status, map[string]string{"error": h.cfg.Pages.Text(r, "", key)})
}
