package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/storage"
)

// CreateExchangePolicy implements storage.ExchangePolicies.
func (s *Store) CreateExchangePolicy(ctx context.Context, p storage.ExchangePolicy) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.clients[p.ClientID]; !ok {
			return notFound("create exchange policy: client", p.ClientID)
		}
		if _, ok := s.exchange[p.ClientID]; ok {
			return exists("create exchange policy", p.ClientID)
		}
		put(t, s.exchange, p.ClientID, p.Clone())
		return nil
	})
}

// GetExchangePolicy implements storage.ExchangePolicies.
func (s *Store) GetExchangePolicy(ctx context.Context, clientID string) (storage.ExchangePolicy, error) {
	var p storage.ExchangePolicy
	err := s.do(ctx, func(*txn) error {
		got, ok := s.exchange[clientID]
		if !ok {
			return notFound("get exchange policy", clientID)
		}
		p = got.Clone()
		return nil
	})
	return p, err
}

// ListExchangePolicies implements storage.ExchangePolicies.
func (s *Store) ListExchangePolicies(ctx context.Context) ([]storage.ExchangePolicy, error) {
	var out []storage.ExchangePolicy
	err := s.do(ctx, func(*txn) error {
		for _, p := range s.exchange {
			out = append(out, p.Clone())
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.ExchangePolicy) int { return strings.Compare(a.ClientID, b.ClientID) })
	return out, err
}

// UpdateExchangePolicy implements storage.ExchangePolicies.
func (s *Store) UpdateExchangePolicy(ctx context.Context, p storage.ExchangePolicy) error {
	return s.do(ctx, func(t *txn) error {
		old, ok := s.exchange[p.ClientID]
		if !ok {
			return notFound("update exchange policy", p.ClientID)
		}
		p.CreatedAt = old.CreatedAt
		put(t, s.exchange, p.ClientID, p.Clone())
		return nil
	})
}

// DeleteExchangePolicy implements storage.ExchangePolicies.
func (s *Store) DeleteExchangePolicy(ctx context.Context, clientID string) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.exchange[clientID]; !ok {
			return notFound("delete exchange policy", clientID)
		}
		del(t, s.exchange, clientID)
		return nil
	})
}
