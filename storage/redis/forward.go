package redis

import "context"

// TryLock takes the wrapped store's lock between nodes (storage.Locker),
// so that wrapping a store takes nothing away.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	return s.locker.TryLock(ctx, name)
}
