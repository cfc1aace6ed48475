package admin

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// The apps a workspace's admins approved beforehand: under the policy
// installs "approved", its members install them without waiting. A PUT
// approves (again: the approval is replaced), a DELETE withdraws; both
// go through install.Service, recorded with the calling app as actor.

// approvedAppView is an approval as the API shows it.
type approvedAppView struct {
	ClientID   string    `json:"client_id"`
	ApprovedBy string    `json:"approved_by"`
	ApprovedAt time.Time `json:"approved_at"`
}

func (a *API) listApprovedApps(w http.ResponseWriter, r *http.Request, _ string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	list, err := a.cfg.Installs.Approved(r.Context(), ws.ID)
	if err != nil {
		a.fail(w, r, "list approved apps", err)
		return
	}
	out := make([]approvedAppView, 0, len(list))
	for _, ap := range list {
		out = append(out, approvedAppView{ap.ClientID, ap.ApprovedBy, ap.ApprovedAt})
	}
	web.JSON(w, http.StatusOK, map[string]any{"approved_apps": out})
}

// noSuchApp answers a pre-approval naming an app that does not exist or
// is switched off; it returns false for any other error.
func noSuchApp(w http.ResponseWriter, err error) bool {
	if !errors.Is(err, install.ErrAppUnavailable) {
		return false
	}
	writeError(w, http.StatusNotFound, "not_found", "No such app: "+err.Error()+".")
	return true
}

func (a *API) approveApp(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	clientID := r.PathValue("client_id")
	err := a.cfg.Installs.Preapprove(r.Context(), ByClient(caller), ws.ID, clientID, true)
	if noSuchApp(w, err) || a.notFound(w, r, err, "app") {
		return
	}
	list, err := a.cfg.Installs.Approved(r.Context(), ws.ID)
	if err != nil {
		a.fail(w, r, "read approved app", err)
		return
	}
	i := slices.IndexFunc(list, func(ap storage.ApprovedApp) bool { return ap.ClientID == clientID })
	if i < 0 {
		a.fail(w, r, "read approved app", storage.ErrNotFound)
		return
	}
	web.JSON(w, http.StatusOK, approvedAppView{list[i].ClientID, list[i].ApprovedBy, list[i].ApprovedAt})
}

func (a *API) unapproveApp(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	err := a.cfg.Installs.Preapprove(r.Context(), ByClient(caller), ws.ID, r.PathValue("client_id"), false)
	if noSuchApp(w, err) || a.notFound(w, r, err, "approved app") {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
