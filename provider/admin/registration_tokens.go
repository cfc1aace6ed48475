package admin

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/registration"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// The initial access tokens of dynamic client registration
// (provider/registration): platform-wide, as apps are. A token is shown
// once, in the answer that made it; the list shows its prefix, never the
// token.

// RegistrationTokens issues, lists and revokes the initial access tokens
// of dynamic client registration (registration.Tokens); nil when
// registration is off.
type RegistrationTokens interface {
	Create(ctx context.Context, by Actor, spec registration.TokenSpec) (string, storage.RegistrationToken, error)
	List(ctx context.Context) ([]storage.RegistrationToken, error)
	Revoke(ctx context.Context, by Actor, id string) error
}

type registrationTokenView struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	MaxUses    int        `json:"max_uses"`
	Uses       int        `json:"uses"`
	UsesLeft   int        `json:"uses_left"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// Usable says whether it can register a client now.
	Usable bool `json:"usable"`
}

func registrationTokenOut(t storage.RegistrationToken, now time.Time) registrationTokenView {
	opt := func(at time.Time) *time.Time {
		if at.IsZero() {
			return nil
		}
		return &at
	}
	return registrationTokenView{t.ID, t.Name, t.Prefix, t.CreatedBy, t.CreatedAt, t.ExpiresAt, t.MaxUses, t.Uses, t.UsesLeft(),
		opt(t.LastUsedAt), opt(t.RevokedAt), t.Usable(now)}
}

// registrationOff answers 404 when dynamic client registration is off,
// and reports whether it did.
func (a *API) registrationOff(w http.ResponseWriter) bool {
	if a.cfg.RegistrationTokens == nil {
		writeError(w, http.StatusNotFound, "not_found", "Dynamic client registration is off (registration.enabled).")
		return true
	}
	return false
}

func (a *API) listRegistrationTokens(w http.ResponseWriter, r *http.Request, _ string) {
	if a.registrationOff(w) {
		return
	}
	list, err := a.cfg.RegistrationTokens.List(r.Context())
	if err != nil {
		a.fail(w, r, "list registration tokens", err)
		return
	}
	now := a.cfg.Now()
	out := []registrationTokenView{}
	for _, t := range list {
		out = append(out, registrationTokenOut(t, now))
	}
	web.JSON(w, http.StatusOK, map[string]any{"registration_tokens": out})
}

// createRegistrationToken issues a token: the answer is the only place
// it is shown.
func (a *API) createRegistrationToken(w http.ResponseWriter, r *http.Request, caller string) {
	if a.registrationOff(w) {
		return
	}
	body := struct {
		Name           string `json:"name"`
		ExpiresSeconds int64  `json:"expires_in_seconds"`
		MaxUses        int    `json:"max_uses"`
	}{ExpiresSeconds: int64(24 * time.Hour / time.Second), MaxUses: 1}
	if !decode(w, r, &body) {
		return
	}
	plain, rec, err := a.cfg.RegistrationTokens.Create(r.Context(), ByClient(caller), registration.TokenSpec{
		Name: body.Name, Life: time.Duration(max(min(body.ExpiresSeconds, 1<<32), 0)) * time.Second, Uses: body.MaxUses})
	if errors.Is(err, registration.ErrTokenSpec) {
		writeError(w, http.StatusBadRequest, "invalid_request", "name: up to 100 characters; expires_in_seconds: 60 to 31536000; max_uses: 1 to 1000.")
		return
	}
	if err != nil {
		a.fail(w, r, "create registration token", err)
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin issued an initial access token", "admin_client_id", caller, "token_id", rec.ID)
	web.JSON(w, http.StatusCreated, map[string]any{"registration_token": registrationTokenOut(rec, a.cfg.Now()), "token": plain})
}

func (a *API) revokeRegistrationToken(w http.ResponseWriter, r *http.Request, caller string) {
	if a.registrationOff(w) {
		return
	}
	id := strings.TrimSpace(r.PathValue("token_id"))
	err := a.cfg.RegistrationTokens.Revoke(r.Context(), ByClient(caller), id)
	if a.notFound(w, r, err, "registration token") {
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin revoked an initial access token", "admin_client_id", caller, "token_id", id)
	w.WriteHeader(http.StatusNoContent)
}
