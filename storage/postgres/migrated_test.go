package postgres_test

import (
	"context"
	"os/exec"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// schemaShape describes the schema of url's search_path: every object
// with its definition, and the rows of every table, so that two schemas
// built apart compare equal exactly when a store cannot tell them apart.
func schemaShape(t *testing.T, url string) map[string][]string {
	t.Helper()
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	// Definitions name objects of the search_path's schema with it: each
	// schema has its own name, so it is left out.
	queries := map[string]string{
		"relations": `
			SELECT concat_ws(' ', relname, relkind, relpersistence)
			FROM pg_class WHERE relnamespace = current_schema()::regnamespace`,
		"columns": `
			SELECT concat_ws(' ', table_name, ordinal_position, column_name, data_type, udt_name,
			       character_maximum_length, is_nullable, column_default, is_identity,
			       identity_generation, identity_start, identity_increment, is_generated, generation_expression)
			FROM information_schema.columns WHERE table_schema = current_schema()`,
		"constraints": `
			SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
			FROM pg_constraint WHERE connamespace = current_schema()::regnamespace`,
		"indexes": `
			SELECT replace(indexdef, current_schema() || '.', '') || ' valid=' || i.indisvalid
			FROM pg_indexes x JOIN pg_index i ON i.indexrelid = (x.schemaname || '.' || x.indexname)::regclass
			WHERE schemaname = current_schema()`,
		"functions": `
			SELECT replace(pg_get_functiondef(oid), current_schema() || '.', '')
			FROM pg_proc WHERE pronamespace = current_schema()::regnamespace`,
		"triggers": `
			SELECT replace(pg_get_triggerdef(t.oid), current_schema() || '.', '') || ' ' || t.tgenabled::text
			FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace`,
		"sequences": `
			SELECT concat_ws(' ', sequencename, data_type, start_value, min_value, max_value,
			       increment_by, cycle, last_value)
			FROM pg_sequences WHERE schemaname = current_schema()`,
		"comments": `
			SELECT c.relname || ' ' || d.objsubid || ' ' || d.description
			FROM pg_description d JOIN pg_class c ON c.oid = d.objoid
			WHERE c.relnamespace = current_schema()::regnamespace`,
		// goose's record of the migrations applied, without the times.
		"versions": `SELECT version_id || ' ' || is_applied FROM goose_db_version ORDER BY id`,
	}
	shape := map[string][]string{}
	for what, q := range queries {
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if what != "versions" {
			slices.Sort(got)
		}
		shape[what] = got
	}
	for _, table := range tables(t, url) {
		if table == "goose_db_version" {
			continue
		}
		var rows string
		q := `SELECT coalesce(jsonb_agg(to_jsonb(r) ORDER BY to_jsonb(r)::text), '[]')::text FROM ` +
			pgx.Identifier{table}.Sanitize() + ` r`
		if err := conn.QueryRow(ctx, q).Scan(&rows); err != nil {
			t.Fatalf("rows of %s: %v", table, err)
		}
		shape["rows"] = append(shape["rows"], table+" "+rows)
	}
	return shape
}

func TestMigratedURLIsWhatMigrateMakes(t *testing.T) {
	t.Parallel()
	migrated, url := openEmpty(t)
	if err := migrated.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	want := schemaShape(t, url)
	if len(want["rows"]) == 0 || len(want["versions"]) < 2 {
		t.Fatalf("migrated schema looks empty: %v", want)
	}

	if diff := cmp.Diff(want, schemaShape(t, pgtest.ReplayedURL(t))); diff != "" {
		t.Fatalf("ReplayedURL's schema differs from a migrated one (-Migrate +ReplayedURL):\n%s", diff)
	}
	cloneURL := pgtest.MigratedURL(t)
	if diff := cmp.Diff(want, schemaShape(t, cloneURL)); diff != "" {
		t.Fatalf("MigratedURL's schema differs from a migrated one (-Migrate +MigratedURL):\n%s", diff)
	}

	s := openURL(t, cloneURL)
	if err := s.CheckSchema(t.Context()); err != nil {
		t.Fatalf("CheckSchema on MigratedURL's schema: %v", err)
	}
	steps := 0
	if err := s.Migrate(t.Context(), postgres.WithStep(func(int, int) { steps++ })); err != nil {
		t.Fatalf("migrate MigratedURL's schema: %v", err)
	}
	if steps != 0 {
		t.Errorf("Migrate applied %d migrations to MigratedURL's schema, want none", steps)
	}
	if diff := cmp.Diff(want, schemaShape(t, cloneURL)); diff != "" {
		t.Errorf("Migrate changed MigratedURL's schema (-before +after):\n%s", diff)
	}
}

func TestURLIsEmpty(t *testing.T) {
	t.Parallel()
	if got := tables(t, pgtest.URL(t)); len(got) != 0 {
		t.Errorf("URL's schema has tables %v, want none", got)
	}
}

// Where pg_dump is installed, migrated schemas are made from its picture
// of the newest migration (three times as fast as replaying them); a
// dump that stops working must not fall back unnoticed.
func TestMigratedSchemasComeFromADumpWherePgDumpIs(t *testing.T) {
	t.Parallel()
	pgtest.MigratedURL(t) // skips without Postgres
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skipf("no pg_dump on the PATH (%v): MigratedURL replays the migrations", err)
	}
	if err := pgtest.FromDump(); err != nil {
		t.Fatalf("pg_dump is installed but MigratedURL replays the migrations: %v", err)
	}
}
