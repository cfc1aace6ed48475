package redis

import (
	"context"
	"fmt"
)

// The wrapped store may offer more than storage.Store; the cache passes
// those on, so that wrapping a store takes nothing away.

// locker is the wrapped store's lock between nodes (the janitor's).
type locker interface {
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)
}

// TryLock forwards to the wrapped store.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	l, isLocker := s.Store.(locker)
	if !isLocker {
		return nil, false, fmt.Errorf("redis: the wrapped store (%T) has no lock between nodes", s.Store)
	}
	return l.TryLock(ctx, name)
}
