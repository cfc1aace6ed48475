package account

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

func passkeyView(k storage.Passkey) web.PasskeyView {
	return web.PasskeyView{Ref: passkey.Ref(k.ID), Name: k.Name, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, Synced: k.BackupEligible}
}

// ownPasskey finds the signed-in user's passkey the address names, with
// all of the user's passkeys. A reference that is not base64url, or names
// no passkey of theirs (another account's, or none), is answered 404 with
// the account page, the same in every case, and ok is false.
func (h *Handler) ownPasskey(w http.ResponseWriter, r *http.Request, s session.Signed) (k storage.Passkey, all []storage.Passkey, ok bool) {
	all, err := h.cfg.Store.ListPasskeys(r.Context(), s.User.ID)
	if err != nil {
		h.fail(w, r, "list passkeys", err)
		return k, nil, false
	}
	if id, err := passkey.ParseRef(r.PathValue("ref")); err == nil {
		for _, p := range all {
			if bytes.Equal(p.ID, id) {
				return p, all, true
			}
		}
	}
	h.refuse(w, r, s, http.StatusNotFound, "passkeys.unknown")
	return k, nil, false
}

// errPasskeyGone is a passkey removed while it was being renamed.
var errPasskeyGone = errors.New("the passkey is not the user's")

// renamePasskey gives one of the user's passkeys the name of the form
// (passkey.Name's rule), recorded with the name it had.
func (h *Handler) renamePasskey(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	k, _, ok := h.ownPasskey(w, r, s)
	if !ok {
		return
	}
	name, err := passkey.Name(r.PostFormValue("name"))
	if err != nil {
		h.refuse(w, r, s, http.StatusBadRequest, passkeyNameProblem(err))
		return
	}
	if name == k.Name {
		// Nothing changes, and nothing is recorded.
		h.showWith(w, r, s, "passkeys.renamed")
		return
	}
	err = storage.InTx(ctx, h.cfg.Store, func(ctx context.Context) error {
		var before string
		_, err := h.cfg.Store.UpdatePasskey(ctx, k.ID, func(p storage.Passkey) (storage.Passkey, error) {
			if p.UserID != s.User.ID {
				return p, errPasskeyGone
			}
			before, p.Name = p.Name, name
			return p, nil
		})
		if err != nil {
			return err
		}
		return h.cfg.Audit.Record(ctx, audit.Event{Action: audit.PasskeyRenamed, Subject: s.User.ID,
			Detail: map[string]string{"passkey": passkey.ShortRef(k.ID), "name_before": before, "name": name}}.ByUser(s.User.ID))
	})
	h.passkeyChanged(w, r, s, k, err, "rename a passkey", "passkeys.renamed")
}

// passkeyChanged answers the change what made to the passkey k, whose
// error is err: the account page with notice, 404 when the passkey was
// removed elsewhere a moment ago, the error page when the change failed.
func (h *Handler) passkeyChanged(w http.ResponseWriter, r *http.Request, s session.Signed, k storage.Passkey, err error, what, notice string) {
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, errPasskeyGone) {
		h.refuse(w, r, s, http.StatusNotFound, "passkeys.unknown")
		return
	}
	if errors.Is(err, errLastWayIn) {
		h.refuse(w, r, s, http.StatusConflict, "links.last_way_in")
		return
	}
	if err != nil {
		h.fail(w, r, what, err)
		return
	}
	h.cfg.Logger.InfoContext(r.Context(), "passkey changed", "change", what, "user_id", s.User.ID, "passkey", passkey.ShortRef(k.ID))
	h.showWith(w, r, s, notice)
}

// passkeyNameProblem is the message key for a name passkey.Name refused.
func passkeyNameProblem(err error) string {
	switch {
	case errors.Is(err, passkey.ErrNameEmpty):
		return "passkeys.name_empty"
	case errors.Is(err, passkey.ErrNameTooLong):
		return "passkeys.name_too_long"
	default:
		return "passkeys.name_invalid"
	}
}

// confirmRemovePasskey shows the step confirming that a passkey is to be
// removed, to a browser that signed in a moment ago; any other is sent to
// sign in again first.
func (h *Handler) confirmRemovePasskey(w http.ResponseWriter, r *http.Request, s session.Signed) {
	k, all, ok := h.ownPasskey(w, r, s)
	if !ok || !h.freshForPasskey(w, r, s, k) {
		return
	}
	p := web.PasskeyRemovePage{CSRFToken: session.CSRFToken(r), Passkey: passkeyView(k), Last: len(all) == 1, MFAEnabled: s.User.TOTPEnabled}
	web.Rendered(h.cfg.Logger, w, r, "passkey removal page", h.cfg.Pages.PasskeyRemove(w, r, http.StatusOK, p))
}

// removePasskey removes one of the user's passkeys, for a browser that
// signed in a moment ago. The account's last passkey may go too: the
// account keeps its password, and its two-step verification if it is on.
func (h *Handler) removePasskey(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	k, _, ok := h.ownPasskey(w, r, s)
	if !ok || !h.freshForPasskey(w, r, s, k) {
		return
	}
	// An account with neither password nor linked identity keeps its
	// last passkey.
	err := h.keepWayIn(ctx, s.User.ID, audit.Event{Action: audit.PasskeyRemoved, Subject: s.User.ID,
		Detail: map[string]string{"passkey": passkey.ShortRef(k.ID), "name": k.Name}}.ByUser(s.User.ID), func(ctx context.Context) error {
		return h.cfg.Store.DeletePasskey(ctx, s.User.ID, k.ID)
	})
	h.passkeyChanged(w, r, s, k, err, "remove a passkey", "passkeys.removed")
}

// freshForPasskey is requireFresh for the removal of k, coming back to
// its confirmation step.
func (h *Handler) freshForPasskey(w http.ResponseWriter, r *http.Request, s session.Signed, k storage.Passkey) bool {
	return h.requireFresh(w, r, s, web.PasskeyURL(passkey.Ref(k.ID), "remove"), "passkey", passkey.ShortRef(k.ID))
}
