package main

import (
	"cmp"
	"context"
	"debug/buildinfo"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// compareMachine is where the comparison ran, and what ran.
type compareMachine struct {
	machine
	// hydra is Hydra's version, hydraGo the Go it was built with.
	hydra, hydraGo  string
	postgres, redis string
	// load is /proc/loadavg's 1, 5 and 15-minute load averages at the
	// end of the run: what else ran on the cores meanwhile.
	load string
}

func describeCompareMachine(ctx context.Context, l *lab, hydraBin string) (compareMachine, error) {
	m, err := describeMachine(l.opts)
	if err != nil {
		return compareMachine{}, err
	}
	c := compareMachine{machine: m, hydra: "?"}
	if bi, err := buildinfo.ReadFile(hydraBin); err == nil {
		c.hydraGo = bi.GoVersion
		c.hydra = hydraModuleVersion(bi)
	}
	conn, err := pgx.Connect(ctx, l.opts.database)
	if err != nil {
		return compareMachine{}, fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if err := conn.QueryRow(ctx, "SHOW server_version").Scan(&c.postgres); err != nil {
		return compareMachine{}, fmt.Errorf("postgres: server version: %w", err)
	}
	info, err := l.rdb.InfoMap(ctx, "server").Result()
	if err != nil {
		return compareMachine{}, fmt.Errorf("redis: info server: %w", err)
	}
	c.redis = info["Server"]["redis_version"]
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		c.load = strings.Join(strings.Fields(string(b))[:3], ", ")
	}
	return c, nil
}

// hydraModuleVersion is the version of Hydra's module in the binary's
// build information: a tool of the throwaway module, Hydra is one of its
// dependencies; built from Hydra's own repository, its main module.
func hydraModuleVersion(bi *buildinfo.BuildInfo) string {
	if bi.Main.Path == hydraModule {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == hydraModule {
			return d.Version
		}
	}
	return "?"
}

// summary is one side's runs of a scenario: the medians.
type summary struct {
	runs     int
	rate     float64
	p50, p99 time.Duration
}

// summarize takes the medians of runs; with no runs, the zero summary.
func summarize(runs []wrkResult) summary {
	if len(runs) == 0 {
		return summary{}
	}
	var rates []float64
	var p50s, p99s []time.Duration
	for _, r := range runs {
		rates = append(rates, r.requestsPerS)
		p50s = append(p50s, r.p50)
		p99s = append(p99s, r.p99)
	}
	return summary{runs: len(runs), rate: median(rates), p50: median(p50s), p99: median(p99s)}
}

// median is the middle value, or the mean of the two middle ones; v is
// not empty.
func median[T float64 | time.Duration](v []T) T {
	s := slices.Clone(v)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// thousands is v rounded, its thousands separated by commas: 12,345.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ratio is a÷b as "×1.23", or "" when either is missing.
func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return ""
	}
	return fmt.Sprintf("×%.2f", a/b)
}

// percent is a as a share of b, or "" when either is missing.
func percent(a, b float64) string {
	if a == 0 || b == 0 {
		return ""
	}
	return fmt.Sprintf("%.0f%%", 100*a/b)
}

// printComparisonReport writes the comparison as Markdown, ready for
// docs/performance.md.
func printComparisonReport(w io.Writer, o compareOptions, m compareMachine, results []comparisonResult) {
	fmt.Fprintf(w, "\nMachine: %s, %d cores, %s; PostgreSQL %s and Redis %s on the same machine; %s.",
		m.CPU, m.Cores, m.MemoryGiB(), m.postgres, m.redis, m.wrk)
	if m.load != "" {
		fmt.Fprintf(w, " Load average at the end (1, 5, 15 min): %s.", m.load)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Ory Hydra %s (built with %s from the Go module proxy; `serve all --dev`, opaque access tokens, client secrets hashed with PBKDF2, its own database on the same Postgres); tokenim-auth built with %s, default configuration with Redis, rate limits off.\n\n",
		m.hydra, cmp.Or(m.hydraGo, "?"), m.Go)
	fmt.Fprintf(w, "Command: `%s`; each scenario: `wrk --latency -t%d -c<connections> -d%s --timeout %s`, Hydra and ours alternated (Hydra first in odd rounds, ours first in even ones), %d round(s) each; medians.\n\n",
		strings.Join(append([]string{"go run ./cmd/loadtest compare"}, o.args...), " "), o.threads, o.duration, wrkTimeout, o.rounds)
	fmt.Fprintln(w, "| scenario | connections | Hydra req/s | Hydra p99 | ours req/s | ours p50 / p99 | ours ÷ Hydra | ours, % of static |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|")
	static := map[int]float64{}
	for _, r := range results {
		if r.static && r.failures[oursSide] == "" {
			static[r.connections] = summarize(r.runs[oursSide]).rate
		}
	}
	for _, r := range results {
		h, us := summarize(r.runs[hydraSide]), summarize(r.runs[oursSide])
		hRate, hP99, usRate, usLat := "failed", "", "failed", ""
		if r.failures[hydraSide] == "" {
			hRate, hP99 = thousands(h.rate), ms(h.p99)
		} else {
			h = summary{}
		}
		if r.failures[oursSide] == "" {
			usRate, usLat = thousands(us.rate), ms(us.p50)+" / "+ms(us.p99)
		} else {
			us = summary{}
		}
		share := ""
		if !r.static {
			share = percent(us.rate, static[r.connections])
		}
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", r.title, r.connections, hRate, hP99, usRate, usLat, ratio(us.rate, h.rate), share)
	}
	fmt.Fprintln(w, "\nWhat each side does per request:")
	fmt.Fprintln(w)
	for _, r := range results {
		fmt.Fprintf(w, "- %s (%d connections). Hydra: %s. Ours: %s.\n", r.title, r.connections, r.hydra, r.ours)
	}
	for _, r := range results {
		for _, s := range []side{hydraSide, oursSide} {
			if r.failures[s] != "" {
				fmt.Fprintf(w, "\nFAILED %s (%s): %s\n", r.name, s, r.failures[s])
			}
		}
	}
}
