// Package pgtest gives each test its own Postgres schema: a fresh
// namespace created for the test and dropped when it ends, so tests run in
// parallel against one database without seeing each other's rows.
//
// URL gives an empty schema, for tests of migrations. Open and MigratedURL
// give a schema already at the newest migration, made in one round trip
// from the migration files (see migratedScript) instead of by applying
// each migration in turn: Store.Migrate on it has nothing to do and
// Store.CheckSchema accepts it.
//
// The database is TOKENIM_TEST_DATABASE_URL, or the local one CI and the
// developers' machines run (postgres@127.0.0.1:5432/test). When it cannot
// be reached the test is skipped, unless CI=true, where it fails: a CI run
// must not pass by testing nothing.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/storagetest/faultproxy"
)

// DefaultURL is the database tests use when TOKENIM_TEST_DATABASE_URL is
// not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// connectTimeout bounds the reachability check, so that a machine without
// Postgres skips quickly.
const connectTimeout = 2 * time.Second

// Open returns a store on a fresh schema at the newest migration, closed
// and dropped when t ends.
func Open(t testing.TB) *postgres.Store {
	t.Helper()
	return openAt(t, MigratedURL(t))
}

// OpenProxied is Open reached through a faultproxy.Proxy (see Proxied).
func OpenProxied(t testing.TB) (*postgres.Store, *faultproxy.Proxy) {
	t.Helper()
	u, p := proxy(t, MigratedURL(t))
	return openAt(t, u), p
}

// openAt opens a store on the migrated schema u, closed when t ends, and
// checks that the schema is as new as the store expects.
func openAt(t testing.TB, u string) *postgres.Store {
	t.Helper()
	ctx := t.Context()
	s, err := postgres.Open(ctx, postgres.Config{
		URL:      u,
		MaxConns: 8,
		Logger:   slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatalf("pgtest: open store: %v", err)
	}
	// Cleanups run last-registered first: the store closes before the
	// schema's cleanup drops it.
	t.Cleanup(s.Close)
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatalf("pgtest: migrated schema: %v", err)
	}
	return s
}

// URL creates a fresh, empty schema and returns a database URL whose
// search_path is that schema; the schema is dropped when t ends. Nothing
// is migrated: for tests of migrations themselves.
func URL(t testing.TB) string {
	t.Helper()
	return newSchema(t, empty)
}

// MigratedURL creates a fresh schema at the newest migration and returns
// a database URL whose search_path is that schema; the schema is dropped
// when t ends. For tests that open a store (or start the server) on a
// database of their own that must not take the time of every migration:
// Store.Migrate on it does nothing and Store.CheckSchema accepts it.
func MigratedURL(t testing.TB) string {
	t.Helper()
	return newSchema(t, migrated)
}

// ReplayedURL is MigratedURL with the schema made by replaying the
// migrations even where pg_dump could describe it: for the test that
// holds both ways to what Store.Migrate makes.
func ReplayedURL(t testing.TB) string {
	t.Helper()
	return newSchema(t, replayed)
}

// FromDump reports why MigratedURL replays the migrations rather than
// creating pg_dump's picture of them (nil when it does not).
func FromDump() error {
	_, err := dumped()
	return err
}

// The schemas newSchema makes.
const (
	empty = iota
	migrated
	replayed
)

// newSchema creates a fresh schema, empty, at the newest migration, or
// at the newest migration by replaying the migrations, and returns its
// URL; the schema is dropped when t ends.
func newSchema(t testing.TB, kind int) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: needs Postgres")
	}
	base := baseURL()
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatalf("pgtest: parse TOKENIM_TEST_DATABASE_URL: %v", err)
	}
	cfg.ConnectTimeout = connectTimeout
	where := cfg.Host + ":" + strconv.Itoa(int(cfg.Port)) + "/" + cfg.Database

	ctx := t.Context()
	admin, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pgtest: postgres unreachable at %s: %v (CI=true: Postgres must be running)", where, err)
		}
		t.Skipf("postgres unreachable at %s: %v (set CI=true to make this fatal)", where, err)
	}
	defer admin.Close(ctx)

	schema := "tokenim_test_" + randomHex()
	ident := pgx.Identifier{schema}.Sanitize()
	// Without arguments pgx sends the statements as one simple query: one
	// round trip, run as one transaction. The admin connection is closed
	// afterwards, so its search_path goes with it.
	create := "CREATE SCHEMA " + ident + ";\n"
	if kind != empty {
		create = migratedSchema(t, schema, kind == replayed)
	}
	if _, err := admin.Exec(ctx, create); err != nil {
		t.Fatalf("pgtest: create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		// t.Context() is already canceled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+ident+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(t, base, schema)
}

// Proxied is URL reached through a faultproxy.Proxy: Break on the proxy is
// a Postgres outage for the test's clients alone (connections dropped,
// new ones refused), while the shared server keeps running.
func Proxied(t testing.TB) (string, *faultproxy.Proxy) {
	t.Helper()
	return proxy(t, URL(t))
}

// proxy returns the database URL u reached through a new
// faultproxy.Proxy, and the proxy.
func proxy(t testing.TB, u string) (string, *faultproxy.Proxy) {
	t.Helper()
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		t.Fatalf("pgtest: parse database URL: %v", err)
	}
	p := faultproxy.New(t, net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	host, port, _ := net.SplitHostPort(p.Addr())
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatalf("pgtest: parse database URL: %v", err)
		}
		parsed.Host = p.Addr()
		return parsed.String(), p
	}
	// In a key=value string the later of two keys wins.
	return u + " host=" + host + " port=" + port, p
}

// withSearchPath returns the connection string base with search_path set
// to schema, for a URL or a key=value string alike; pgx sends search_path
// to the server as a run-time parameter.
func withSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("pgtest: parse TOKENIM_TEST_DATABASE_URL: %v", err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return base + " search_path=" + schema
}

func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails since Go 1.24
	return hex.EncodeToString(b)
}

// baseURL is the database tests work in: TOKENIM_TEST_DATABASE_URL, or
// DefaultURL.
func baseURL() string {
	if base := os.Getenv("TOKENIM_TEST_DATABASE_URL"); base != "" {
		return base
	}
	return DefaultURL
}

// migratedSchema returns the SQL that creates the schema name at the
// newest migration: pg_dump's picture of it when there is one (dumped)
// and replay is false, else the migrations themselves.
func migratedSchema(t testing.TB, name string, replay bool) string {
	t.Helper()
	if d, err := dumped(); err == nil && !replay {
		return d.as(name)
	}
	script, err := migratedScript()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return "CREATE SCHEMA " + name + ";\nSET search_path TO " + name + ";\n" + script
}
