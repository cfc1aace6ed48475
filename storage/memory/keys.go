package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// currentKey is the current key of alg.
func (s *Store) currentKey(alg string) (storage.SigningKey, bool) {
	for _, k := range s.keys {
		if k.Current() && k.Algorithm == alg {
			return k, true
		}
	}
	return storage.SigningKey{}, false
}

// CreateSigningKey implements storage.Keys.
func (s *Store) CreateSigningKey(ctx context.Context, k storage.SigningKey) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.keys[k.ID]; ok {
			return exists("create signing key", k.ID)
		}
		if cur, ok := s.currentKey(k.Algorithm); ok {
			return exists("create signing key: current key", cur.ID)
		}
		k.RetireAt = time.Time{}
		put(t, s.keys, k.ID, k.Clone())
		return nil
	})
}

// RotateSigningKey implements storage.Keys.
func (s *Store) RotateSigningKey(ctx context.Context, next storage.SigningKey, retireAt time.Time) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.keys[next.ID]; ok {
			return fmt.Errorf("memory: rotate signing key %s: %w", next.ID, storage.ErrConflict)
		}
		if cur, ok := s.currentKey(next.Algorithm); ok {
			cur.RetireAt = retireAt
			put(t, s.keys, cur.ID, cur)
		}
		next.RetireAt = time.Time{}
		put(t, s.keys, next.ID, next.Clone())
		return nil
	})
}

// ListSigningKeys implements storage.Keys.
func (s *Store) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	var out []storage.SigningKey
	err := s.do(ctx, func(*txn) error {
		for _, k := range s.keys {
			out = append(out, k.Clone())
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.SigningKey) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// DeleteSigningKey implements storage.Keys.
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.keys[id]; !ok {
			return notFound("delete signing key", id)
		}
		del(t, s.keys, id)
		return nil
	})
}

// ResealSigningKey implements storage.Keys.
func (s *Store) ResealSigningKey(ctx context.Context, id string, from, to []byte) error {
	return s.do(ctx, func(t *txn) error {
		k, ok := s.keys[id]
		if !ok {
			return notFound("reseal signing key", id)
		}
		if !bytes.Equal(k.PrivateKey, from) {
			return fmt.Errorf("memory: reseal signing key %s: %w", id, storage.ErrConflict)
		}
		k = k.Clone()
		k.PrivateKey = bytes.Clone(to)
		put(t, s.keys, id, k)
		return nil
	})
}
