// Package pgtest gives each test its own Postgres schema: a fresh, empty
// namespace created for the test and dropped when it ends, so tests run in
// parallel against one database without seeing each other's rows.
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

// Open returns a store on a fresh schema, migrated, closed and dropped
// when t ends.
func Open(t testing.TB) *postgres.Store {
	t.Helper()
	return openAt(t, URL(t))
}

// OpenProxied is Open reached through a faultproxy.Proxy (see Proxied).
func OpenProxied(t testing.TB) (*postgres.Store, *faultproxy.Proxy) {
	t.Helper()
	u, p := Proxied(t)
	return openAt(t, u), p
}

// openAt opens and migrates a store on the database u, closed when t ends.
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
	// Cleanups run last-registered first: the store closes before URL's
	// cleanup drops the schema.
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("pgtest: migrate: %v", err)
	}
	return s
}

// URL creates a fresh, empty schema and returns a database URL whose
// search_path is that schema; the schema is dropped when t ends. Nothing
// is migrated: for tests of migrations themselves.
func URL(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: needs Postgres")
	}
	base := os.Getenv("TOKENIM_TEST_DATABASE_URL")
	if base == "" {
		base = DefaultURL
	}
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
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+ident); err != nil {
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
	u := URL(t)
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
