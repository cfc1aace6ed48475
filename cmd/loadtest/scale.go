package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// scaleOptions are the flags of "loadtest scale".
type scaleOptions struct {
	options
	// sizes are the numbers of tokens seeded, one run each, ascending.
	sizes []int
	// out and chart are files the report and the SVG chart are written
	// to; "" for none.
	out, chart string
	// cluster runs the Redis Cluster measure after the sizes.
	cluster bool
}

// Bounds of what scale seeds: users stop growing at maxUsers (10^6),
// and the sample of tokens cold introspection cycles through at
// maxColdSample.
const (
	maxUsers      = 1_000_000
	maxColdSample = 100_000
	minSize       = 1_000
	maxSize       = 100_000_000
)

// scaleMeasures are the wrk measures of scale, which -scenarios selects
// from; the others (sizes, janitor, audit verify, memory) always run.
func scaleMeasures() []string {
	return []string{"introspect_cold", "client_credentials", "refresh", "console_first", "console_deep"}
}

// runScale is "loadtest scale": the same measures at each number of
// tokens.
func runScale(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseScaleOptions(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if err := checkTools(opts.options); err != nil {
		return err
	}
	var points []scalePoint
	var failed []error
	for _, n := range opts.sizes {
		p, err := measureSize(ctx, opts, logger, n)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("%s tokens: %w", thousands(float64(n)), err)
		}
		points = append(points, p)
		failed = append(failed, p.failed()...)
	}
	var cluster *clusterResult
	if opts.cluster {
		c, err := measureCluster(ctx, opts, logger)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("redis cluster: %w", err)
		}
		cluster = &c
	}
	machine, err := describeMachine(opts.options)
	if err != nil {
		return err
	}
	var b strings.Builder
	printScaleReport(&b, opts, machine, points)
	if cluster != nil {
		printCluster(&b, *cluster)
	}
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return err
	}
	if opts.out != "" {
		if err := os.WriteFile(opts.out, []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("-out: %w", err)
		}
	}
	if opts.chart != "" {
		if err := os.WriteFile(opts.chart, scaleChart(points), 0o644); err != nil {
			return fmt.Errorf("-chart: %w", err)
		}
	}
	if len(failed) > 0 {
		return errors.Join(append([]error{errFailed}, failed...)...)
	}
	return nil
}

// parseScaleOptions reads the flags of scale; a bad one is reported on
// stderr.
func parseScaleOptions(args []string, stderr io.Writer) (scaleOptions, error) {
	fs := flag.NewFlagSet("loadtest scale", flag.ContinueOnError)
	var o scaleOptions
	o.labFlags(fs, scaleMeasures())
	o.sizes = []int{100_000, 1_000_000, 10_000_000}
	var sizesErr error
	fs.Func("sizes", "comma-separated numbers of `tokens` seeded, such as 1e5 or 250000 (default 1e5,1e6,1e7)", func(v string) error {
		o.sizes, sizesErr = parseSizes(v)
		return sizesErr
	})
	fs.StringVar(&o.out, "out", "", "also write the report to `FILE`")
	fs.StringVar(&o.chart, "chart", "", "write the chart of latency and size against tokens to `FILE` (SVG)")
	fs.BoolVar(&o.cluster, "cluster", true, "then measure introspection from one Redis server and from a three-master Redis Cluster started by the run")
	if err := testbed.ParseFlags(fs, args, stderr, func() string { return o.problem(scaleMeasures()) }); err != nil {
		return scaleOptions{}, err
	}
	o.args = args
	return o, nil
}

// parseSizes reads -sizes: whole numbers, written plainly or as 1e6 or
// 2.5e5, from minSize to maxSize, returned ascending without repeats.
func parseSizes(v string) ([]int, error) {
	var sizes []int
	for f := range strings.SplitSeq(v, ",") {
		f = strings.TrimSpace(f)
		x, err := strconv.ParseFloat(f, 64)
		if err != nil || x != math.Trunc(x) {
			return nil, fmt.Errorf("%q is not a whole number", f)
		}
		if x < minSize || x > maxSize {
			return nil, fmt.Errorf("%s is not between %s and %s", f, thousands(minSize), thousands(maxSize))
		}
		sizes = append(sizes, int(x))
	}
	slices.Sort(sizes)
	return slices.Compact(sizes), nil
}
