package account

import (
	"net/http"

	"github.com/tokenim/tokenim-auth/provider/session"
)

// fresh reports whether the browser's sign-in is recent enough for a
// change that a borrowed, long signed-in browser must not make: within
// Config.FreshSignIn.
func (h *Handler) fresh(s session.Signed) bool {
	return !s.Session.AuthTime.IsZero() && h.cfg.Now().Sub(s.Session.AuthTime) <= h.cfg.FreshSignIn
}

// requireFresh sends a browser whose sign-in is not fresh to sign in
// again (303), to come back to next (a path of this provider of
// characters a query keeps as they are: /, letters, digits, - and _), and
// returns false; what names the change asked for in the log (name and
// value pairs). Removing a passkey and linking an upstream identity ask
// for it.
func (h *Handler) requireFresh(w http.ResponseWriter, r *http.Request, s session.Signed, next string, what ...any) bool {
	if h.fresh(s) {
		return true
	}
	h.cfg.Logger.InfoContext(r.Context(), "fresh sign-in asked", append([]any{"user_id", s.User.ID}, what...)...)
	http.Redirect(w, r, "/login?next="+next, http.StatusSeeOther)
	return false
}
