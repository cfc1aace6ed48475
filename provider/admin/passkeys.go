package admin

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// passkeyID is the credential ID an address names (passkey.ParseRef).
func passkeyID(ref string) ([]byte, bool) {
	id, err := passkey.ParseRef(ref)
	return id, err == nil
}

// RemovePasskey removes the user's passkey id: it no longer signs the
// user in (passkey.removed, Detail passkey: its short reference, and
// name). ErrNotFound if the user holds no such passkey, whoever else
// might hold it: another account's passkey is never removed, nor said to
// exist.
func (a *API) RemovePasskey(ctx context.Context, by Actor, userID string, id []byte) error {
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		p, err := a.cfg.Store.GetPasskey(ctx, id)
		if err != nil {
			return nil, err
		}
		if p.UserID != userID {
			return nil, fmt.Errorf("remove passkey %s of user %s: %w", passkey.ShortRef(id), userID, storage.ErrNotFound)
		}
		if err := a.cfg.Store.DeletePasskey(ctx, userID, id); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.PasskeyRemoved, Subject: userID,
			Detail: map[string]string{"passkey": passkey.ShortRef(id), "name": p.Name}})}, nil
	})
}

// passkeyOut is a passkey as the API shows it: what it is and how it was
// last used, never its public key (of no use to an administrator).
type passkeyOut struct {
	// ID is the credential ID, base64url without padding: the
	// {passkey_id} of its address.
	ID string `json:"id"`
	// Ref is the short reference its authorization records carry.
	Ref       string    `json:"ref"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// LastUsedAt is null until it has signed in.
	LastUsedAt     *time.Time `json:"last_used_at"`
	BackupEligible bool       `json:"backup_eligible"`
	BackupState    bool       `json:"backup_state"`
	UserVerified   bool       `json:"user_verified"`
	Transports     []string   `json:"transports"`
	// AAGUID names the authenticator's model; all zeros when it does not
	// say.
	AAGUID          string `json:"aaguid"`
	AttestationType string `json:"attestation_type"`
}

func passkeyJSON(p storage.Passkey) passkeyOut {
	model, err := uuid.FromBytes(p.AAGUID)
	if err != nil {
		// Not 16 bytes: the authenticator named no model.
		model = uuid.Nil
	}
	return passkeyOut{ID: passkey.Ref(p.ID), Ref: passkey.ShortRef(p.ID), Name: p.Name, CreatedAt: p.CreatedAt, LastUsedAt: optional(p.LastUsedAt),
		BackupEligible: p.BackupEligible, BackupState: p.BackupState, UserVerified: p.UserVerified, Transports: nonNil(p.Transports),
		AAGUID: model.String(), AttestationType: p.AttestationType}
}

// listPasskeys lists the user's passkeys, oldest first.
func (a *API) listPasskeys(w http.ResponseWriter, r *http.Request, _ string) {
	ctx, userID := r.Context(), r.PathValue("id")
	if _, err := a.cfg.Store.GetUser(ctx, userID); a.notFound(w, r, err, "user") {
		return
	}
	list, err := a.cfg.Store.ListPasskeys(ctx, userID)
	if err != nil {
		a.fail(w, r, "list passkeys", err)
		return
	}
	out := []passkeyOut{}
	for _, p := range list {
		out = append(out, passkeyJSON(p))
	}
	web.JSON(w, http.StatusOK, map[string]any{"passkeys": out})
}

// deletePasskey removes one of the user's passkeys (RemovePasskey).
func (a *API) deletePasskey(w http.ResponseWriter, r *http.Request, caller string) {
	ctx, userID := r.Context(), r.PathValue("id")
	id, ok := passkeyID(r.PathValue("passkey_id"))
	if !ok {
		writeError(w, http.StatusBadRequest, "invalid_request",
			"passkey_id: not a credential ID; give the id GET /admin/api/v1/users/{id}/passkeys lists (base64url, no padding).")
		return
	}
	if _, err := a.cfg.Store.GetUser(ctx, userID); a.notFound(w, r, err, "user") {
		return
	}
	if a.notFound(w, r, a.RemovePasskey(ctx, ByClient(caller), userID, id), "passkey") {
		return
	}
	a.cfg.Logger.InfoContext(ctx, "admin removed a passkey", "admin_client_id", caller, "user_id", userID, "passkey", passkey.ShortRef(id))
	w.WriteHeader(http.StatusNoContent)
}
