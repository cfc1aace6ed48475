package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectInstallations = `SELECT id, workspace_id, client_id, scopes, requested, declined, status, requested_by, decided_by, reason, created_at, updated_at FROM installations`

func scanInstallation(row pgx.Row) (storage.Installation, error) {
	var in storage.Installation
	err := row.Scan(&in.ID, &in.WorkspaceID, &in.ClientID, &in.Scopes, &in.Requested, &in.Declined, &in.Status,
		&in.RequestedBy, &in.DecidedBy, &in.Reason, into(&in.CreatedAt), into(&in.UpdatedAt))
	in.Scopes, in.Requested, in.Declined = listOf(in.Scopes), listOf(in.Requested), listOf(in.Declined)
	return in, err
}

// CreateInstallation implements storage.Installations: the primary key
// and the unique (workspace, client) refuse a second one, the foreign
// keys an unknown workspace or client.
func (s *Store) CreateInstallation(ctx context.Context, in storage.Installation) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := "create installation " + in.ID
	return s.guarded(ctx, what, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO installations (id, workspace_id, client_id, scopes, requested, declined, status, requested_by, decided_by, reason, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			in.ID, in.WorkspaceID, in.ClientID, list(in.Scopes), list(in.Requested), list(in.Declined), in.Status,
			in.RequestedBy, in.DecidedBy, in.Reason, ts(in.CreatedAt), ts(in.UpdatedAt))
		return wrap(err, "%s", what)
	})
}

// GetInstallation implements storage.Installations.
func (s *Store) GetInstallation(ctx context.Context, id string) (storage.Installation, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	in, err := scanInstallation(s.q(ctx).QueryRow(ctx, selectInstallations+` WHERE id = $1`, id))
	if err != nil {
		return storage.Installation{}, wrap(err, "get installation %s", id)
	}
	return in, nil
}

// GetWorkspaceInstallation implements storage.Installations.
func (s *Store) GetWorkspaceInstallation(ctx context.Context, workspaceID, clientID string) (storage.Installation, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	in, err := scanInstallation(s.q(ctx).QueryRow(ctx, selectInstallations+` WHERE workspace_id = $1 AND client_id = $2`, workspaceID, clientID))
	if err != nil {
		return storage.Installation{}, wrap(err, "get installation of client %s in workspace %s", clientID, workspaceID)
	}
	return in, nil
}

// UpdateInstallation implements storage.Installations: SELECT … FOR
// UPDATE, update, write, in one transaction (or a savepoint of the
// caller's).
func (s *Store) UpdateInstallation(ctx context.Context, id string, update func(storage.Installation) (storage.Installation, error)) (storage.Installation, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := "update installation " + id
	var next storage.Installation
	err := s.atomic(ctx, what, func(q querier) error {
		old, err := scanInstallation(q.QueryRow(ctx, selectInstallations+` WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return wrap(err, "%s", what)
		}
		next, err = update(old.Clone())
		if err != nil {
			return err
		}
		if next.ID != old.ID || next.WorkspaceID != old.WorkspaceID || next.ClientID != old.ClientID {
			return fmt.Errorf("postgres: %s: the ID, workspace and client cannot change", what)
		}
		_, err = q.Exec(ctx, `
			UPDATE installations SET scopes = $2, requested = $3, declined = $4, status = $5, requested_by = $6, decided_by = $7,
				reason = $8, created_at = $9, updated_at = $10
			WHERE id = $1`,
			id, list(next.Scopes), list(next.Requested), list(next.Declined), next.Status, next.RequestedBy, next.DecidedBy,
			next.Reason, ts(next.CreatedAt), ts(next.UpdatedAt))
		return wrap(err, "%s", what)
	})
	if err != nil {
		return storage.Installation{}, err
	}
	return next.Clone(), nil
}

// DeleteInstallation implements storage.Installations.
func (s *Store) DeleteInstallation(ctx context.Context, id string) error {
	return s.deleteOne(ctx, "delete installation "+id, `DELETE FROM installations WHERE id = $1`, id)
}

// ListInstallations implements storage.Installations.
func (s *Store) ListInstallations(ctx context.Context, workspaceID, status string) ([]storage.Installation, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectInstallations+`
		WHERE workspace_id = $1 AND ($2 = '' OR status = $2) ORDER BY created_at NULLS FIRST, id`, workspaceID, status)
	return collect(rows, err, scanInstallation, "list installations of workspace "+workspaceID)
}

// ListClientInstallations implements storage.Installations.
func (s *Store) ListClientInstallations(ctx context.Context, clientID string) ([]storage.Installation, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectInstallations+` WHERE client_id = $1 ORDER BY created_at NULLS FIRST, id`, clientID)
	return collect(rows, err, scanInstallation, "list installations of client "+clientID)
}

const selectApprovedApps = `SELECT workspace_id, client_id, approved_by, approved_at FROM workspace_approved_apps`

func scanApprovedApp(row pgx.Row) (storage.ApprovedApp, error) {
	var a storage.ApprovedApp
	err := row.Scan(&a.WorkspaceID, &a.ClientID, &a.ApprovedBy, into(&a.ApprovedAt))
	return a, err
}

// ApproveApp implements storage.Installations.
func (s *Store) ApproveApp(ctx context.Context, a storage.ApprovedApp) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := "approve app " + a.ClientID + " for workspace " + a.WorkspaceID
	return s.guarded(ctx, what, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO workspace_approved_apps (workspace_id, client_id, approved_by, approved_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (workspace_id, client_id) DO UPDATE SET approved_by = EXCLUDED.approved_by, approved_at = EXCLUDED.approved_at`,
			a.WorkspaceID, a.ClientID, a.ApprovedBy, ts(a.ApprovedAt))
		return wrap(err, "%s", what)
	})
}

// GetApprovedApp implements storage.Installations.
func (s *Store) GetApprovedApp(ctx context.Context, workspaceID, clientID string) (storage.ApprovedApp, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	a, err := scanApprovedApp(s.q(ctx).QueryRow(ctx, selectApprovedApps+` WHERE workspace_id = $1 AND client_id = $2`, workspaceID, clientID))
	if err != nil {
		return storage.ApprovedApp{}, wrap(err, "get approved app %s of workspace %s", clientID, workspaceID)
	}
	return a, nil
}

// ListApprovedApps implements storage.Installations.
func (s *Store) ListApprovedApps(ctx context.Context, workspaceID string) ([]storage.ApprovedApp, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectApprovedApps+` WHERE workspace_id = $1 ORDER BY client_id`, workspaceID)
	return collect(rows, err, scanApprovedApp, "list approved apps of workspace "+workspaceID)
}

// UnapproveApp implements storage.Installations.
func (s *Store) UnapproveApp(ctx context.Context, workspaceID, clientID string) error {
	return s.deleteOne(ctx, "unapprove app "+clientID+" of workspace "+workspaceID,
		`DELETE FROM workspace_approved_apps WHERE workspace_id = $1 AND client_id = $2`, workspaceID, clientID)
}
