package postgres

import "context"

// CacheEpoch implements storage.CacheEpochs.
func (s *Store) CacheEpoch(ctx context.Context) (int64, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var e int64
	if err := s.q(ctx).QueryRow(ctx, `SELECT epoch FROM cache_epoch WHERE id = 1`).Scan(&e); err != nil {
		return 0, wrap(err, "read cache epoch")
	}
	return e, nil
}

// BumpCacheEpoch implements storage.CacheEpochs.
func (s *Store) BumpCacheEpoch(ctx context.Context) (int64, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var e int64
	if err := s.q(ctx).QueryRow(ctx, `UPDATE cache_epoch SET epoch = epoch + 1 WHERE id = 1 RETURNING epoch`).Scan(&e); err != nil {
		return 0, wrap(err, "bump cache epoch")
	}
	return e, nil
}
