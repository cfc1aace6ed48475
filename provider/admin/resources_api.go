package admin

import (
	"errors"
	"net/http"
	"time"

	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// resourceOut is a protected resource as the API shows it.
type resourceOut struct {
	// ID names the resource in the API's paths (ResourceID).
	ID     string   `json:"id"`
	URI    string   `json:"uri"`
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
	// Configured: set in the configuration file, read-only here.
	Configured bool `json:"configured"`
	// Shadowed: stored, but a configured resource of its URI is used.
	Shadowed  bool       `json:"shadowed"`
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
}

func resourceJSON(r storage.Resource, configured, shadowed bool) resourceOut {
	return resourceOut{ID: ResourceID(r.URI), URI: r.URI, Name: r.Name, Scopes: nonNil(r.Scopes), Configured: configured, Shadowed: shadowed,
		CreatedAt: optional(r.CreatedAt), UpdatedAt: optional(r.UpdatedAt)}
}

// resourceBody is what a create or a change takes; a change leaves an
// absent field as it is.
type resourceBody struct {
	URI    *string   `json:"uri"`
	Name   *string   `json:"name"`
	Scopes *[]string `json:"scopes"`
}

// apply sets the fields the body holds on r.
func (b resourceBody) apply(r *storage.Resource) {
	if b.URI != nil {
		r.URI = *b.URI
	}
	if b.Name != nil {
		r.Name = *b.Name
	}
	if b.Scopes != nil {
		r.Scopes = *b.Scopes
	}
}

// resourceRefused answers a refused change of a resource, and returns
// true; false for any other error.
func resourceRefused(w http.ResponseWriter, err error) bool {
	switch {
	case refused(w, err):
	case errors.Is(err, ErrConfiguredResource):
		writeError(w, http.StatusConflict, "conflict", "The resource is set in the configuration file: change it there.")
	case errors.Is(err, storage.ErrAlreadyExists):
		writeError(w, http.StatusConflict, "conflict", "A resource of this URI is stored already.")
	default:
		return false
	}
	return true
}

// pathResource reads the resource's URI from the path's ID; an ID no URI
// makes is answered 404 and false.
func pathResource(w http.ResponseWriter, r *http.Request) (string, bool) {
	uri, ok := ResourceURI(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "No such resource.")
	}
	return uri, ok
}

// listResources lists the configured resources, then the stored ones.
func (a *API) listResources(w http.ResponseWriter, r *http.Request, _ string) {
	stored, err := a.cfg.Store.ListResources(r.Context())
	if err != nil {
		a.fail(w, r, "list resources", err)
		return
	}
	out := []resourceOut{}
	for _, c := range a.cfg.Resources {
		out = append(out, resourceJSON(storage.Resource{URI: c.URI, Name: c.Name, Scopes: c.Scopes}, true, false))
	}
	for _, s := range stored {
		_, shadowed := a.ConfiguredResource(s.URI)
		out = append(out, resourceJSON(s, false, shadowed))
	}
	web.JSON(w, http.StatusOK, map[string]any{"resources": out})
}

// getResource shows a resource: the configured one of that URI, else the
// stored one.
func (a *API) getResource(w http.ResponseWriter, r *http.Request, _ string) {
	uri, ok := pathResource(w, r)
	if !ok {
		return
	}
	if c, ok := a.ConfiguredResource(uri); ok {
		web.JSON(w, http.StatusOK, resourceJSON(storage.Resource{URI: c.URI, Name: c.Name, Scopes: c.Scopes}, true, false))
		return
	}
	res, err := a.cfg.Store.GetResource(r.Context(), uri)
	if a.notFound(w, r, err, "resource") {
		return
	}
	web.JSON(w, http.StatusOK, resourceJSON(res, false, false))
}

// createResource adds a resource (CreateResource).
func (a *API) createResource(w http.ResponseWriter, r *http.Request, caller string) {
	var body resourceBody
	if !decode(w, r, &body) {
		return
	}
	var res storage.Resource
	body.apply(&res)
	res, err := a.CreateResource(r.Context(), ByClient(caller), res)
	if err != nil {
		if !resourceRefused(w, err) {
			a.fail(w, r, "create resource", err)
		}
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin added a resource", "admin_client_id", caller, "resource", res.URI)
	w.Header().Set("Location", "/admin/api/v1/resources/"+ResourceID(res.URI))
	web.JSON(w, http.StatusCreated, resourceJSON(res, false, false))
}

// patchResource changes a stored resource (UpdateResource): the fields
// the body holds, the others left as they are.
func (a *API) patchResource(w http.ResponseWriter, r *http.Request, caller string) {
	uri, ok := pathResource(w, r)
	if !ok {
		return
	}
	var body resourceBody
	if !decode(w, r, &body) {
		return
	}
	res, err := a.UpdateResource(r.Context(), ByClient(caller), uri, body.apply)
	if err != nil {
		if !resourceRefused(w, err) {
			a.notFound(w, r, err, "resource")
		}
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin changed a resource", "admin_client_id", caller, "resource", uri)
	web.JSON(w, http.StatusOK, resourceJSON(res, false, false))
}

// deleteResource deletes a stored resource (DeleteResource).
func (a *API) deleteResource(w http.ResponseWriter, r *http.Request, caller string) {
	uri, ok := pathResource(w, r)
	if !ok {
		return
	}
	if err := a.DeleteResource(r.Context(), ByClient(caller), uri); err != nil {
		if !resourceRefused(w, err) {
			a.notFound(w, r, err, "resource")
		}
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin deleted a resource", "admin_client_id", caller, "resource", uri)
	w.WriteHeader(http.StatusNoContent)
}
