package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const insertKey = `
INSERT INTO signing_keys (kid, algorithm, private_key, public_key, created_at, retire_at)
VALUES ($1, $2, $3, $4, $5, NULL)`

// CreateSigningKey implements storage.Keys. The key is stored as current
// whatever k.RetireAt says. The partial unique index on the algorithm of
// current keys refuses a second current key of k.Algorithm, as the primary
// key refuses a known kid: ErrAlreadyExists either way.
func (s *Store) CreateSigningKey(ctx context.Context, k storage.SigningKey) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, "create signing key "+k.ID, func(q querier) error {
		_, err := q.Exec(ctx, insertKey, k.ID, k.Algorithm, k.PrivateKey, k.PublicKey, ts(k.CreatedAt))
		return wrap(err, "create signing key %s", k.ID)
	})
}

// RotateSigningKey implements storage.Keys: in one transaction (or a
// savepoint of the caller's), retire the current key of next.Algorithm,
// then insert next as current. Of two concurrent rotations of one
// algorithm the second waits for the first's row lock, finds no current
// key of it left to retire, and its insert then hits the first's new key
// in the partial unique index: ErrConflict. A next key whose kid exists
// is a conflict too, and nothing changes.
func (s *Store) RotateSigningKey(ctx context.Context, next storage.SigningKey, retireAt time.Time) error {
	if retireAt.IsZero() {
		// NULL would leave the old key current, and the rotation would
		// look like a lost race.
		return fmt.Errorf("postgres: rotate signing key to %s: zero retirement time", next.ID)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.atomic(ctx, "rotate signing key to "+next.ID, func(q querier) error {
		if _, err := q.Exec(ctx, `UPDATE signing_keys SET retire_at = $1 WHERE retire_at IS NULL AND algorithm = $2`,
			ts(retireAt), next.Algorithm); err != nil {
			return wrapRace(err, "rotate signing key to %s: retire the current key", next.ID)
		}
		_, err := q.Exec(ctx, insertKey, next.ID, next.Algorithm, next.PrivateKey, next.PublicKey, ts(next.CreatedAt))
		return wrapRace(err, "rotate signing key to %s", next.ID)
	})
}

// ListSigningKeys implements storage.Keys: newest first, ties by kid.
func (s *Store) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, `
		SELECT kid, algorithm, private_key, public_key, created_at, retire_at
		FROM signing_keys
		ORDER BY created_at DESC NULLS LAST, kid`)
	if err != nil {
		return nil, wrap(err, "list signing keys")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.SigningKey, error) {
		var k storage.SigningKey
		err := row.Scan(&k.ID, &k.Algorithm, &k.PrivateKey, &k.PublicKey, into(&k.CreatedAt), into(&k.RetireAt))
		return k, err
	})
	if err != nil {
		return nil, wrap(err, "list signing keys")
	}
	return out, nil
}

// DeleteSigningKey implements storage.Keys.
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `DELETE FROM signing_keys WHERE kid = $1`, id)
	if err != nil {
		return wrap(err, "delete signing key %s", id)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: delete signing key %s: %w", id, storage.ErrNotFound)
	}
	return nil
}

// ResealSigningKey implements storage.Keys: the update applies only while
// the stored private key is from, so of two concurrent reseals one wins
// and the other finds the key changed (ErrConflict).
func (s *Store) ResealSigningKey(ctx context.Context, id string, from, to []byte) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `UPDATE signing_keys SET private_key = $3 WHERE kid = $1 AND private_key = $2`, id, from, to)
	if err != nil {
		return wrap(err, "reseal signing key %s", id)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var found bool
	if err := s.q(ctx).QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM signing_keys WHERE kid = $1)`, id).Scan(&found); err != nil {
		return wrap(err, "reseal signing key %s", id)
	}
	if !found {
		return fmt.Errorf("postgres: reseal signing key %s: %w", id, storage.ErrNotFound)
	}
	return fmt.Errorf("postgres: reseal signing key %s: %w", id, storage.ErrConflict)
}
