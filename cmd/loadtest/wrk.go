package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// request is what every connection of a wrk run sends, again and again.
type request struct {
	method string
	path   string
	// header holds extra request headers, such as Authorization.
	header map[string]string
	// form is an application/x-www-form-urlencoded body, for a POST.
	form string
}

// wrkRun is one wrk process against one node.
type wrkRun struct {
	url         string
	script      string
	threads     int
	connections int
	duration    time.Duration
}

// args are wrk's command-line arguments.
func (w wrkRun) args() []string {
	return []string{
		"--latency",
		"-t", strconv.Itoa(min(w.threads, w.connections)),
		"-c", strconv.Itoa(w.connections),
		"-d", strconv.Itoa(int(w.duration.Seconds())) + "s",
		"-s", w.script,
		w.url,
	}
}

// run runs wrk and parses what it printed.
func (w wrkRun) run(ctx context.Context) (wrkResult, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "wrk", w.args()...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w: %s%s", w.url, err, stdout.Bytes(), stderr.Bytes())
	}
	res, err := parseWrk(stdout.String())
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w\n%s", w.url, err, stdout.Bytes())
	}
	return res, nil
}

// writeScript writes a wrk Lua script that sends req, in dir, and
// returns its path. The script may hold a token or a client secret: dir
// is private to this run and removed at its end.
func writeScript(dir, name string, req request) (string, error) {
	script, err := luaScript(req)
	if err != nil {
		return "", fmt.Errorf("wrk script %s: %w", name, err)
	}
	path := filepath.Join(dir, name+".lua")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		return "", fmt.Errorf("wrk script %s: %w", name, err)
	}
	return path, nil
}

// luaScript sets wrk's request: method, body and headers.
func luaScript(req request) (string, error) {
	type assign struct{ target, value string }
	lines := []assign{{"wrk.method", req.method}}
	if req.form != "" {
		lines = append(lines, assign{"wrk.body", req.form}, assign{`wrk.headers["Content-Type"]`, "application/x-www-form-urlencoded"})
	}
	for _, k := range slices.Sorted(maps.Keys(req.header)) {
		lines = append(lines, assign{"wrk.headers[" + strconv.Quote(k) + "]", req.header[k]})
	}
	var b strings.Builder
	for _, l := range lines {
		v, err := luaString(l.value)
		if err != nil {
			return "", fmt.Errorf("%s: %w", l.target, err)
		}
		fmt.Fprintf(&b, "%s = %s\n", l.target, v)
	}
	return b.String(), nil
}

// luaString quotes s for Lua. Only printable ASCII is accepted, where Go's
// and Lua's quoted strings agree (\" and \\).
func luaString(s string) (string, error) {
	for _, r := range s {
		if r < ' ' || r > '~' {
			return "", fmt.Errorf("not printable ASCII: %q", s)
		}
	}
	return strconv.Quote(s), nil
}

// wrkResult is what a wrk run printed.
type wrkResult struct {
	requests      int64
	requestsPerS  float64
	p50, p99      time.Duration
	non2xx        int64
	socketErrors  int64
	socketSummary string
}

var (
	wrkRequests   = regexp.MustCompile(`(?m)^\s*(\d+) requests in `)
	wrkRate       = regexp.MustCompile(`(?m)^Requests/sec:\s*([0-9.]+)\s*$`)
	wrkPercentile = regexp.MustCompile(`(?m)^\s*(50|99)(?:\.000)?%\s+([0-9.]+)(us|ms|s|m|h)\s*$`)
	wrkNon2xx     = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses:\s*(\d+)\s*$`)
	wrkSocket     = regexp.MustCompile(`(?m)^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$`)
)

// parseWrk reads the summary wrk --latency prints. The request count,
// the rate and the 50% and 99% latencies must be there; "Non-2xx or 3xx
// responses" (a status of 400 or more) and "Socket errors" are printed
// only when there were some.
func parseWrk(out string) (wrkResult, error) {
	var r wrkResult
	var errs []error
	if m := wrkRequests.FindStringSubmatch(out); m != nil {
		r.requests, _ = strconv.ParseInt(m[1], 10, 64)
	} else {
		errs = append(errs, errors.New("no request count"))
	}
	if m := wrkRate.FindStringSubmatch(out); m != nil {
		r.requestsPerS, _ = strconv.ParseFloat(m[1], 64)
	} else {
		errs = append(errs, errors.New("no Requests/sec line"))
	}
	for _, m := range wrkPercentile.FindAllStringSubmatch(out, -1) {
		d, err := wrkDuration(m[2], m[3])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if m[1] == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	if r.p50 == 0 || r.p99 == 0 {
		errs = append(errs, errors.New("no 50% or 99% latency (was --latency given?)"))
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		r.non2xx, _ = strconv.ParseInt(m[1], 10, 64)
	}
	if m := wrkSocket.FindStringSubmatch(out); m != nil {
		for _, n := range m[1:] {
			v, _ := strconv.ParseInt(n, 10, 64)
			r.socketErrors += v
		}
		r.socketSummary = strings.TrimSpace(m[0])
	}
	if err := errors.Join(errs...); err != nil {
		return wrkResult{}, fmt.Errorf("parse wrk output: %w", err)
	}
	return r, nil
}

// wrkDuration turns wrk's "231.00us", "1.51ms" or "2.00s" into a duration.
func wrkDuration(value, unit string) (time.Duration, error) {
	v, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return 0, fmt.Errorf("latency %s%s: %w", value, unit, err)
	}
	scale := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour}[unit]
	return time.Duration(v * float64(scale)), nil
}

// combine sums the runs made at once against several nodes: their
// request counts, rates and failures; the latencies are the worst run's.
func combine(runs []wrkResult) wrkResult {
	var c wrkResult
	var summaries []string
	for _, r := range runs {
		c.requests += r.requests
		c.requestsPerS += r.requestsPerS
		c.p50, c.p99 = max(c.p50, r.p50), max(c.p99, r.p99)
		c.non2xx += r.non2xx
		c.socketErrors += r.socketErrors
		if r.socketSummary != "" {
			summaries = append(summaries, r.socketSummary)
		}
	}
	c.socketSummary = strings.Join(summaries, "; ")
	return c
}

// failed says why a run does not count, or "" when every response was a
// success.
func (r wrkResult) failed() string {
	var why []string
	if r.requests == 0 {
		why = append(why, "no responses")
	}
	if r.non2xx > 0 {
		why = append(why, fmt.Sprintf("%d responses with a status of 400 or more", r.non2xx))
	}
	if r.socketErrors > 0 {
		why = append(why, r.socketSummary)
	}
	return strings.Join(why, ", ")
}
