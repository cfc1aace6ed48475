package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// machine is where the load test ran.
type machine struct {
	testbed.Machine
	// wrk is wrk's version line.
	wrk string
}

func describeMachine(o options) (machine, error) {
	m, err := testbed.DescribeMachine(o.bin)
	if err != nil {
		return machine{}, err
	}
	// wrk -v prints its version, then its usage, and exits 1.
	out, _ := exec.Command("wrk", "-v").Output()
	wrk, _, _ := strings.Cut(string(out), "\n")
	wrk, _, _ = strings.Cut(wrk, " Copyright")
	return machine{Machine: m, wrk: wrk}, nil
}

// report is everything printed at the end.
type report struct {
	opts    options
	machine machine
	results []result
	memory  redisMemory
}

// printReport writes the report as Markdown, ready for
// docs/performance.md, then the profiles' top functions.
func printReport(ctx context.Context, w io.Writer, r report) {
	m, o := r.machine, r.opts
	fmt.Fprintf(w, "\nMachine: %s, %d cores; tokenim-auth built with %s; %s; Postgres and Redis on the same machine.\n\n", m.CPU, m.Cores, m.Go, m.wrk)
	fmt.Fprintf(w, "Command: `%s` (each scenario: `wrk --latency -t%d -c<connections> -d%s -s <script> <url>`)\n\n",
		strings.Join(append([]string{"go run ./cmd/loadtest"}, o.args...), " "), o.threads, o.duration)
	printTable(w, r.results)
	printComparison(w, r.results)
	printMemory(w, r.memory)
	for _, res := range r.results {
		if res.failure != "" {
			fmt.Fprintf(w, "\nFAILED %s: %s\n", res.scenario, res.failure)
		}
	}
	for _, res := range r.results {
		if res.profile != "" {
			printProfile(ctx, w, o.bin, res)
		}
	}
}

func printTable(w io.Writer, results []result) {
	fmt.Fprintln(w, "| scenario | connections | requests/s | p50 | p99 | non-2xx |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, r := range results {
		if r.wrk.requests == 0 {
			fmt.Fprintf(w, "| %s | %s | failed | | | |\n", r.scenario, r.connections)
			continue
		}
		bad := fmt.Sprint(r.wrk.non2xx)
		if r.wrk.socketErrors > 0 {
			bad += fmt.Sprintf(" (+%d socket errors)", r.wrk.socketErrors)
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %s | %s | %s |\n", r.scenario, r.connections, r.wrk.requestsPerS, ms(r.wrk.p50), ms(r.wrk.p99), bad)
	}
}

// printComparison sets three nodes against one, when both ran.
func printComparison(w io.Writer, results []result) {
	var one, three *result
	for i := range results {
		switch results[i].scenario {
		case "introspect_1node_3wrk":
			one = &results[i]
		case "introspect_3nodes":
			three = &results[i]
		}
	}
	if one == nil || three == nil || one.wrk.requestsPerS == 0 {
		return
	}
	fmt.Fprintf(w, "\nintrospect_3nodes: %.0f requests/s (the sum of three wrk runs, p99 the worst of them) against %.0f on one node driven the same way (introspect_1node_3wrk): ×%.2f.\n",
		three.wrk.requestsPerS, one.wrk.requestsPerS, three.wrk.requestsPerS/one.wrk.requestsPerS)
}

func printMemory(w io.Writer, m redisMemory) {
	fmt.Fprintf(w, "\nRedis memory: %d client-credentials tokens issued in %s (%.0f/s, %d clients at once); used_memory %d → %d bytes: %.0f bytes per token. MEMORY USAGE of one token key (%s): %d bytes.\n",
		m.tokens, m.took.Round(time.Millisecond), float64(m.tokens)/m.took.Seconds(), memoryWorkers, m.before, m.after, m.perToken(), keyShape(m.key), m.keyBytes)
}

// keyShape is a token key with its signature cut short.
func keyShape(key string) string {
	if i := strings.Index(key, "}t:"); i >= 0 && len(key) > i+3+8 {
		return key[:i+3+8] + "…"
	}
	return key
}

// printProfile prints the top functions of a scenario's CPU profile.
func printProfile(ctx context.Context, w io.Writer, bin string, r result) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-nodecount=25", bin, r.profile)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	fmt.Fprintf(w, "\nCPU profile of %s (%s, %s from %s into the run): go tool pprof -top -nodecount=25 %s %s\n\n```\n%s```\n",
		r.scenario, r.profile, profileLength, profileStart, bin, r.profile, out.String())
	if err != nil {
		fmt.Fprintf(w, "go tool pprof: %v\n", err)
	}
}

// ms is a latency in milliseconds.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
