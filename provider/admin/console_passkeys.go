package admin

import (
	"fmt"
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// adminPasskeys describes a user's passkeys for their page.
func adminPasskeys(list []storage.Passkey) []web.AdminPasskey {
	var out []web.AdminPasskey
	for _, p := range list {
		out = append(out, web.AdminPasskey{ID: passkey.Ref(p.ID), Ref: passkey.ShortRef(p.ID), Name: p.Name, Synced: p.BackupEligible,
			UserVerified: p.UserVerified, CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt})
	}
	return out
}

// userPasskey reads the passkey the address names ({id}, {ref}): not
// found when the ref is not a credential ID in base64url, when the user
// does not exist, or when the passkey is not theirs, so that a crafted
// address tells nothing of another account's passkey.
func (c *Console) userPasskey(r *http.Request) (storage.User, storage.Passkey, error) {
	ctx := r.Context()
	id, ok := passkeyID(r.PathValue("ref"))
	if !ok {
		return storage.User{}, storage.Passkey{}, fmt.Errorf("read passkey reference: %w", storage.ErrNotFound)
	}
	u, err := c.cfg.Store.GetUser(ctx, r.PathValue("id"))
	if err != nil {
		return storage.User{}, storage.Passkey{}, err
	}
	p, err := c.cfg.Store.GetPasskey(ctx, id)
	if err != nil {
		return storage.User{}, storage.Passkey{}, err
	}
	if p.UserID != u.ID {
		return storage.User{}, storage.Passkey{}, fmt.Errorf("passkey %s of user %s: %w", passkey.ShortRef(id), u.ID, storage.ErrNotFound)
	}
	return u, p, nil
}

// confirmRemovePasskey shows which passkey of whom will be removed, and
// what removing it does.
func (c *Console) confirmRemovePasskey(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	u, p, err := c.userPasskey(r)
	if err != nil {
		c.refuse(w, r, "load passkey", err)
		return
	}
	back := consoleurl.User(u.ID)
	ref := passkey.Ref(p.ID)
	c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_remove_passkey_heading", Text: "admin.confirm_remove_passkey_text",
		Target: p.Name, Items: []string{u.Email, passkey.ShortRef(p.ID)}, Submit: "admin.submit_remove_passkey", Danger: true,
		Action: back + "/passkeys/" + ref + "/remove", CancelURL: back + "#passkeys", Nav: "users"})
}

// removePasskey removes the passkey once confirmed, recorded with the
// administrator as its actor.
func (c *Console) removePasskey(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx, userID := r.Context(), r.PathValue("id")
	id, ok := passkeyID(r.PathValue("ref"))
	if !ok {
		c.refuse(w, r, "read passkey reference", storage.ErrNotFound)
		return
	}
	if err := c.api.RemovePasskey(ctx, ByUser(s.User.ID), userID, id); err != nil {
		c.refuse(w, r, "remove passkey", err)
		return
	}
	c.api.cfg.Logger.InfoContext(ctx, "admin removed a passkey", "admin_user_id", s.User.ID, "user_id", userID, "passkey", passkey.ShortRef(id))
	seeOther(w, r, consoleurl.User(userID), "passkey-removed")
}
