package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles holds the schema's history, applied in order by goose.
// Append only: a migration that has shipped is never edited.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// SchemaError says the database schema is older than this binary expects:
// it names both versions.
type SchemaError struct {
	// Current is the schema version the database records (0 for none).
	Current int64
	// Expected is the version of the newest embedded migration.
	Expected int64
}

// Error names both versions and the way forward.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("postgres: database schema is at version %d, this binary needs version %d: run `tokenim-auth migrate`", e.Current, e.Expected)
}

// MigrateOption changes how Migrate applies the migrations.
type MigrateOption func(*migrateConfig)

type migrateConfig struct {
	step func(applied, pending int)
}

// WithStep has Migrate apply the pending migrations one at a time, each
// under the lock, and call step after each with how many it applied so
// far and how many were pending when it started: the migrate command
// shows its progress so.
func WithStep(step func(applied, pending int)) MigrateOption {
	return func(c *migrateConfig) { c.step = step }
}

// Migrate applies every pending migration. Nodes migrating at once queue
// on an advisory lock held for the schema in use (its search_path), so
// only one applies each migration; each migration runs in its own
// transaction. Config.QueryTimeout does not apply: a migration takes what
// it takes, bounded by ctx.
func (s *Store) Migrate(ctx context.Context, opts ...MigrateOption) error {
	var c migrateConfig
	for _, o := range opts {
		o(&c)
	}
	p, err := s.migrations(ctx)
	if err != nil {
		return err
	}
	defer p.Close()
	var results []*goose.MigrationResult
	if c.step != nil {
		results, err = upByOne(ctx, p, c.step)
	} else {
		results, err = p.Up(ctx)
		if pe, ok := errors.AsType[*goose.PartialError](err); ok {
			results = pe.Applied
		}
	}
	for _, r := range results {
		s.logger.InfoContext(ctx, "applied migration",
			"version", r.Source.Version, "file", path.Base(r.Source.Path), "duration", r.Duration)
	}
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// upByOne applies the pending migrations one at a time, calling step
// after each.
func upByOne(ctx context.Context, p *goose.Provider, step func(applied, pending int)) ([]*goose.MigrationResult, error) {
	status, err := p.Status(ctx)
	if err != nil {
		return nil, err
	}
	pending := 0
	for _, m := range status {
		if m.State == goose.StatePending {
			pending++
		}
	}
	var results []*goose.MigrationResult
	for {
		r, err := p.UpByOne(ctx)
		if errors.Is(err, goose.ErrNoNextVersion) {
			return results, nil
		}
		if err != nil {
			return results, err
		}
		results = append(results, r)
		step(len(results), max(pending, len(results)))
	}
}

// CheckSchema returns a *SchemaError when migrations are pending, so that
// a server started with migrations off refuses an old schema. A schema
// newer than the binary is accepted: migrations only add, and a rolling
// deploy runs old nodes on the new schema for a while. CheckSchema writes
// nothing.
func (s *Store) CheckSchema(ctx context.Context) error {
	current, expected, err := s.schemaVersions(ctx)
	if err != nil {
		return err
	}
	if current < expected {
		return &SchemaError{Current: current, Expected: expected}
	}
	return nil
}

// schemaVersions returns the version the database records and the newest
// embedded one.
func (s *Store) schemaVersions(ctx context.Context) (current, expected int64, err error) {
	p, err := s.migrations(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer p.Close()
	sources := p.ListSources()
	expected = sources[len(sources)-1].Version

	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	// goose creates its version table when asked for versions: look first,
	// so that checking an empty database leaves it empty.
	var exists bool
	err = s.pool.QueryRow(ctx, `
		SELECT EXISTS (
		    SELECT 1 FROM pg_tables
		    WHERE schemaname = current_schema() AND tablename = $1)`, goose.DefaultTablename).Scan(&exists)
	if err != nil {
		return 0, 0, wrap(err, "check schema")
	}
	if !exists {
		return 0, expected, nil
	}
	current, _, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: check schema: %w", err)
	}
	return current, expected, nil
}

// migrations returns a goose provider over the embedded migrations and a
// *sql.DB borrowing the pool's connections; closing it releases them.
func (s *Store) migrations(ctx context.Context) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	lockID, err := s.migrationLockID(ctx)
	if err != nil {
		return nil, err
	}
	// Poll the lock every second, for up to five minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID), lock.WithLockTimeout(1, 300))
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	db := stdlib.OpenDBFromPool(s.pool)
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(locker),
	)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return p, nil
}

// migrationLockID names the advisory lock migrations hold: one per schema
// (advisory locks are per database already), so that nodes sharing a
// schema queue while databases or schemas side by side, as in tests, do
// not wait for each other.
func (s *Store) migrationLockID(ctx context.Context) (int64, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var schema *string
	if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return 0, wrap(err, "migrations: current schema")
	}
	if schema == nil {
		return 0, errors.New("postgres: migrations: no schema of the search_path exists")
	}
	h := fnv.New64a()
	h.Write([]byte("tokenim-auth migrations " + *schema))
	return int64(h.Sum64()), nil
}
