package account

import (
	"errors"
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// conversations are the per-conversation grants (RFC 9396 authorization
// details) of gs to the app clientID, as the page lists them.
func conversations(gs []storage.DetailGrant, clientID string) []web.ConversationGrant {
	var out []web.ConversationGrant
	for _, g := range gs {
		if g.ClientID == clientID {
			out = append(out, web.ConversationGrant{Type: g.Type, Location: g.Location, Actions: g.Actions})
		}
	}
	return out
}

// revokeConversation withdraws an app's grant in one conversation
// (consent.WithdrawDetail): the app's tokens for the user are revoked,
// the rest of the grant stays remembered.
func (h *Handler) revokeConversation(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx := r.Context()
	clientID, typ, location := r.PostFormValue("client_id"), r.PostFormValue("type"), r.PostFormValue("location")
	n, err := consent.WithdrawDetail(ctx, h.cfg.Store, h.cfg.Audit, s.User.ID, clientID, typ, location, audit.Event{Reason: "by_user"}.ByUser(s.User.ID))
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) {
		// Withdrawn already (another tab), or never granted: the page
		// shows what is granted now.
		h.showWith(w, r, s, "apps.revoked")
		return
	}
	if err != nil {
		h.fail(w, r, "withdraw an app's access to a conversation", err)
		return
	}
	h.cfg.Logger.InfoContext(ctx, "conversation access revoked by the user", "user_id", s.User.ID, "client_id", clientID, "location", location, "tokens", n)
	h.showWith(w, r, s, "apps.revoked")
}
