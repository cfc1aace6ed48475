package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

func main() {
	testbed.Main("chaos", run)
}

// errFailed marks a run that saw a wrong answer, a lost grant or a
// revoked token active again: the program exits 1 after the table.
var errFailed = errors.New("wrong answers, lost grants or revoked tokens active again")

// run starts the bed, runs the load and the faults, prints each fault's
// figures and the final table on stdout, and takes the bed down whatever
// happens; progress goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseOptions(args, stderr)
	if err == nil {
		err = checkTools(opts)
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	b, err := newBed(ctx, opts, logger)
	defer b.close()
	if err != nil {
		return err
	}
	r := &runner{
		opts: opts, bed: b, out: stdout, now: time.Now,
		driver: newDriver(b.bases(), b.secrets, opts.workers, opts.grace),
		rand:   rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0)),
	}
	o, err := r.run(ctx)
	if err != nil {
		return err
	}
	s, err := summarize(ctx, b, o)
	if err != nil {
		return err
	}
	printTable(stdout, s)
	if tallyOf(o.events, time.Time{}, o.end.Add(time.Hour)).failing() {
		return errFailed
	}
	return nil
}

// summarize gathers the final table's rows and the machine.
func summarize(ctx context.Context, b *bed, o outcome) (summary, error) {
	s := summary{opts: b.opts, rows: []row{steadyRow(o)}}
	for i := range o.faults {
		s.rows = append(s.rows, faultRow(o, i, b.opts))
	}
	var err error
	if s.machine, err = testbed.DescribeMachine(b.opts.bin); err != nil {
		return summary{}, err
	}
	if s.postgres, err = b.pg.version(ctx); err != nil {
		return summary{}, err
	}
	if s.redis, err = b.redis.version(ctx); err != nil {
		return summary{}, err
	}
	return s, nil
}
