package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectUsers = `
SELECT id, email, email_verified, name, password_hash, status, role,
       totp_secret, totp_enabled, totp_last_step, recovery_codes, created_at, updated_at
FROM users`

func scanUser(row pgx.Row) (storage.User, error) {
	var u storage.User
	err := row.Scan(&u.ID, &u.Email, &u.EmailVerified, &u.Name, &u.PasswordHash, &u.Status, &u.Role,
		&u.TOTPSecret, &u.TOTPEnabled, &u.TOTPLastStep, &u.RecoveryCodes, into(&u.CreatedAt), into(&u.UpdatedAt))
	if len(u.RecoveryCodes) == 0 {
		u.RecoveryCodes = nil
	}
	return u, err
}

// CreateUser implements storage.Users. The unique index on lower(email)
// refuses an email taken in any letter case.
func (s *Store) CreateUser(ctx context.Context, u storage.User) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, "create user "+u.ID, func(q querier) error {
		// One statement, so the account and its membership of the default
		// workspace are written together.
		_, err := q.Exec(ctx, `
			WITH created AS (
				INSERT INTO users (id, email, email_verified, name, password_hash, status, role,
				                   totp_secret, totp_enabled, totp_last_step, recovery_codes, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $13, $7, $8, $9, $10, $11, $12)
				RETURNING id, created_at
			)
			INSERT INTO workspace_members (workspace_id, user_id, role, joined_at)
			SELECT $14, id, $15, created_at FROM created
			WHERE EXISTS (SELECT 1 FROM workspaces WHERE id = $14)`,
			u.ID, u.Email, u.EmailVerified, u.Name, u.PasswordHash, u.Status,
			u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, codes(u.RecoveryCodes), ts(u.CreatedAt), ts(u.UpdatedAt), roleOf(u.Role),
			storage.DefaultWorkspaceID, storage.DefaultRole(roleOf(u.Role)))
		return wrap(err, "create user %s", u.ID)
	})
}

// GetUser implements storage.Users.
func (s *Store) GetUser(ctx context.Context, id string) (storage.User, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	u, err := scanUser(s.q(ctx).QueryRow(ctx, selectUsers+` WHERE id = $1`, id))
	if err != nil {
		return storage.User{}, wrap(err, "get user %s", id)
	}
	return u, nil
}

// GetUserByEmail implements storage.Users. The condition matches the
// expression of the unique index, which it uses.
func (s *Store) GetUserByEmail(ctx context.Context, email string) (storage.User, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	u, err := scanUser(s.q(ctx).QueryRow(ctx, selectUsers+` WHERE lower(email) COLLATE "C" = lower($1)`, email))
	if err != nil {
		// The email is personal data: the error names the lookup only.
		return storage.User{}, wrap(err, "get user by email")
	}
	return u, nil
}

// ListUsers implements storage.Users: keyset pagination over the unique
// index on lower(email), in byte order as Go compares strings.
func (s *Store) ListUsers(ctx context.Context, p storage.Page) ([]storage.User, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectUsers+`
		WHERE lower(email) COLLATE "C" > $1
		ORDER BY lower(email) COLLATE "C"
		LIMIT $2`, p.After, p.EffectiveLimit())
	if err != nil {
		return nil, wrap(err, "list users")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.User, error) {
		return scanUser(row)
	})
	if err != nil {
		return nil, wrap(err, "list users")
	}
	return out, nil
}

// UpdateUser implements storage.Users: SELECT … FOR UPDATE, update, write,
// in one transaction (or a savepoint of the caller's).
func (s *Store) UpdateUser(ctx context.Context, id string, update func(storage.User) (storage.User, error)) (storage.User, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var next storage.User
	err := s.atomic(ctx, "update user "+id, func(q querier) error {
		old, err := scanUser(q.QueryRow(ctx, selectUsers+` WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return wrap(err, "update user %s", id)
		}
		next, err = update(old)
		if err != nil {
			return err
		}
		if next.ID != id {
			return fmt.Errorf("postgres: update user %s: the ID cannot change (got %q)", id, next.ID)
		}
		_, err = q.Exec(ctx, `
			UPDATE users
			SET email = $2, email_verified = $3, name = $4, password_hash = $5, status = $6,
			    totp_secret = $7, totp_enabled = $8, totp_last_step = $9, recovery_codes = $10,
			    created_at = $11, updated_at = $12, role = $13
			WHERE id = $1`,
			id, next.Email, next.EmailVerified, next.Name, next.PasswordHash, next.Status,
			next.TOTPSecret, next.TOTPEnabled, next.TOTPLastStep, codes(next.RecoveryCodes),
			ts(next.CreatedAt), ts(next.UpdatedAt), roleOf(next.Role))
		return wrap(err, "update user %s", id)
	})
	if err != nil {
		return storage.User{}, err
	}
	return next, nil
}

// roleOf stores an empty role as member, the default.
func roleOf(role string) string {
	if role == "" {
		return "member"
	}
	return role
}
