package memory

import "context"

// CacheEpoch implements storage.CacheEpochs.
func (s *Store) CacheEpoch(ctx context.Context) (int64, error) {
	var e int64
	err := s.do(ctx, func(*txn) error { e = s.epoch; return nil })
	return e, err
}

// BumpCacheEpoch implements storage.CacheEpochs.
func (s *Store) BumpCacheEpoch(ctx context.Context) (int64, error) {
	var e int64
	err := s.do(ctx, func(t *txn) error {
		old := s.epoch
		t.undo = append(t.undo, func() { s.epoch = old })
		s.epoch++
		e = s.epoch
		return nil
	})
	return e, err
}
