package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/scim"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// The SCIM token routes of a workspace: workspace-scoped as the other
// workspace routes (a bound client: its own workspace only, others 404).
// A token is shown once, in the answer that made it; the list shows its
// prefix, never the token.

// maxSCIMTokenLife bounds a token's life as the API takes it.
const maxSCIMTokenLife = 10 * 365 * 24 * time.Hour

type scimTokenView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func scimTokenOut(t storage.SCIMToken) scimTokenView {
	opt := func(at time.Time) *time.Time {
		if at.IsZero() {
			return nil
		}
		return &at
	}
	return scimTokenView{t.ID, t.Name, t.Prefix, t.CreatedBy, t.CreatedAt, opt(t.ExpiresAt), opt(t.LastUsedAt), opt(t.RevokedAt)}
}

// scimActorOf is the calling admin client as the SCIM token service's
// actor.
func scimActorOf(caller string) scim.Actor {
	by := ByClient(caller)
	return scim.Actor{Type: by.Type, ID: by.ID}
}

func (a *API) listSCIMTokens(w http.ResponseWriter, r *http.Request, _ string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	list, err := a.cfg.SCIMTokens.List(r.Context(), ws.ID)
	if err != nil {
		a.fail(w, r, "list scim tokens", err)
		return
	}
	out := []scimTokenView{}
	for _, t := range list {
		out = append(out, scimTokenOut(t))
	}
	web.JSON(w, http.StatusOK, map[string]any{"scim_tokens": out})
}

// createSCIMToken makes a token: the answer is the only place it is
// shown.
func (a *API) createSCIMToken(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	var body struct {
		Name           string `json:"name"`
		ExpiresSeconds int64  `json:"expires_in_seconds"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.ExpiresSeconds < 0 || body.ExpiresSeconds > int64(maxSCIMTokenLife/time.Second) {
		writeError(w, http.StatusBadRequest, "invalid_request", "expires_in_seconds: 0 (never) or up to ten years.")
		return
	}
	plain, rec, err := a.cfg.SCIMTokens.Create(r.Context(), scimActorOf(caller), ws.ID, body.Name, time.Duration(body.ExpiresSeconds)*time.Second)
	if errors.Is(err, scim.ErrTokenName) {
		writeError(w, http.StatusBadRequest, "invalid_request", "name: 1 to 100 characters, without control characters.")
		return
	}
	if a.notFound(w, r, err, "workspace") {
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin created a scim token", "admin_client_id", caller, "workspace_id", ws.ID, "token_id", rec.ID)
	w.Header().Set("Cache-Control", "no-store")
	web.JSON(w, http.StatusCreated, map[string]any{"scim_token": scimTokenOut(rec), "token": plain})
}

func (a *API) revokeSCIMToken(w http.ResponseWriter, r *http.Request, caller string) {
	ws, ok := a.visible(w, r)
	if !ok {
		return
	}
	err := a.cfg.SCIMTokens.Revoke(r.Context(), scimActorOf(caller), ws.ID, strings.TrimSpace(r.PathValue("token_id")))
	if a.notFound(w, r, err, "scim token") {
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin revoked a scim token", "admin_client_id", caller, "workspace_id", ws.ID, "token_id", r.PathValue("token_id"))
	w.WriteHeader(http.StatusNoContent)
}
