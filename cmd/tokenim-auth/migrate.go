package main

import (
	"context"
	"fmt"
)

// migrate applies pending database migrations.
func migrate(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("migrate", e)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*path, e, nil)
	if err != nil {
		return err
	}
	if cfg.Database.URL == "memory" {
		return usagef("database.url is \"memory\": there is nothing to migrate (set --config or TOKENIM_DATABASE_URL to a Postgres URL)")
	}
	store, err := openStore(ctx, cfg, newLogger(cfg, e.stderr), migrateApply)
	if err != nil {
		return err
	}
	store.Close()
	fmt.Fprintln(e.stdout, "database schema is up to date")
	return nil
}
