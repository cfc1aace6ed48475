package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/storage/postgres"
)

func migrateCmd(e env) *cobra.Command {
	return configCommand(e, &cobra.Command{
		Use:   "migrate",
		Short: "Apply database migrations",
		Long: `Migrate applies the pending database migrations and exits. Nodes migrating at
once queue on a lock, so only one applies each migration. serve migrates too,
unless database.migrate is off.`,
	}, migrate)
}

// migrate applies pending database migrations, showing how many are
// applied on a terminal.
func migrate(ctx context.Context, e env, path string) error {
	cfg, err := loadConfig(path, e, nil)
	if err != nil {
		return err
	}
	if cfg.Database.URL == "memory" {
		return usagef("database.url is \"memory\": there is nothing to migrate (set --config or TOKENIM_DATABASE_URL to a Postgres URL)")
	}
	p := newProgress(e, false)
	store, err := openPostgres(ctx, cfg, newLogger(cfg, p))
	if err != nil {
		return err
	}
	defer store.Close()
	err = store.Migrate(ctx, postgres.WithStep(func(applied, pending int) {
		p.show("applying migrations: %d of %d", applied, pending)
	}))
	p.done()
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "database schema is up to date")
	return nil
}
