package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectSCIMTokens = `
	SELECT id, workspace_id, name, prefix, hash, created_by, created_at, expires_at, last_used_at, revoked_at
	FROM scim_tokens`

func scanSCIMToken(row pgx.Row) (storage.SCIMToken, error) {
	var t storage.SCIMToken
	err := row.Scan(&t.ID, &t.WorkspaceID, &t.Name, &t.Prefix, &t.Hash, &t.CreatedBy,
		into(&t.CreatedAt), into(&t.ExpiresAt), into(&t.LastUsedAt), into(&t.RevokedAt))
	return t, err
}

// CreateSCIMToken implements storage.SCIM. The foreign key refuses an
// unknown workspace, the primary key a taken ID.
func (s *Store) CreateSCIMToken(ctx context.Context, t storage.SCIMToken) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("create scim token %s in workspace %s", t.ID, t.WorkspaceID)
	return s.guarded(ctx, what, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO scim_tokens (id, workspace_id, name, prefix, hash, created_by, created_at, expires_at, last_used_at, revoked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			t.ID, t.WorkspaceID, t.Name, t.Prefix, t.Hash, t.CreatedBy,
			ts(t.CreatedAt), ts(t.ExpiresAt), ts(t.LastUsedAt), ts(t.RevokedAt))
		return wrap(err, "%s", what)
	})
}

// GetSCIMToken implements storage.SCIM.
func (s *Store) GetSCIMToken(ctx context.Context, id string) (storage.SCIMToken, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	t, err := scanSCIMToken(s.q(ctx).QueryRow(ctx, selectSCIMTokens+` WHERE id = $1`, id))
	if err != nil {
		return storage.SCIMToken{}, wrap(err, "get scim token %s", id)
	}
	return t, nil
}

// ListSCIMTokens implements storage.SCIM.
func (s *Store) ListSCIMTokens(ctx context.Context, workspaceID string) ([]storage.SCIMToken, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectSCIMTokens+` WHERE workspace_id = $1 ORDER BY created_at DESC, id`, workspaceID)
	return collect(rows, err, scanSCIMToken, "list scim tokens of workspace "+workspaceID)
}

// TouchSCIMToken implements storage.SCIM.
func (s *Store) TouchSCIMToken(ctx context.Context, id string, at time.Time) error {
	return s.updateOne(ctx, "touch scim token "+id, `UPDATE scim_tokens SET last_used_at = $2 WHERE id = $1`, id, at)
}

// RevokeSCIMToken implements storage.SCIM.
func (s *Store) RevokeSCIMToken(ctx context.Context, workspaceID, id string, at time.Time) error {
	return s.updateOne(ctx, fmt.Sprintf("revoke scim token %s of workspace %s", id, workspaceID), `
		UPDATE scim_tokens SET revoked_at = coalesce(revoked_at, $3) WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id, at)
}

// updateOne runs sql, an UPDATE of at most one row: storage.ErrNotFound
// when there was none.
func (s *Store) updateOne(ctx context.Context, what, sql string, args ...any) error {
	// A DELETE and an UPDATE report their rows alike.
	return s.deleteOne(ctx, what, sql, args...)
}

const selectSCIMGroups = `SELECT id, workspace_id, display_name, external_id, created_at, updated_at FROM scim_groups`

func scanSCIMGroup(row pgx.Row) (storage.SCIMGroup, error) {
	var g storage.SCIMGroup
	err := row.Scan(&g.ID, &g.WorkspaceID, &g.DisplayName, &g.ExternalID, into(&g.CreatedAt), into(&g.UpdatedAt))
	return g, err
}

// CreateSCIMGroup implements storage.SCIM. The foreign key refuses an
// unknown workspace; the primary key and the unique display name in the
// workspace a taken ID or name.
func (s *Store) CreateSCIMGroup(ctx context.Context, g storage.SCIMGroup) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("create scim group %s in workspace %s", g.ID, g.WorkspaceID)
	return s.guarded(ctx, what, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO scim_groups (id, workspace_id, display_name, external_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			g.ID, g.WorkspaceID, g.DisplayName, g.ExternalID, ts(g.CreatedAt), ts(g.UpdatedAt))
		return wrap(err, "%s", what)
	})
}

// GetSCIMGroup implements storage.SCIM.
func (s *Store) GetSCIMGroup(ctx context.Context, workspaceID, id string) (storage.SCIMGroup, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return getSCIMGroup(ctx, s.q(ctx), workspaceID, id, "")
}

// getSCIMGroup reads the workspace's group id with q, locking its row
// when lock is " FOR UPDATE" or " FOR SHARE".
func getSCIMGroup(ctx context.Context, q querier, workspaceID, id, lock string) (storage.SCIMGroup, error) {
	g, err := scanSCIMGroup(q.QueryRow(ctx, selectSCIMGroups+` WHERE workspace_id = $1 AND id = $2`+lock, workspaceID, id))
	if err != nil {
		return storage.SCIMGroup{}, wrap(err, "get scim group %s of workspace %s", id, workspaceID)
	}
	return g, nil
}

// ListSCIMGroups implements storage.SCIM: keyset pagination over the
// primary key.
func (s *Store) ListSCIMGroups(ctx context.Context, workspaceID string, p storage.Page) ([]storage.SCIMGroup, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectSCIMGroups+` WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3`,
		workspaceID, p.After, p.EffectiveLimit())
	return collect(rows, err, scanSCIMGroup, "list scim groups of workspace "+workspaceID)
}

// UpdateSCIMGroup implements storage.SCIM: the row is locked while update
// runs.
func (s *Store) UpdateSCIMGroup(ctx context.Context, workspaceID, id string, update func(storage.SCIMGroup) (storage.SCIMGroup, error)) (storage.SCIMGroup, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("update scim group %s of workspace %s", id, workspaceID)
	var next storage.SCIMGroup
	err := s.atomic(ctx, what, func(q querier) error {
		old, err := getSCIMGroup(ctx, q, workspaceID, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		next, err = update(old)
		if err != nil {
			return err
		}
		if next.ID != id || next.WorkspaceID != workspaceID {
			return fmt.Errorf("postgres: %s: the ID and the workspace cannot change", what)
		}
		_, err = q.Exec(ctx, `
			UPDATE scim_groups SET display_name = $3, external_id = $4, created_at = $5, updated_at = $6
			WHERE workspace_id = $1 AND id = $2`,
			workspaceID, id, next.DisplayName, next.ExternalID, ts(next.CreatedAt), ts(next.UpdatedAt))
		return wrap(err, "%s", what)
	})
	if err != nil {
		return storage.SCIMGroup{}, err
	}
	return next, nil
}

// DeleteSCIMGroup implements storage.SCIM; the foreign key takes its
// memberships with it.
func (s *Store) DeleteSCIMGroup(ctx context.Context, workspaceID, id string) error {
	return s.deleteOne(ctx, fmt.Sprintf("delete scim group %s of workspace %s", id, workspaceID),
		`DELETE FROM scim_groups WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
}

// AddSCIMGroupMember implements storage.SCIM: the foreign keys refuse
// another workspace's group and an account that is not a member of the
// workspace (storage.ErrNotFound).
func (s *Store) AddSCIMGroupMember(ctx context.Context, workspaceID, groupID, userID string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("add member %s to scim group %s of workspace %s", userID, groupID, workspaceID)
	return s.guarded(ctx, what, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO scim_group_members (workspace_id, group_id, user_id) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, workspaceID, groupID, userID)
		return wrap(err, "%s", what)
	})
}

// RemoveSCIMGroupMember implements storage.SCIM.
func (s *Store) RemoveSCIMGroupMember(ctx context.Context, workspaceID, groupID, userID string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("remove member %s from scim group %s of workspace %s", userID, groupID, workspaceID)
	return s.atomic(ctx, what, func(q querier) error {
		if _, err := getSCIMGroup(ctx, q, workspaceID, groupID, " FOR SHARE"); err != nil {
			return err
		}
		_, err := q.Exec(ctx, `DELETE FROM scim_group_members WHERE workspace_id = $1 AND group_id = $2 AND user_id = $3`,
			workspaceID, groupID, userID)
		return wrap(err, "%s", what)
	})
}

// ListSCIMGroupMembers implements storage.SCIM.
func (s *Store) ListSCIMGroupMembers(ctx context.Context, workspaceID, groupID string) ([]string, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("list members of scim group %s of workspace %s", groupID, workspaceID)
	var ids []string
	err := s.atomic(ctx, what, func(q querier) error {
		if _, err := getSCIMGroup(ctx, q, workspaceID, groupID, ""); err != nil {
			return err
		}
		rows, err := q.Query(ctx, `
			SELECT user_id FROM scim_group_members WHERE workspace_id = $1 AND group_id = $2 ORDER BY user_id`,
			workspaceID, groupID)
		ids, err = collect(rows, err, func(row pgx.Row) (string, error) {
			var id string
			return id, row.Scan(&id)
		}, what)
		return err
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
