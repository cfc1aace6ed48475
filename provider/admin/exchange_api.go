package admin

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// exchangePolicyOut is a token exchange policy as the API shows it.
type exchangePolicyOut struct {
	ClientID         string   `json:"client_id"`
	SubjectAudiences []string `json:"subject_audiences"`
	Resources        []string `json:"resources"`
	Scopes           []string `json:"scopes"`
	Impersonation    bool     `json:"impersonation"`
	// Configured: set in the configuration file, read-only here.
	Configured bool `json:"configured"`
	// Shadowed: stored, but the configured policy of its client is used.
	Shadowed  bool       `json:"shadowed"`
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
}

func exchangePolicyJSON(p storage.ExchangePolicy, configured, shadowed bool) exchangePolicyOut {
	return exchangePolicyOut{ClientID: p.ClientID, SubjectAudiences: nonNil(p.SubjectAudiences), Resources: nonNil(p.Resources), Scopes: nonNil(p.Scopes),
		Impersonation: p.Impersonation, Configured: configured, Shadowed: shadowed, CreatedAt: optional(p.CreatedAt), UpdatedAt: optional(p.UpdatedAt)}
}

// exchangePolicyBody is what a create or a change takes; a change leaves
// an absent field as it is.
type exchangePolicyBody struct {
	ClientID         *string   `json:"client_id"`
	SubjectAudiences *[]string `json:"subject_audiences"`
	Resources        *[]string `json:"resources"`
	Scopes           *[]string `json:"scopes"`
	Impersonation    *bool     `json:"impersonation"`
}

// apply sets the fields the body holds on p.
func (b exchangePolicyBody) apply(p *storage.ExchangePolicy) {
	if b.ClientID != nil {
		p.ClientID = *b.ClientID
	}
	if b.SubjectAudiences != nil {
		p.SubjectAudiences = *b.SubjectAudiences
	}
	if b.Resources != nil {
		p.Resources = *b.Resources
	}
	if b.Scopes != nil {
		p.Scopes = *b.Scopes
	}
	if b.Impersonation != nil {
		p.Impersonation = *b.Impersonation
	}
}

// exchangePolicyRefused answers a refused change of a policy, and returns
// true; false for any other error.
func exchangePolicyRefused(w http.ResponseWriter, err error) bool {
	switch {
	case refused(w, err):
	case errors.Is(err, ErrConfiguredExchangePolicy):
		writeError(w, http.StatusConflict, "conflict", "The client's token exchange policy is set in the configuration file: change it there.")
	case errors.Is(err, storage.ErrAlreadyExists):
		writeError(w, http.StatusConflict, "conflict", "The client has a token exchange policy already: change that one.")
	case errors.Is(err, storage.ErrInvalidInput):
		writeError(w, http.StatusBadRequest, "invalid_request", "A value is not text the store can hold.")
	default:
		return false
	}
	return true
}

// exchangePolicyPath is the API's address of the policy of clientID.
func exchangePolicyPath(clientID string) string {
	return "/admin/api/v1/token-exchange-policies/" + url.PathEscape(clientID)
}

// listExchangePolicies lists the configured policies, then the stored
// ones.
func (a *API) listExchangePolicies(w http.ResponseWriter, r *http.Request, _ string) {
	stored, err := a.cfg.Store.ListExchangePolicies(r.Context())
	if err != nil {
		a.fail(w, r, "list token exchange policies", err)
		return
	}
	out := []exchangePolicyOut{}
	for _, c := range a.cfg.Exchange {
		out = append(out, exchangePolicyJSON(c, true, false))
	}
	for _, s := range stored {
		_, shadowed := a.ConfiguredExchangePolicy(s.ClientID)
		out = append(out, exchangePolicyJSON(s, false, shadowed))
	}
	web.JSON(w, http.StatusOK, map[string]any{"token_exchange_policies": out})
}

// getExchangePolicy shows a client's policy: the configured one, else
// the stored one.
func (a *API) getExchangePolicy(w http.ResponseWriter, r *http.Request, _ string) {
	clientID := r.PathValue("client_id")
	if c, ok := a.ConfiguredExchangePolicy(clientID); ok {
		web.JSON(w, http.StatusOK, exchangePolicyJSON(c, true, false))
		return
	}
	p, err := a.cfg.Store.GetExchangePolicy(r.Context(), clientID)
	if errors.Is(err, storage.ErrInvalidInput) {
		err = storage.ErrNotFound
	}
	if a.notFound(w, r, err, "token exchange policy") {
		return
	}
	web.JSON(w, http.StatusOK, exchangePolicyJSON(p, false, false))
}

// createExchangePolicy adds a policy (CreateExchangePolicy).
func (a *API) createExchangePolicy(w http.ResponseWriter, r *http.Request, caller string) {
	var body exchangePolicyBody
	if !decode(w, r, &body) {
		return
	}
	var p storage.ExchangePolicy
	body.apply(&p)
	p, err := a.CreateExchangePolicy(r.Context(), ByClient(caller), p)
	if err != nil {
		if !exchangePolicyRefused(w, err) {
			a.fail(w, r, "create token exchange policy", err)
		}
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin added a token exchange policy", "admin_client_id", caller, "client_id", p.ClientID)
	w.Header().Set("Location", exchangePolicyPath(p.ClientID))
	web.JSON(w, http.StatusCreated, exchangePolicyJSON(p, false, false))
}

// patchExchangePolicy changes a stored policy (UpdateExchangePolicy):
// the fields the body holds, the others left as they are.
func (a *API) patchExchangePolicy(w http.ResponseWriter, r *http.Request, caller string) {
	clientID := r.PathValue("client_id")
	var body exchangePolicyBody
	if !decode(w, r, &body) {
		return
	}
	p, err := a.UpdateExchangePolicy(r.Context(), ByClient(caller), clientID, body.apply)
	if err != nil {
		if !exchangePolicyRefused(w, err) {
			a.notFound(w, r, err, "token exchange policy")
		}
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin changed a token exchange policy", "admin_client_id", caller, "client_id", clientID)
	web.JSON(w, http.StatusOK, exchangePolicyJSON(p, false, false))
}

// deleteExchangePolicy deletes a stored policy (DeleteExchangePolicy).
func (a *API) deleteExchangePolicy(w http.ResponseWriter, r *http.Request, caller string) {
	clientID := r.PathValue("client_id")
	if err := a.DeleteExchangePolicy(r.Context(), ByClient(caller), clientID); err != nil {
		if errors.Is(err, storage.ErrInvalidInput) {
			err = storage.ErrNotFound
		}
		if !exchangePolicyRefused(w, err) {
			a.notFound(w, r, err, "token exchange policy")
		}
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin deleted a token exchange policy", "admin_client_id", caller, "client_id", clientID)
	w.WriteHeader(http.StatusNoContent)
}
