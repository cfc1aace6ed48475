package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectConnectors = `
	SELECT c.id, c.kind, c.name, c.name_zh, c.icon, c.settings, c.sealed_secret,
		coalesce((SELECT array_agg(d.domain ORDER BY d.position) FROM upstream_domains d WHERE d.connector_id = c.id), '{}'),
		c.only_way, c.jit, c.default_role, c.link_unverified_email, c.role_mapping, c.disabled, c.created_at, c.updated_at
	FROM upstream_connectors c`

func scanConnector(row pgx.Row) (storage.Connector, error) {
	var c storage.Connector
	var settings, mapping []byte
	err := row.Scan(&c.ID, &c.Kind, &c.Name, &c.NameZH, &c.Icon, &settings, &c.SealedSecret, &c.Domains,
		&c.OnlyWay, &c.JIT, &c.DefaultRole, &c.LinkUnverifiedEmail, &mapping, &c.Disabled, into(&c.CreatedAt), into(&c.UpdatedAt))
	if err != nil {
		return storage.Connector{}, err
	}
	if settings != nil {
		c.Settings = json.RawMessage(settings)
	}
	if err := json.Unmarshal(mapping, &c.RoleMapping); err != nil {
		return storage.Connector{}, fmt.Errorf("connector %s: role mapping: %w", c.ID, err)
	}
	c.Domains, c.RoleMapping = listOf(c.Domains), nilIfEmpty(c.RoleMapping)
	return c, nil
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// roleMappingOf returns m as the role_mapping column holds it. As with a
// workspace's policy, text that is not UTF-8 is refused here, where
// encoding/json would alter it.
func roleMappingOf(m []storage.RoleMapping) ([]byte, error) {
	for _, r := range m {
		if !utf8.ValidString(r.Claim) || !utf8.ValidString(r.Value) || !utf8.ValidString(r.Role) {
			return nil, fmt.Errorf("role mapping text is not UTF-8: %w", storage.ErrInvalidInput)
		}
	}
	if m == nil {
		m = []storage.RoleMapping{}
	}
	return json.Marshal(m)
}

// settingsOf returns the settings column's argument: NULL for none.
func settingsOf(s json.RawMessage) any {
	if s == nil {
		return nil
	}
	return string(s)
}

// writeConnector inserts c (insert) or updates it, then replaces its
// domains: the domain's primary key refuses one another connector has.
func writeConnector(ctx context.Context, q querier, c storage.Connector, insert bool) error {
	mapping, err := roleMappingOf(c.RoleMapping)
	if err != nil {
		return err
	}
	sql := `
		UPDATE upstream_connectors SET kind = $2, name = $3, name_zh = $4, icon = $5, settings = $6, sealed_secret = $7,
			only_way = $8, jit = $9, default_role = $10, link_unverified_email = $11, role_mapping = $12, disabled = $13,
			created_at = $14, updated_at = $15
		WHERE id = $1`
	if insert {
		sql = `
			INSERT INTO upstream_connectors (id, kind, name, name_zh, icon, settings, sealed_secret, only_way, jit, default_role,
				link_unverified_email, role_mapping, disabled, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`
	}
	if _, err := q.Exec(ctx, sql, c.ID, c.Kind, c.Name, c.NameZH, c.Icon, settingsOf(c.Settings), c.SealedSecret,
		c.OnlyWay, c.JIT, c.DefaultRole, c.LinkUnverifiedEmail, string(mapping), c.Disabled, ts(c.CreatedAt), ts(c.UpdatedAt)); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `DELETE FROM upstream_domains WHERE connector_id = $1`, c.ID); err != nil {
		return err
	}
	_, err = q.Exec(ctx, `
		INSERT INTO upstream_domains (domain, connector_id, position)
		SELECT d, $1, p FROM unnest($2::text[]) WITH ORDINALITY AS t(d, p)`, c.ID, list(c.Domains))
	return err
}

// CreateConnector implements storage.Upstreams: the primary keys refuse
// a second connector of the ID or a domain another connector has.
func (s *Store) CreateConnector(ctx context.Context, c storage.Connector) error {
	what := "create connector " + c.ID
	c, err := c.Normalized()
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.atomic(ctx, what, func(q querier) error {
		return wrap(writeConnector(ctx, q, c, true), "%s", what)
	})
}

// GetConnector implements storage.Upstreams.
func (s *Store) GetConnector(ctx context.Context, id string) (storage.Connector, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := scanConnector(s.q(ctx).QueryRow(ctx, selectConnectors+` WHERE c.id = $1`, id))
	if err != nil {
		return storage.Connector{}, wrap(err, "get connector %s", id)
	}
	return c, nil
}

// GetConnectorByDomain implements storage.Upstreams.
func (s *Store) GetConnectorByDomain(ctx context.Context, domain string) (storage.Connector, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := scanConnector(s.q(ctx).QueryRow(ctx, selectConnectors+`
		WHERE c.id = (SELECT connector_id FROM upstream_domains WHERE domain = $1)`, strings.ToLower(domain)))
	if err != nil {
		return storage.Connector{}, wrap(err, "get connector of domain %s", domain)
	}
	return c, nil
}

// ListConnectors implements storage.Upstreams.
func (s *Store) ListConnectors(ctx context.Context) ([]storage.Connector, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectConnectors+` ORDER BY c.id`)
	return collect(rows, err, scanConnector, "list connectors")
}

// UpdateConnector implements storage.Upstreams: SELECT … FOR UPDATE,
// update, write, in one transaction (or a savepoint of the caller's).
func (s *Store) UpdateConnector(ctx context.Context, id string, update func(storage.Connector) (storage.Connector, error)) (storage.Connector, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := "update connector " + id
	var next storage.Connector
	err := s.atomic(ctx, what, func(q querier) error {
		old, err := scanConnector(q.QueryRow(ctx, selectConnectors+` WHERE c.id = $1 FOR UPDATE OF c`, id))
		if err != nil {
			return wrap(err, "%s", what)
		}
		next, err = update(old.Clone())
		if err != nil {
			return err
		}
		if next.ID != old.ID {
			return fmt.Errorf("postgres: %s: the ID cannot change", what)
		}
		if next, err = next.Normalized(); err != nil {
			return fmt.Errorf("postgres: %s: %w", what, err)
		}
		return wrap(writeConnector(ctx, q, next, false), "%s", what)
	})
	if err != nil {
		return storage.Connector{}, err
	}
	return next.Clone(), nil
}

// DeleteConnector implements storage.Upstreams: its domains go by the
// foreign key, its links (which have none) in the same transaction.
func (s *Store) DeleteConnector(ctx context.Context, id string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := "delete connector " + id
	return s.atomic(ctx, what, func(q querier) error {
		tag, err := q.Exec(ctx, `DELETE FROM upstream_connectors WHERE id = $1`, id)
		if err != nil {
			return wrap(err, "%s", what)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: %s: %w", what, storage.ErrNotFound)
		}
		_, err = q.Exec(ctx, `DELETE FROM upstream_identities WHERE connector_id = $1`, id)
		return wrap(err, "%s: its identities", what)
	})
}

const selectIdentities = `SELECT connector_id, subject, user_id, email, created_at, last_used_at FROM upstream_identities`

func scanIdentity(row pgx.Row) (storage.LinkedIdentity, error) {
	var l storage.LinkedIdentity
	err := row.Scan(&l.ConnectorID, &l.Subject, &l.UserID, &l.Email, into(&l.CreatedAt), into(&l.LastUsedAt))
	return l, err
}

// LinkIdentity implements storage.Upstreams: the primary key refuses an
// identity linked already, the unique (user, connector) a second
// identity of the connector for the account, the foreign key an unknown
// account.
func (s *Store) LinkIdentity(ctx context.Context, l storage.LinkedIdentity) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("link identity %s of connector %s to user %s", l.Subject, l.ConnectorID, l.UserID)
	return s.guarded(ctx, what, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO upstream_identities (connector_id, subject, user_id, email, created_at, last_used_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			l.ConnectorID, l.Subject, l.UserID, l.Email, ts(l.CreatedAt), ts(l.LastUsedAt))
		return wrap(err, "%s", what)
	})
}

// GetLinkedIdentity implements storage.Upstreams.
func (s *Store) GetLinkedIdentity(ctx context.Context, connectorID, subject string) (storage.LinkedIdentity, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	l, err := scanIdentity(s.q(ctx).QueryRow(ctx, selectIdentities+` WHERE connector_id = $1 AND subject = $2`, connectorID, subject))
	if err != nil {
		return storage.LinkedIdentity{}, wrap(err, "get linked identity %s of connector %s", subject, connectorID)
	}
	return l, nil
}

// ListUserIdentities implements storage.Upstreams.
func (s *Store) ListUserIdentities(ctx context.Context, userID string) ([]storage.LinkedIdentity, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectIdentities+` WHERE user_id = $1 ORDER BY connector_id`, userID)
	return collect(rows, err, scanIdentity, "list identities of user "+userID)
}

// UnlinkIdentity implements storage.Upstreams.
func (s *Store) UnlinkIdentity(ctx context.Context, userID, connectorID, subject string) error {
	return s.deleteOne(ctx, fmt.Sprintf("unlink identity %s of connector %s from user %s", subject, connectorID, userID),
		`DELETE FROM upstream_identities WHERE user_id = $1 AND connector_id = $2 AND subject = $3`, userID, connectorID, subject)
}

// TouchIdentity implements storage.Upstreams.
func (s *Store) TouchIdentity(ctx context.Context, connectorID, subject string, at time.Time) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("touch identity %s of connector %s", subject, connectorID)
	tag, err := s.q(ctx).Exec(ctx, `UPDATE upstream_identities SET last_used_at = $3 WHERE connector_id = $1 AND subject = $2`,
		connectorID, subject, ts(at))
	if err != nil {
		return wrap(err, "%s", what)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s: %w", what, storage.ErrNotFound)
	}
	return nil
}
