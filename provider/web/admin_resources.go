package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
)

// The console's pages of the protected resources (provider/admin): the
// list with the form adding one, and a resource's page (its form, or
// read-only when the configuration file sets it).
const (
	pageAdminResources = "admin_resources"
	pageAdminResource  = "admin_resource"
)

// AdminResource is a protected resource as the console shows it.
type AdminResource struct {
	// ID names it in the console's addresses (admin.ResourceID).
	ID     string
	URI    string
	Name   string
	Scopes []string
	// Configured: set in the configuration file, read-only here.
	Configured bool
	// Shadowed: stored, but a configured resource of its URI is used.
	Shadowed             bool
	CreatedAt, UpdatedAt time.Time
}

// AdminResourceForm is what the form adding a resource was sent with,
// shown again with a refusal.
type AdminResourceForm struct {
	URI, Name string
	Scopes    []string
}

// AdminResourcesPage is the view of the resources (GET /admin/resources).
type AdminResourcesPage struct {
	UILocales string
	CSRFToken string
	Resources []AdminResource
	// Scopes is the scope catalogue, the scopes a resource may accept.
	Scopes []string
	Form   AdminResourceForm
	Notice string
	Error  string
}

type adminResourcesView struct {
	meta
	AdminResourcesPage
	adminBase
	Rows         []adminResourceRow
	ScopeChoices []adminScopeChoice
}

type adminResourceRow struct {
	AdminResource
	Link string
}

// resourceScopeChoices are the catalogue's boxes, those of checked
// ticked.
func resourceScopeChoices(all, checked []string) []adminScopeChoice {
	return checkChoices("scope", all, checked)
}

// checkChoices are a box for each of all, those of checked ticked, their
// IDs prefix-0, prefix-1, ...
func checkChoices(prefix string, all, checked []string) []adminScopeChoice {
	out := make([]adminScopeChoice, 0, len(all))
	for i, s := range all {
		out = append(out, adminScopeChoice{ID: prefix + "-" + strconv.Itoa(i), Scope: s, Checked: slices.Contains(checked, s)})
	}
	return out
}

// AdminResources renders the list of resources.
func (r *Renderer) AdminResources(w http.ResponseWriter, req *http.Request, status int, p AdminResourcesPage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminResourcesView{meta: r.meta(loc), AdminResourcesPage: p, adminBase: r.adminBase(req, loc, "resources", p.Notice, p.Error),
		ScopeChoices: resourceScopeChoices(p.Scopes, p.Form.Scopes)}
	for _, res := range p.Resources {
		v.Rows = append(v.Rows, adminResourceRow{AdminResource: res, Link: consoleurl.Resource(res.ID)})
	}
	return r.render(w, req, status, pageAdminResources, loc, v)
}

// AdminResourcePage is the view of a resource (GET /admin/resources/{id}).
type AdminResourcePage struct {
	UILocales string
	CSRFToken string
	Resource  AdminResource
	Scopes    []string
	Notice    string
	Error     string
}

type adminResourceView struct {
	meta
	AdminResourcePage
	adminBase
	Action              string
	Created, CreatedISO string
	Updated, UpdatedISO string
	ScopeChoices        []adminScopeChoice
}

// AdminResource renders a resource's page.
func (r *Renderer) AdminResource(w http.ResponseWriter, req *http.Request, status int, p AdminResourcePage) error {
	loc := r.Locale(req, p.UILocales)
	res := p.Resource
	v := adminResourceView{meta: r.meta(loc), AdminResourcePage: p, adminBase: r.adminBase(req, loc, "resources", p.Notice, p.Error),
		Action: consoleurl.Resource(res.ID), ScopeChoices: resourceScopeChoices(p.Scopes, res.Scopes)}
	v.Created, v.CreatedISO = formatTime(res.CreatedAt)
	v.Updated, v.UpdatedISO = formatTime(res.UpdatedAt)
	return r.render(w, req, status, pageAdminResource, loc, v)
}

// resourceSamples are the resource pages' sample views, rendered at
// start-up.
func resourceSamples(page string, m meta) []any {
	const s = "sample"
	base := adminBase{Section: s, NoticeText: s, ErrorText: s}
	res := AdminResource{ID: s, URI: s, Name: s, Scopes: []string{s}, Configured: true, Shadowed: true}
	choices := []adminScopeChoice{{ID: s, Scope: s, Checked: true}, {}}
	switch page {
	case pageAdminResources:
		return []any{adminResourcesView{meta: m}, adminResourcesView{meta: m, adminBase: base, ScopeChoices: choices,
			Rows: []adminResourceRow{{AdminResource: res, Link: s}, {}}}}
	case pageAdminResource:
		return []any{adminResourceView{meta: m}, adminResourceView{meta: m, adminBase: base, AdminResourcePage: AdminResourcePage{Resource: res},
			Action: s, Created: s, Updated: s, ScopeChoices: choices},
			adminResourceView{meta: m, adminBase: base, AdminResourcePage: AdminResourcePage{Resource: AdminResource{Shadowed: true}}, ScopeChoices: choices}}
	}
	return nil
}
