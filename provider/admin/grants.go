package admin

import (
	"net/http"
	"time"

	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// grant is a user's consent for an app.
type grant struct {
	UserID    string     `json:"user_id"`
	ClientID  string     `json:"client_id"`
	Scopes    []string   `json:"scopes"`
	GrantedAt time.Time  `json:"granted_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// listGrants lists the grants of one user (?user=ID) or of one app
// (?app=ID).
func (a *API) listGrants(w http.ResponseWriter, r *http.Request, _ string) {
	q := r.URL.Query()
	var list []storage.Consent
	var err error
	switch {
	case q.Get("user") != "" && q.Get("app") == "":
		list, err = a.cfg.Store.ListConsents(r.Context(), q.Get("user"))
	case q.Get("app") != "" && q.Get("user") == "":
		list, err = a.cfg.Store.ListClientConsents(r.Context(), q.Get("app"))
	default:
		writeError(w, http.StatusBadRequest, "invalid_request", "Give exactly one of ?user=ID or ?app=ID.")
		return
	}
	if err != nil {
		a.fail(w, r, "list grants", err)
		return
	}
	out := []grant{}
	for _, c := range list {
		out = append(out, grant{c.UserID, c.ClientID, nonNil(c.Scopes), c.GrantedAt, optional(c.ExpiresAt)})
	}
	web.JSON(w, http.StatusOK, map[string]any{"grants": out})
}

// deleteGrant withdraws a user's grant to an app and revokes every token
// and refresh token of that app for the user at once.
func (a *API) deleteGrant(w http.ResponseWriter, r *http.Request, caller string) {
	ctx := r.Context()
	userID, clientID := r.PathValue("user"), r.PathValue("app")
	if a.notFound(w, r, a.RevokeGrant(ctx, ByClient(caller), userID, clientID), "grant") {
		return
	}
	a.cfg.Logger.InfoContext(ctx, "admin revoked a grant", "admin_client_id", caller, "user_id", userID, "client_id", clientID)
	w.WriteHeader(http.StatusNoContent)
}
