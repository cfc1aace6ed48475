package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// CreateLink implements storage.Links. A link for a user that does not
// exist is refused by the foreign key: ErrNotFound.
func (s *Store) CreateLink(ctx context.Context, l storage.OneTimeLink) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, "create link", func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO one_time_links (hash, purpose, user_id, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5)`,
			l.Hash, l.Purpose, l.UserID, ts(l.CreatedAt), l.ExpiresAt)
		return wrap(err, "create %s link for user %s", l.Purpose, l.UserID)
	})
}

// ConsumeLink implements storage.Links: one DELETE … RETURNING, so of two
// concurrent calls only one gets the row.
func (s *Store) ConsumeLink(ctx context.Context, purpose storage.LinkPurpose, hash string, now time.Time) (storage.OneTimeLink, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	l := storage.OneTimeLink{Hash: hash, Purpose: purpose}
	err := s.q(ctx).QueryRow(ctx, `
		DELETE FROM one_time_links
		WHERE hash = $1 AND purpose = $2 AND expires_at > $3
		RETURNING user_id, created_at, expires_at`, hash, purpose, now).
		Scan(&l.UserID, into(&l.CreatedAt), into(&l.ExpiresAt))
	if err != nil {
		// The hash is a credential: the error names the purpose only.
		return storage.OneTimeLink{}, wrap(err, "consume %s link", purpose)
	}
	return l, nil
}

// GetLink implements storage.Links.
func (s *Store) GetLink(ctx context.Context, purpose storage.LinkPurpose, hash string, now time.Time) (storage.OneTimeLink, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	l := storage.OneTimeLink{Hash: hash, Purpose: purpose}
	err := s.q(ctx).QueryRow(ctx, `
		SELECT user_id, created_at, expires_at FROM one_time_links
		WHERE hash = $1 AND purpose = $2 AND expires_at > $3`, hash, purpose, now).
		Scan(&l.UserID, into(&l.CreatedAt), into(&l.ExpiresAt))
	if err != nil {
		// The hash is a credential: the error names the purpose only.
		return storage.OneTimeLink{}, wrap(err, "get %s link", purpose)
	}
	return l, nil
}

// DeleteUserLinks implements storage.Links.
func (s *Store) DeleteUserLinks(ctx context.Context, userID string, purpose storage.LinkPurpose) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `DELETE FROM one_time_links WHERE user_id = $1 AND purpose = $2`, userID, purpose)
	if err != nil {
		return 0, wrap(err, "delete %s links of user %s", purpose, userID)
	}
	return int(tag.RowsAffected()), nil
}

// AddFailure implements storage.Counters in one upsert: concurrent
// failures serialise on the row and all count.
func (s *Store) AddFailure(ctx context.Context, key string, now time.Time, forgetAfter time.Duration) (storage.Counter, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c := storage.Counter{Key: key}
	err := s.q(ctx).QueryRow(ctx, `
		INSERT INTO failure_counters AS f (key, failures, last_failure)
		VALUES ($1, 1, $2)
		ON CONFLICT (key) DO UPDATE SET
		    failures = CASE WHEN f.last_failure < $2 - $3::interval THEN 1 ELSE f.failures + 1 END,
		    last_failure = $2
		RETURNING failures, last_failure`, key, now, forgetAfter).
		Scan(&c.Failures, into(&c.LastFailure))
	if err != nil {
		return storage.Counter{}, wrap(err, "count a failure for %s", key)
	}
	return c, nil
}

// GetCounter implements storage.Counters.
func (s *Store) GetCounter(ctx context.Context, key string) (storage.Counter, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c := storage.Counter{Key: key}
	rows, err := s.q(ctx).Query(ctx, `SELECT failures, last_failure FROM failure_counters WHERE key = $1`, key)
	if err != nil {
		return storage.Counter{}, wrap(err, "get counter %s", key)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&c.Failures, into(&c.LastFailure)); err != nil {
			return storage.Counter{}, wrap(err, "get counter %s", key)
		}
	}
	if err := rows.Err(); err != nil {
		return storage.Counter{}, wrap(err, "get counter %s", key)
	}
	return c, nil
}

// ClearCounter implements storage.Counters.
func (s *Store) ClearCounter(ctx context.Context, key string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if _, err := s.q(ctx).Exec(ctx, `DELETE FROM failure_counters WHERE key = $1`, key); err != nil {
		return fmt.Errorf("postgres: clear counter %s: %w", key, err)
	}
	return nil
}
