package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/janitor"
	"github.com/tokenim/tokenim-auth/storage"
)

func janitorCmd(e env) *cobra.Command {
	return configCommand(e, &cobra.Command{
		Use:   "janitor",
		Short: "Delete expired codes, tokens, sessions and flows now",
		Long: `Janitor deletes what has expired, in one round, and prints how many records of
each area went. It runs whether or not janitor.enabled is set; when a node is
running a round at that moment, it does nothing.`,
	}, janitorOnce)
}

// janitorOnce runs one round of the janitor, showing how many records it
// deleted so far on a terminal.
func janitorOnce(ctx context.Context, e env, path string) error {
	cfg, store, err := adminStore(ctx, path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	// No logger: what the round did is printed below.
	p := newProgress(e, false)
	j, err := newJanitor(cfg, store, &countingPurger{Purger: store, progress: p}, nil)
	if err != nil {
		return err
	}
	res, err := j.Once(ctx)
	p.done()
	if !res.Ran && err == nil {
		fmt.Fprintln(e.stdout, "another node is deleting expired records right now (it holds the janitor's lock); nothing done")
		return nil
	}
	if res.Ran {
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "AREA\tDELETED")
		for _, area := range storage.PurgeAreas() {
			fmt.Fprintf(tw, "%s\t%d\n", area, res.Deleted[area])
		}
		for _, t := range slices.Sorted(maps.Keys(res.Tasks)) {
			fmt.Fprintf(tw, "%s\t%d\n", t, res.Tasks[t])
		}
		fmt.Fprintf(tw, "total\t%d\n", res.Total())
		if ferr := tw.Flush(); ferr != nil && err == nil {
			err = ferr
		}
	}
	return err
}

// countingPurger shows how many records the purges deleted so far.
type countingPurger struct {
	storage.Purger
	progress *progress
	deleted  int
}

func (c *countingPurger) Purge(ctx context.Context, area storage.PurgeArea, before time.Time, limit int) (int, error) {
	n, err := c.Purger.Purge(ctx, area, before, limit)
	c.deleted += n
	c.progress.show("deleting expired records: %s, %d deleted", area, c.deleted)
	return n, err
}

// newJanitor builds the janitor of cfg over store, whose lock lets one
// node at a time run a round; purger deletes the expired records (store
// itself, or a wrapper of it).
func newJanitor(cfg config.Config, store storage.LockingStore, purger storage.Purger, logger *slog.Logger) (*janitor.Janitor, error) {
	records, err := newAudit(cfg, store, logger)
	if err != nil {
		return nil, err
	}
	return janitor.New(janitor.Config{
		Store:       purger,
		Locker:      store,
		Interval:    cfg.Janitor.Interval,
		Batch:       cfg.Janitor.Batch,
		ForgetAfter: cfg.Throttle.ForgetAfter(),
		Tasks:       records.janitorTasks(cfg, store),
		Logger:      logger,
	})
}

// startJanitor runs the janitor in the background of serve when
// janitor.enabled is set. stop ends it and waits until its round in
// progress, if any, has let go of the store: call it before closing the
// store.
func startJanitor(ctx context.Context, cfg config.Config, store storage.LockingStore, logger *slog.Logger) (stop func(), err error) {
	if !cfg.Janitor.Enabled {
		return func() {}, nil
	}
	j, err := newJanitor(cfg, store, store, logger)
	if err != nil {
		return nil, err
	}
	stop = background(ctx, j.Run)
	logger.InfoContext(ctx, "janitor started", "interval", cfg.Janitor.Interval, "batch", cfg.Janitor.Batch)
	return stop, nil
}
