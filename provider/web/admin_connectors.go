package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
)

// The console's pages of the upstream identity providers ("connectors",
// provider/admin): the list, and a connector's page or creation form.
const (
	pageAdminConnectors = "admin_connectors"
	pageAdminConnector  = "admin_connector"
)

// ConnectorField is one setting of a connector kind's form. Name is its
// YAML key, dotted inside a group ("user_search.base_dn"): the form
// field's name, the key of the connector's settings and the field a
// problem of the configuration's rules names.
type ConnectorField struct {
	Name string
	// Type is "text", "url", "list" (words separated by spaces), "bool"
	// (a box) or "preset" (an oidc preset's name).
	Type string
}

// connectorKindFields are the settings each kind's form offers, in order.
var connectorKindFields = map[string][]ConnectorField{
	"oidc":          {{"preset", "preset"}, {"issuer", "url"}, {"tenant", "text"}, {"client_id", "text"}, {"scopes", "list"}, {"end_upstream_session", "bool"}},
	"oauth2-github": {{"client_id", "text"}, {"scopes", "list"}, {"base_url", "url"}},
	"dingtalk":      {{"client_id", "text"}},
	"feishu":        {{"client_id", "text"}, {"lark", "bool"}},
	"wecom":         {{"corp_id", "text"}, {"agent_id", "text"}},
	"wechat":        {{"app_id", "text"}},
	"ldap": {{"url", "text"}, {"start_tls", "bool"}, {"bind_dn", "text"},
		{"user_search.base_dn", "text"}, {"user_search.filter", "text"}, {"group_search.base_dn", "text"}, {"group_search.filter", "text"},
		{"enabled_filter", "text"}, {"email_verified", "bool"},
		{"attributes.subject", "text"}, {"attributes.email", "text"}, {"attributes.name", "text"}, {"attributes.username", "text"},
		{"attributes.groups", "text"}, {"attributes.group_name", "text"}},
	"saml": {{"metadata_url", "url"}, {"entity_id", "text"}, {"email_verified", "bool"},
		{"attributes.email", "text"}, {"attributes.name", "text"}, {"attributes.username", "text"}, {"attributes.groups", "text"}},
}

// ConnectorFields returns the settings the console's form offers for a
// connector of kind, in order; nil for an unknown kind.
func ConnectorFields(kind string) []ConnectorField {
	return connectorKindFields[kind]
}

// ConnectorSecretField returns the name of the kind's write-only secret
// field: bind_password for ldap, none for saml, else client_secret.
func ConnectorSecretField(kind string) string {
	switch kind {
	case "ldap":
		return "bind_password"
	case "saml", "":
		return ""
	}
	return "client_secret"
}

// ConnectorPresets are the oidc presets the console offers: Sign in with
// Apple signs with a key file on the server, and is configured only.
var ConnectorPresets = []string{"google", "entra", "okta", "gitlab"}

// AdminConnector is a connector as the console shows it: never its
// secret.
type AdminConnector struct {
	ID, Kind     string
	Name, NameZH string
	Icon         string
	Domains      []string
	OnlyWay, JIT bool
	DefaultRole  string
	// LinkUnverifiedEmail lets an email the upstream did not verify link
	// an existing account.
	LinkUnverifiedEmail bool
	// RoleMapping is one mapping a line: "claim value role".
	RoleMapping string
	// Settings are the kind's settings as the form shows them, by field
	// name: text, words joined by spaces, "true" for a ticked box.
	Settings map[string]string
	Disabled bool
	// Configured: from the configuration file, read-only here. Shadowed:
	// a stored connector a configured one of the same ID hides.
	Configured, Shadowed bool
	// HasSecret: a secret is kept sealed (never shown).
	HasSecret bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AdminConnectorsPage is the view of the connectors (GET
// /admin/connectors): the configured ones and the stored ones, and the
// form choosing the kind of a new one.
type AdminConnectorsPage struct {
	UILocales  string
	Connectors []AdminConnector
	// Kinds are the kinds a new connector may be of.
	Kinds  []string
	Notice string
	Error  string
}

type adminConnectorsView struct {
	meta
	AdminConnectorsPage
	adminBase
	Rows  []adminConnectorRow
	Kinds []adminChoice
}

type adminConnectorRow struct {
	AdminConnector
	URL, KindText string
}

// kindText is a connector kind in words, or the kind itself when unknown.
func (r *Renderer) kindText(loc Locale, kind string) string {
	if s, ok := r.msgs.Lookup(loc, "admin.connector_kind."+kind); ok {
		return s
	}
	return kind
}

// AdminConnectors renders the list of connectors.
func (r *Renderer) AdminConnectors(w http.ResponseWriter, req *http.Request, status int, p AdminConnectorsPage) error {
	loc := r.Locale(req, p.UILocales)
	v := adminConnectorsView{meta: r.meta(loc), AdminConnectorsPage: p, adminBase: r.adminBase(req, loc, "connectors", p.Notice, p.Error)}
	for _, c := range p.Connectors {
		v.Rows = append(v.Rows, adminConnectorRow{AdminConnector: c, URL: consoleurl.Connector(c.ID), KindText: r.kindText(loc, c.Kind)})
	}
	for _, k := range p.Kinds {
		v.Kinds = append(v.Kinds, adminChoice{k, r.kindText(loc, k)})
	}
	return r.render(w, req, status, pageAdminConnectors, loc, v)
}

// AdminFieldProblem is what is wrong with a field of a posted form:
// Field is its name (a YAML key), Message the rule's words.
type AdminFieldProblem struct {
	Field, Message string
}

// AdminConnectorPage is the view of one connector (GET
// /admin/connectors/{id}) or of the creation form (New): a configured
// connector is shown read-only; a stored one with its form (POST to the
// page's address with csrf_token), its secret write-only, and links to
// disable, enable or delete it.
type AdminConnectorPage struct {
	UILocales string
	CSRFToken string
	Connector AdminConnector
	New       bool
	// Roles are the roles default_role and role_mapping may name.
	Roles []string
	// Problems are what is wrong with the form as posted.
	Problems []AdminFieldProblem
	Notice   string
	Error    string
}

type adminConnectorView struct {
	meta
	AdminConnectorPage
	adminBase
	URL, Action, KindText string
	DomainsText           string
	Created, CreatedISO   string
	Updated, UpdatedISO   string
	Fields                []adminConnectorField
	// Secret is the write-only secret field, its name empty for none.
	Secret adminConnectorField
	// Invalid holds each common field with a problem.
	Invalid map[string]bool
}

type adminConnectorField struct {
	ConnectorField
	ID, Label, Value string
	Checked, Invalid bool
	Choices          []string
}

// AdminConnector renders a connector's page or the creation form.
func (r *Renderer) AdminConnector(w http.ResponseWriter, req *http.Request, status int, p AdminConnectorPage) error {
	loc := r.Locale(req, p.UILocales)
	ctx := req.Context()
	c := p.Connector
	v := adminConnectorView{meta: r.meta(loc), AdminConnectorPage: p, adminBase: r.adminBase(req, loc, "connectors", p.Notice, p.Error),
		URL: consoleurl.Connector(c.ID), KindText: r.kindText(loc, c.Kind), DomainsText: strings.Join(c.Domains, " "),
		Invalid: map[string]bool{}}
	v.Action = v.URL
	if p.New {
		v.Action = consoleurl.Connectors() + "/create"
	}
	for _, pr := range p.Problems {
		// "domains[1]" and "role_mapping[0].role" mark their form field.
		field, _, _ := strings.Cut(pr.Field, "[")
		v.Invalid[field] = true
	}
	v.Created, v.CreatedISO = formatTime(c.CreatedAt)
	v.Updated, v.UpdatedISO = formatTime(c.UpdatedAt)
	field := func(f ConnectorField) adminConnectorField {
		id := "connector-" + strings.NewReplacer(".", "-", "_", "-").Replace(f.Name)
		out := adminConnectorField{ConnectorField: f, ID: id, Label: r.message(ctx, loc, "label", "admin.connector_field."+strings.ReplaceAll(f.Name, ".", "_")),
			Value: c.Settings[f.Name], Checked: c.Settings[f.Name] == "true", Invalid: v.Invalid[f.Name]}
		if f.Type == "preset" {
			out.Choices = ConnectorPresets
		}
		return out
	}
	for _, f := range ConnectorFields(c.Kind) {
		v.Fields = append(v.Fields, field(f))
	}
	if name := ConnectorSecretField(c.Kind); name != "" {
		v.Secret = field(ConnectorField{Name: name, Type: "secret"})
		v.Secret.Value = ""
	}
	return r.render(w, req, status, pageAdminConnector, loc, v)
}

// AdminIdentity is an upstream identity linked to a user, as the
// console shows it on the user's page.
type AdminIdentity struct {
	ConnectorID string
	// ConnectorName is the connector's name, empty when no connector of
	// that ID is configured or stored any more.
	ConnectorName string
	Subject       string
	// Email is the upstream's email when the link was made.
	Email      string
	LinkedAt   time.Time
	LastUsedAt time.Time // zero: never
}

type adminIdentityRow struct {
	AdminIdentity
	Connector             string
	Linked, LinkedISO     string
	LastUsed, LastUsedISO string
	RemoveURL             string
}

// identityRows describes the identities of the user whose page is at
// userURL.
func identityRows(userURL string, list []AdminIdentity) []adminIdentityRow {
	var rows []adminIdentityRow
	for _, id := range list {
		row := adminIdentityRow{AdminIdentity: id, Connector: id.ConnectorName,
			RemoveURL: userURL + "/identities/" + url.PathEscape(id.ConnectorID) + "/" + url.PathEscape(id.Subject) + "/remove"}
		if row.Connector == "" {
			row.Connector = id.ConnectorID
		}
		row.Linked, row.LinkedISO = formatTime(id.LinkedAt)
		row.LastUsed, row.LastUsedISO = formatTime(id.LastUsedAt)
		rows = append(rows, row)
	}
	return rows
}

// connectorSamples are the connector pages' sample views, rendered at
// start-up.
func connectorSamples(page string, m meta) []any {
	const s = "sample"
	base := adminBase{Section: s, NoticeText: s, ErrorText: s}
	c := AdminConnector{ID: s, Kind: s, Name: s, NameZH: s, Domains: []string{s}, OnlyWay: true, JIT: true, DefaultRole: s, LinkUnverifiedEmail: true,
		RoleMapping: s, Disabled: true, Configured: true, Shadowed: true, HasSecret: true}
	switch page {
	case pageAdminConnectors:
		return []any{adminConnectorsView{meta: m}, adminConnectorsView{meta: m, adminBase: base, Kinds: []adminChoice{{s, s}},
			Rows: []adminConnectorRow{{AdminConnector: c, URL: s, KindText: s}, {}}}}
	case pageAdminConnector:
		f := adminConnectorField{ConnectorField: ConnectorField{Name: s, Type: s}, ID: s, Label: s, Value: s, Checked: true, Invalid: true, Choices: []string{s}}
		fields := []adminConnectorField{f}
		for _, t := range []string{"text", "url", "list", "bool", "preset"} {
			f.Type = t
			fields = append(fields, f)
		}
		full := adminConnectorView{meta: m, adminBase: base, AdminConnectorPage: AdminConnectorPage{Connector: c, Roles: []string{s},
			Problems: []AdminFieldProblem{{s, s}}}, Fields: fields, Secret: f, Created: s, Updated: s, Invalid: map[string]bool{"name": true}}
		stored := full
		stored.Connector.Configured = false
		fresh := full
		fresh.New, fresh.Connector.Configured, fresh.Connector.HasSecret = true, false, false
		return []any{adminConnectorView{meta: m}, full, stored, fresh}
	}
	return nil
}
