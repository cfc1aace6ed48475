package memory

import (
	"context"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// CreateLink implements storage.Links.
func (s *Store) CreateLink(ctx context.Context, l storage.OneTimeLink) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.links[l.Hash]; ok {
			return exists("create link", string(l.Purpose))
		}
		if _, ok := s.users[l.UserID]; !ok {
			return notFound("create link for user", l.UserID)
		}
		put(t, s.links, l.Hash, l)
		return nil
	})
}

// ConsumeLink implements storage.Links.
func (s *Store) ConsumeLink(ctx context.Context, purpose storage.LinkPurpose, hash string, now time.Time) (storage.OneTimeLink, error) {
	var l storage.OneTimeLink
	err := s.do(ctx, func(t *txn) error {
		got, ok := s.links[hash]
		if !ok || got.Purpose != purpose {
			return notFound("consume link", string(purpose))
		}
		del(t, s.links, hash)
		if !got.ExpiresAt.After(now) {
			return notFound("consume expired link", string(purpose))
		}
		l = got
		return nil
	})
	return l, err
}

// GetLink implements storage.Links.
func (s *Store) GetLink(ctx context.Context, purpose storage.LinkPurpose, hash string, now time.Time) (storage.OneTimeLink, error) {
	var l storage.OneTimeLink
	err := s.do(ctx, func(*txn) error {
		got, ok := s.links[hash]
		if !ok || got.Purpose != purpose || !got.ExpiresAt.After(now) {
			return notFound("get link", string(purpose))
		}
		l = got
		return nil
	})
	return l, err
}

// DeleteUserLinks implements storage.Links.
func (s *Store) DeleteUserLinks(ctx context.Context, userID string, purpose storage.LinkPurpose) (int, error) {
	n := 0
	err := s.do(ctx, func(t *txn) error {
		for h, l := range s.links {
			if l.UserID == userID && l.Purpose == purpose {
				del(t, s.links, h)
				n++
			}
		}
		return nil
	})
	return n, err
}

// AddFailure implements storage.Counters.
func (s *Store) AddFailure(ctx context.Context, key string, now time.Time, forgetAfter time.Duration) (storage.Counter, error) {
	var c storage.Counter
	err := s.do(ctx, func(t *txn) error {
		c = s.counters[key]
		c.Key = key
		if c.Failures > 0 && now.Sub(c.LastFailure) > forgetAfter {
			c.Failures = 0
		}
		c.Failures++
		c.LastFailure = now
		put(t, s.counters, key, c)
		return nil
	})
	return c, err
}

// GetCounter implements storage.Counters.
func (s *Store) GetCounter(ctx context.Context, key string) (storage.Counter, error) {
	var c storage.Counter
	err := s.do(ctx, func(*txn) error {
		c = s.counters[key]
		c.Key = key
		return nil
	})
	return c, err
}

// ClearCounter implements storage.Counters.
func (s *Store) ClearCounter(ctx context.Context, key string) error {
	return s.do(ctx, func(t *txn) error {
		del(t, s.counters, key)
		return nil
	})
}
