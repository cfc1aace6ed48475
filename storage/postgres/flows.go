package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectFlows = `
SELECT id, client_id, query, user_id, auth_time, amr, decision, granted_scopes, created_at, expires_at,
       workspace_id
FROM flows`

func scanFlow(row pgx.Row) (storage.Flow, error) {
	var f storage.Flow
	err := row.Scan(&f.ID, &f.ClientID, &f.Query, &f.UserID, into(&f.AuthTime), &f.AMR,
		&f.Decision, &f.GrantedScopes, into(&f.CreatedAt), into(&f.ExpiresAt), &f.WorkspaceID)
	f.AMR = listOf(f.AMR)
	f.GrantedScopes = listOf(f.GrantedScopes)
	return f, err
}

// CreateFlow implements storage.Flows. A flow of a client that does not
// exist is refused by the foreign key: ErrNotFound.
func (s *Store) CreateFlow(ctx context.Context, f storage.Flow) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, "create flow "+f.ID, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO flows (id, client_id, query, user_id, auth_time, amr, decision, granted_scopes, created_at, expires_at,
			                   workspace_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			f.ID, f.ClientID, f.Query, f.UserID, ts(f.AuthTime), list(f.AMR), f.Decision, list(f.GrantedScopes), ts(f.CreatedAt), ts(f.ExpiresAt),
			f.WorkspaceID)
		return wrap(err, "create flow %s of client %s", f.ID, f.ClientID)
	})
}

// GetFlow implements storage.Flows.
func (s *Store) GetFlow(ctx context.Context, id string) (storage.Flow, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	f, err := scanFlow(s.q(ctx).QueryRow(ctx, selectFlows+` WHERE id = $1`, id))
	if err != nil {
		return storage.Flow{}, wrap(err, "get flow %s", id)
	}
	return f, nil
}

// UpdateFlow implements storage.Flows: SELECT … FOR UPDATE, update, write,
// in one transaction (or a savepoint of the caller's).
func (s *Store) UpdateFlow(ctx context.Context, id string, update func(storage.Flow) (storage.Flow, error)) (storage.Flow, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var next storage.Flow
	err := s.atomic(ctx, "update flow "+id, func(q querier) error {
		old, err := scanFlow(q.QueryRow(ctx, selectFlows+` WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return wrap(err, "update flow %s", id)
		}
		next, err = update(old)
		if err != nil {
			return err
		}
		if next.ID != id {
			return fmt.Errorf("postgres: update flow %s: the ID cannot change (got %q)", id, next.ID)
		}
		_, err = q.Exec(ctx, `
			UPDATE flows
			SET client_id = $2, query = $3, user_id = $4, auth_time = $5, amr = $6,
			    decision = $7, granted_scopes = $8, created_at = $9, expires_at = $10, workspace_id = $11
			WHERE id = $1`,
			id, next.ClientID, next.Query, next.UserID, ts(next.AuthTime), list(next.AMR),
			next.Decision, list(next.GrantedScopes), ts(next.CreatedAt), ts(next.ExpiresAt), next.WorkspaceID)
		return wrap(err, "update flow %s", id)
	})
	if err != nil {
		return storage.Flow{}, err
	}
	return next, nil
}

// DeleteFlow implements storage.Flows. Of two calls deleting one flow the
// second deletes no row: ErrNotFound.
func (s *Store) DeleteFlow(ctx context.Context, id string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `DELETE FROM flows WHERE id = $1`, id)
	if err != nil {
		return wrap(err, "delete flow %s", id)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete flow %s: %w", id, storage.ErrNotFound)
	}
	return nil
}
