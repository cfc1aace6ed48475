package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// The console's pages of the token exchange policies (RFC 8693), for
// platform administrators: the configured ones read-only, the stored
// ones made, changed and deleted through the API's actions
// (exchange.go), recorded with the administrator as actor. A policy is
// named in addresses by its client's ID.

// adminExchangePolicy describes a policy for its page.
func adminExchangePolicy(p storage.ExchangePolicy, configured, shadowed bool) web.AdminExchangePolicy {
	return web.AdminExchangePolicy{ClientID: p.ClientID, SubjectAudiences: p.SubjectAudiences, Resources: p.Resources, Scopes: p.Scopes,
		Impersonation: p.Impersonation, Configured: configured, Shadowed: shadowed, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// exchangeProblem is the message key of a refused policy change; ok is
// false for an error that is the server's fault.
func exchangeProblem(err error) (status int, key string, ok bool) {
	var bad *FieldError
	switch {
	case errors.As(err, &bad) && bad.Field == "client_id":
		return http.StatusBadRequest, "admin.error_exchange_client", true
	case errors.As(err, &bad) && (bad.Field == "subject_audiences" || bad.Field == "resources"):
		return http.StatusBadRequest, "admin.error_exchange_resource", true
	case errors.As(err, &bad) && bad.Field == "scopes":
		return http.StatusBadRequest, "admin.error_exchange_scope", true
	case errors.As(err, &bad), errors.Is(err, storage.ErrInvalidInput):
		return http.StatusBadRequest, "admin.error_exchange_input", true
	case errors.Is(err, ErrConfiguredExchangePolicy):
		return http.StatusConflict, "admin.error_exchange_configured", true
	case errors.Is(err, storage.ErrAlreadyExists):
		return http.StatusConflict, "admin.error_exchange_exists", true
	}
	return problem(err)
}

// exchangeForm reads a posted policy form: its client (on creation),
// ticked audiences, resources and scopes, and impersonation.
func exchangeForm(r *http.Request) storage.ExchangePolicy {
	_ = r.ParseForm()
	return storage.ExchangePolicy{ClientID: strings.TrimSpace(r.PostFormValue("client_id")), SubjectAudiences: r.PostForm["subject_audience"],
		Resources: r.PostForm["resource"], Scopes: r.PostForm["scope"], Impersonation: r.PostFormValue("impersonation") == "on"}
}

// exchangeChoices are what a policy's boxes offer: the configured and
// stored resources, and the catalogue.
func (c *Console) exchangeChoices(r *http.Request) (web.AdminExchangeChoices, error) {
	stored, err := c.api.cfg.Store.ListResources(r.Context())
	if err != nil {
		return web.AdminExchangeChoices{}, err
	}
	out := web.AdminExchangeChoices{Scopes: c.api.cfg.Scopes}
	for _, res := range c.api.cfg.Resources {
		out.Resources = append(out.Resources, res.URI)
	}
	for _, res := range stored {
		if _, shadowed := c.api.ConfiguredResource(res.URI); !shadowed {
			out.Resources = append(out.Resources, res.URI)
		}
	}
	return out, nil
}

// renderExchangePolicies renders the list of policies with p's notice or
// error and form.
func (c *Console) renderExchangePolicies(w http.ResponseWriter, r *http.Request, status int, p web.AdminExchangePoliciesPage) {
	stored, err := c.api.cfg.Store.ListExchangePolicies(r.Context())
	if err != nil {
		c.fail(w, r, "list token exchange policies", err)
		return
	}
	if p.Choices, err = c.exchangeChoices(r); err != nil {
		c.fail(w, r, "list resources", err)
		return
	}
	for _, pol := range c.api.cfg.Exchange {
		p.Policies = append(p.Policies, adminExchangePolicy(pol, true, false))
	}
	for _, pol := range stored {
		_, shadowed := c.api.ConfiguredExchangePolicy(pol.ClientID)
		p.Policies = append(p.Policies, adminExchangePolicy(pol, false, shadowed))
	}
	p.CSRFToken = session.CSRFToken(r)
	c.rendered(w, r, "token exchange policies", c.cfg.Pages.AdminExchangePolicies(w, r, status, p))
}

func (c *Console) exchangePolicies(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	c.renderExchangePolicies(w, r, http.StatusOK, web.AdminExchangePoliciesPage{Notice: notice(r)})
}

// createExchangePolicy adds a policy and shows its page.
func (c *Console) createExchangePolicy(w http.ResponseWriter, r *http.Request, s session.Signed) {
	in := exchangeForm(r)
	p, err := c.api.CreateExchangePolicy(r.Context(), ByUser(s.User.ID), in)
	if err != nil {
		status, key, ok := exchangeProblem(err)
		if !ok {
			c.fail(w, r, "create token exchange policy", err)
			return
		}
		c.renderExchangePolicies(w, r, status, web.AdminExchangePoliciesPage{Error: key, Form: adminExchangePolicy(in, false, false)})
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin added a token exchange policy", "admin_user_id", s.User.ID, "client_id", p.ClientID)
	seeOther(w, r, consoleurl.ExchangePolicy(p.ClientID), "exchange-created")
}

// exchangePolicyFor reads the policy of the client the path names: the
// configured one, else the stored one. It answers the not-found page and
// false when there is none.
func (c *Console) exchangePolicyFor(w http.ResponseWriter, r *http.Request) (web.AdminExchangePolicy, bool) {
	clientID := r.PathValue("client_id")
	if p, ok := c.api.ConfiguredExchangePolicy(clientID); ok {
		return adminExchangePolicy(p, true, false), true
	}
	p, err := c.api.cfg.Store.GetExchangePolicy(r.Context(), clientID)
	if errors.Is(err, storage.ErrInvalidInput) {
		err = storage.ErrNotFound
	}
	if err != nil {
		c.refuse(w, r, "load token exchange policy", err)
		return web.AdminExchangePolicy{}, false
	}
	return adminExchangePolicy(p, false, false), true
}

// renderExchangePolicy renders a client's policy.
func (c *Console) renderExchangePolicy(w http.ResponseWriter, r *http.Request, status int, p web.AdminExchangePolicyPage) {
	var err error
	if p.Choices, err = c.exchangeChoices(r); err != nil {
		c.fail(w, r, "list resources", err)
		return
	}
	p.CSRFToken = session.CSRFToken(r)
	c.rendered(w, r, "token exchange policy", c.cfg.Pages.AdminExchangePolicy(w, r, status, p))
}

func (c *Console) exchangePolicy(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	if p, ok := c.exchangePolicyFor(w, r); ok {
		c.renderExchangePolicy(w, r, http.StatusOK, web.AdminExchangePolicyPage{Policy: p, Notice: notice(r)})
	}
}

// saveExchangePolicy changes a stored policy.
func (c *Console) saveExchangePolicy(w http.ResponseWriter, r *http.Request, s session.Signed) {
	p, ok := c.exchangePolicyFor(w, r)
	if !ok {
		return
	}
	in := exchangeForm(r)
	_, err := c.api.UpdateExchangePolicy(r.Context(), ByUser(s.User.ID), p.ClientID, func(cur *storage.ExchangePolicy) {
		cur.SubjectAudiences, cur.Resources, cur.Scopes, cur.Impersonation = in.SubjectAudiences, in.Resources, in.Scopes, in.Impersonation
	})
	if err != nil {
		status, key, ok := exchangeProblem(err)
		if !ok || status == http.StatusNotFound {
			c.refuse(w, r, "save token exchange policy", err)
			return
		}
		p.SubjectAudiences, p.Resources, p.Scopes, p.Impersonation = in.SubjectAudiences, in.Resources, in.Scopes, in.Impersonation
		c.renderExchangePolicy(w, r, status, web.AdminExchangePolicyPage{Policy: p, Error: key})
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin changed a token exchange policy", "admin_user_id", s.User.ID, "client_id", p.ClientID)
	seeOther(w, r, consoleurl.ExchangePolicy(p.ClientID), "exchange-saved")
}

func (c *Console) confirmDeleteExchangePolicy(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	p, ok := c.exchangePolicyFor(w, r)
	if !ok {
		return
	}
	if p.Configured {
		c.message(w, r, http.StatusConflict, "admin.error_exchange_configured", "admin.nav_exchange", consoleurl.ExchangePolicies())
		return
	}
	back := consoleurl.ExchangePolicy(p.ClientID)
	c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_exchange_delete_heading", Text: "admin.confirm_exchange_delete_text",
		Target: p.ClientID, Submit: "admin.submit_exchange_delete", Danger: true, Action: back + "/delete", CancelURL: back, Nav: "exchange"})
}

// deleteExchangePolicy deletes a stored policy, once confirmed.
func (c *Console) deleteExchangePolicy(w http.ResponseWriter, r *http.Request, s session.Signed) {
	clientID := r.PathValue("client_id")
	if err := c.api.DeleteExchangePolicy(r.Context(), ByUser(s.User.ID), clientID); err != nil {
		if errors.Is(err, storage.ErrInvalidInput) {
			err = storage.ErrNotFound
		}
		if status, key, ok := exchangeProblem(err); ok && status != http.StatusNotFound {
			c.message(w, r, status, key, "admin.nav_exchange", consoleurl.ExchangePolicies())
			return
		}
		c.refuse(w, r, "delete token exchange policy", err)
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin deleted a token exchange policy", "admin_user_id", s.User.ID, "client_id", clientID)
	seeOther(w, r, consoleurl.ExchangePolicies(), "exchange-deleted")
}
