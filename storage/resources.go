package storage

import (
	"context"
	"slices"
	"time"
)

// Resource is a protected resource (RFC 8707) managed in the console: an
// IM service clients may ask tokens for by its resource identifier.
// Resources configured in YAML (config's resources) are never stored:
// the store holds the console's alone, and the wiring merges both, a
// configured resource shadowing a stored one of the same URI.
type Resource struct {
	// URI is the resource identifier (provider/resources.Check), the key.
	URI string
	// Name is the service's name for people.
	Name string
	// Scopes are the scopes of the catalogue the service accepts.
	Scopes    []string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Clone returns a deep copy of r.
func (r Resource) Clone() Resource {
	r.Scopes = slices.Clone(r.Scopes)
	return r
}

// Resources stores the protected resources managed in the console.
//
// Text a backend cannot hold (not UTF-8, a NUL) in any field is
// ErrInvalidInput there (see errors.go).
type Resources interface {
	// CreateResource stores r. ErrAlreadyExists if its URI is stored.
	CreateResource(ctx context.Context, r Resource) error
	// GetResource returns the resource uri. ErrNotFound if absent.
	GetResource(ctx context.Context, uri string) (Resource, error)
	// ListResources returns every stored resource ordered by URI.
	ListResources(ctx context.Context) ([]Resource, error)
	// UpdateResource replaces the name, the scopes and UpdatedAt of the
	// resource r.URI (its CreatedAt stays). ErrNotFound if absent.
	UpdateResource(ctx context.Context, r Resource) error
	// DeleteResource removes the resource uri. ErrNotFound if absent.
	DeleteResource(ctx context.Context, uri string) error
}
