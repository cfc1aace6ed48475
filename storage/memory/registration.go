package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// CreateRegistrationToken implements storage.RegistrationTokens.
func (s *Store) CreateRegistrationToken(ctx context.Context, tok storage.RegistrationToken) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.regTokens[tok.ID]; ok {
			return exists("create registration token", tok.ID)
		}
		put(t, s.regTokens, tok.ID, tok.Clone())
		return nil
	})
}

// GetRegistrationToken implements storage.RegistrationTokens.
func (s *Store) GetRegistrationToken(ctx context.Context, id string) (storage.RegistrationToken, error) {
	var tok storage.RegistrationToken
	err := s.do(ctx, func(*txn) error {
		got, ok := s.regTokens[id]
		if !ok {
			return notFound("get registration token", id)
		}
		tok = got.Clone()
		return nil
	})
	return tok, err
}

// ListRegistrationTokens implements storage.RegistrationTokens.
func (s *Store) ListRegistrationTokens(ctx context.Context) ([]storage.RegistrationToken, error) {
	var list []storage.RegistrationToken
	err := s.do(ctx, func(*txn) error {
		for _, tok := range s.regTokens {
			list = append(list, tok.Clone())
		}
		return nil
	})
	slices.SortFunc(list, func(a, b storage.RegistrationToken) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return list, err
}

// UseRegistrationToken implements storage.RegistrationTokens: the check
// and the count happen under the store's one lock.
func (s *Store) UseRegistrationToken(ctx context.Context, id string, now time.Time) (storage.RegistrationToken, error) {
	var tok storage.RegistrationToken
	err := s.do(ctx, func(t *txn) error {
		got, ok := s.regTokens[id]
		if !ok {
			return notFound("use registration token", id)
		}
		if !got.Usable(now) {
			return fmt.Errorf("memory: use registration token %s: revoked, expired or used up: %w", id, storage.ErrConflict)
		}
		got.Uses++
		got.LastUsedAt = now
		put(t, s.regTokens, id, got)
		tok = got.Clone()
		return nil
	})
	return tok, err
}

// RevokeRegistrationToken implements storage.RegistrationTokens.
func (s *Store) RevokeRegistrationToken(ctx context.Context, id string, at time.Time) error {
	return s.do(ctx, func(t *txn) error {
		tok, ok := s.regTokens[id]
		if !ok {
			return notFound("revoke registration token", id)
		}
		if tok.RevokedAt.IsZero() {
			tok.RevokedAt = at
			put(t, s.regTokens, id, tok)
		}
		return nil
	})
}
