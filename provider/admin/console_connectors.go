package admin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/storage"
)

// The console's connector pages, for platform administrators. The
// configured connectors are shown read-only; the stored ones are made,
// changed, disabled, enabled and deleted through the API's actions
// (connectors.go), recorded with the administrator as actor. A form's
// fields are named by the YAML keys, as the rules' problems name them;
// its secret field is write-only: never filled, empty keeps the sealed
// secret.

// adminConnector describes a connector for its page.
func adminConnector(c storage.Connector, configured, shadowed bool) web.AdminConnector {
	out := web.AdminConnector{ID: c.ID, Kind: c.Kind, Name: c.Name, NameZH: c.NameZH, Icon: c.Icon, Domains: c.Domains, OnlyWay: c.OnlyWay,
		JIT: c.JIT, DefaultRole: c.DefaultRole, LinkUnverifiedEmail: c.LinkUnverifiedEmail, Disabled: c.Disabled,
		Configured: configured, Shadowed: shadowed, HasSecret: len(c.SealedSecret) > 0, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Settings: map[string]string{}}
	var lines []string
	for _, m := range c.RoleMapping {
		lines = append(lines, m.Claim+" "+m.Value+" "+m.Role)
	}
	out.RoleMapping = strings.Join(lines, "\n")
	var settings map[string]any
	if len(c.Settings) > 0 && json.Unmarshal(c.Settings, &settings) != nil {
		return out
	}
	for _, f := range web.ConnectorFields(c.Kind) {
		v := any(settings)
		for part := range strings.SplitSeq(f.Name, ".") {
			m, _ := v.(map[string]any)
			v = m[part]
		}
		switch v := v.(type) {
		case string:
			out.Settings[f.Name] = v
		case bool:
			if v {
				out.Settings[f.Name] = "true"
			}
		case []any:
			var words []string
			for _, w := range v {
				words = append(words, fmt.Sprint(w))
			}
			out.Settings[f.Name] = strings.Join(words, " ")
		}
	}
	return out
}

// connectorForm reads a posted connector form of kind: its fields, its
// kind's settings by their YAML keys, and the secret typed (empty: none).
// A line of the role mapping that is not three words is a problem.
func connectorForm(r *http.Request, kind string) (storage.Connector, string, []*FieldError) {
	get := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	c := storage.Connector{ID: get("id"), Kind: kind, Name: get("name"), NameZH: get("name_zh"), Icon: get("icon"),
		Domains: strings.Fields(strings.ReplaceAll(get("domains"), ",", " ")), OnlyWay: get("only_way") == "true", JIT: get("jit") == "true",
		DefaultRole: get("default_role"), LinkUnverifiedEmail: get("link_unverified_email") == "true"}
	var problems []*FieldError
	for i, line := range strings.Split(get("role_mapping"), "\n") {
		words := strings.Fields(line)
		switch len(words) {
		case 0:
		case 3:
			c.RoleMapping = append(c.RoleMapping, storage.RoleMapping{Claim: words[0], Value: words[1], Role: words[2]})
		default:
			problems = append(problems, &FieldError{Field: fmt.Sprintf("role_mapping[%d]", i),
				Problem: "want a claim, a value and a role, separated by spaces"})
		}
	}
	settings := map[string]any{}
	for _, f := range web.ConnectorFields(kind) {
		var v any
		switch raw := get(f.Name); {
		case f.Type == "bool":
			if raw == "true" {
				v = true
			}
		case f.Type == "list":
			if words := strings.Fields(raw); len(words) > 0 {
				v = words
			}
		case raw != "":
			v = raw
		}
		if v == nil {
			continue
		}
		group, key, nested := strings.Cut(f.Name, ".")
		if !nested {
			settings[f.Name] = v
			continue
		}
		m, _ := settings[group].(map[string]any)
		if m == nil {
			m = map[string]any{}
			settings[group] = m
		}
		m[key] = v
	}
	// Text and lists of text always marshal.
	c.Settings, _ = json.Marshal(settings)
	var secret string
	if name := web.ConnectorSecretField(kind); name != "" {
		secret = r.PostFormValue(name)
		if strings.TrimSpace(secret) == "" {
			secret = ""
		}
	}
	return c, secret, problems
}

// connectors lists the configured connectors and the stored ones, with
// the form choosing a new one's kind.
func (c *Console) connectors(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	stored, err := c.cfg.Store.ListConnectors(r.Context())
	if err != nil {
		c.fail(w, r, "list connectors", err)
		return
	}
	p := web.AdminConnectorsPage{Kinds: storage.ConnectorKinds, Notice: notice(r)}
	configured := map[string]bool{}
	if c.api.cfg.Connectors != nil {
		for _, k := range c.api.cfg.Connectors.ConfiguredConnectors() {
			configured[k.ID] = true
			p.Connectors = append(p.Connectors, adminConnector(k, true, false))
		}
	}
	for _, k := range stored {
		p.Connectors = append(p.Connectors, adminConnector(k, false, configured[k.ID]))
	}
	c.rendered(w, r, "connectors", c.cfg.Pages.AdminConnectors(w, r, http.StatusOK, p))
}

// renderConnector renders a connector's page or form with p's notice,
// error and problems.
func (c *Console) renderConnector(w http.ResponseWriter, r *http.Request, status int, p web.AdminConnectorPage) {
	p.CSRFToken = session.CSRFToken(r)
	for _, role := range c.api.cfg.Roles {
		p.Roles = append(p.Roles, role.Name)
	}
	c.rendered(w, r, "connector", c.cfg.Pages.AdminConnector(w, r, status, p))
}

// confirmCreateConnector shows the form of a new connector of ?kind=.
func (c *Console) confirmCreateConnector(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	kind := r.URL.Query().Get("kind")
	if !slices.Contains(storage.ConnectorKinds, kind) {
		c.message(w, r, http.StatusBadRequest, "admin.error_connector_kind", "admin.nav_connectors", consoleurl.Connectors())
		return
	}
	c.renderConnector(w, r, http.StatusOK, web.AdminConnectorPage{New: true, Connector: web.AdminConnector{Kind: kind}})
}

// createConnector adds the posted connector, or shows its form again
// with what is wrong (never the secret typed).
func (c *Console) createConnector(w http.ResponseWriter, r *http.Request, s session.Signed) {
	kind := r.PostFormValue("kind")
	if !slices.Contains(storage.ConnectorKinds, kind) {
		c.message(w, r, http.StatusBadRequest, "admin.error_connector_kind", "admin.nav_connectors", consoleurl.Connectors())
		return
	}
	form, secret, problems := connectorForm(r, kind)
	var err error = &ConnectorError{Problems: problems}
	if len(problems) == 0 {
		_, err = c.api.CreateConnector(r.Context(), ByUser(s.User.ID), form, secret)
	}
	if err != nil {
		c.refuseConnector(w, r, web.AdminConnectorPage{New: true, Connector: adminConnector(form, false, false)}, "create connector", err)
		return
	}
	c.api.cfg.Logger.InfoContext(r.Context(), "admin added a connector", "admin_user_id", s.User.ID, "connector", form.ID, "kind", kind)
	seeOther(w, r, consoleurl.Connector(form.ID), "connector-created")
}

// refuseConnector answers a refused connector form: the form again with
// the problems, or a page saying what is wrong, or the error page.
func (c *Console) refuseConnector(w http.ResponseWriter, r *http.Request, p web.AdminConnectorPage, what string, err error) {
	var bad *ConnectorError
	var field *FieldError
	switch {
	case errors.As(err, &bad):
		for _, pr := range bad.Problems {
			p.Problems = append(p.Problems, web.AdminFieldProblem{Field: pr.Field, Message: pr.Problem})
		}
		c.renderConnector(w, r, http.StatusBadRequest, p)
	case errors.As(err, &field):
		p.Problems = []web.AdminFieldProblem{{Field: field.Field, Message: field.Problem}}
		c.renderConnector(w, r, http.StatusBadRequest, p)
	case errors.Is(err, storage.ErrInvalidInput):
		p.Problems = []web.AdminFieldProblem{{Field: "connector", Message: "a value is not text: it holds a NUL or bytes that are not UTF-8"}}
		c.renderConnector(w, r, http.StatusBadRequest, p)
	case errors.Is(err, storage.ErrAlreadyExists):
		p.Error = "admin.error_connector_taken"
		c.renderConnector(w, r, http.StatusConflict, p)
	case errors.Is(err, ErrConfiguredConnector):
		c.message(w, r, http.StatusConflict, "admin.error_connector_configured", "admin.nav_connectors", consoleurl.Connectors())
	default:
		c.refuse(w, r, what, err)
	}
}

// connector shows a connector: the configured one of the ID read-only,
// else the stored one with its form.
func (c *Console) connector(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	id := r.PathValue("id")
	if k, ok := c.api.configured(id); ok {
		c.renderConnector(w, r, http.StatusOK, web.AdminConnectorPage{Connector: adminConnector(k, true, false)})
		return
	}
	k, err := c.cfg.Store.GetConnector(r.Context(), id)
	if err != nil {
		c.refuse(w, r, "load connector", err)
		return
	}
	c.renderConnector(w, r, http.StatusOK, web.AdminConnectorPage{Connector: adminConnector(k, false, false), Notice: notice(r)})
}

// saveConnector changes a stored connector as posted: every field of the
// form, the secret only when one is typed.
func (c *Console) saveConnector(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx, id := r.Context(), r.PathValue("id")
	if _, ok := c.api.configured(id); ok {
		c.refuseConnector(w, r, web.AdminConnectorPage{}, "change connector", ErrConfiguredConnector)
		return
	}
	cur, err := c.cfg.Store.GetConnector(ctx, id)
	if err != nil {
		c.refuse(w, r, "load connector", err)
		return
	}
	form, secret, problems := connectorForm(r, cur.Kind)
	form.ID = id
	err = &ConnectorError{Problems: problems}
	if len(problems) == 0 {
		_, err = c.api.UpdateConnector(ctx, ByUser(s.User.ID), id, func(k *storage.Connector) {
			k.Name, k.NameZH, k.Icon, k.Domains, k.OnlyWay, k.JIT = form.Name, form.NameZH, form.Icon, form.Domains, form.OnlyWay, form.JIT
			k.DefaultRole, k.LinkUnverifiedEmail, k.RoleMapping, k.Settings = form.DefaultRole, form.LinkUnverifiedEmail, form.RoleMapping, form.Settings
		}, secret)
	}
	if err != nil {
		shown := adminConnector(form, false, false)
		shown.HasSecret, shown.Disabled, shown.CreatedAt, shown.UpdatedAt = len(cur.SealedSecret) > 0, cur.Disabled, cur.CreatedAt, cur.UpdatedAt
		c.refuseConnector(w, r, web.AdminConnectorPage{Connector: shown}, "change connector", err)
		return
	}
	c.api.cfg.Logger.InfoContext(ctx, "admin changed a connector", "admin_user_id", s.User.ID, "connector", id)
	seeOther(w, r, consoleurl.Connector(id), "connector-saved")
}

// connectorActions are the changes to a stored connector made through a
// confirmation page.
func connectorActions() map[string]userAction {
	return map[string]userAction{
		"disable": {"admin.confirm_connector_disable_heading", "admin.confirm_connector_disable_text", "admin.submit_connector_disable", false},
		"enable":  {"admin.confirm_connector_enable_heading", "admin.confirm_connector_enable_text", "admin.submit_connector_enable", false},
		"delete":  {"admin.confirm_connector_delete_heading", "admin.confirm_connector_delete_text", "admin.submit_connector_delete", true},
	}
}

// confirmConnectorChange shows what disabling, enabling or deleting a
// stored connector does, with the form that does it.
func (c *Console) confirmConnectorChange(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	id, action := r.PathValue("id"), r.PathValue("action")
	act, ok := connectorActions()[action]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if _, ok := c.api.configured(id); ok && action != "delete" {
		c.refuseConnector(w, r, web.AdminConnectorPage{}, "load connector", ErrConfiguredConnector)
		return
	}
	k, err := c.cfg.Store.GetConnector(r.Context(), id)
	if err != nil {
		c.refuse(w, r, "load connector", err)
		return
	}
	back := consoleurl.Connector(k.ID)
	c.confirm(w, r, web.AdminConfirmPage{Heading: act.heading, Text: act.text, Target: k.Name, Items: []string{k.ID}, Submit: act.submit,
		Danger: act.danger, Action: back + "/" + action, CancelURL: back, Nav: "connectors"})
}

// changeConnector disables, enables or deletes a stored connector once
// confirmed, recorded with the administrator as actor.
func (c *Console) changeConnector(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx, by, id, action := r.Context(), ByUser(s.User.ID), r.PathValue("id"), r.PathValue("action")
	var err error
	to, done := consoleurl.Connector(id), "connector-"+action+"d"
	switch action {
	case "disable", "enable":
		_, err = c.api.SetConnectorDisabled(ctx, by, id, action == "disable")
	case "delete":
		err = c.api.DeleteConnector(ctx, by, id)
		to = consoleurl.Connectors()
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		c.refuseConnector(w, r, web.AdminConnectorPage{}, action+" connector", err)
		return
	}
	c.api.cfg.Logger.InfoContext(ctx, "admin changed a connector", "admin_user_id", s.User.ID, "connector", id, "action", action)
	seeOther(w, r, to, done)
}

// adminIdentities describes a user's linked identities for their page.
func (c *Console) adminIdentities(r *http.Request, userID string) ([]web.AdminIdentity, error) {
	list, err := c.cfg.Store.ListUserIdentities(r.Context(), userID)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	names, err := c.api.connectorNames(r.Context())
	if err != nil {
		return nil, err
	}
	var out []web.AdminIdentity
	for _, l := range list {
		out = append(out, web.AdminIdentity{ConnectorID: l.ConnectorID, ConnectorName: names[l.ConnectorID], Subject: l.Subject, Email: l.Email,
			LinkedAt: l.CreatedAt, LastUsedAt: l.LastUsedAt})
	}
	return out, nil
}

// confirmRemoveIdentity shows which upstream identity of whom will be
// unlinked: not found unless the user has that link.
func (c *Console) confirmRemoveIdentity(w http.ResponseWriter, r *http.Request, _ session.Signed) {
	ctx, connector, subject := r.Context(), r.PathValue("connector"), r.PathValue("subject")
	u, err := c.cfg.Store.GetUser(ctx, r.PathValue("id"))
	if err != nil {
		c.refuse(w, r, "load user", err)
		return
	}
	list, err := c.cfg.Store.ListUserIdentities(ctx, u.ID)
	if err != nil {
		c.fail(w, r, "list the user's identities", err)
		return
	}
	if !slices.ContainsFunc(list, func(l storage.LinkedIdentity) bool { return l.ConnectorID == connector && l.Subject == subject }) {
		c.refuse(w, r, "load identity", storage.ErrNotFound)
		return
	}
	back := consoleurl.User(u.ID)
	c.confirm(w, r, web.AdminConfirmPage{Heading: "admin.confirm_remove_identity_heading", Text: "admin.confirm_remove_identity_text",
		Target: connector, Items: []string{u.Email, subject}, Submit: "admin.submit_remove_identity", Danger: true,
		Action: back + "/identities/" + url.PathEscape(connector) + "/" + url.PathEscape(subject) + "/remove", CancelURL: back + "#identities", Nav: "users"})
}

// removeIdentity unlinks the identity once confirmed, recorded as
// upstream.unlinked with the administrator as actor.
func (c *Console) removeIdentity(w http.ResponseWriter, r *http.Request, s session.Signed) {
	ctx, userID, connector := r.Context(), r.PathValue("id"), r.PathValue("connector")
	if err := c.api.UnlinkIdentity(ctx, ByUser(s.User.ID), userID, connector, r.PathValue("subject")); err != nil {
		c.refuse(w, r, "unlink identity", err)
		return
	}
	c.api.cfg.Logger.InfoContext(ctx, "admin unlinked an identity", "admin_user_id", s.User.ID, "user_id", userID, "connector", connector)
	seeOther(w, r, consoleurl.User(userID), "identity-removed")
}
