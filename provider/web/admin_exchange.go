package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
)

// The console's pages of the token exchange policies (provider/admin):
// the list with the form adding one, and a client's policy (its form, or
// read-only when the configuration file sets it).
const (
	pageAdminExchangePolicies = "admin_exchange_policies"
	pageAdminExchangePolicy   = "admin_exchange_policy"
)

// AdminExchangePolicy is a token exchange policy as the console shows it.
type AdminExchangePolicy struct {
	ClientID         string
	SubjectAudiences []string
	Resources        []string
	Scopes           []string
	Impersonation    bool
	// Configured: set in the configuration file, read-only here.
	Configured bool
	// Shadowed: stored, but the configured policy of its client is used.
	Shadowed             bool
	CreatedAt, UpdatedAt time.Time
}

// AdminExchangeChoices are what a policy's boxes offer: the protected
// resources (configured and stored) and the scope catalogue.
type AdminExchangeChoices struct {
	Resources []string
	Scopes    []string
}

// adminExchangeFields are a policy form's boxes: the subject audiences,
// the resources, the scopes and impersonation.
type adminExchangeFields struct {
	AudienceChoices, ResourceChoices, ScopeChoices []adminScopeChoice
	Impersonation                                  bool
}

// exchangeFields are the boxes of p against choices, a value of p no
// choice offers (a resource deleted since) among them, ticked, so that
// it can be unticked.
func exchangeFields(p AdminExchangePolicy, choices AdminExchangeChoices) adminExchangeFields {
	offer := func(all, values []string) []string {
		out := slices.Clone(all)
		for _, v := range values {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	return adminExchangeFields{
		AudienceChoices: checkChoices("audience", offer(choices.Resources, p.SubjectAudiences), p.SubjectAudiences),
		ResourceChoices: checkChoices("resource", offer(choices.Resources, p.Resources), p.Resources),
		ScopeChoices:    checkChoices("scope", offer(choices.Scopes, p.Scopes), p.Scopes),
		Impersonation:   p.Impersonation,
	}
}

// AdminExchangePoliciesPage is the view of the policies (GET
// /admin/token-exchange).
type AdminExchangePoliciesPage struct {
	UILocales string
	CSRFToken string
	Policies  []AdminExchangePolicy
	Choices   AdminExchangeChoices
	// Form is what the form adding a policy was sent with, shown again
	// with a refusal.
	Form   AdminExchangePolicy
	Notice string
	Error  string
}

type adminExchangePoliciesView struct {
	meta
	AdminExchangePoliciesPage
	adminBase
	adminExchangeFields
	Rows []adminExchangePolicyRow
}

type adminExchangePolicyRow struct {
	AdminExchangePolicy
	Link string
}

// AdminExchangePolicies renders the list of policies.
func (r *Renderer) AdminExchangePolicies(w http.ResponseWriter, req *http.Request, status int, p AdminExchangePoliciesPage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminExchangePoliciesView{meta: r.meta(loc), AdminExchangePoliciesPage: p, adminBase: r.adminBase(req, loc, "exchange", p.Notice, p.Error),
		adminExchangeFields: exchangeFields(p.Form, p.Choices)}
	for _, pol := range p.Policies {
		v.Rows = append(v.Rows, adminExchangePolicyRow{AdminExchangePolicy: pol, Link: consoleurl.ExchangePolicy(pol.ClientID)})
	}
	return r.render(w, req, status, pageAdminExchangePolicies, loc, v)
}

// AdminExchangePolicyPage is the view of a client's policy (GET
// /admin/token-exchange/{client_id}).
type AdminExchangePolicyPage struct {
	UILocales string
	CSRFToken string
	Policy    AdminExchangePolicy
	Choices   AdminExchangeChoices
	Notice    string
	Error     string
}

type adminExchangePolicyView struct {
	meta
	AdminExchangePolicyPage
	adminBase
	adminExchangeFields
	Action, AppLink     string
	Created, CreatedISO string
	Updated, UpdatedISO string
}

// AdminExchangePolicy renders a client's policy.
func (r *Renderer) AdminExchangePolicy(w http.ResponseWriter, req *http.Request, status int, p AdminExchangePolicyPage) error {
	loc := r.Locale(req, p.UILocales)
	pol := p.Policy
	v := adminExchangePolicyView{meta: r.meta(loc), AdminExchangePolicyPage: p, adminBase: r.adminBase(req, loc, "exchange", p.Notice, p.Error),
		adminExchangeFields: exchangeFields(pol, p.Choices), Action: consoleurl.ExchangePolicy(pol.ClientID), AppLink: consoleurl.App(pol.ClientID)}
	v.Created, v.CreatedISO = formatTime(pol.CreatedAt)
	v.Updated, v.UpdatedISO = formatTime(pol.UpdatedAt)
	return r.render(w, req, status, pageAdminExchangePolicy, loc, v)
}

// exchangeSamples are the policy pages' sample views, rendered at
// start-up.
func exchangeSamples(page string, m meta) []any {
	const s = "sample"
	base := adminBase{Section: s, NoticeText: s, ErrorText: s}
	pol := AdminExchangePolicy{ClientID: s, SubjectAudiences: []string{s}, Resources: []string{s}, Scopes: []string{s}, Impersonation: true, Configured: true, Shadowed: true}
	choices := []adminScopeChoice{{ID: s, Scope: s, Checked: true}, {}}
	fields := adminExchangeFields{AudienceChoices: choices, ResourceChoices: choices, ScopeChoices: choices, Impersonation: true}
	switch page {
	case pageAdminExchangePolicies:
		return []any{adminExchangePoliciesView{meta: m}, adminExchangePoliciesView{meta: m, adminBase: base, adminExchangeFields: fields,
			Rows: []adminExchangePolicyRow{{AdminExchangePolicy: pol, Link: s}, {}}}}
	case pageAdminExchangePolicy:
		return []any{adminExchangePolicyView{meta: m}, adminExchangePolicyView{meta: m, adminBase: base, AdminExchangePolicyPage: AdminExchangePolicyPage{Policy: pol},
			adminExchangeFields: fields, Action: s, AppLink: s, Created: s, Updated: s},
			adminExchangePolicyView{meta: m, adminBase: base, AdminExchangePolicyPage: AdminExchangePolicyPage{Policy: AdminExchangePolicy{Shadowed: true}}, adminExchangeFields: fields}}
	}
	return nil
}
