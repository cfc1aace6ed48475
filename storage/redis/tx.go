package redis

import (
	"context"
	"sync"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// pendingKey marks a context carrying a transaction begun through s.
type pendingKey struct{ s *Store }

// pending is what a transaction owes the cache once it commits: nothing
// may reach Redis before, since a rollback would leave it wrong.
type pending struct {
	mu    sync.Mutex
	done  bool
	fills []pendingFill
	// invalidations are the changes to tell the cache of.
	invalidations []change
	// clients: a client was created, changed or deleted
	// (OnClientsChanged).
	clients bool
}

type pendingFill struct {
	g       *generation
	shard   int
	key     string
	version int64
	markers []string
	payload []byte
	ttl     time.Duration
	expires time.Time
}

// pendingOf returns the open transaction's debts that ctx carries, or
// nil.
func (s *Store) pendingOf(ctx context.Context) *pending { return s.open(ctx, false) }

// open returns the open transaction's debts, marking the transaction
// ended when end is set; nil when ctx carries none or it has ended.
func (s *Store) open(ctx context.Context, end bool) *pending {
	p, _ := ctx.Value(pendingKey{s}).(*pending)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return nil
	}
	p.done = end
	return p
}

// inTx reports whether ctx carries an open transaction of this cache.
func (s *Store) inTx(ctx context.Context) bool { return s.pendingOf(ctx) != nil }

// BeginTx implements storage.Transactor: the wrapped store's transaction,
// with a place for what the cache must do after it commits.
func (s *Store) BeginTx(ctx context.Context) (context.Context, error) {
	txCtx, err := s.Store.BeginTx(ctx)
	if err != nil {
		return txCtx, err
	}
	return context.WithValue(txCtx, pendingKey{s}, &pending{}), nil
}

// Commit implements storage.Transactor: once the store has committed,
// the transaction's invalidations, then its fills, reach the cache.
func (s *Store) Commit(ctx context.Context) error {
	p := s.finish(ctx)
	if err := s.Store.Commit(ctx); err != nil {
		return err
	}
	if p == nil {
		return nil
	}
	for _, c := range p.invalidations {
		s.invalidate(ctx, c)
	}
	for _, f := range p.fills {
		s.fill(context.WithoutCancel(ctx), f.g, f.shard, f.key, f.version, f.markers, f.payload, f.ttl, f.expires)
	}
	if p.clients {
		s.clientsChanged(ctx)
	}
	return nil
}

// Rollback implements storage.Transactor: what the transaction owed the
// cache is dropped with it.
func (s *Store) Rollback(ctx context.Context) error {
	s.finish(ctx)
	return s.Store.Rollback(ctx)
}

func (s *Store) finish(ctx context.Context) *pending { return s.open(ctx, true) }

// invalidateAfter invalidates now, or after the commit of the
// transaction ctx carries.
func (s *Store) invalidateAfter(ctx context.Context, c change) {
	if p := s.pendingOf(ctx); p != nil {
		p.mu.Lock()
		p.invalidations = append(p.invalidations, c)
		p.mu.Unlock()
		return
	}
	s.invalidate(ctx, c)
}

// clientsChangedAfter tells every node that a client was created,
// changed or deleted, once the change is committed.
func (s *Store) clientsChangedAfter(ctx context.Context) {
	if p := s.pendingOf(ctx); p != nil {
		p.mu.Lock()
		p.clients = true
		p.mu.Unlock()
		return
	}
	s.clientsChanged(ctx)
}

var _ storage.Transactor = (*Store)(nil)
