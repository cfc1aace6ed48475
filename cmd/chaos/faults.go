package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// fault is one thing done to the bed: do breaks it and mends it, and
// says when it began and ended.
type fault struct {
	name string
	do   func(ctx context.Context) (start, end time.Time, err error)
}

// faults are the faults, in the order they are done.
func (r *runner) faults() []fault {
	return []fault{
		{name: fmt.Sprintf("Redis down %s", r.opts.outage), do: r.redisDown},
		{name: "Postgres restart", do: r.postgresRestart},
		{name: "node2 killed (SIGKILL)", do: r.nodeKilled},
	}
}

// redisDown kills Redis, waits the outage, and starts it again, empty.
func (r *runner) redisDown(ctx context.Context) (start, end time.Time, err error) {
	start = r.now()
	if err := r.bed.redis.kill(); err != nil {
		return start, r.now(), err
	}
	if err := sleep(ctx, r.opts.outage); err != nil {
		return start, r.now(), err
	}
	err = r.bed.redis.start(ctx)
	return start, r.now(), err
}

// postgresRestart stops Postgres (fast: sessions ended, a checkpoint),
// waits the pause, starts it again and waits until it answers.
func (r *runner) postgresRestart(ctx context.Context) (start, end time.Time, err error) {
	start = r.now()
	if err := r.bed.pg.stop(ctx, "fast"); err != nil {
		return start, r.now(), err
	}
	if err := sleep(ctx, r.opts.pause); err != nil {
		return start, r.now(), err
	}
	if err := r.bed.pg.start(ctx); err != nil {
		return start, r.now(), err
	}
	for r.bed.pg.ping(ctx) != nil {
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return start, r.now(), err
		}
	}
	return start, r.now(), nil
}

// nodeKilled kills node2 with SIGKILL, waits the pause, and starts it
// again on the same address, until it is ready.
func (r *runner) nodeKilled(ctx context.Context) (start, end time.Time, err error) {
	start = r.now()
	if err := r.bed.nodes[1].Kill(); err != nil {
		return start, r.now(), err
	}
	if err := sleep(ctx, r.opts.pause); err != nil {
		return start, r.now(), err
	}
	err = r.bed.restartNode(ctx, 1)
	return start, r.now(), err
}

// runner runs the load and the faults on a bed.
type runner struct {
	opts   options
	bed    *bed
	driver *driver
	out    io.Writer
	now    func() time.Time
	rand   *rand.Rand
}

// outcome is a run's measurements.
type outcome struct {
	// steadyFrom and steadyTo bound the first steady period, the
	// reference.
	steadyFrom, steadyTo time.Time
	faults               []faultTimes
	// end is when the last sweep ended.
	end    time.Time
	events []event
}

// faultTimes is when a fault happened.
type faultTimes struct {
	name       string
	start, end time.Time
	// next is when its window closes: the next fault's start, or the
	// run's end. The window holds the fault, the steady period after it
	// and the sweep.
	next time.Time
}

// run runs a steady period, then each fault followed by a steady period
// and a sweep of the ledger, printing each fault's figures as it goes.
func (r *runner) run(ctx context.Context) (outcome, error) {
	var o outcome
	stop := r.startLoad(ctx)
	o.steadyFrom = r.now()
	err := sleep(ctx, r.opts.steady)
	o.steadyTo = r.now()
	lastSweep := o.steadyFrom
	for i, f := range r.faults() {
		if err != nil {
			break
		}
		if i > 0 {
			stop = r.startLoad(ctx)
		}
		r.bed.logger.Info("fault", "name", f.name)
		ft := faultTimes{name: f.name}
		ft.start, ft.end, err = f.do(ctx)
		o.faults = append(o.faults, ft)
		if err != nil {
			err = fmt.Errorf("%s: %w", f.name, err)
			break
		}
		r.bed.logger.Info("fault over; steady period", "name", f.name, "down", ft.end.Sub(ft.start).Round(time.Millisecond))
		err = sleep(ctx, r.opts.steady)
		stop()
		if err != nil {
			break
		}
		ids := r.driver.ledger.sample(r.rand, lastSweep, r.opts.sweep)
		lastSweep = r.now()
		r.bed.logger.Info("sweep", "tokens", len(ids), "of", r.driver.ledger.len())
		r.driver.sweep(ctx, ids, r.opts.workers)
		o.events = r.driver.rec.all()
		o.faults[i].next = r.now()
		printFault(r.out, faultRow(o, i, r.opts), r.opts.grace)
	}
	stop()
	o.end = r.now()
	o.events = r.driver.rec.all()
	if len(o.faults) > 0 && o.faults[len(o.faults)-1].next.IsZero() {
		o.faults[len(o.faults)-1].next = o.end
	}
	return o, err
}

// startLoad starts the load in the background; stop ends it and waits.
// Stopping twice does nothing.
func (r *runner) startLoad(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.driver.load(ctx, r.opts.workers, r.opts.rate)
	}()
	return func() {
		cancel()
		<-done
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
