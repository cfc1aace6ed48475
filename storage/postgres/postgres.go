package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tokenim/tokenim-auth/storage"
)

var _ storage.Store = (*Store)(nil)

// DefaultQueryTimeout bounds each storage call when Config.QueryTimeout is
// not positive.
const DefaultQueryTimeout = 5 * time.Second

// Config says how to reach the database.
type Config struct {
	// URL is a postgres:// URL or a key=value connection string. Parameters
	// pgx does not know, such as search_path, are sent to the server as
	// run-time parameters.
	URL string
	// MaxConns caps the pool; pgx's default (the larger of 4 and the
	// number of CPUs) when not positive.
	MaxConns int32
	// QueryTimeout bounds each storage call on top of the caller's
	// context; DefaultQueryTimeout when not positive. Migrations are not
	// bounded by it.
	QueryTimeout time.Duration
	// Logger receives the few events worth a line (migrations applied);
	// nothing is logged when nil.
	Logger *slog.Logger
}

// Store is the Postgres implementation of storage.Store. It is safe for
// concurrent use.
type Store struct {
	pool    *pgxpool.Pool
	timeout time.Duration
	logger  *slog.Logger
	// issuer writes issued tokens by group commit.
	issuer *issuer
}

// Open connects to the database described by cfg and checks that it
// answers. It neither creates nor checks the schema: see Migrate and
// CheckSchema.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		// pgx's message quotes the URL, and its redaction of the
		// password is best effort: say only that it did not parse.
		return nil, errors.New("postgres: parse database URL: not a valid postgres URL or connection string")
	}
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	lost := &lostConnections{}
	pcfg.ConnConfig.Tracer = lost
	s := &Store{
		timeout: cfg.QueryTimeout,
		logger:  cfg.Logger,
	}
	if s.timeout <= 0 {
		s.timeout = DefaultQueryTimeout
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.pool, err = pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	lost.pool.Store(s.pool)
	// Half the pool writes issuances at most, in batches; the other
	// half serves every other call.
	s.issuer = &issuer{slots: max(1, int(pcfg.MaxConns)/2), write: s.writeIssued}
	if err := s.Ping(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// Ping reports whether the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Stat reports the connection pool's current state (metrics).
func (s *Store) Stat() *pgxpool.Stat {
	return s.pool.Stat()
}

// Close closes every connection of the pool. It waits for connections in
// use, so a transaction left open (BeginTx without Commit or Rollback)
// keeps it waiting.
func (s *Store) Close() {
	s.pool.Close()
}

// withTimeout bounds one storage call. The returned context keeps the
// values of ctx, the caller's transaction included.
func (s *Store) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// querier is what both the pool and a transaction offer: each method runs
// its SQL on the caller's transaction when the context carries one, else
// on the pool (see Store.q).
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

var (
	_ querier = (*pgxpool.Pool)(nil)
	_ querier = (pgx.Tx)(nil)
)
