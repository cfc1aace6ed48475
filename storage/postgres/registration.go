package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const registrationTokenColumns = `id, name, prefix, hash, created_by, created_at, expires_at, max_uses, uses, last_used_at, revoked_at`

func scanRegistrationToken(row pgx.Row) (storage.RegistrationToken, error) {
	var t storage.RegistrationToken
	err := row.Scan(&t.ID, &t.Name, &t.Prefix, &t.Hash, &t.CreatedBy, into(&t.CreatedAt), into(&t.ExpiresAt),
		&t.MaxUses, &t.Uses, into(&t.LastUsedAt), into(&t.RevokedAt))
	return t, err
}

// CreateRegistrationToken implements storage.RegistrationTokens.
func (s *Store) CreateRegistrationToken(ctx context.Context, t storage.RegistrationToken) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.q(ctx).Exec(ctx, `INSERT INTO registration_tokens (`+registrationTokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		t.ID, t.Name, t.Prefix, t.Hash, t.CreatedBy, ts(t.CreatedAt), ts(t.ExpiresAt),
		t.MaxUses, t.Uses, ts(t.LastUsedAt), ts(t.RevokedAt))
	return wrap(err, "create registration token %s", t.ID)
}

// GetRegistrationToken implements storage.RegistrationTokens.
func (s *Store) GetRegistrationToken(ctx context.Context, id string) (storage.RegistrationToken, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	t, err := scanRegistrationToken(s.q(ctx).QueryRow(ctx, `SELECT `+registrationTokenColumns+` FROM registration_tokens WHERE id = $1`, id))
	if err != nil {
		return storage.RegistrationToken{}, wrap(err, "get registration token %s", id)
	}
	return t, nil
}

// ListRegistrationTokens implements storage.RegistrationTokens.
func (s *Store) ListRegistrationTokens(ctx context.Context) ([]storage.RegistrationToken, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, `SELECT `+registrationTokenColumns+` FROM registration_tokens ORDER BY created_at DESC NULLS LAST, id`)
	return collect(rows, err, scanRegistrationToken, "list registration tokens")
}

// UseRegistrationToken implements storage.RegistrationTokens: one
// conditional UPDATE counts the use only while the token is usable, so
// concurrent uses queue on the row and none goes past max_uses.
func (s *Store) UseRegistrationToken(ctx context.Context, id string, now time.Time) (storage.RegistrationToken, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	t, err := scanRegistrationToken(s.q(ctx).QueryRow(ctx, `
		UPDATE registration_tokens SET uses = uses + 1, last_used_at = $2
		WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2) AND uses < max_uses
		RETURNING `+registrationTokenColumns, id, now))
	if err == nil {
		return t, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return storage.RegistrationToken{}, wrap(err, "use registration token %s", id)
	}
	if _, err := s.GetRegistrationToken(ctx, id); err != nil {
		return storage.RegistrationToken{}, fmt.Errorf("postgres: use registration token: %w", err)
	}
	return storage.RegistrationToken{}, fmt.Errorf("postgres: use registration token %s: revoked, expired or used up: %w", id, storage.ErrConflict)
}

// RevokeRegistrationToken implements storage.RegistrationTokens.
func (s *Store) RevokeRegistrationToken(ctx context.Context, id string, at time.Time) error {
	return s.updateOne(ctx, "revoke registration token "+id,
		`UPDATE registration_tokens SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1`, id, at)
}
