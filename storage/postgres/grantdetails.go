package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

// SaveDetailGrants implements storage.DetailGrants: the user's grants to
// the client are deleted and the new ones inserted in one transaction;
// the consent they belong to is locked first, so a missing one is
// ErrNotFound.
func (s *Store) SaveDetailGrants(ctx context.Context, userID, clientID string, grants []storage.DetailGrant) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("save detail grants of user %s to client %s", userID, clientID)
	return s.atomic(ctx, what, func(q querier) error {
		var one int
		if err := q.QueryRow(ctx, `SELECT 1 FROM consents WHERE user_id = $1 AND client_id = $2 FOR UPDATE`, userID, clientID).Scan(&one); err != nil {
			return wrap(err, "%s: consent", what)
		}
		if _, err := q.Exec(ctx, `DELETE FROM detail_grants WHERE user_id = $1 AND client_id = $2`, userID, clientID); err != nil {
			return wrap(err, "%s: delete", what)
		}
		for _, g := range grants {
			if _, err := q.Exec(ctx, `
				INSERT INTO detail_grants (user_id, client_id, type, location, actions, granted_at)
				VALUES ($1, $2, $3, $4, $5, $6)`,
				userID, clientID, g.Type, g.Location, list(g.Actions), ts(g.GrantedAt)); err != nil {
				return wrap(err, "%s: insert", what)
			}
		}
		return nil
	})
}

// ListDetailGrants implements storage.DetailGrants.
func (s *Store) ListDetailGrants(ctx context.Context, userID, clientID string) ([]storage.DetailGrant, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, `
		SELECT user_id, client_id, type, location, actions, granted_at
		FROM detail_grants
		WHERE user_id = $1 AND ($2 = '' OR client_id = $2)
		ORDER BY client_id, type, location`, userID, clientID)
	if err != nil {
		return nil, wrap(err, "list detail grants of user %s", userID)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.DetailGrant, error) {
		var g storage.DetailGrant
		err := row.Scan(&g.UserID, &g.ClientID, &g.Type, &g.Location, &g.Actions, into(&g.GrantedAt))
		g.Actions = listOf(g.Actions)
		return g, err
	})
	if err != nil {
		return nil, wrap(err, "list detail grants of user %s", userID)
	}
	return out, nil
}

// DeleteDetailGrant implements storage.DetailGrants.
func (s *Store) DeleteDetailGrant(ctx context.Context, userID, clientID, typ, location string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `DELETE FROM detail_grants WHERE user_id = $1 AND client_id = $2 AND type = $3 AND location = $4`,
		userID, clientID, typ, location)
	if err != nil {
		return wrap(err, "delete detail grant of user %s to client %s at %s", userID, clientID, location)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete detail grant of user %s to client %s at %s: %w", userID, clientID, location, storage.ErrNotFound)
	}
	return nil
}
