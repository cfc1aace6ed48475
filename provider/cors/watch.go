package cors

import (
	"context"

	"github.com/tokenim/tokenim-auth/storage"
)

// Watch returns s, whose changes of a client — created, updated, deleted
// — make o load the origins again on this node at once. Give it to the
// parts that change clients (the admin API and console, the developer
// portal); other nodes learn of the change through Redis
// (storage/redis OnClientsChanged) or after Config.Refresh.
func (o *Origins) Watch(s storage.Store) storage.Store { return watched{Store: s, o: o} }

// watched is a store telling Origins of its clients' changes.
type watched struct {
	storage.Store
	o *Origins
}

// CreateClient implements storage.Clients.
func (w watched) CreateClient(ctx context.Context, c storage.Client) error {
	defer w.o.Invalidate()
	return w.Store.CreateClient(ctx, c)
}

// UpdateClient implements storage.Clients.
func (w watched) UpdateClient(ctx context.Context, id string, update func(storage.Client) (storage.Client, error)) (storage.Client, error) {
	defer w.o.Invalidate()
	return w.Store.UpdateClient(ctx, id, update)
}

// Commit implements storage.Transactor: a change made in a transaction is
// told again once it is committed, so that no load made in between keeps
// what was there before.
func (w watched) Commit(ctx context.Context) error {
	defer w.o.Invalidate()
	return w.Store.Commit(ctx)
}

// DeleteClient implements storage.Clients.
func (w watched) DeleteClient(ctx context.Context, id string) error {
	defer w.o.Invalidate()
	return w.Store.DeleteClient(ctx, id)
}
