package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// dumpedSchema is a migrated schema as pg_dump writes it: one CREATE
// statement per table, index, function and trigger in its final form,
// with the rows migrations insert, every name qualified by the schema
// name template. Made once per test process (see dumped).
type dumpedSchema struct {
	template string
	script   string
}

// as returns the script that creates the schema name (a lower-case
// identifier, as newSchema makes them) instead of the template.
func (d dumpedSchema) as(name string) string {
	return strings.ReplaceAll(d.script, d.template, name)
}

// dumped is the newest migration's schema as pg_dump writes it, for the
// database base, or why it could not be had (no pg_dump on the PATH, or
// one older than the server): then each migrated schema replays the
// migrations instead (migratedScript), which gives the same schema in
// about three times as long, most of it in the ALTER TABLEs of later
// migrations. Like migratedScript it is made once per process and never
// changes after; TestMigratedURLIsWhatMigrateMakes holds both ways to
// what Store.Migrate makes.
var dumped = sync.OnceValues(func() (dumpedSchema, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return dump(ctx, baseURL())
})

// dump migrates a template schema by replaying the migrations, has
// pg_dump write it out and drops it.
func dump(ctx context.Context, base string) (dumpedSchema, error) {
	pgDump, err := exec.LookPath("pg_dump")
	if err != nil {
		return dumpedSchema{}, fmt.Errorf("dump: %w", err)
	}
	script, err := migratedScript()
	if err != nil {
		return dumpedSchema{}, err
	}
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		return dumpedSchema{}, fmt.Errorf("dump: %w", err)
	}
	cfg.ConnectTimeout = connectTimeout
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return dumpedSchema{}, fmt.Errorf("dump: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	template := "tokenim_test_template_" + randomHex()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+template+";\nSET search_path TO "+template+";\n"+script); err != nil {
		return dumpedSchema{}, fmt.Errorf("dump: migrate the template schema: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "DROP SCHEMA "+template+" CASCADE")

	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, pgDump, "--schema="+template, "--no-owner", "--no-privileges", "--inserts", "--dbname="+base)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return dumpedSchema{}, fmt.Errorf("dump: pg_dump: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var b strings.Builder
	for line := range strings.Lines(out.String()) {
		// The session settings pg_dump writes first (an empty
		// search_path among them) are not the schema's: every name it
		// writes is qualified. Lines beginning with a backslash are
		// psql's meta-commands (\restrict), for psql alone.
		if strings.HasPrefix(line, "SET ") || strings.HasPrefix(line, "SELECT pg_catalog.set_config(") || strings.HasPrefix(line, "--") ||
			strings.HasPrefix(line, `\`) {
			continue
		}
		b.WriteString(line)
	}
	d := dumpedSchema{template: template, script: b.String()}
	if !strings.Contains(d.script, "CREATE SCHEMA "+template+";") {
		return dumpedSchema{}, errors.New("dump: pg_dump wrote no CREATE SCHEMA for the template")
	}
	return d, nil
}
