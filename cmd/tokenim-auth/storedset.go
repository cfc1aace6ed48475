package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// storeRefresh is how long what the console stores (resources,
// connectors, token exchange policies) is used before it is read again:
// a change in the console reaches every node within it.
const storeRefresh = 5 * time.Second

// storedSet is what a directory reads of storage: read again when the
// last read is older than refresh. A read that fails is logged and keeps
// the last value read; it is tried again after refresh, not on every
// request.
type storedSet[T any] struct {
	// what names the set in the log.
	what string
	// read reads the set; it runs under the set's lock, so it may keep
	// state of its own between reads.
	read    func(ctx context.Context) (T, error)
	refresh time.Duration
	now     func() time.Time
	logger  *slog.Logger

	mu     sync.Mutex
	tried  bool
	readAt time.Time
	value  T
	ok     bool
}

// newStoredSet returns the set read reads, refreshed every storeRefresh.
func newStoredSet[T any](what string, read func(ctx context.Context) (T, error), logger *slog.Logger) *storedSet[T] {
	return &storedSet[T]{what: what, read: read, refresh: storeRefresh, now: time.Now, logger: logger}
}

// get returns the set, read again when the last read is older than
// refresh; ok is false while no read has succeeded.
func (s *storedSet[T]) get(ctx context.Context) (value T, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.tried && now.Sub(s.readAt) < s.refresh {
		return s.value, s.ok
	}
	s.tried, s.readAt = true, now
	v, err := s.read(ctx)
	if err != nil {
		s.logger.ErrorContext(ctx, s.what+": read the console's; the last ones read stay in use", "err", err)
		return s.value, s.ok
	}
	s.value, s.ok = v, true
	return v, true
}
