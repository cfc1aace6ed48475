package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

// ListScopeConsents implements storage.ScopeGrants: a keyset page in
// primary-key order, the scope matched by the GIN index of migration
// 00011.
func (s *Store) ListScopeConsents(ctx context.Context, scope string, now time.Time, after storage.ConsentCursor, limit int) ([]storage.Consent, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectConsents+`
		WHERE scopes @> ARRAY[$1]::text[]
		  AND (expires_at IS NULL OR expires_at > $2)
		  AND (user_id, client_id) > ($3, $4)
		ORDER BY user_id, client_id
		LIMIT $5`, scope, now, after.UserID, after.ClientID, storage.Page{Limit: limit}.EffectiveLimit())
	if err != nil {
		return nil, wrap(err, "list consents with scope %s", scope)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.Consent, error) {
		return scanConsent(row)
	})
	if err != nil {
		return nil, wrap(err, "list consents with scope %s", scope)
	}
	return out, nil
}
