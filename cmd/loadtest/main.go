package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// options are the command-line flags.
type options struct {
	bin         string
	duration    time.Duration
	connections int
	threads     int
	database    string
	redis       string
	profileDir  string
	scenarios   []string
	// args are the flags as given, for the report.
	args []string
}

// errFailed marks a scenario that failed: the program exits 1 after the
// report.
var errFailed = errors.New("a scenario failed")

func main() {
	testbed.Main("loadtest", run)
}

// run sets the nodes up, runs the scenarios and prints the report on
// stdout; progress goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "compare" {
		return runCompare(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "scale" {
		return runScale(ctx, args[1:], stdout, stderr)
	}
	opts, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if err := checkTools(opts); err != nil {
		return err
	}
	l, err := newLab(ctx, opts, logger)
	if err != nil {
		return err
	}
	defer l.close()

	node1, err := l.start(ctx, "node1", true)
	if err != nil {
		return err
	}
	creds, err := obtainTokens(ctx, l, node1)
	if err != nil {
		return err
	}
	mem, err := measureRedisMemory(ctx, l, node1)
	if err != nil {
		return err
	}
	results := runScenarios(ctx, l, creds)
	if err := ctx.Err(); err != nil {
		return err
	}
	machine, err := describeMachine(opts)
	if err != nil {
		return err
	}
	printReport(ctx, stdout, report{opts: opts, machine: machine, results: results, memory: mem})
	for _, r := range results {
		if r.failure != "" {
			return errFailed
		}
	}
	return nil
}

// parseOptions reads the flags; a bad one is reported on stderr.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	var o options
	o.labFlags(fs, scenarioNames())
	fs.StringVar(&o.profileDir, "profile", "", "save CPU profiles of the introspect and client_credentials scenarios in `DIR`")
	if err := testbed.ParseFlags(fs, args, stderr, func() string { return o.problem(scenarioNames()) }); err != nil {
		return options{}, err
	}
	o.args = args
	return o, nil
}

// labFlags defines the flags of the lab and of wrk, which loadtest and
// compare share, and -scenarios, all of scenarios by default.
func (o *options) labFlags(fs *flag.FlagSet, scenarios []string) {
	o.scenarios = scenarios
	fs.Func("scenarios", "comma-separated `list` of scenarios (default "+strings.Join(scenarios, ",")+")", func(v string) error {
		o.scenarios = strings.Split(v, ",")
		return nil
	})
	fs.StringVar(&o.bin, "bin", "bin/tokenim-auth", "the tokenim-auth `binary` to run (make build)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each wrk run")
	fs.IntVar(&o.connections, "connections", 16, "wrk connections")
	fs.IntVar(&o.threads, "threads", 2, "wrk threads")
	fs.StringVar(&o.database, "database", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "Postgres `URL`; the schema "+schema+" is recreated there and dropped at the end")
	fs.StringVar(&o.redis, "redis", "127.0.0.1:6379", "Redis `HOST:PORT`; database 11, keys under "+redisPrefix)
}

// problem says what is wrong with the options, or "". known are the
// scenarios there are.
func (o options) problem(known []string) string {
	switch {
	case o.duration < time.Second || o.duration%time.Second != 0:
		return "-duration must be whole seconds, at least 1s"
	case o.profileDir != "" && o.duration < profileStart+profileLength+time.Second:
		return fmt.Sprintf("-profile needs a -duration of at least %s", profileStart+profileLength+time.Second)
	case o.threads < 1 || o.connections < 1:
		return "-threads and -connections must be at least 1"
	}
	for _, name := range o.scenarios {
		if !slices.Contains(known, name) {
			return fmt.Sprintf("unknown scenario %q; known: %s", name, strings.Join(known, ", "))
		}
	}
	return ""
}

// checkTools makes sure wrk and the binary are there.
func checkTools(o options) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return fmt.Errorf("wrk not found (apt-get install wrk): %w", err)
	}
	if _, err := os.Stat(o.bin); err != nil {
		return fmt.Errorf("-bin: %w (make build)", err)
	}
	return nil
}
