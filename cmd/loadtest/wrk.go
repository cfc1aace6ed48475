package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
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
	// timeout, when not 0, replaces wrk's 2 s: a request without an
	// answer by then counts as a socket error, and its latency is not in
	// the percentiles.
	timeout time.Duration
}

// args are wrk's command-line arguments.
func (w wrkRun) args() []string {
	args := []string{
		"--latency",
		"-t", strconv.Itoa(wrkThreads(w.threads, w.connections)),
		"-c", strconv.Itoa(w.connections),
		"-d", strconv.Itoa(int(w.duration.Seconds())) + "s",
	}
	if w.timeout > 0 {
		args = append(args, "--timeout", strconv.Itoa(int(w.timeout.Seconds()))+"s")
	}
	return append(args, "-s", w.script, w.url)
}

// wrkThreads is how many threads wrk runs: no more than connections.
func wrkThreads(threads, connections int) int {
	return min(threads, connections)
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
	return saveScript(dir, name, script, err)
}

// saveScript writes script, made with error err, as dir/name.lua and
// returns its path.
func saveScript(dir, name, script string, err error) (string, error) {
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
	return luaRequest(req, true)
}

// luaRequest sets wrk's method and headers, and its body when withBody;
// without, the script sends a form of its own making.
func luaRequest(req request, withBody bool) (string, error) {
	type assign struct{ target, value string }
	lines := []assign{{"wrk.method", req.method}}
	if req.form != "" && withBody {
		lines = append(lines, assign{"wrk.body", req.form})
	}
	if req.form != "" || !withBody {
		lines = append(lines, assign{`wrk.headers["Content-Type"]`, "application/x-www-form-urlencoded"})
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

// tokenSource makes each request of a wrk run carry another token:
// field=<token> is added to the request's form, the tokens read from a
// file, one a line, form-encoded.
type tokenSource struct {
	field  string
	tokens []string
	// rotate: each token is sent once, and the refresh_token of its
	// answer is sent later in its place (refresh token rotation). Without
	// rotate, each wrk thread cycles through all the tokens, starting at
	// its own place.
	rotate bool
}

// writeTokenScript writes the tokens and a wrk Lua script that sends req
// with them, in dir, and returns the script's path. threads is the
// number of wrk threads: with rotate, each takes its share of the tokens.
func writeTokenScript(dir, name string, req request, src tokenSource, threads int) (string, error) {
	if len(src.tokens) == 0 {
		return "", fmt.Errorf("wrk script %s: no tokens", name)
	}
	var list strings.Builder
	for _, t := range src.tokens {
		list.WriteString(url.QueryEscape(t) + "\n")
	}
	tokensFile := filepath.Join(dir, name+".tokens")
	if err := os.WriteFile(tokensFile, []byte(list.String()), 0o600); err != nil {
		return "", fmt.Errorf("wrk script %s: %w", name, err)
	}
	script, err := luaTokenScript(req, src, tokensFile, threads)
	return saveScript(dir, name, script, err)
}

// luaTokenScript is the wrk script of writeTokenScript, reading the
// tokens from tokensFile. wrk runs the script once per thread, each in
// its own Lua state, plus once in the main state, where setup numbers
// the threads.
func luaTokenScript(req request, src tokenSource, tokensFile string, threads int) (string, error) {
	head, err := luaRequest(req, false)
	if err != nil {
		return "", err
	}
	prefix := src.field + "="
	if req.form != "" {
		prefix = req.form + "&" + prefix
	}
	q := map[string]string{"prefix": prefix, "file": tokensFile}
	for k, v := range q {
		if q[k], err = luaString(v); err != nil {
			return "", fmt.Errorf("%s: %w", k, err)
		}
	}
	body := luaCycle
	if src.rotate {
		body = luaRotate
	}
	return fmt.Sprintf(`%slocal prefix = %s
local file = %s
local threads = %d
local rotate = %t
local numbered = 0

function setup(thread)
  thread:set("id", numbered)
  numbered = numbered + 1
end

function init(args)
  queue, head, tail = {}, 1, 0
  local n = 0
  for line in io.lines(file) do
    if line ~= "" then
      if not rotate or n %% threads == id then
        tail = tail + 1
        queue[tail] = line
      end
      n = n + 1
    end
  end
  if not rotate then
    head = 1 + math.floor(tail * id / threads)
  end
end
%s`, head, q["prefix"], q["file"], threads, src.rotate, body), nil
}

// luaCycle sends the thread's tokens in turn, again and again.
const luaCycle = `
function request()
  local t = queue[head]
  head = head % tail + 1
  return wrk.format(nil, nil, nil, prefix .. t)
end
`

// luaRotate sends each token once and queues the refresh token of each
// answer. When the queue is empty (answers without a refresh token), the
// last token is sent again, and refused: the run fails. wrk builds the
// first thread's first request once before the run, to check it, and
// never sends it: that token stays unused.
const luaRotate = `
local spent = ""

function request()
  local t = queue[head]
  if t == nil then
    t = spent
  else
    queue[head] = nil
    head = head + 1
  end
  spent = t
  return wrk.format(nil, nil, nil, prefix .. t)
end

function response(status, headers, body)
  local t = string.match(body, '"refresh_token"%s*:%s*"([^"]+)"')
  if t then
    tail = tail + 1
    queue[tail] = t
  end
end
`

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
