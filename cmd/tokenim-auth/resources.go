package main

import (
	"context"
	"log/slog"

	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/storage"
)

// storedResources is what the resource directory reads of storage.
type storedResources interface {
	ListResources(ctx context.Context) ([]storage.Resource, error)
}

// resourceDirectory is the protected resources (RFC 8707) the token
// endpoints know (oauth.Resources): the configured ones, then the
// console's, read from storage every storeRefresh. A configured resource
// shadows a stored one of the same URI. A store that cannot be read
// keeps the last set read, and is logged.
type resourceDirectory struct {
	configured *resources.Registry
	// stored are the console's, by URI; nil: the configured ones alone.
	stored *storedSet[map[string]resources.Resource]
}

// newResourceDirectory returns the directory of the configured resources
// and those stored (nil: the configured ones alone).
func newResourceDirectory(configured *resources.Registry, store storedResources, logger *slog.Logger) *resourceDirectory {
	d := &resourceDirectory{configured: configured}
	if store != nil {
		d.stored = newStoredSet("resources", func(ctx context.Context) (map[string]resources.Resource, error) {
			return readResources(ctx, store, logger)
		}, logger)
	}
	return d
}

// Get returns the resource uri identifies: the configured one, else the
// stored one.
func (d *resourceDirectory) Get(uri string) (resources.Resource, bool) {
	if r, ok := d.configured.Get(uri); ok {
		return r, true
	}
	if d.stored == nil {
		return resources.Resource{}, false
	}
	stored, _ := d.stored.get(context.Background())
	r, ok := stored[uri]
	return r, ok
}

// readResources reads the console's resources, by URI.
func readResources(ctx context.Context, store storedResources, logger *slog.Logger) (map[string]resources.Resource, error) {
	list, err := store.ListResources(ctx)
	if err != nil {
		return nil, err
	}
	stored := make(map[string]resources.Resource, len(list))
	for _, r := range list {
		// Checked when stored; a record that fails the rule now is
		// not served.
		if resources.Check(r.URI) != nil {
			logger.ErrorContext(ctx, "resource not served: not a resource identifier", "resource", r.URI)
			continue
		}
		stored[r.URI] = resources.Resource{URI: r.URI, Name: r.Name, Scopes: r.Scopes}
	}
	return stored, nil
}
