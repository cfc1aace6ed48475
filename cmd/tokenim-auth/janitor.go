package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"text/tabwriter"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/janitor"
	"github.com/tokenim/tokenim-auth/storage"
)

// janitorCommand deletes what has expired, in one round, and prints how
// many records of each area went. It runs whether or not janitor.enabled
// is set; when a node is running a round at that moment, it does nothing.
func janitorCommand(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("janitor", e)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	// No logger: what the round did is printed below.
	j, err := newJanitor(cfg, store, nil)
	if err != nil {
		return err
	}
	res, err := j.Once(ctx)
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

// newJanitor builds the janitor of cfg over store, which must also offer
// the lock that lets one node at a time run a round.
func newJanitor(cfg config.Config, store storage.Store, logger *slog.Logger) (*janitor.Janitor, error) {
	// The database store itself offers the lock; a wrapper must pass
	// TryLock on.
	locker, ok := store.(janitor.Locker)
	if !ok {
		return nil, fmt.Errorf("janitor: the store (%T) has no TryLock to share a lock between nodes", store)
	}
	records, err := newAudit(cfg, store, logger)
	if err != nil {
		return nil, err
	}
	return janitor.New(janitor.Config{
		Store:       store,
		Locker:      locker,
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
func startJanitor(ctx context.Context, cfg config.Config, store storage.Store, logger *slog.Logger) (stop func(), err error) {
	if !cfg.Janitor.Enabled {
		return func() {}, nil
	}
	j, err := newJanitor(cfg, store, logger)
	if err != nil {
		return nil, err
	}
	stop = background(ctx, j.Run)
	logger.InfoContext(ctx, "janitor started", "interval", cfg.Janitor.Interval, "batch", cfg.Janitor.Batch)
	return stop, nil
}
