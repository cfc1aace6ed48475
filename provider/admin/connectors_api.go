package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// connectorJSON is a connector as the API shows it: its fields and its
// kind's settings side by side, by their YAML keys, and whether it has a
// secret (has_secret), never the secret.
func connectorJSON(c storage.Connector, configured, shadowed bool) map[string]any {
	out := map[string]any{}
	for k, v := range settingsMap(c.Settings) {
		out[k] = v
	}
	mapping := c.RoleMapping
	if mapping == nil {
		mapping = []storage.RoleMapping{}
	}
	for k, v := range map[string]any{
		"id": c.ID, "kind": c.Kind, "name": c.Name, "name_zh": c.NameZH, "icon": c.Icon, "domains": nonNil(c.Domains),
		"only_way": c.OnlyWay, "jit": c.JIT, "default_role": c.DefaultRole, "link_unverified_email": c.LinkUnverifiedEmail,
		"role_mapping": mapping, "disabled": c.Disabled, "configured": configured, "shadowed": shadowed,
		"has_secret": len(c.SealedSecret) > 0, "created_at": optional(c.CreatedAt), "updated_at": optional(c.UpdatedAt),
	} {
		out[k] = v
	}
	return out
}

// connectorReadOnly are the keys the API shows of a connector but never
// takes.
var connectorReadOnly = []string{"configured", "shadowed", "has_secret", "created_at", "updated_at"}

// applyConnectorBody applies a JSON body to c: its fields by their keys,
// the secret of its kind (client_secret or bind_password), and any other
// key to its settings (null removes a setting), which the rules then
// check by name. create takes id and kind; a change refuses another.
func applyConnectorBody(body map[string]json.RawMessage, c *storage.Connector, create bool) (secret string, err error) {
	settings := settingsMap(c.Settings)
	if settings == nil {
		settings = map[string]json.RawMessage{}
	}
	field := func(key string, v any, want string) error {
		if err := json.Unmarshal(body[key], v); err != nil {
			return &FieldError{Field: key, Problem: "must be " + want}
		}
		return nil
	}
	// The kind first: it says which secret the body may hold.
	if _, ok := body["kind"]; ok {
		var kind string
		if err := field("kind", &kind, "text"); err != nil {
			return "", err
		}
		if !create && kind != c.Kind {
			return "", &FieldError{Field: "kind", Problem: "cannot change: delete the connector and add another"}
		}
		c.Kind = kind
	}
	secretField := web.ConnectorSecretField(c.Kind)
	for key := range body {
		var err error
		switch key {
		case "kind":
		case "id":
			var id string
			if err = field(key, &id, "text"); err == nil && !create && id != c.ID {
				err = &FieldError{Field: "id", Problem: "cannot change: linked identities name the connector by it"}
			}
			c.ID = id
		case "name":
			err = field(key, &c.Name, "text")
		case "name_zh":
			err = field(key, &c.NameZH, "text")
		case "icon":
			err = field(key, &c.Icon, "text")
		case "default_role":
			err = field(key, &c.DefaultRole, "text")
		case "domains":
			err = field(key, &c.Domains, "a list of text")
		case "only_way":
			err = field(key, &c.OnlyWay, "true or false")
		case "jit":
			err = field(key, &c.JIT, "true or false")
		case "link_unverified_email":
			err = field(key, &c.LinkUnverifiedEmail, "true or false")
		case "disabled":
			err = field(key, &c.Disabled, "true or false")
		case "role_mapping":
			dec := json.NewDecoder(bytes.NewReader(body[key]))
			dec.DisallowUnknownFields()
			var m []storage.RoleMapping
			if dec.Decode(&m) != nil {
				err = &FieldError{Field: key, Problem: `must be a list of {"claim", "value", "role"}`}
			}
			c.RoleMapping = m
		case "client_secret", "bind_password":
			if key != secretField {
				want := "this kind has no secret"
				if secretField != "" {
					want = "this kind's secret is " + secretField
				}
				err = &FieldError{Field: key, Problem: "not for kind " + c.Kind + ": " + want}
			} else {
				err = field(key, &secret, "text")
			}
		default:
			if slices.Contains(connectorReadOnly, key) {
				err = &FieldError{Field: key, Problem: "read-only: the API shows it, and never takes it"}
			} else if string(body[key]) == "null" {
				delete(settings, key)
			} else {
				settings[key] = body[key]
			}
		}
		if err != nil {
			return "", err
		}
	}
	raw, err := json.Marshal(settings)
	if err != nil {
		return "", err
	}
	c.Settings = raw
	return secret, nil
}

// decodeObject reads a JSON object body by key; a bad body is answered
// with 400 and false.
func decodeObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	var body map[string]json.RawMessage
	if !decode(w, r, &body) {
		return nil, false
	}
	if body == nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "The body must be a JSON object.")
		return nil, false
	}
	return body, true
}

// connectorRefused answers a refused change of a connector, and returns
// true; false for any other error.
func connectorRefused(w http.ResponseWriter, err error) bool {
	switch {
	case refused(w, err):
	case errors.Is(err, ErrConfiguredConnector):
		writeError(w, http.StatusConflict, "conflict", "The connector is set in the configuration file: change it there.")
	case errors.Is(err, storage.ErrAlreadyExists):
		writeError(w, http.StatusConflict, "conflict", "Another connector has this ID or one of these domains.")
	default:
		return false
	}
	return true
}

// listConnectors lists the configured connectors, then the stored ones.
func (a *API) listConnectors(w http.ResponseWriter, r *http.Request, _ string) {
	stored, err := a.cfg.Store.ListConnectors(r.Context())
	if err != nil {
		a.fail(w, r, "list connectors", err)
		return
	}
	out := []map[string]any{}
	configured := map[string]bool{}
	if a.cfg.Connectors != nil {
		for _, c := range a.cfg.Connectors.ConfiguredConnectors() {
			configured[c.ID] = true
			out = append(out, connectorJSON(c, true, false))
		}
	}
	for _, c := range stored {
		out = append(out, connectorJSON(c, false, configured[c.ID]))
	}
	web.JSON(w, http.StatusOK, map[string]any{"connectors": out})
}

// getConnector shows a connector: the configured one of that ID, else
// the stored one.
func (a *API) getConnector(w http.ResponseWriter, r *http.Request, _ string) {
	id := r.PathValue("id")
	if c, ok := a.configured(id); ok {
		web.JSON(w, http.StatusOK, connectorJSON(c, true, false))
		return
	}
	c, err := a.cfg.Store.GetConnector(r.Context(), id)
	if a.notFound(w, r, err, "connector") {
		return
	}
	web.JSON(w, http.StatusOK, connectorJSON(c, false, false))
}

// createConnector adds a connector (CreateConnector).
func (a *API) createConnector(w http.ResponseWriter, r *http.Request, caller string) {
	body, ok := decodeObject(w, r)
	if !ok {
		return
	}
	var c storage.Connector
	secret, err := applyConnectorBody(body, &c, true)
	if err == nil {
		c, err = a.CreateConnector(r.Context(), ByClient(caller), c, secret)
	}
	if err != nil {
		if !connectorRefused(w, err) {
			a.fail(w, r, "create connector", err)
		}
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin added a connector", "admin_client_id", caller, "connector", c.ID, "kind", c.Kind)
	w.Header().Set("Location", "/admin/api/v1/connectors/"+c.ID)
	web.JSON(w, http.StatusCreated, connectorJSON(c, false, false))
}

// patchConnector changes a stored connector (UpdateConnector): the keys
// the body holds, the others left as they are.
func (a *API) patchConnector(w http.ResponseWriter, r *http.Request, caller string) {
	body, ok := decodeObject(w, r)
	if !ok {
		return
	}
	ctx, id := r.Context(), r.PathValue("id")
	if _, ok := a.configured(id); ok {
		connectorRefused(w, ErrConfiguredConnector)
		return
	}
	// The body read against the stored connector first: its kind (which
	// does not change) says which secret the body may hold.
	cur, err := a.cfg.Store.GetConnector(ctx, id)
	if a.notFound(w, r, err, "connector") {
		return
	}
	secret, err := applyConnectorBody(body, &cur, false)
	if err == nil {
		cur, err = a.UpdateConnector(ctx, ByClient(caller), id, func(c *storage.Connector) {
			// Read once already: the same body cannot fail on the same kind.
			_, _ = applyConnectorBody(body, c, false)
		}, secret)
	}
	if err != nil {
		if !connectorRefused(w, err) {
			a.notFound(w, r, err, "connector")
		}
		return
	}
	a.cfg.Logger.InfoContext(ctx, "admin changed a connector", "admin_client_id", caller, "connector", id)
	web.JSON(w, http.StatusOK, connectorJSON(cur, false, false))
}

// deleteConnector deletes a stored connector and its links
// (DeleteConnector).
func (a *API) deleteConnector(w http.ResponseWriter, r *http.Request, caller string) {
	id := r.PathValue("id")
	if err := a.DeleteConnector(r.Context(), ByClient(caller), id); err != nil {
		if !connectorRefused(w, err) {
			a.notFound(w, r, err, "connector")
		}
		return
	}
	a.cfg.Logger.InfoContext(r.Context(), "admin deleted a connector", "admin_client_id", caller, "connector", id)
	w.WriteHeader(http.StatusNoContent)
}

// identityOut is an upstream identity linked to a user, as the API shows
// it.
type identityOut struct {
	Connector string `json:"connector"`
	// ConnectorName is empty when no connector of that ID is configured
	// or stored any more.
	ConnectorName string    `json:"connector_name"`
	Subject       string    `json:"subject"`
	Email         string    `json:"email"`
	LinkedAt      time.Time `json:"linked_at"`
	// LastUsedAt is null until it has signed in.
	LastUsedAt *time.Time `json:"last_used_at"`
}

// listIdentities lists the upstream identities linked to a user.
func (a *API) listIdentities(w http.ResponseWriter, r *http.Request, _ string) {
	ctx, userID := r.Context(), r.PathValue("id")
	if _, err := a.cfg.Store.GetUser(ctx, userID); a.notFound(w, r, err, "user") {
		return
	}
	list, err := a.cfg.Store.ListUserIdentities(ctx, userID)
	if err != nil {
		a.fail(w, r, "list identities", err)
		return
	}
	names, err := a.connectorNames(ctx)
	if err != nil {
		a.fail(w, r, "list connectors", err)
		return
	}
	out := []identityOut{}
	for _, l := range list {
		out = append(out, identityOut{Connector: l.ConnectorID, ConnectorName: names[l.ConnectorID], Subject: l.Subject, Email: l.Email,
			LinkedAt: l.CreatedAt, LastUsedAt: optional(l.LastUsedAt)})
	}
	web.JSON(w, http.StatusOK, map[string]any{"identities": out})
}

// deleteIdentity removes one of the user's linked identities
// (UnlinkIdentity).
func (a *API) deleteIdentity(w http.ResponseWriter, r *http.Request, caller string) {
	ctx, userID, connector, subject := r.Context(), r.PathValue("id"), r.PathValue("connector"), r.PathValue("subject")
	if _, err := a.cfg.Store.GetUser(ctx, userID); a.notFound(w, r, err, "user") {
		return
	}
	if a.notFound(w, r, a.UnlinkIdentity(ctx, ByClient(caller), userID, connector, subject), "linked identity") {
		return
	}
	a.cfg.Logger.InfoContext(ctx, "admin unlinked an identity", "admin_client_id", caller, "user_id", userID, "connector", connector)
	w.WriteHeader(http.StatusNoContent)
}
