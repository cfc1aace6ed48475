package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const resourceColumns = `uri, name, scopes, created_at, updated_at`

func scanResource(row pgx.Row) (storage.Resource, error) {
	var r storage.Resource
	err := row.Scan(&r.URI, &r.Name, &r.Scopes, into(&r.CreatedAt), into(&r.UpdatedAt))
	return r, err
}

// scopesOf stores nil scopes as an empty array.
func scopesOf(scopes []string) []string {
	if scopes == nil {
		return []string{}
	}
	return scopes
}

// CreateResource implements storage.Resources.
func (s *Store) CreateResource(ctx context.Context, r storage.Resource) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.q(ctx).Exec(ctx, `INSERT INTO resources (`+resourceColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		r.URI, r.Name, scopesOf(r.Scopes), ts(r.CreatedAt), ts(r.UpdatedAt))
	return wrap(err, "create resource %s", r.URI)
}

// GetResource implements storage.Resources.
func (s *Store) GetResource(ctx context.Context, uri string) (storage.Resource, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	r, err := scanResource(s.q(ctx).QueryRow(ctx, `SELECT `+resourceColumns+` FROM resources WHERE uri = $1`, uri))
	if err != nil {
		return storage.Resource{}, wrap(err, "get resource %s", uri)
	}
	return r, nil
}

// ListResources implements storage.Resources.
func (s *Store) ListResources(ctx context.Context) ([]storage.Resource, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, `SELECT `+resourceColumns+` FROM resources ORDER BY uri`)
	return collect(rows, err, scanResource, "list resources")
}

// UpdateResource implements storage.Resources.
func (s *Store) UpdateResource(ctx context.Context, r storage.Resource) error {
	return s.updateOne(ctx, "update resource "+r.URI,
		`UPDATE resources SET name = $2, scopes = $3, updated_at = $4 WHERE uri = $1`, r.URI, r.Name, scopesOf(r.Scopes), ts(r.UpdatedAt))
}

// DeleteResource implements storage.Resources.
func (s *Store) DeleteResource(ctx context.Context, uri string) error {
	return s.deleteOne(ctx, "delete resource "+uri, `DELETE FROM resources WHERE uri = $1`, uri)
}
