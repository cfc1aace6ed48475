package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/storage"
)

// The changes to the upstream identity providers ("connectors") made in
// the console and through the API, and to the identities linked through
// them. A connector is checked by the configuration's rules (the same as
// a configured one's, ConnectorRules), its secret sealed
// (upstream.SealSecret) and never shown back or recorded.

// ConnectorRules checks connectors by the configuration's rules and knows
// the configured ones: config.Config is one.
type ConnectorRules interface {
	// ConfiguredConnectors returns the connectors of the configuration
	// file, without their secrets: read-only here.
	ConfiguredConnectors() []storage.Connector
	// CheckConnector checks c before it is stored (against the configured
	// connectors and stored, the other stored ones) and returns it with its
	// settings normalised, or its problems, each naming the field at
	// fault by its YAML key (an error with a Path method). secretTyped:
	// a new secret comes with it; else its sealed one, if any, stays.
	CheckConnector(c storage.Connector, secretTyped bool, stored []storage.Connector) (storage.Connector, []error)
}

// ConnectorError is a connector the rules refused: each problem names its
// field (a YAML key, as the form's and the API's fields are named).
type ConnectorError struct {
	Problems []*FieldError
}

// Error returns the problems, "field: problem", separated by "; ".
func (e *ConnectorError) Error() string {
	parts := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		parts = append(parts, p.Error())
	}
	return strings.Join(parts, "; ")
}

// connectorError gathers the rules' problems, or returns nil for none.
func connectorError(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	e := &ConnectorError{}
	for _, err := range errs {
		var at interface{ Path() string }
		field := "connector"
		if errors.As(err, &at) {
			field = at.Path()
		}
		e.Problems = append(e.Problems, &FieldError{Field: field, Problem: strings.TrimPrefix(err.Error(), field+": ")})
	}
	return e
}

// ErrConfiguredConnector: the connector is set in the configuration
// file, read-only in the console and the API.
var ErrConfiguredConnector = errors.New("the connector is set in the configuration file: change it there")

// reservedConnectorIDs are IDs the console's addresses take.
var reservedConnectorIDs = []string{"create"}

// rules returns the connector rules, or an error when none are wired.
func (a *API) rules() (ConnectorRules, error) {
	if a.cfg.Connectors == nil {
		return nil, errors.New("admin: no connector rules configured")
	}
	return a.cfg.Connectors, nil
}

// configured returns the configured connector id, if there is one.
func (a *API) configured(id string) (storage.Connector, bool) {
	if a.cfg.Connectors == nil {
		return storage.Connector{}, false
	}
	for _, c := range a.cfg.Connectors.ConfiguredConnectors() {
		if c.ID == id {
			return c, true
		}
	}
	return storage.Connector{}, false
}

// seal seals a connector's secret.
func (a *API) seal(id, plaintext string) ([]byte, error) {
	if a.cfg.UpstreamSealer == nil {
		return nil, errors.New("admin: no sealer for connector secrets configured")
	}
	return upstream.SealSecret(*a.cfg.UpstreamSealer, id, plaintext), nil
}

// CreateConnector checks c by the configuration's rules (a ConnectorError
// naming each field at fault; an ID or a domain another connector holds
// is one) and stores it with secret sealed (empty: none), recorded as
// connector.created. storage.ErrAlreadyExists if another connector took
// its ID or a domain meanwhile.
func (a *API) CreateConnector(ctx context.Context, by Actor, c storage.Connector, secret string) (storage.Connector, error) {
	rules, err := a.rules()
	if err != nil {
		return storage.Connector{}, err
	}
	if slices.Contains(reservedConnectorIDs, c.ID) {
		return storage.Connector{}, &ConnectorError{Problems: []*FieldError{{Field: "id", Problem: fmt.Sprintf("%q is reserved by the console's addresses", c.ID)}}}
	}
	stored, err := a.cfg.Store.ListConnectors(ctx)
	if err != nil {
		return storage.Connector{}, err
	}
	c.SealedSecret = nil
	c, errs := rules.CheckConnector(c, secret != "", stored)
	if err := connectorError(errs); err != nil {
		return storage.Connector{}, err
	}
	if secret != "" {
		if c.SealedSecret, err = a.seal(c.ID, secret); err != nil {
			return storage.Connector{}, err
		}
	}
	now := a.cfg.Now().UTC().Truncate(time.Second)
	c.CreatedAt, c.UpdatedAt = now, now
	err = a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := a.cfg.Store.CreateConnector(ctx, c); err != nil {
			return nil, err
		}
		secretState := "none"
		if len(c.SealedSecret) > 0 {
			secretState = "set"
		}
		return []audit.Event{by.On(audit.Event{Action: audit.ConnectorCreated, Detail: map[string]string{
			"connector": c.ID, "kind": c.Kind, "name": c.Name, "domains": strings.Join(c.Domains, " "), "secret": secretState}})}, nil
	})
	if err != nil {
		return storage.Connector{}, err
	}
	return c, nil
}

// UpdateConnector changes the stored connector id by change, checked by
// the configuration's rules (a ConnectorError), with secret sealed when
// one is typed (empty keeps the sealed one), recorded as
// connector.updated naming the fields changed (never a value of the
// secret). Its ID and kind do not change (a FieldError).
// ErrConfiguredConnector when the configuration file sets a connector of
// that ID; storage.ErrNotFound when none is stored.
func (a *API) UpdateConnector(ctx context.Context, by Actor, id string, change func(*storage.Connector), secret string) (storage.Connector, error) {
	if _, ok := a.configured(id); ok {
		return storage.Connector{}, ErrConfiguredConnector
	}
	return a.updateConnector(ctx, by, id, change, secret, true)
}

// SetConnectorDisabled disables or enables the stored connector id,
// recorded as connector.updated. Enabling checks it by the rules first;
// disabling always works.
func (a *API) SetConnectorDisabled(ctx context.Context, by Actor, id string, disabled bool) (storage.Connector, error) {
	if _, ok := a.configured(id); ok {
		return storage.Connector{}, ErrConfiguredConnector
	}
	return a.updateConnector(ctx, by, id, func(c *storage.Connector) { c.Disabled = disabled }, "", !disabled)
}

func (a *API) updateConnector(ctx context.Context, by Actor, id string, change func(*storage.Connector), secret string, check bool) (storage.Connector, error) {
	rules, err := a.rules()
	if err != nil {
		return storage.Connector{}, err
	}
	// The other stored connectors, for the rules' uniqueness checks:
	// read only when the change is checked (not for a disable).
	var stored []storage.Connector
	if check {
		all, err := a.cfg.Store.ListConnectors(ctx)
		if err != nil {
			return storage.Connector{}, err
		}
		stored = slices.DeleteFunc(all, func(o storage.Connector) bool { return o.ID == id })
	}
	var sealed []byte
	if secret != "" {
		if sealed, err = a.seal(id, secret); err != nil {
			return storage.Connector{}, err
		}
	}
	var out storage.Connector
	err = a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		var before storage.Connector
		after, err := a.cfg.Store.UpdateConnector(ctx, id, func(cur storage.Connector) (storage.Connector, error) {
			before = cur
			next := cur.Clone()
			change(&next)
			switch {
			case next.ID != cur.ID:
				return cur, &FieldError{Field: "id", Problem: "cannot change: linked identities name the connector by it"}
			case next.Kind != cur.Kind:
				return cur, &FieldError{Field: "kind", Problem: "cannot change: delete the connector and add another"}
			}
			if check {
				var errs []error
				if next, errs = rules.CheckConnector(next, secret != "", stored); len(errs) > 0 {
					return cur, connectorError(errs)
				}
			}
			if sealed != nil {
				next.SealedSecret = sealed
			}
			next.UpdatedAt = a.cfg.Now().UTC().Truncate(time.Second)
			return next, nil
		})
		if err != nil {
			return nil, err
		}
		out = after
		changed := connectorChanges(before, after, sealed != nil)
		if len(changed) == 0 {
			return nil, nil
		}
		detail := map[string]string{"connector": id, "changed": strings.Join(changed, " ")}
		if before.Disabled != after.Disabled {
			detail["disabled"] = fmt.Sprint(after.Disabled)
		}
		return []audit.Event{by.On(audit.Event{Action: audit.ConnectorUpdated, Detail: detail})}, nil
	})
	return out, err
}

// connectorChanges names the fields a change changed, settings by their
// keys ("settings.client_id"), and "secret" for a new secret.
func connectorChanges(before, after storage.Connector, newSecret bool) []string {
	var out []string
	for _, f := range []struct {
		name string
		same bool
	}{
		{"name", before.Name == after.Name}, {"name_zh", before.NameZH == after.NameZH}, {"icon", before.Icon == after.Icon},
		{"domains", slices.Equal(before.Domains, after.Domains)}, {"only_way", before.OnlyWay == after.OnlyWay}, {"jit", before.JIT == after.JIT},
		{"default_role", before.DefaultRole == after.DefaultRole}, {"link_unverified_email", before.LinkUnverifiedEmail == after.LinkUnverifiedEmail},
		{"role_mapping", slices.Equal(before.RoleMapping, after.RoleMapping)}, {"disabled", before.Disabled == after.Disabled},
	} {
		if !f.same {
			out = append(out, f.name)
		}
	}
	b, a := settingsMap(before.Settings), settingsMap(after.Settings)
	keys := slices.Sorted(maps.Keys(b))
	for k := range a {
		if _, ok := b[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !bytes.Equal(b[k], a[k]) {
			out = append(out, "settings."+k)
		}
	}
	if newSecret {
		out = append(out, "secret")
	}
	return out
}

// settingsMap reads a connector's settings by key; nil for none or for
// settings that are not an object.
func settingsMap(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if len(raw) > 0 && json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// DeleteConnector deletes the stored connector id and the identities
// linked through it, recorded as connector.deleted. storage.ErrNotFound
// when none is stored (a configured one is not: ErrConfiguredConnector).
func (a *API) DeleteConnector(ctx context.Context, by Actor, id string) error {
	if _, ok := a.configured(id); ok {
		// Configured, or a stored one the configuration shadows: deleting
		// the stored record would take the linked identities with it,
		// which name the connector by ID and sign in through the
		// configured one.
		return ErrConfiguredConnector
	}
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		c, err := a.cfg.Store.GetConnector(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := a.cfg.Store.DeleteConnector(ctx, id); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.ConnectorDeleted, Detail: map[string]string{"connector": id, "kind": c.Kind, "name": c.Name}})}, nil
	})
}

// UnlinkIdentity removes the link of the connector's subject to the user:
// that upstream identity no longer signs them in (upstream.unlinked,
// Detail: connector, subject). storage.ErrNotFound if the user has no
// such link, whoever else might.
func (a *API) UnlinkIdentity(ctx context.Context, by Actor, userID, connectorID, subject string) error {
	return a.inTx(ctx, func(ctx context.Context) ([]audit.Event, error) {
		if err := a.cfg.Store.UnlinkIdentity(ctx, userID, connectorID, subject); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.UpstreamUnlinked, Subject: userID,
			Detail: map[string]string{"connector": connectorID, "subject": subject}})}, nil
	})
}

// connectorNames maps each connector's ID, configured or stored, to its
// name: a configured one's name wins, as it shadows a stored one.
func (a *API) connectorNames(ctx context.Context) (map[string]string, error) {
	stored, err := a.cfg.Store.ListConnectors(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, c := range stored {
		names[c.ID] = c.Name
	}
	if a.cfg.Connectors != nil {
		for _, c := range a.cfg.Connectors.ConfiguredConnectors() {
			names[c.ID] = c.Name
		}
	}
	return names, nil
}
