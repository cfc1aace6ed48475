package postgres

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectWorkspaces = `SELECT id, handle, name, policy, created_at, updated_at FROM workspaces`

// policyColumn is a storage.WorkspacePolicy as the policy column holds it:
// only the fields that differ from the provider's defaults, the session
// lifetime in Go's duration syntax ("8h30m"), so that '{}' is the
// provider's policy and a row reads well in psql.
type policyColumn struct {
	RequireMFA      bool     `json:"require_mfa,omitempty"`
	SignInMethods   []string `json:"sign_in_methods,omitempty"`
	SessionLifetime string   `json:"session_lifetime,omitempty"`
	Installs        string   `json:"installs,omitempty"`
}

// policyOf returns p as the policy column holds it. encoding/json would
// store text that is not UTF-8 altered (each bad byte as U+FFFD) where
// every text column refuses it: it is refused here,
// storage.ErrInvalidInput. A NUL Postgres refuses in jsonb itself.
func policyOf(p storage.WorkspacePolicy) (policyColumn, error) {
	c := policyColumn{RequireMFA: p.RequireMFA, SignInMethods: p.SignInMethods, Installs: p.Installs}
	if p.SessionLifetime != 0 {
		c.SessionLifetime = p.SessionLifetime.String()
	}
	for _, text := range append([]string{p.Installs}, p.SignInMethods...) {
		if !utf8.ValidString(text) {
			return policyColumn{}, fmt.Errorf("policy text is not UTF-8: %w", storage.ErrInvalidInput)
		}
	}
	return c, nil
}

// policy returns the storage.WorkspacePolicy the column c holds.
func (c policyColumn) policy() (storage.WorkspacePolicy, error) {
	p := storage.WorkspacePolicy{RequireMFA: c.RequireMFA, SignInMethods: listOf(c.SignInMethods), Installs: c.Installs}
	if c.SessionLifetime != "" {
		d, err := time.ParseDuration(c.SessionLifetime)
		if err != nil {
			return storage.WorkspacePolicy{}, fmt.Errorf("session lifetime: %w", err)
		}
		p.SessionLifetime = d
	}
	return p, nil
}

func scanWorkspace(row pgx.Row) (storage.Workspace, error) {
	var w storage.Workspace
	var c policyColumn
	if err := row.Scan(&w.ID, &w.Handle, &w.Name, &c, into(&w.CreatedAt), into(&w.UpdatedAt)); err != nil {
		return storage.Workspace{}, err
	}
	p, err := c.policy()
	if err != nil {
		return storage.Workspace{}, fmt.Errorf("workspace %s: policy: %w", w.ID, err)
	}
	w.Policy = p
	return w, nil
}

// CreateWorkspace implements storage.Workspaces. The primary key and the
// unique handle refuse a taken ID or handle.
func (s *Store) CreateWorkspace(ctx context.Context, w storage.Workspace) error {
	what := "create workspace " + w.ID
	policy, err := policyOf(w.Policy)
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, what, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO workspaces (id, handle, name, policy, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			w.ID, storage.NormalHandle(w.Handle), w.Name, policy, ts(w.CreatedAt), ts(w.UpdatedAt))
		return wrap(err, "%s", what)
	})
}

// GetWorkspace implements storage.Workspaces.
func (s *Store) GetWorkspace(ctx context.Context, id string) (storage.Workspace, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	w, err := scanWorkspace(s.q(ctx).QueryRow(ctx, selectWorkspaces+` WHERE id = $1`, id))
	if err != nil {
		return storage.Workspace{}, wrap(err, "get workspace %s", id)
	}
	return w, nil
}

// GetWorkspaceByHandle implements storage.Workspaces.
func (s *Store) GetWorkspaceByHandle(ctx context.Context, handle string) (storage.Workspace, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	w, err := scanWorkspace(s.q(ctx).QueryRow(ctx, selectWorkspaces+` WHERE handle = $1`, storage.NormalHandle(handle)))
	if err != nil {
		return storage.Workspace{}, wrap(err, "get workspace by handle %s", handle)
	}
	return w, nil
}

// ListWorkspaces implements storage.Workspaces: keyset pagination over the
// unique index on handle.
func (s *Store) ListWorkspaces(ctx context.Context, p storage.Page) ([]storage.Workspace, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectWorkspaces+` WHERE handle > $1 ORDER BY handle LIMIT $2`, p.After, p.EffectiveLimit())
	return collect(rows, err, scanWorkspace, "list workspaces")
}

// UpdateWorkspace implements storage.Workspaces: SELECT … FOR UPDATE,
// update, write, in one transaction (or a savepoint of the caller's).
func (s *Store) UpdateWorkspace(ctx context.Context, id string, update func(storage.Workspace) (storage.Workspace, error)) (storage.Workspace, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := "update workspace " + id
	var next storage.Workspace
	err := s.atomic(ctx, what, func(q querier) error {
		old, err := scanWorkspace(q.QueryRow(ctx, selectWorkspaces+` WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return wrap(err, "%s", what)
		}
		next, err = update(old.Clone())
		if err != nil {
			return err
		}
		if next.ID != id {
			return fmt.Errorf("postgres: %s: the ID cannot change (got %q)", what, next.ID)
		}
		next.Handle = storage.NormalHandle(next.Handle)
		policy, err := policyOf(next.Policy)
		if err != nil {
			return fmt.Errorf("postgres: %s: %w", what, err)
		}
		_, err = q.Exec(ctx, `
			UPDATE workspaces SET handle = $2, name = $3, policy = $4, created_at = $5, updated_at = $6
			WHERE id = $1`,
			id, next.Handle, next.Name, policy, ts(next.CreatedAt), ts(next.UpdatedAt))
		return wrap(err, "%s", what)
	})
	if err != nil {
		return storage.Workspace{}, err
	}
	return next.Clone(), nil
}

// DeleteWorkspace implements storage.Workspaces; the foreign keys take
// its members and invitations with it.
func (s *Store) DeleteWorkspace(ctx context.Context, id string) error {
	if id == storage.DefaultWorkspaceID {
		return fmt.Errorf("postgres: delete workspace %s: the default workspace stays: %w", id, storage.ErrConflict)
	}
	return s.deleteOne(ctx, "delete workspace "+id, `DELETE FROM workspaces WHERE id = $1`, id)
}

const selectMembers = `SELECT m.workspace_id, m.user_id, m.role, m.joined_at, m.external_id, m.suspended FROM workspace_members m`

func scanMember(row pgx.Row) (storage.Member, error) {
	var m storage.Member
	err := row.Scan(&m.WorkspaceID, &m.UserID, &m.Role, into(&m.JoinedAt), &m.ExternalID, &m.Suspended)
	return m, err
}

// insertMember is AddMember's statement, which AcceptInvitation shares.
// The foreign keys refuse an unknown workspace or user (ErrNotFound), the
// primary key a second membership (ErrAlreadyExists).
func insertMember(ctx context.Context, q querier, m storage.Member) error {
	_, err := q.Exec(ctx, `
		INSERT INTO workspace_members (workspace_id, user_id, role, joined_at, external_id, suspended)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		m.WorkspaceID, m.UserID, memberRoleOf(m.Role), ts(m.JoinedAt), m.ExternalID, m.Suspended)
	return wrap(err, "add user %s to workspace %s", m.UserID, m.WorkspaceID)
}

// AddMember implements storage.Workspaces.
func (s *Store) AddMember(ctx context.Context, m storage.Member) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, "add member", func(q querier) error { return insertMember(ctx, q, m) })
}

// GetMember implements storage.Workspaces.
func (s *Store) GetMember(ctx context.Context, workspaceID, userID string) (storage.Member, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	m, err := scanMember(s.q(ctx).QueryRow(ctx, selectMembers+` WHERE workspace_id = $1 AND user_id = $2`, workspaceID, userID))
	if err != nil {
		return storage.Member{}, wrap(err, "get member %s of workspace %s", userID, workspaceID)
	}
	return m, nil
}

// UpdateMember implements storage.Workspaces: the row is locked while
// update runs.
func (s *Store) UpdateMember(ctx context.Context, workspaceID, userID string, update func(storage.Member) (storage.Member, error)) (storage.Member, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("update member %s of workspace %s", userID, workspaceID)
	var next storage.Member
	err := s.atomic(ctx, what, func(q querier) error {
		old, err := scanMember(q.QueryRow(ctx, selectMembers+` WHERE workspace_id = $1 AND user_id = $2 FOR UPDATE`, workspaceID, userID))
		if err != nil {
			return wrap(err, "%s", what)
		}
		next, err = update(old)
		if err != nil {
			return err
		}
		if next.WorkspaceID != workspaceID || next.UserID != userID {
			return fmt.Errorf("postgres: %s: the workspace and the user cannot change", what)
		}
		next.Role = memberRoleOf(next.Role)
		_, err = q.Exec(ctx, `
			UPDATE workspace_members SET role = $3, joined_at = $4, external_id = $5, suspended = $6
			WHERE workspace_id = $1 AND user_id = $2`,
			workspaceID, userID, next.Role, ts(next.JoinedAt), next.ExternalID, next.Suspended)
		return wrap(err, "%s", what)
	})
	if err != nil {
		return storage.Member{}, err
	}
	return next, nil
}

// RemoveMember implements storage.Workspaces.
func (s *Store) RemoveMember(ctx context.Context, workspaceID, userID string) error {
	return s.deleteOne(ctx, fmt.Sprintf("remove member %s of workspace %s", userID, workspaceID),
		`DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2`, workspaceID, userID)
}

// collect reads the records of a listing query, what it ran and err what
// Query returned.
func collect[T any](rows pgx.Rows, err error, scan func(pgx.Row) (T, error), what string) ([]T, error) {
	if err != nil {
		return nil, wrap(err, "%s", what)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) { return scan(row) })
	if err != nil {
		return nil, wrap(err, "%s", what)
	}
	return list, nil
}

// ListMembers implements storage.Workspaces: keyset pagination over the
// primary key.
func (s *Store) ListMembers(ctx context.Context, workspaceID string, p storage.Page) ([]storage.Member, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectMembers+` WHERE workspace_id = $1 AND user_id > $2 ORDER BY user_id LIMIT $3`,
		workspaceID, p.After, p.EffectiveLimit())
	return collect(rows, err, scanMember, "list members of workspace "+workspaceID)
}

// ListUserWorkspaces implements storage.Workspaces.
func (s *Store) ListUserWorkspaces(ctx context.Context, userID string) ([]storage.Member, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectMembers+`
		JOIN workspaces w ON w.id = m.workspace_id
		WHERE m.user_id = $1 ORDER BY w.handle`, userID)
	return collect(rows, err, scanMember, "list workspaces of user "+userID)
}

// CountMembers implements storage.Workspaces.
func (s *Store) CountMembers(ctx context.Context, workspaceID, role string) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var n int
	err := s.q(ctx).QueryRow(ctx, `
		SELECT count(*) FROM workspace_members WHERE workspace_id = $1 AND NOT suspended AND ($2 = '' OR role = $2)`,
		workspaceID, role).Scan(&n)
	if err != nil {
		return 0, wrap(err, "count members of workspace %s", workspaceID)
	}
	return n, nil
}

const selectInvitations = `
	SELECT id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at, accepted_at, accepted_by
	FROM workspace_invitations`

func scanInvitation(row pgx.Row) (storage.Invitation, error) {
	var inv storage.Invitation
	err := row.Scan(&inv.ID, &inv.WorkspaceID, &inv.Email, &inv.Role, &inv.TokenHash, &inv.InvitedBy,
		into(&inv.CreatedAt), into(&inv.ExpiresAt), into(&inv.AcceptedAt), &inv.AcceptedBy)
	return inv, err
}

// CreateInvitation implements storage.Workspaces. The foreign key refuses
// an unknown workspace, the primary key and the unique token hash a taken
// ID or token.
func (s *Store) CreateInvitation(ctx context.Context, inv storage.Invitation) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	what := fmt.Sprintf("create invitation %s to workspace %s", inv.ID, inv.WorkspaceID)
	return s.guarded(ctx, what, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO workspace_invitations (id, workspace_id, email, role, token_hash, invited_by,
			                                   created_at, expires_at, accepted_at, accepted_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			inv.ID, inv.WorkspaceID, inv.Email, memberRoleOf(inv.Role), inv.TokenHash, inv.InvitedBy,
			ts(inv.CreatedAt), inv.ExpiresAt, ts(inv.AcceptedAt), inv.AcceptedBy)
		return wrap(err, "%s", what)
	})
}

// GetInvitation implements storage.Workspaces.
func (s *Store) GetInvitation(ctx context.Context, tokenHash string, now time.Time) (storage.Invitation, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	inv, err := scanInvitation(s.q(ctx).QueryRow(ctx, selectInvitations+`
		WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $2`, tokenHash, now))
	if err != nil {
		// The hash is a credential: the error names the lookup only.
		return storage.Invitation{}, wrap(err, "get invitation by token")
	}
	return inv, nil
}

// AcceptInvitation implements storage.Workspaces: a conditional UPDATE
// marks the invitation accepted, so of two concurrent calls the second
// waits for the first and then finds it accepted (ErrNotFound); the
// membership is inserted in the same transaction, and when it is refused
// the invitation's update is undone with it.
func (s *Store) AcceptInvitation(ctx context.Context, tokenHash, userID string, now time.Time) (storage.Member, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	m := storage.Member{UserID: userID, JoinedAt: now}
	err := s.atomic(ctx, "accept invitation", func(q querier) error {
		var id string
		err := q.QueryRow(ctx, `
			UPDATE workspace_invitations SET accepted_at = $3, accepted_by = $2
			WHERE token_hash = $1 AND accepted_at IS NULL AND expires_at > $3
			RETURNING id, workspace_id, role`, tokenHash, userID, now).Scan(&id, &m.WorkspaceID, &m.Role)
		if err != nil {
			// The hash is a credential: the error names the lookup only.
			return wrap(err, "accept invitation by token")
		}
		if err := insertMember(ctx, q, m); err != nil {
			return fmt.Errorf("accept invitation %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return storage.Member{}, err
	}
	return m, nil
}

// ListInvitations implements storage.Workspaces.
func (s *Store) ListInvitations(ctx context.Context, workspaceID string) ([]storage.Invitation, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectInvitations+`
		WHERE workspace_id = $1 AND accepted_at IS NULL ORDER BY created_at DESC, id`, workspaceID)
	return collect(rows, err, scanInvitation, "list invitations of workspace "+workspaceID)
}

// DeleteInvitation implements storage.Workspaces.
func (s *Store) DeleteInvitation(ctx context.Context, workspaceID, id string) error {
	return s.deleteOne(ctx, fmt.Sprintf("delete invitation %s of workspace %s", id, workspaceID),
		`DELETE FROM workspace_invitations WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
}

// deleteOne runs sql, a DELETE of at most one row: storage.ErrNotFound
// when there was none.
func (s *Store) deleteOne(ctx context.Context, what, sql string, args ...any) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, sql, args...)
	if err != nil {
		return wrap(err, "%s", what)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s: %w", what, storage.ErrNotFound)
	}
	return nil
}

// memberRoleOf stores an empty workspace role as member, the default.
func memberRoleOf(role string) string {
	if role == "" {
		return storage.WorkspaceMember
	}
	return role
}
