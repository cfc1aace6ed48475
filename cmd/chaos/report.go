package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// row is one fault's figures, or the steady period's.
type row struct {
	name string
	// down is how long the fault lasted; 0 for the steady period.
	down time.Duration
	t    tally
	// rate is the load's good requests a second during the fault (the
	// steady period: its own); steady is the steady period's.
	rate, steady float64
	// recovered is "within N s" when recoveredOK; observed is how many
	// seconds after the fault were watched.
	recovered   int
	recoveredOK bool
	observed    int
}

// steadyRow is the steady period's row, the reference.
func steadyRow(o outcome) row {
	rate := goodRate(o.events, o.steadyFrom, o.steadyTo)
	return row{name: "steady (no fault)", t: tallyOf(o.events, o.steadyFrom, o.steadyTo), rate: rate, steady: rate}
}

// faultRow is fault i's row: its requests from its start to the end of
// the sweep after it, its throughput while it lasted, and its recovery
// over the steady period after it.
func faultRow(o outcome, i int, opts options) row {
	f := o.faults[i]
	steady := goodRate(o.events, o.steadyFrom, o.steadyTo)
	n := int(opts.steady / time.Second)
	within, ok := recovery(perSecond(o.events, f.end, n), steady)
	return row{
		name: f.name, down: f.end.Sub(f.start), t: tallyOf(o.events, f.start, f.next),
		rate: goodRate(o.events, f.start, f.end), steady: steady,
		recovered: within, recoveredOK: ok, observed: n,
	}
}

// number prints whole numbers with thousands separators, "3,231".
func number() *message.Printer {
	return message.NewPrinter(language.English)
}

// change is the throughput against the steady period, "−35 %".
func (r row) change() string {
	if r.steady == 0 {
		return "?"
	}
	pct := math.Round((r.rate/r.steady - 1) * 100)
	if pct == 0 {
		return "0 %"
	}
	return strings.Replace(fmt.Sprintf("%+.0f %%", pct), "-", "−", 1)
}

// recovery says when the load was back, "within 2 s".
func (r row) recovery() string {
	if r.recoveredOK {
		return fmt.Sprintf("within %d s", r.recovered)
	}
	return fmt.Sprintf("not within %d s", r.observed)
}

// printFault prints a fault's figures as soon as its window closes.
func printFault(w io.Writer, r row, grace time.Duration) {
	p, t := number(), r.t
	p.Fprintf(w, "\n%s: down %s\n", r.name, seconds(r.down))
	p.Fprintf(w, "  requests: %d grants, %d introspections, %d revocations (and %d introspections checking the ledger after the fault)\n",
		t.requests[grant], t.requests[introspect], t.requests[revoke], t.swept)
	p.Fprintf(w, "  5xx: %d (grant %d, introspect %d, revoke %d), of which 503 with Retry-After: %d; no answer: %d; other statuses: %d; unreadable 200s: %d\n",
		t.total5xx(), t.status5xx[grant], t.status5xx[introspect], t.status5xx[revoke], t.unavailable, t.noAnswer, t.otherStatus, t.garbled)
	p.Fprintf(w, "  wrong introspection answers: %d (revoked answered active %d, valid answered inactive %d); lost grants: %d; revoked tokens active again: %d; revoked answered active within the %s grace: %d\n",
		t.wrong(), t.wrongActive, t.wrongInactive, t.lost, t.activeAgain, grace, t.late)
	p.Fprintf(w, "  throughput during the fault: %.0f good requests/s against %.0f steady (%s)\n", r.rate, r.steady, r.change())
	p.Fprintf(w, "  recovery: %s (from the fault's end to the first second without a failed request and with at least %.0f%% of the steady rate)\n", r.recovery(), normalShare*100)
}

// summary is what the final table shows.
type summary struct {
	machine         testbed.Machine
	postgres, redis string
	opts            options
	rows            []row
}

// printTable prints the final Markdown table, with the machine and the
// command, for docs/operations.md.
func printTable(w io.Writer, s summary) {
	p, m, o := number(), s.machine, s.opts
	p.Fprintf(w, "\nMachine: %s, %d cores, %s; tokenim-auth built with %s; PostgreSQL %s and Redis %s of the run's own, on the same machine.\n",
		m.CPU, m.Cores, m.MemoryGiB(), m.Go, s.postgres, s.redis)
	p.Fprintf(w, "Load: %.0f requests/s from %d workers over %d nodes (grant : introspect : revoke = 3 : 6 : 1); steady periods of %s; revocation grace %s; up to %d tokens checked on every node after each fault.\n",
		o.rate, o.workers, nodeCount, o.steady, o.grace, o.sweep)
	fmt.Fprintf(w, "Command: `%s`\n\n", strings.Join(append([]string{"go run ./cmd/chaos"}, o.args...), " "))
	fmt.Fprintln(w, "| fault | down | requests (grant / introspect / revoke) | 5xx (503 with Retry-After) | no answer | wrong answers | lost grants | revoked active again | throughput | recovery |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for _, r := range s.rows {
		t := r.t
		down, through, back := seconds(r.down), r.change(), r.recovery()
		if r.down == 0 {
			down, through, back = "—", p.Sprintf("%.0f req/s", r.rate), "—"
		}
		p.Fprintf(w, "| %s | %s | %d / %d / %d | %d (%d) | %d | %d | %d | %d | %s | %s |\n",
			r.name, down, t.requests[grant], t.requests[introspect], t.requests[revoke], t.total5xx(), t.unavailable,
			t.noAnswer, t.wrong(), t.lost, t.activeAgain, through, back)
	}
}

// seconds prints a duration in seconds with one decimal, "5.5 s".
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.1f s", d.Seconds())
}
