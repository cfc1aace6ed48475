package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/storage"
)

// storedResources is what the resource directory reads of storage.
type storedResources interface {
	ListResources(ctx context.Context) ([]storage.Resource, error)
}

// resourceRefresh is how long the console's resources are used before
// they are read again: a change in the console reaches every node within
// it.
const resourceRefresh = 5 * time.Second

// resourceDirectory is the protected resources (RFC 8707) the token
// endpoints know (oauth.Resources): the configured ones, then the
// console's, read from storage every resourceRefresh. A configured
// resource shadows a stored one of the same URI. A store that cannot be
// read keeps the last set read, and is logged.
type resourceDirectory struct {
	configured *resources.Registry
	store      storedResources
	now        func() time.Time
	logger     *slog.Logger

	mu     sync.Mutex
	readAt time.Time
	stored map[string]resources.Resource
}

// newResourceDirectory returns the directory of the configured resources
// and those stored (nil: the configured ones alone).
func newResourceDirectory(configured *resources.Registry, store storedResources, logger *slog.Logger) *resourceDirectory {
	return &resourceDirectory{configured: configured, store: store, now: time.Now, logger: logger}
}

// Get returns the resource uri identifies: the configured one, else the
// stored one.
func (d *resourceDirectory) Get(uri string) (resources.Resource, bool) {
	if r, ok := d.configured.Get(uri); ok {
		return r, true
	}
	if d.store == nil {
		return resources.Resource{}, false
	}
	r, ok := d.current(context.Background())[uri]
	return r, ok
}

// current returns the stored resources, read again when the last read is
// older than resourceRefresh.
func (d *resourceDirectory) current(ctx context.Context) map[string]resources.Resource {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	if d.stored != nil && now.Sub(d.readAt) < resourceRefresh {
		return d.stored
	}
	list, err := d.store.ListResources(ctx)
	if err != nil {
		// Tried again after resourceRefresh, not on every request.
		d.logger.ErrorContext(ctx, "resources: read the console's; the last ones read stay in use", "err", err)
		if d.stored == nil {
			d.stored = map[string]resources.Resource{}
		}
		d.readAt = now
		return d.stored
	}
	stored := make(map[string]resources.Resource, len(list))
	for _, r := range list {
		// Checked when stored; a record that fails the rule now is
		// not served.
		if resources.Check(r.URI) != nil {
			d.logger.ErrorContext(ctx, "resource not served: not a resource identifier", "resource", r.URI)
			continue
		}
		stored[r.URI] = resources.Resource{URI: r.URI, Name: r.Name, Scopes: r.Scopes}
	}
	d.stored, d.readAt = stored, now
	return stored
}
