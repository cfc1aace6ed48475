package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// SeenJTI implements storage.JTIs.
func (s *Store) SeenJTI(ctx context.Context, jti string, now time.Time) (bool, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var seen bool
	err := s.q(ctx).QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM jtis WHERE jti = $1 AND expires_at > $2)`, jti, now).Scan(&seen)
	if err != nil {
		return false, wrap(err, "look up jti %s", jti)
	}
	return seen, nil
}

// SaveJTI implements storage.JTIs in one statement: the insert replaces an
// entry that has expired at now and leaves a live one alone, so that of
// concurrent saves of one JTI exactly one succeeds (RFC 7523 section 3).
func (s *Store) SaveJTI(ctx context.Context, jti string, exp, now time.Time) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `
		INSERT INTO jtis (jti, expires_at) VALUES ($1, $2)
		ON CONFLICT (jti) DO UPDATE SET expires_at = EXCLUDED.expires_at
		WHERE jtis.expires_at <= $3`, jti, exp, now)
	if err != nil {
		return wrap(err, "save jti %s", jti)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: save jti %s: seen and not expired: %w", jti, storage.ErrAlreadyExists)
	}
	return nil
}
