package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// The console's pages of the protected resources (RFC 8707), for
// platform administrators: the configured ones read-only, the stored
// ones made, changed and deleted through the API's actions
// (resources.go), recorded with the administrator as actor. A resource
// is named in addresses by its ID (ResourceID).

// adminResource describes a stored resource for its page.
func adminResource(r storage.Resource, shadowed bool) web.AdminResource {
	return web.AdminResource{ID: ResourceID(r.URI), URI: r.URI, Name: r.Name, Scopes: r.Scopes, Shadowed: shadowed,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// configuredResource describes a configured resource for its page.
func configuredResource(r resources.Resource) web.AdminResource {
	return web.AdminResource{ID: ResourceID(r.URI), URI: r.URI, Name: r.Name, Scopes: r.Scopes, Configured: true}
}

// resourceProblem is the message key of a refused resource change; ok is
// false for an error that is the server's fault.
func resourceProblem(err error) (status int, key string, ok bool) {
	var bad *FieldError
	switch {
	case errors.As(err, &bad) && bad.Field == "uri":
		return http.StatusBadRequest, "admin.error_resource_uri", true
	case errors.As(err, &bad) && bad.Field == "scopes":
		return http.StatusBadRequest, "admin.error_resource_scopes", true
	case errors.As(err, &bad), errors.Is(err, storage.ErrInvalidInput):
		return http.StatusBadRequest, "admin.error_resource_name", true
	case errors.Is(err, ErrConfiguredResource):
		return http.StatusConflict, "admin.error_resource_configured", true
	case errors.Is(err, storage.ErrAlreadyExists):
		return http.StatusConflict, "admin.error_resource_exists", true
	}
	return problem(err)
}

// resourceForm reads a posted resource form: its URI (on creation), name
// and ticked scopes.
func resourceForm(r *http.Request) storage.Resource {
	_ = r.ParseForm()
	return storage.Resource{URI: strings.TrimSpace(r.PostFormValue("uri")), Name: strings.TrimSpace(r.PostFormValue("name")), Scopes: r.PostForm["scope"]}
}

// renderResources renders the list of resources with p's notice or
// error and form.
func (c *Console) renderResources(w http.ResponseWriter, r *http.Request, status int, p web.AdminResourcesPage) {
	stored, err := c.api.cfg.Store.ListResources(r.Context())
	if err != nil {
		c.fail(w, r, "list resources", err)
		return
	}
	for _, res := range c.api.cfg.Resources {
		p.Resources = append(p.Resources, configuredResource(res))
	}
	for _, res := range stored {
		_, shadowed := c.api.ConfiguredResource(res.URI)
		p.Resources = append(p.Resources, adminResource(res, shadowed))
	}
	p.CSRFToken, p.Scopes = session.CSRFToken(r), c.api.cfg.Scopes
	c.rendered(w, r, "resources", c.cfg.Pages.AdminResources(w, r, status, p))
}

func (c *Console) resources(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	c.renderResources(w, r, http.StatusOK, web.AdminResourcesPage{Notice: notice(r)})
}

// createResource adds a resource and shows its page.
func (c *Console) createResource(w http.ResponseWriter, r *http.Request, s session.Signed) {
	in := resourceForm(r)
	res, err := c.api.CreateResource(r.Context(), ByUser(s.User.ID), in)
	if err != nil {
		status, key, ok := resourceProblem(err)
		if !ok {
			c.fail(w, r, "create resource", err)
			return
		}
		c.renderResources(w, r, status, web.AdminResourcesPage{Error: key, Form: web.AdminResourceForm{URI: in.URI, Name: in.Name, Scopes: in.Scopes}})
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin added a resource", "admin_user_id", s.User.ID, "resource", res.URI)
	seeOther(w, r, consoleurl.Resource(ResourceID(res.URI)), "resource-created")
}

// resourceFor reads the resource the path names: the configured one of
// its URI, else the stored one. It answers the not-found page and false
// when there is none.
func (c *Console) resourceFor(w http.ResponseWriter, r *http.Request) (web.AdminResource, bool) {
	uri, ok := ResourceURI(r.PathValue("id"))
	if !ok {
		c.refuse(w, r, "find resource", storage.ErrNotFound)
		return web.AdminResource{}, false
	}
	if res, ok := c.api.ConfiguredResource(uri); ok {
		return configuredResource(res), true
	}
	res, err := c.api.cfg.Store.GetResource(r.Context(), uri)
	if err != nil {
		c.refuse(w, r, "load resource", err)
		return web.AdminResource{}, false
	}
	return adminResource(res, false), true
}

// renderResource renders a resource's page.
func (c *Console) renderResource(w http.ResponseWriter, r *http.Request, status int, p web.AdminResourcePage) {
	p.CSRFToken, p.Scopes = session.CSRFToken(r), c.api.cfg.Scopes
	c.rendered(w, r, "resource", c.cfg.Pages.AdminResource(w, r, status, p))
}

func (c *Console) resource(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	if res, ok := c.resourceFor(w, r); ok {
		c.renderResource(w, r, http.StatusOK, web.AdminResourcePage{Resource: res, Notice: notice(r)})
	}
}

// saveResource changes a stored resource's name and scopes.
func (c *Console) saveResource(w http.ResponseWriter, r *http.Request, s session.Signed) {
	res, ok := c.resourceFor(w, r)
	if !ok {
		return
	}
	in := resourceForm(r)
	_, err := c.api.UpdateResource(r.Context(), ByUser(s.User.ID), res.URI, func(cur *storage.Resource) { cur.Name, cur.Scopes = in.Name, in.Scopes })
	if err != nil {
		status, key, ok := resourceProblem(err)
		if !ok || status == http.StatusNotFound {
			c.refuse(w, r, "save resource", err)
			return
		}
		res.Name, res.Scopes = in.Name, in.Scopes
		c.renderResource(w, r, status, web.AdminResourcePage{Resource: res, Error: key})
		return
	}
	seeOther(w, r, consoleurl.Resource(res.ID), "resource-saved")
}

func (c *Console) confirmDeleteResource(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	res, ok := c.resourceFor(w, r)
	if !ok {
		return
	}
	if res.Configured {
		c.message(w, r, http.StatusConflict, "admin.error_resource_configured", "admin.nav_resources", consoleurl.Resources())
		return
	}
	back := consoleurl.Resource(res.ID)
	c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_resource_delete_heading", Text: "admin.confirm_resource_delete_text",
		Target: res.URI, Items: res.Scopes, Submit: "admin.submit_resource_delete", Danger: true,
		Action: back + "/delete", CancelURL: back, Nav: "resources"})
}

// deleteResource deletes a stored resource, once confirmed.
func (c *Console) deleteResource(w http.ResponseWriter, r *http.Request, s session.Signed) {
	uri, ok := ResourceURI(r.PathValue("id"))
	if !ok {
		c.refuse(w, r, "find resource", storage.ErrNotFound)
		return
	}
	if err := c.api.DeleteResource(r.Context(), ByUser(s.User.ID), uri); err != nil {
		if status, key, ok := resourceProblem(err); ok && status != http.StatusNotFound {
			c.message(w, r, status, key, "admin.nav_resources", consoleurl.Resources())
			return
		}
		c.refuse(w, r, "delete resource", err)
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin deleted a resource", "admin_user_id", s.User.ID, "resource", uri)
	seeOther(w, r, consoleurl.Resources(), "resource-deleted")
}
