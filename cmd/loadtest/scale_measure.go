package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// scalePoint is everything measured at one number of tokens.
type scalePoint struct {
	size   int
	seeded seeded
	// runs are the wrk measures by name (scaleMeasures); a measure that
	// failed has its failure instead.
	runs     map[string]wrkResult
	failures map[string]string
	// janitorDeleted tokens took janitorTook, the whole command.
	janitorDeleted int64
	janitorTook    time.Duration
	verifyTook     time.Duration
	tables         tableSizes
	redis          redisMemory
	// rss is node1's resident memory at the end, in bytes.
	rss int64
}

// failed lists the measures that failed, as errors.
func (p scalePoint) failed() []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(p.failures)) {
		errs = append(errs, fmt.Errorf("%s tokens: %s: %s", thousands(float64(p.size)), name, p.failures[name]))
	}
	return errs
}

// tableSizes are the tokens table's sizes, in bytes, and its rows.
type tableSizes struct {
	heap, indexes, total, rows int64
}

// perRow is bytes per row, 0 without rows.
func perRow(bytes, rows int64) float64 {
	if rows == 0 {
		return 0
	}
	return float64(bytes) / float64(rows)
}

// adminEmail signs in to the console, with the user's password; the
// lab's configuration gets it at scale (scaleConfig).
const adminEmail = "admin@example.com"

// scaleConfig adds an administrator to the lab's configuration, and lets
// the admin role sign in without a second factor (as the console's
// measure needs a session and no authenticator app).
func (l *lab) scaleConfig() error {
	b, err := os.ReadFile(l.config)
	if err != nil {
		return fmt.Errorf("read configuration: %w", err)
	}
	config := "accounts:\n  mfa_required_roles: []\n" + string(b) + fmt.Sprintf(`  - email: %s
    name: Scale Admin
    password: %q
    role: admin
`, adminEmail, l.secrets.Password)
	if err := os.WriteFile(l.config, []byte(config), 0o600); err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	return nil
}

// measureSize seeds n tokens in a fresh lab and measures it.
func measureSize(ctx context.Context, opts scaleOptions, logger *slog.Logger, n int) (scalePoint, error) {
	logger = logger.With("tokens", n)
	p := scalePoint{size: n, runs: map[string]wrkResult{}, failures: map[string]string{}}
	l, err := newLab(ctx, opts.options, logger)
	if err != nil {
		return p, err
	}
	defer l.close()
	if err := l.scaleConfig(); err != nil {
		return p, err
	}
	node1, err := l.start(ctx, "node1", true)
	if err != nil {
		return p, err
	}
	db, err := withSearchPath(opts.database)
	if err != nil {
		return p, err
	}
	store, err := postgres.Open(ctx, postgres.Config{URL: db, MaxConns: 4, QueryTimeout: time.Minute, Logger: logger})
	if err != nil {
		return p, err
	}
	defer store.Close()
	maker, err := newTokenMaker(l.secrets.System)
	if err != nil {
		return p, err
	}
	tpl, err := takeTemplates(ctx, l, node1, store, maker)
	if err != nil {
		return p, err
	}
	refreshers := 2*max(opts.connections, wrkThreads(opts.threads, opts.connections)) + 1
	src, err := newRowSource(tpl, maker, planFor(n), refreshers)
	if err != nil {
		return p, err
	}
	if p.seeded, err = seed(ctx, l, store, src); err != nil {
		return p, err
	}
	if p.tables, err = l.tokenTableSizes(ctx); err != nil {
		return p, err
	}
	for _, name := range scaleMeasures() {
		if !slices.Contains(opts.scenarios, name) || ctx.Err() != nil {
			continue
		}
		logger.Info("running scenario", "name", name, "duration", opts.duration)
		res, err := l.runScaleMeasure(ctx, name, node1, p.seeded)
		if err != nil {
			p.failures[name] = err.Error()
			logger.Error("scenario failed", "name", name, "why", err)
			continue
		}
		p.runs[name] = res
	}
	if p.janitorDeleted, p.janitorTook, err = l.runJanitor(ctx); err != nil {
		p.failures["janitor"] = err.Error()
	}
	if p.verifyTook, err = l.runCommand(ctx, "audit", "verify"); err != nil {
		p.failures["audit_verify"] = err.Error()
	}
	if p.redis, err = measureRedisMemory(ctx, l, node1); err != nil {
		return p, err
	}
	if p.rss, err = residentMemory(ctx, node1); err != nil {
		return p, err
	}
	return p, nil
}

// runScaleMeasure runs one wrk measure: cold introspection on a node
// without Redis, the others on node1.
func (l *lab) runScaleMeasure(ctx context.Context, name string, node1 *testbed.Node, s seeded) (wrkResult, error) {
	gateway := map[string]string{"Authorization": testbed.BasicAuth(testbed.GatewayID, l.secrets.Gateway)}
	var t target
	switch name {
	case "introspect_cold":
		cold, err := l.start(ctx, "noredis", false)
		if cold != nil {
			defer cold.Stop(l.logger)
		}
		if err != nil {
			return wrkResult{}, err
		}
		t = target{base: cold.Base, req: request{method: http.MethodPost, path: "/oauth2/introspect", header: gateway},
			tokens: &tokenSource{field: "token", tokens: s.cold}}
		if err := introspectsActive(ctx, t, s.cold[0], s.cold[len(s.cold)/2], s.cold[len(s.cold)-1]); err != nil {
			return wrkResult{}, err
		}
	case "client_credentials":
		t = target{base: node1.Base, req: clientCredentials(l)}
	case "refresh":
		if len(s.refresh) < 2 {
			return wrkResult{}, errors.New("too few refresh tokens seeded")
		}
		// One token shows that a seeded refresh token works; the others
		// are for wrk, each used once.
		probeReq := request{method: http.MethodPost, path: "/oauth2/token",
			header: map[string]string{"Authorization": testbed.BasicAuth(refreshAppID, l.secrets.Web)},
			form:   url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s.refresh[0]}}.Encode()}
		if err := probe(ctx, node1.Base, probeReq); err != nil {
			return wrkResult{}, err
		}
		probeReq.form = url.Values{"grant_type": {"refresh_token"}}.Encode()
		t = target{base: node1.Base, req: probeReq, tokens: &tokenSource{field: "refresh_token", tokens: s.refresh[1:], rotate: true}}
	case "console_first", "console_deep":
		b, cookie, err := l.consoleSession(ctx, node1)
		if err != nil {
			return wrkResult{}, err
		}
		path := "/admin/records"
		if name == "console_deep" {
			before, err := l.deepCursor(ctx)
			if err != nil {
				return wrkResult{}, err
			}
			path += "?before=" + url.QueryEscape(before)
		}
		// A full page of records, not a page saying why there are none.
		pg, err := b.get(ctx, node1.Base+path)
		if err != nil {
			return wrkResult{}, err
		}
		if n := strings.Count(pg.body, consoleRow); pg.status != http.StatusOK || n != consolePageSize {
			return wrkResult{}, fmt.Errorf("console %s: status %d, %d records, want %d", path, pg.status, n, consolePageSize)
		}
		t = target{base: node1.Base, req: request{method: http.MethodGet, path: path, header: map[string]string{"Cookie": cookie}}}
	default:
		return wrkResult{}, fmt.Errorf("unknown measure %q", name)
	}
	return runTarget(ctx, l, name, t, l.opts.connections)
}

// introspectsActive checks that the node finds each of tokens active:
// wrk counts an answer of "active": false, for a token the node cannot
// read, as a success.
func introspectsActive(ctx context.Context, t target, tokens ...string) error {
	return introspectsAs(ctx, t, true, tokens...)
}

// introspectsAs checks that the node answers "active": active for each
// of tokens.
func introspectsAs(ctx context.Context, t target, active bool, tokens ...string) error {
	for i, token := range tokens {
		req, err := http.NewRequestWithContext(ctx, t.req.method, t.base+t.req.path, strings.NewReader(url.Values{"token": {token}}.Encode()))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range t.req.header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("introspect a seeded token: %w", err)
		}
		var answer struct {
			Active bool `json:"active"`
		}
		err = json.NewDecoder(resp.Body).Decode(&answer)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || answer.Active != active {
			return fmt.Errorf("token %d of %d: status %d, active %t, want %t, %v", i+1, len(tokens), resp.StatusCode, answer.Active, active, err)
		}
	}
	return nil
}

// clientCredentials is the request of the client_credentials scenario.
func clientCredentials(l *lab) request {
	for _, sc := range scenarioList() {
		if sc.name == "client_credentials" {
			return sc.request(l, credentials{})
		}
	}
	panic("loadtest: no client_credentials scenario")
}

// consoleSession signs the administrator in on the sign-in page and
// returns the browser and its session's Cookie header.
func (l *lab) consoleSession(ctx context.Context, n *testbed.Node) (*browser, string, error) {
	b, err := newBrowser(n.Base)
	if err != nil {
		return nil, "", err
	}
	login, err := b.get(ctx, n.Base+"/login?next=/admin/records")
	if err != nil {
		return nil, "", err
	}
	records, err := b.submit(ctx, login, "/login", url.Values{"email": {adminEmail}, "password": {l.secrets.Password}})
	if err != nil {
		return nil, "", err
	}
	if records.status != http.StatusOK || records.url.Path != "/admin/records" {
		return nil, "", fmt.Errorf("console sign-in: want the records page, got %d %s", records.status, records.url)
	}
	u, err := url.Parse(n.Base)
	if err != nil {
		return nil, "", err
	}
	var pairs []string
	for _, c := range b.client.Jar.Cookies(u) {
		pairs = append(pairs, c.Name+"="+c.Value)
	}
	return b, strings.Join(pairs, "; "), nil
}

// consolePageSize is how many records a page of the console shows
// (provider/admin recordsPage), and consoleRow starts each of them
// (templates/admin_records.html).
const (
	consolePageSize = 50
	consoleRow      = `<tr>
<td><time datetime=`
)

// deepCursor is the console's "before" parameter of the last page but
// one: the page it opens shows the oldest records.
func (l *lab) deepCursor(ctx context.Context) (string, error) {
	var at time.Time
	var id int64
	err := l.query(ctx, func(conn *pgx.Conn) error {
		return conn.QueryRow(ctx, `SELECT at, id FROM audit_records ORDER BY at, id OFFSET $1 LIMIT 1`, consolePageSize).Scan(&at, &id)
	})
	if err != nil {
		return "", fmt.Errorf("postgres: the deep page's cursor: %w", err)
	}
	return fmt.Sprintf("%d.%d", at.UnixMicro(), id), nil
}

// tokenTableSizes reads the tokens table's sizes and rows.
func (l *lab) tokenTableSizes(ctx context.Context) (tableSizes, error) {
	var s tableSizes
	err := l.query(ctx, func(conn *pgx.Conn) error {
		return conn.QueryRow(ctx, `SELECT pg_relation_size('tokens'), pg_indexes_size('tokens'), pg_total_relation_size('tokens'),
			(SELECT count(*) FROM tokens)`).Scan(&s.heap, &s.indexes, &s.total, &s.rows)
	})
	if err != nil {
		return s, fmt.Errorf("postgres: sizes of the tokens table: %w", err)
	}
	return s, nil
}

// query runs fn on a connection to the lab's schema.
func (l *lab) query(ctx context.Context, fn func(conn *pgx.Conn) error) error {
	db, err := withSearchPath(l.opts.database)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return fn(conn)
}

// runCommand runs "tokenim-auth args... --config" on the lab's database,
// without Redis, and returns how long it took.
func (l *lab) runCommand(ctx context.Context, args ...string) (time.Duration, error) {
	_, took, err := l.commandOutput(ctx, args...)
	return took, err
}

func (l *lab) commandOutput(ctx context.Context, args ...string) ([]byte, time.Duration, error) {
	metricsAddr, err := testbed.FreeAddr()
	if err != nil {
		return nil, 0, err
	}
	env, err := l.env(metricsAddr, false)
	if err != nil {
		return nil, 0, err
	}
	l.logger.Info("running", "command", strings.Join(args, " "))
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, l.opts.bin, append(args, "--config", l.config)...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	if err != nil {
		return out.Bytes(), took, fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, out.Bytes())
	}
	return out.Bytes(), took, nil
}

// runJanitor runs one round of the janitor and returns how many tokens
// it deleted, and how long the whole command took.
func (l *lab) runJanitor(ctx context.Context) (int64, time.Duration, error) {
	out, took, err := l.commandOutput(ctx, "janitor")
	if err != nil {
		return 0, took, err
	}
	n, err := janitorDeleted(out, storage.PurgeTokens)
	return n, took, err
}

// janitorDeleted reads the count of area in the janitor's table.
func janitorDeleted(out []byte, area storage.PurgeArea) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == string(area) {
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, fmt.Errorf("janitor: no %s line in its output: %s", area, out)
}

// residentMemory reads a node's process_resident_memory_bytes from its
// metrics listener.
func residentMemory(ctx context.Context, n *testbed.Node) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.Metrics+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("metrics of %s: %w", n.Name(), err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int64(f), err
		}
	}
	return 0, fmt.Errorf("metrics of %s: no process_resident_memory_bytes (status %d)", n.Name(), resp.StatusCode)
}
