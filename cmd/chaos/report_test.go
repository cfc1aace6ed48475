package main

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

func TestPrintTable(t *testing.T) {
	t.Parallel()
	pg := tally{requests: [kinds]int{grant: 1200, introspect: 2400, revoke: 400}, status5xx: [kinds]int{grant: 3231, revoke: 12}, unavailable: 3231, noAnswer: 2}
	s := summary{
		machine:  testbed.Machine{CPU: "AMD EPYC", Cores: 2, Memory: 24 << 30, Go: "go1.26.8"},
		postgres: "15.20", redis: "7.0.15",
		opts: options{rate: 300, workers: 8, steady: 20 * time.Second, grace: time.Second, sweep: 1000, args: []string{"-steady", "20s"}},
		rows: []row{
			{name: "steady (no fault)", t: tally{requests: [kinds]int{grant: 1800, introspect: 3600, revoke: 600}}, rate: 299.6, steady: 299.6},
			{name: "Redis down 10s", down: 10 * time.Second, rate: 195, steady: 300, recovered: 2, recoveredOK: true, observed: 20},
			{name: "Postgres restart", down: 5500 * time.Millisecond, t: pg, rate: 150, steady: 300, recovered: 1, recoveredOK: true, observed: 20},
			{name: "node2 killed (SIGKILL)", down: 1200 * time.Millisecond, t: tally{wrongActive: 1, lost: 2, activeAgain: 1}, rate: 300, steady: 300, observed: 20},
		},
	}
	var b bytes.Buffer
	printTable(&b, s)
	out := b.String()
	for _, want := range []string{
		"Machine: AMD EPYC, 2 cores, 24 GiB; tokenim-auth built with go1.26.8; PostgreSQL 15.20 and Redis 7.0.15 of the run's own, on the same machine.",
		"Load: 300 requests/s from 8 workers over 2 nodes (grant : introspect : revoke = 3 : 6 : 1); steady periods of 20s; revocation grace 1s; up to 1,000 tokens checked on every node after each fault.",
		"Command: `go run ./cmd/chaos -steady 20s`",
		"| fault | down | requests (grant / introspect / revoke) | 5xx (503 with Retry-After) | no answer | wrong answers | lost grants | revoked active again | throughput | recovery |",
		"| steady (no fault) | — | 1,800 / 3,600 / 600 | 0 (0) | 0 | 0 | 0 | 0 | 300 req/s | — |",
		"| Redis down 10s | 10.0 s | 0 / 0 / 0 | 0 (0) | 0 | 0 | 0 | 0 | −35 % | within 2 s |",
		"| Postgres restart | 5.5 s | 1,200 / 2,400 / 400 | 3,243 (3,231) | 2 | 0 | 0 | 0 | −50 % | within 1 s |",
		"| node2 killed (SIGKILL) | 1.2 s | 0 / 0 / 0 | 0 (0) | 0 | 1 | 2 | 1 | 0 % | not within 20 s |",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("table lacks the line\n%s\nin\n%s", want, out)
		}
	}
}

func TestFaultRow(t *testing.T) {
	t.Parallel()
	// 100 good requests a second for 10 s of steady period; a fault from
	// 10 s to 12 s that fails every other request; after it, one second
	// still failing, then clean.
	var events []event
	for i := range 2000 {
		done := ms(i * 10)
		status := http.StatusOK
		switch {
		case done >= 10*time.Second && done < 12*time.Second && i%2 == 0:
			status = http.StatusServiceUnavailable
		case done >= 12*time.Second && done < 13*time.Second && i%10 == 0:
			status = 0
		}
		events = append(events, ev(grant, done, status))
	}
	o := outcome{
		steadyFrom: t0, steadyTo: at(10 * time.Second), events: events,
		faults: []faultTimes{{name: "Postgres restart", start: at(10 * time.Second), end: at(12 * time.Second), next: at(20 * time.Second)}},
	}
	r := faultRow(o, 0, options{steady: 5 * time.Second})
	if r.down != 2*time.Second || r.steady != 100 || r.rate != 50 || r.change() != "−50 %" {
		t.Errorf("down %s, steady %.1f, rate %.1f (%s); want 2s, 100, 50 (−50 %%)", r.down, r.steady, r.rate, r.change())
	}
	if r.recovery() != "within 2 s" {
		t.Errorf("recovery: %s, want within 2 s", r.recovery())
	}
	if r.t.requests[grant] != 1000 || r.t.status5xx[grant] != 100 || r.t.noAnswer != 10 {
		t.Errorf("window: %d grants, %d 5xx, %d without answer; want 1000, 100, 10", r.t.requests[grant], r.t.status5xx[grant], r.t.noAnswer)
	}
}

func TestChange(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		rate float64
		want string
	}{{195, "−35 %"}, {315, "+5 %"}, {299.9, "0 %"}} {
		if got := (row{rate: c.rate, steady: 300}).change(); got != c.want {
			t.Errorf("%.1f against 300: %s, want %s", c.rate, got, c.want)
		}
	}
}
