package memory

import (
	"context"
	"fmt"

	"github.com/tokenim/tokenim-auth/storage"
)

// CreateFlow implements storage.Flows.
func (s *Store) CreateFlow(ctx context.Context, f storage.Flow) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.flows[f.ID]; ok {
			return exists("create flow", f.ID)
		}
		if _, ok := s.clients[f.ClientID]; !ok {
			return notFound("create flow for client", f.ClientID)
		}
		put(t, s.flows, f.ID, f.Clone())
		return nil
	})
}

// GetFlow implements storage.Flows.
func (s *Store) GetFlow(ctx context.Context, id string) (storage.Flow, error) {
	var f storage.Flow
	err := s.do(ctx, func(*txn) error {
		got, ok := s.flows[id]
		if !ok {
			return notFound("get flow", id)
		}
		f = got.Clone()
		return nil
	})
	return f, err
}

// UpdateFlow implements storage.Flows.
func (s *Store) UpdateFlow(ctx context.Context, id string, update func(storage.Flow) (storage.Flow, error)) (storage.Flow, error) {
	var f storage.Flow
	err := s.do(ctx, func(t *txn) error {
		old, ok := s.flows[id]
		if !ok {
			return notFound("update flow", id)
		}
		next, err := update(old.Clone())
		if err != nil {
			return err
		}
		if next.ID != id {
			return fmt.Errorf("memory: update flow %s: the ID cannot change", id)
		}
		put(t, s.flows, id, next.Clone())
		f = next.Clone()
		return nil
	})
	return f, err
}

// DeleteFlow implements storage.Flows.
func (s *Store) DeleteFlow(ctx context.Context, id string) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.flows[id]; !ok {
			return notFound("delete flow", id)
		}
		del(t, s.flows, id)
		return nil
	})
}
