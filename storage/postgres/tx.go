package postgres

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

// txKey is the context key of a transaction of one Store: a context may
// carry transactions of two stores without them mixing.
type txKey struct{ s *Store }

// txState is an open transaction as a context carries it. Commit and
// Rollback set done: from then on the context no longer joins it.
type txState struct {
	mu   sync.Mutex
	tx   pgx.Tx
	done bool
}

// tx returns the open transaction of s that ctx carries, or nil. A context
// derived from the one BeginTx returned (a deadline added, say) carries it
// too.
func (s *Store) tx(ctx context.Context) pgx.Tx {
	st, _ := ctx.Value(txKey{s}).(*txState)
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return nil
	}
	return st.tx
}

// finish marks the transaction ctx carries as ended and returns it, or nil
// when there is none.
func (s *Store) finish(ctx context.Context) pgx.Tx {
	st, _ := ctx.Value(txKey{s}).(*txState)
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.done {
		return nil
	}
	st.done = true
	return st.tx
}

// q returns where a call's SQL runs: the caller's transaction, or the pool.
func (s *Store) q(ctx context.Context) querier {
	if tx := s.tx(ctx); tx != nil {
		return tx
	}
	return s.pool
}

// BeginTx starts a transaction (READ COMMITTED) and returns a context
// carrying it. storage.ErrNestedTx if ctx already carries one of s.
func (s *Store) BeginTx(ctx context.Context) (context.Context, error) {
	if s.tx(ctx) != nil {
		return ctx, fmt.Errorf("postgres: begin transaction: %w", storage.ErrNestedTx)
	}
	bctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tx, err := s.pool.Begin(bctx)
	if err != nil {
		return ctx, wrap(err, "begin transaction")
	}
	return context.WithValue(ctx, txKey{s}, &txState{tx: tx}), nil
}

// Commit commits the transaction ctx carries. storage.ErrNoTx if there is
// none (or it has ended). When the commit fails the transaction is rolled
// back: pgx closes a connection left inside a transaction.
func (s *Store) Commit(ctx context.Context) error {
	tx := s.finish(ctx)
	if tx == nil {
		return fmt.Errorf("postgres: commit: %w", storage.ErrNoTx)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if err := tx.Commit(ctx); err != nil {
		return wrap(err, "commit")
	}
	return nil
}

// Rollback rolls back the transaction ctx carries, even when ctx itself is
// done. storage.ErrNoTx if there is none (or it has ended).
func (s *Store) Rollback(ctx context.Context) error {
	tx := s.finish(ctx)
	if tx == nil {
		return fmt.Errorf("postgres: rollback: %w", storage.ErrNoTx)
	}
	if err := s.rollback(ctx, tx); err != nil {
		return wrap(err, "rollback")
	}
	return nil
}

// rollback rolls tx back (or back to its savepoint) under a fresh timeout:
// the caller's context may be the reason for rolling back. When it fails
// pgx closes the connection, which rolls the transaction back anyway.
func (s *Store) rollback(ctx context.Context, tx pgx.Tx) error {
	ctx, cancel := s.withTimeout(context.WithoutCancel(ctx))
	defer cancel()
	return tx.Rollback(ctx)
}

// atomic runs fn, which writes more than once, as one unit: in a savepoint
// of the caller's transaction when ctx carries one, else in a transaction
// of its own. fn's error is returned as is, after its writes are undone;
// the caller's transaction stays usable.
func (s *Store) atomic(ctx context.Context, what string, fn func(q querier) error) error {
	return s.unit(ctx, what, true, fn)
}

// guarded runs fn, a single statement that a constraint may refuse: behind
// a savepoint in the caller's transaction, so that the refusal does not
// abort it (Postgres refuses every later statement of a transaction after
// an error), else straight on the pool.
func (s *Store) guarded(ctx context.Context, what string, fn func(q querier) error) error {
	return s.unit(ctx, what, false, fn)
}

func (s *Store) unit(ctx context.Context, what string, ownTx bool, fn func(q querier) error) error {
	var tx pgx.Tx
	var err error
	switch outer := s.tx(ctx); {
	case outer != nil:
		tx, err = outer.Begin(ctx) // SAVEPOINT
	case ownTx:
		tx, err = s.pool.Begin(ctx)
	default:
		return fn(s.pool)
	}
	if err != nil {
		return wrap(err, "%s: begin", what)
	}
	if err := fn(tx); err != nil {
		if rbErr := s.rollback(ctx, tx); rbErr != nil {
			s.logger.WarnContext(ctx, "rollback failed", "op", what, "err", rbErr)
		}
		return err
	}
	if err := tx.Commit(ctx); err != nil { // RELEASE SAVEPOINT or COMMIT
		return wrap(err, "%s: commit", what)
	}
	return nil
}
