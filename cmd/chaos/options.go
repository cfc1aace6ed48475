package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// options are the command-line flags.
type options struct {
	bin     string
	steady  time.Duration
	outage  time.Duration
	pause   time.Duration
	rate    float64
	workers int
	grace   time.Duration
	sweep   int
	keep    bool
	// args is the command line, repeated under the table.
	args []string
}

// parseOptions reads the flags; a bad one is reported on stderr.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("chaos", flag.ContinueOnError)
	var o options
	fs.StringVar(&o.bin, "bin", "bin/tokenim-auth", "the tokenim-auth `binary` to run (make build)")
	fs.DurationVar(&o.steady, "steady", 20*time.Second, "length of the steady period before the first fault and after each")
	fs.DurationVar(&o.outage, "outage", 10*time.Second, "how long Redis stays down")
	fs.DurationVar(&o.pause, "pause", 0, "how long Postgres and the killed node stay down before they are started again")
	fs.Float64Var(&o.rate, "rate", 300, "requests a second, in all")
	fs.IntVar(&o.workers, "workers", 8, "requests under way at once, at most")
	fs.DurationVar(&o.grace, "grace", time.Second, "how long after a revocation another node may still answer active (redis.local_ttl)")
	fs.IntVar(&o.sweep, "sweep", 1000, "tokens introspected on every node after each fault")
	fs.BoolVar(&o.keep, "keep", false, "keep the directory with the nodes', Postgres's and Redis's logs (the cluster is stopped all the same)")
	if err := testbed.ParseFlags(fs, args, stderr, func() string { return o.problem() }); err != nil {
		return options{}, err
	}
	o.args = args
	return o, nil
}

// problem says what is wrong with the options, or "".
func (o options) problem() string {
	switch {
	case o.steady < 2*time.Second:
		return "-steady must be at least 2s"
	case o.outage <= 0:
		return "-outage must be more than 0"
	case o.pause < 0:
		return "-pause must not be negative"
	case o.rate <= 0:
		return "-rate must be more than 0"
	case o.workers < 1:
		return "-workers must be at least 1"
	case o.grace < 0:
		return "-grace must not be negative"
	case o.sweep < 0:
		return "-sweep must not be negative"
	}
	return ""
}

// checkTools makes sure the binary and redis-server are there.
func checkTools(o options) error {
	if _, err := os.Stat(o.bin); err != nil {
		return fmt.Errorf("-bin: %w (make build)", err)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		return fmt.Errorf("redis-server not found (apt-get install redis-server): %w", err)
	}
	if _, err := postgresBin(); err != nil {
		return err
	}
	return nil
}
