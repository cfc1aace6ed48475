package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/tokenim/tokenim-auth/storage"
)

// CreateResource implements storage.Resources.
func (s *Store) CreateResource(ctx context.Context, r storage.Resource) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.resources[r.URI]; ok {
			return exists("create resource", r.URI)
		}
		put(t, s.resources, r.URI, r.Clone())
		return nil
	})
}

// GetResource implements storage.Resources.
func (s *Store) GetResource(ctx context.Context, uri string) (storage.Resource, error) {
	var r storage.Resource
	err := s.do(ctx, func(*txn) error {
		got, ok := s.resources[uri]
		if !ok {
			return notFound("get resource", uri)
		}
		r = got.Clone()
		return nil
	})
	return r, err
}

// ListResources implements storage.Resources.
func (s *Store) ListResources(ctx context.Context) ([]storage.Resource, error) {
	var out []storage.Resource
	err := s.do(ctx, func(*txn) error {
		for _, r := range s.resources {
			out = append(out, r.Clone())
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.Resource) int { return strings.Compare(a.URI, b.URI) })
	return out, err
}

// UpdateResource implements storage.Resources.
func (s *Store) UpdateResource(ctx context.Context, r storage.Resource) error {
	return s.do(ctx, func(t *txn) error {
		old, ok := s.resources[r.URI]
		if !ok {
			return notFound("update resource", r.URI)
		}
		r.CreatedAt = old.CreatedAt
		put(t, s.resources, r.URI, r.Clone())
		return nil
	})
}

// DeleteResource implements storage.Resources.
func (s *Store) DeleteResource(ctx context.Context, uri string) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.resources[uri]; !ok {
			return notFound("delete resource", uri)
		}
		del(t, s.resources, uri)
		return nil
	})
}
