package admin

import (
	"errors"
	"net/http"
	"time"

	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// installationView is an installation as the API shows it.
type installationView struct {
	ID          string    `json:"id"`
	ClientID    string    `json:"client_id"`
	Status      string    `json:"status"`
	Scopes      []string  `json:"scopes"`
	Requested   []string  `json:"requested"`
	Reapproval  bool      `json:"needs_reapproval"`
	RequestedBy string    `json:"requested_by,omitempty"`
	DecidedBy   string    `json:"decided_by,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func installationOut(in storage.Installation) installationView {
	return installationView{ID: in.ID, ClientID: in.ClientID, Status: in.Status, Scopes: nonNil(in.Scopes), Requested: nonNil(in.Requested),
		Reapproval: install.NeedsReapproval(in), RequestedBy: in.RequestedBy, DecidedBy: in.DecidedBy, Reason: in.Reason,
		CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt}
}

// installRefused answers the installation service's refusals, with the
// status installProblem gives them; it returns false for any other
// error.
func installRefused(w http.ResponseWriter, err error) bool {
	status, _, ok := installProblem(err)
	if !ok {
		return false
	}
	var bad *workspace.FieldError
	var scope *install.ScopeError
	switch {
	case status == http.StatusConflict:
		writeError(w, status, "conflict", err.Error()+".")
	case errors.As(err, &bad):
		writeError(w, status, "invalid_request", bad.Error()+".")
	case errors.As(err, &scope), errors.Is(err, install.ErrNoScopes):
		writeError(w, status, "invalid_request", "scopes: "+err.Error()+".")
	default:
		writeError(w, status, "invalid_request", err.Error()+".")
	}
	return true
}

func (a *API) listInstallations(w http.ResponseWriter, r *http.Request, _ string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	status := r.URL.Query().Get("status")
	switch status {
	case "", storage.InstallPending, storage.InstallActive, storage.InstallDenied:
	default:
		writeError(w, http.StatusBadRequest, "invalid_request", "status: pending, active or denied.")
		return
	}
	list, err := a.cfg.Installs.List(r.Context(), ws.ID, status)
	if err != nil {
		a.fail(w, r, "list installations", err)
		return
	}
	out := make([]installationView, 0, len(list))
	for _, in := range list {
		out = append(out, installationOut(in))
	}
	web.JSON(w, http.StatusOK, map[string]any{"installations": out})
}

func (a *API) approveInstallation(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	var body struct {
		// Scopes narrows the approval; absent approves all requested.
		Scopes []string `json:"scopes"`
	}
	if r.ContentLength != 0 && !decode(w, r, &body) {
		return
	}
	in, err := a.cfg.Installs.Approve(r.Context(), ByClient(caller), ws.ID, r.PathValue("iid"), body.Scopes)
	if err == nil {
		web.JSON(w, http.StatusOK, installationOut(in))
		return
	}
	if !installRefused(w, err) {
		a.notFound(w, r, err, "installation")
	}
}

func (a *API) denyInstallation(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if !decode(w, r, &body) {
		return
	}
	in, err := a.cfg.Installs.Deny(r.Context(), ByClient(caller), ws.ID, r.PathValue("iid"), body.Reason)
	if err == nil {
		web.JSON(w, http.StatusOK, installationOut(in))
		return
	}
	if !installRefused(w, err) {
		a.notFound(w, r, err, "installation")
	}
}

func (a *API) uninstall(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	if err := a.cfg.Installs.Uninstall(r.Context(), ByClient(caller), ws.ID, r.PathValue("iid")); err != nil {
		a.notFound(w, r, err, "installation")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
