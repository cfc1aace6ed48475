package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// growthKind says how a measure's cost per request, row or token follows
// from its value, for the growth verdict.
type growthKind int

const (
	// noVerdict: a count, not a cost.
	noVerdict growthKind = iota
	// perItem: the value is a cost per request, row or token (latency,
	// bytes per token).
	perItem
	// perSecond: the value is requests or rows per second; the cost of
	// one is its inverse.
	perSecond
	// whole: the value is a cost over all n tokens or records (a walk of
	// the whole chain); the cost of one is the value ÷ n.
	whole
)

// scaleColumn is one measure of the report.
type scaleColumn struct {
	// title heads the column; name, when the title alone is ambiguous,
	// names the measure in the growth table.
	title, name string
	// value is the measure at p, 0 when it is missing.
	value  func(p scalePoint) float64
	format func(v float64) string
	growth growthKind
}

func scaleColumns() []scaleColumn {
	rate := func(name string) func(scalePoint) float64 {
		return func(p scalePoint) float64 { return p.runs[name].requestsPerS }
	}
	count := func(v float64) string { return thousands(v) }
	millis := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	seconds := func(v float64) string { return fmt.Sprintf("%.1f", v) }
	bytesPer := func(v float64) string { return fmt.Sprintf("%.0f", v) }
	return []scaleColumn{
		{title: "tokens", value: func(p scalePoint) float64 { return float64(p.size) }, format: count},
		{title: "seeding s", name: "seeding", value: func(p scalePoint) float64 { return p.seeded.took.Seconds() }, format: seconds, growth: whole},
		{title: "cold introspection req/s", value: rate("introspect_cold"), format: count, growth: perSecond},
		{title: "p50 ms", name: "cold introspection p50", value: latencyOf("introspect_cold", false), format: millis, growth: perItem},
		{title: "p99 ms", name: "cold introspection p99", value: latencyOf("introspect_cold", true), format: millis, growth: perItem},
		{title: "issuance req/s", value: rate("client_credentials"), format: count, growth: perSecond},
		{title: "p99 ms", name: "issuance p99", value: latencyOf("client_credentials", true), format: millis, growth: perItem},
		{title: "refresh req/s", value: rate("refresh"), format: count, growth: perSecond},
		{title: "p99 ms", name: "refresh p99", value: latencyOf("refresh", true), format: millis, growth: perItem},
		{title: "console first page p50 ms", name: "console first page p50", value: latencyOf("console_first", false), format: millis, growth: perItem},
		{title: "deep page p50 ms", name: "console deep page p50", value: latencyOf("console_deep", false), format: millis, growth: perItem},
		{title: "janitor rows/s", value: func(p scalePoint) float64 {
			if p.janitorTook == 0 {
				return 0
			}
			return float64(p.janitorDeleted) / p.janitorTook.Seconds()
		}, format: count, growth: perSecond},
		{title: "audit verify s", name: "audit verify", value: func(p scalePoint) float64 { return p.verifyTook.Seconds() }, format: seconds, growth: whole},
		{title: "table B/token", value: tableBytes, format: bytesPer, growth: perItem},
		{title: "indexes B/token", value: indexBytes, format: bytesPer, growth: perItem},
		{title: "total B/token", value: func(p scalePoint) float64 { return perRow(p.tables.total, p.tables.rows) }, format: bytesPer, growth: perItem},
		{title: "Redis B/token", value: redisBytes, format: bytesPer, growth: perItem},
		{title: "node RSS MiB", value: func(p scalePoint) float64 { return float64(p.rss) / (1 << 20) }, format: seconds, growth: perItem},
	}
}

// latencyOf is the p50 or p99 of a wrk measure, in milliseconds.
func latencyOf(name string, p99 bool) func(scalePoint) float64 {
	return func(p scalePoint) float64 {
		d := p.runs[name].p50
		if p99 {
			d = p.runs[name].p99
		}
		return float64(d) / float64(time.Millisecond)
	}
}

// Bytes per token: the tokens table's heap and indexes per row (the
// total, with TOAST, is a column of its own), and what
// a cached access token adds to Redis's used_memory.
func tableBytes(p scalePoint) float64 { return perRow(p.tables.heap, p.tables.rows) }
func indexBytes(p scalePoint) float64 { return perRow(p.tables.indexes, p.tables.rows) }
func redisBytes(p scalePoint) float64 { return p.redis.perToken() }

// growthSlack is how much faster than log n a cost may grow between two
// sizes before it is flagged: a shared machine's noise.
const growthSlack = 1.5

// growth compares a measure at sizes n1 < n2: the ratio of the cost of
// one request, row or token, the bound log(n2)/log(n1) × growthSlack,
// and whether the ratio is above it. ok is false when either value is
// missing or the measure is a count.
func growth(kind growthKind, n1, n2 int, v1, v2 float64) (costRatio, bound float64, flagged, ok bool) {
	if kind == noVerdict || v1 <= 0 || v2 <= 0 || n1 < 2 || n2 <= n1 {
		return 0, 0, false, false
	}
	switch kind {
	case perItem:
		costRatio = v2 / v1
	case perSecond:
		costRatio = v1 / v2
	case whole:
		costRatio = (v2 / float64(n2)) / (v1 / float64(n1))
	}
	bound = math.Log(float64(n2)) / math.Log(float64(n1)) * growthSlack
	return costRatio, bound, costRatio > bound, true
}

// printScaleReport writes the report as Markdown: the machine, the
// command, what was seeded, the table, and the growth between sizes.
func printScaleReport(w io.Writer, o scaleOptions, m machine, points []scalePoint) {
	fmt.Fprintf(w, "\nMachine: %s, %d cores; tokenim-auth built with %s; %s; Postgres and Redis on the same machine.\n\n", m.CPU, m.Cores, m.Go, m.wrk)
	fmt.Fprintf(w, "Command: `%s` (each measure: `wrk --latency -t%d -c%d -d%s --timeout %s`)\n\n",
		strings.Join(append([]string{"go run ./cmd/loadtest scale"}, o.args...), " "), o.threads, o.connections, o.duration, wrkTimeout)
	fmt.Fprintf(w, "Seeded by COPY at each size n: n token rows (client-credentials access tokens and authorization-code families of an access and a refresh token, in turn; one unit in ten expired), min(n, %s) users, n authorization records in one hash chain. Cold introspection cycles through %s live access tokens at most, on a node without Redis; issuance, refresh and the console's pages run on a node with Redis.\n\n",
		thousands(maxUsers), thousands(maxColdSample))
	cols := scaleColumns()
	var head, rule []string
	for i, c := range cols {
		head = append(head, c.title)
		if i == 0 {
			rule = append(rule, "---")
		} else {
			rule = append(rule, "---:")
		}
	}
	fmt.Fprintf(w, "| %s |\n|%s|\n", strings.Join(head, " | "), strings.Join(rule, "|"))
	for _, p := range points {
		var cells []string
		for _, c := range cols {
			v := c.value(p)
			if v == 0 && c.growth != noVerdict {
				cells = append(cells, "")
				continue
			}
			cells = append(cells, c.format(v))
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	printGrowth(w, cols, points)
	for _, p := range points {
		for _, err := range p.failed() {
			fmt.Fprintf(w, "\nFAILED %v\n", err)
		}
	}
}

// printGrowth writes how each measure's cost grew from one size to the
// next, flagging what grew faster than log n.
func printGrowth(w io.Writer, cols []scaleColumn, points []scalePoint) {
	if len(points) < 2 {
		return
	}
	fmt.Fprintf(w, "\nGrowth of the cost of one request, row or token (for a rate, its inverse; for audit verify and seeding, the time ÷ n) from one size to the next. Flagged when it grows more than log(n₂)/log(n₁) × %.1f.\n\n", growthSlack)
	head := []string{"measure"}
	for i := 1; i < len(points); i++ {
		head = append(head, thousands(float64(points[i-1].size))+" → "+thousands(float64(points[i].size)))
	}
	fmt.Fprintf(w, "| %s |\n|---|%s\n", strings.Join(head, " | "), strings.Repeat("---:|", len(points)-1))
	var flagged []string
	for _, c := range cols {
		if c.growth == noVerdict {
			continue
		}
		title := cmp.Or(c.name, c.title)
		cells := []string{title}
		for i := 1; i < len(points); i++ {
			r, bound, bad, ok := growth(c.growth, points[i-1].size, points[i].size, c.value(points[i-1]), c.value(points[i]))
			switch {
			case !ok:
				cells = append(cells, "")
			case bad:
				cells = append(cells, fmt.Sprintf("**×%.2f > ×%.2f**", r, bound))
				flagged = append(flagged, fmt.Sprintf("%s (%s → %s)", title, thousands(float64(points[i-1].size)), thousands(float64(points[i].size))))
			default:
				cells = append(cells, fmt.Sprintf("×%.2f ≤ ×%.2f", r, bound))
			}
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
	if len(flagged) > 0 {
		fmt.Fprintf(w, "\nGrowing faster than log n: %s.\n", strings.Join(flagged, "; "))
	} else {
		fmt.Fprintln(w, "\nNothing grew faster than log n.")
	}
}
