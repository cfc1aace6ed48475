package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
	"golang.org/x/oauth2"
)

// compareOptions are the flags of "loadtest compare".
type compareOptions struct {
	options
	hydraVersion string
	// hydraBin is a Hydra binary to run instead of building one.
	hydraBin string
	rounds   int
	// out is a file the report is also written to.
	out string
}

// Token sets of the cold introspection scenario. Ours is twice what our
// node keeps decoded (provider/oauth, 10,000 access-token requests), so
// that most requests find nothing decoded either; Hydra keeps no token
// cache, so any set is cold for it, and issuing costs a PBKDF2 check
// each.
const (
	coldTokens      = 20_000
	hydraColdTokens = 2_000
)

// wrkTimeout is how long a request may wait for its answer in compare:
// Hydra's refresh takes longer than wrk's default 2 s on a busy machine.
const wrkTimeout = 10 * time.Second

// runCompare is "loadtest compare": Hydra and our nodes side by side.
func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseCompareOptions(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if err := checkTools(opts.options); err != nil {
		return err
	}
	hydraBin := opts.hydraBin
	if hydraBin != "" {
		if _, err := os.Stat(hydraBin); err != nil {
			return fmt.Errorf("-hydra: %w", err)
		}
	} else {
		dir, err := hydraBuildDir(opts.hydraVersion)
		if err != nil {
			return err
		}
		if hydraBin, err = buildHydra(ctx, logger, dir, opts.hydraVersion); err != nil {
			return err
		}
	}
	l, err := newLab(ctx, opts.options, logger)
	if err != nil {
		return err
	}
	defer l.close()
	w := &world{lab: l}
	if w.node, err = l.start(ctx, "node1", true); err != nil {
		return err
	}
	if w.cold, err = l.start(ctx, "noredis", false); err != nil {
		return err
	}
	// Deferred calls run last first: Hydra stops, then its database is
	// dropped.
	defer func() {
		if err := l.exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+hydraDatabase+" WITH (FORCE)"); err != nil {
			logger.Warn("drop hydra's database", "err", err)
		}
	}()
	h, err := startHydraLab(ctx, l, hydraBin)
	if h != nil {
		defer h.stop(logger)
	}
	if err != nil {
		return err
	}
	w.hydra = h
	if err := w.obtainTokens(ctx, opts); err != nil {
		return err
	}
	results := runComparisons(ctx, w, opts)
	if err := ctx.Err(); err != nil {
		return err
	}
	m, err := describeCompareMachine(ctx, l, hydraBin)
	if err != nil {
		return err
	}
	if err := writeCompareReport(stdout, opts, m, results); err != nil {
		return err
	}
	for _, r := range results {
		if r.failed() {
			return errFailed
		}
	}
	return nil
}

// parseCompareOptions reads the flags of compare; a bad one is reported
// on stderr.
func parseCompareOptions(args []string, stderr io.Writer) (compareOptions, error) {
	fs := flag.NewFlagSet("loadtest compare", flag.ContinueOnError)
	var o compareOptions
	o.labFlags(fs, comparisonNames())
	fs.StringVar(&o.hydraVersion, "hydra-version", "v2.3.0", "the Ory Hydra `version` to build from the Go module proxy")
	fs.StringVar(&o.hydraBin, "hydra", "", "a Hydra `binary` to run instead of building one")
	fs.IntVar(&o.rounds, "rounds", 2, "runs of each scenario on each side, alternated")
	fs.StringVar(&o.out, "out", "", "also write the report to `FILE`")
	if err := testbed.ParseFlags(fs, args, stderr, func() string {
		if o.rounds < 1 {
			return "-rounds must be at least 1"
		}
		return o.problem(comparisonNames())
	}); err != nil {
		return compareOptions{}, err
	}
	o.args = args
	return o, nil
}

// startHydraLab gives Hydra a fresh database next to the lab's schema
// and starts it with a client.
func startHydraLab(ctx context.Context, l *lab, bin string) (*hydra, error) {
	dsn, err := hydraDSN(l.opts.database)
	if err != nil {
		return nil, err
	}
	if err := l.exec(ctx, "DROP DATABASE IF EXISTS "+hydraDatabase+" WITH (FORCE)", "CREATE DATABASE "+hydraDatabase); err != nil {
		return nil, err
	}
	public, err := testbed.FreeAddr()
	if err != nil {
		return nil, err
	}
	admin, err := testbed.FreeAddr()
	if err != nil {
		return nil, err
	}
	l.logger.Info("starting hydra", "public", public, "admin", admin)
	h, err := startHydra(ctx, hydraSpec{bin: bin, dsn: dsn, secret: rand.Text(), public: public, admin: admin}, filepath.Join(l.dir, "hydra.log"))
	if err != nil {
		return h, err
	}
	return h, h.createClient(ctx)
}

// side is one of the two servers compared.
type side int

const (
	hydraSide side = iota
	oursSide
)

func (s side) String() string {
	if s == hydraSide {
		return "hydra"
	}
	return "ours"
}

// world is what the comparisons drive.
type world struct {
	lab *lab
	// node is ours with Redis; cold has no Redis.
	node, cold *testbed.Node
	hydra      *hydra
	// tokens are each side's credentials.
	tokens [2]sideTokens
}

// sideTokens are the tokens one side's scenarios present.
type sideTokens struct {
	// hot is a client-credentials access token, introspected again and
	// again.
	hot string
	// cold are client-credentials access tokens, introspected in turn.
	cold []string
	// refresh are refresh tokens, each of its own sign-in, a set per
	// round.
	refresh [][]string
}

// obtainTokens issues every token the scenarios present, on both sides.
func (w *world) obtainTokens(ctx context.Context, o compareOptions) error {
	l, h := w.lab, w.hydra
	perRound := 2 * max(o.connections, wrkThreads(o.threads, o.connections))
	if !slices.Contains(o.scenarios, "refresh") {
		perRound = 0
	}
	for _, s := range []side{hydraSide, oursSide} {
		issue := l.botConfig(w.node)
		count := coldTokens
		userSignIn := func(ctx context.Context) (*oauth2.Token, error) {
			return signIn(ctx, l.refreshApp(w.node), l.secrets.Password)
		}
		if s == hydraSide {
			issue, count, userSignIn = h.clientCredentials(), hydraColdTokens, h.signIn
		}
		if !slices.Contains(o.scenarios, "introspect_cold") {
			count = 0
		}
		l.logger.Info("issuing tokens", "side", s, "access", count+1, "refresh", perRound*o.rounds)
		all, err := issueTokens(ctx, issue, count+1)
		if err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
		t := sideTokens{hot: all[0], cold: all[1:]}
		for range o.rounds {
			var set []string
			for range perRound {
				tok, err := userSignIn(ctx)
				if err != nil {
					return fmt.Errorf("%s: refresh token: %w", s, err)
				}
				if tok.RefreshToken == "" {
					return fmt.Errorf("%s: a sign-in with offline_access brought no refresh token", s)
				}
				set = append(set, tok.RefreshToken)
			}
			t.refresh = append(t.refresh, set)
		}
		w.tokens[s] = t
	}
	return nil
}

// refreshApp is the app whose sign-ins bring refresh tokens, on node n.
func (l *lab) refreshApp(n *testbed.Node) oauth2.Config {
	c := l.webApp(n)
	c.ClientID, c.Scopes = refreshAppID, []string{"openid", "offline_access"}
	return c
}

// target is what one side's wrk run sends, and where.
type target struct {
	base string
	req  request
	// tokens, when not nil, vary a field of the form per request.
	tokens *tokenSource
}

// comparison is one scenario, run on both sides.
type comparison struct {
	name, title string
	connections int
	// static marks the baseline: the same HTTP stack's cheapest answer.
	static bool
	// hydra and ours say what each side does per request.
	hydra, ours string
	target      func(w *world, s side, round int) target
}

func comparisonList() []comparison {
	static := func(w *world, s side, _ int) target {
		base := w.node.Base
		if s == hydraSide {
			base = w.hydra.publicURL
		}
		return target{base: base, req: request{method: http.MethodGet, path: "/health/alive"}}
	}
	get := func(path string) func(*world, side, int) target {
		return func(w *world, s side, _ int) target {
			t := static(w, s, 0)
			t.req.path = path
			return t
		}
	}
	introspect := func(w *world, s side, token string) target {
		if s == hydraSide {
			return target{base: w.hydra.adminURL, req: request{method: http.MethodPost, path: "/admin/oauth2/introspect", form: url.Values{"token": {token}}.Encode()}}
		}
		return target{base: w.node.Base, req: request{
			method: http.MethodPost, path: "/oauth2/introspect",
			header: map[string]string{"Authorization": testbed.BasicAuth(testbed.GatewayID, w.lab.secrets.Gateway)},
			form:   url.Values{"token": {token}}.Encode(),
		}}
	}
	hot := func(w *world, s side, _ int) target { return introspect(w, s, w.tokens[s].hot) }
	ccHydra := "client_secret_basic checked with PBKDF2-SHA256 (25,000 iterations, Hydra's default); an opaque token written to Postgres"
	ccOurs := "client_secret_basic checked against a keyed HMAC-SHA-256 hash (client from memory); the token and its authorization record written to Postgres in one statement, then to Redis"
	return []comparison{
		{name: "static", title: "static answer (baseline)", static: true, target: static,
			hydra: "GET /health/alive on the public port", ours: "GET /health/alive: the same middleware as every route, a fixed JSON answer"},
		{name: "static_64", title: "static answer (baseline)", connections: 64, static: true, target: static,
			hydra: "the same", ours: "the same"},
		{name: "client_credentials", title: "client credentials (Hydra: PBKDF2; ours: keyed hash)", target: func(w *world, s side, _ int) target {
			id, secret, base := testbed.BotID, w.lab.secrets.Bot, w.node.Base
			if s == hydraSide {
				id, secret, base = w.hydra.clientID, w.hydra.clientSecret, w.hydra.publicURL
			}
			return target{base: base, req: request{
				method: http.MethodPost, path: "/oauth2/token",
				header: map[string]string{"Authorization": testbed.BasicAuth(id, secret)},
				form:   url.Values{"grant_type": {"client_credentials"}, "scope": {"im:messages.send"}}.Encode(),
			}}
		}, hydra: ccHydra, ours: ccOurs},
		{name: "introspect", title: "introspection, hot token (Hydra: admin port, no client auth)", target: hot,
			hydra: "POST /admin/oauth2/introspect on the admin port, no client authentication; the token read from Postgres (Hydra keeps no token cache; the row is in Postgres's buffers)",
			ours:  "POST /oauth2/introspect with the resource server's client_secret_basic (HMAC-SHA-256); client and token from the node's memory"},
		{name: "introspect_64", title: "introspection, hot token (Hydra: admin port, no client auth)", connections: 64, target: hot, hydra: "the same", ours: "the same"},
		{name: "introspect_cold", title: "introspection, cold token (Hydra: admin port, no client auth)", target: func(w *world, s side, _ int) target {
			t := introspect(w, s, "")
			t.req.form = ""
			t.tokens = &tokenSource{field: "token", tokens: w.tokens[s].cold}
			if s == oursSide {
				t.base = w.cold.Base
			}
			return t
		},
			hydra: fmt.Sprintf("each request another of %s tokens, in turn; each a Postgres read, as every Hydra introspection", thousands(hydraColdTokens)),
			ours:  fmt.Sprintf("each request another of %s tokens, in turn, on a node without Redis: each a Postgres read; the node keeps at most 10,000 access-token requests decoded (the client stays in memory)", thousands(coldTokens))},
		{name: "refresh", title: "refresh: a write and a rotation (Hydra: PBKDF2; ours: keyed hash)", target: func(w *world, s side, round int) target {
			id, secret, base := refreshAppID, w.lab.secrets.Web, w.node.Base
			if s == hydraSide {
				id, secret, base = w.hydra.clientID, w.hydra.clientSecret, w.hydra.publicURL
			}
			return target{base: base, req: request{
				method: http.MethodPost, path: "/oauth2/token",
				header: map[string]string{"Authorization": testbed.BasicAuth(id, secret)},
				form:   url.Values{"grant_type": {"refresh_token"}}.Encode(),
			}, tokens: &tokenSource{field: "refresh_token", tokens: w.tokens[s].refresh[round], rotate: true}}
		},
			hydra: "each request a refresh token used once, the next taken from the answer; client_secret_basic with PBKDF2; the old tokens revoked and new access, refresh and ID tokens written to Postgres",
			ours:  "the same rotation, client_secret_basic with HMAC-SHA-256; the family's tokens rotated in Postgres, the cache invalidated in Redis"},
		{name: "discovery", title: "discovery", target: get("/.well-known/openid-configuration"),
			hydra: "GET /.well-known/openid-configuration", ours: "the same, encoded once at start"},
		{name: "jwks", title: "JWKS", target: get("/.well-known/jwks.json"),
			hydra: "GET /.well-known/jwks.json: the keys read from Postgres", ours: "the same, encoded once per key load"},
	}
}

func comparisonNames() []string {
	var names []string
	for _, c := range comparisonList() {
		names = append(names, c.name)
	}
	return names
}

// comparisonResult is a scenario's runs on both sides.
type comparisonResult struct {
	comparison
	connections int
	// runs are each side's wrk results, one per round.
	runs [2][]wrkResult
	// failures say why a side's runs do not count, "" when they do.
	failures [2]string
}

func (r comparisonResult) failed() bool {
	return r.failures[hydraSide] != "" || r.failures[oursSide] != ""
}

// runComparisons runs the selected scenarios, each alternating the sides
// for -rounds rounds: Hydra first in odd rounds, ours first in even ones.
func runComparisons(ctx context.Context, w *world, o compareOptions) []comparisonResult {
	var results []comparisonResult
	for _, c := range comparisonList() {
		if !slices.Contains(o.scenarios, c.name) || ctx.Err() != nil {
			continue
		}
		r := comparisonResult{comparison: c, connections: c.connections}
		if r.connections == 0 {
			r.connections = o.connections
		}
		for round := range o.rounds {
			for _, s := range roundOrder(round) {
				if r.failures[s] != "" || ctx.Err() != nil {
					continue
				}
				w.lab.logger.Info("running scenario", "name", c.name, "side", s, "round", round+1, "duration", o.duration)
				res, err := runTarget(ctx, w.lab, fmt.Sprintf("%s-%s-%d", c.name, s, round+1), c.target(w, s, round), r.connections)
				if err != nil {
					r.failures[s] = err.Error()
					w.lab.logger.Error("scenario failed", "name", c.name, "side", s, "why", err)
					continue
				}
				r.runs[s] = append(r.runs[s], res)
			}
		}
		results = append(results, r)
	}
	return results
}

// roundOrder is the order of the sides in round (from 0): A/B, then B/A.
func roundOrder(round int) []side {
	if round%2 == 0 {
		return []side{hydraSide, oursSide}
	}
	return []side{oursSide, hydraSide}
}

// runTarget writes the wrk script of t, checks its request once (unless
// each token may be used once), and runs wrk.
func runTarget(ctx context.Context, l *lab, name string, t target, connections int) (wrkResult, error) {
	threads := wrkThreads(l.opts.threads, connections)
	var script string
	var err error
	probeReq := t.req
	if t.tokens != nil {
		script, err = writeTokenScript(l.dir, name, t.req, *t.tokens, threads)
		probeReq.form = strings.TrimPrefix(probeReq.form+"&"+url.Values{t.tokens.field: {t.tokens.tokens[0]}}.Encode(), "&")
	} else {
		script, err = writeScript(l.dir, name, t.req)
	}
	if err != nil {
		return wrkResult{}, err
	}
	if t.tokens == nil || !t.tokens.rotate {
		if err := probe(ctx, t.base, probeReq); err != nil {
			return wrkResult{}, err
		}
	}
	run := wrkRun{url: t.base + t.req.path, script: script, threads: l.opts.threads, connections: connections, duration: l.opts.duration, timeout: wrkTimeout}
	res, err := run.run(ctx)
	if err != nil {
		return wrkResult{}, err
	}
	if why := res.failed(); why != "" {
		return res, errors.New(why)
	}
	return res, nil
}

// writeCompareReport prints the report, and writes it to -out.
func writeCompareReport(stdout io.Writer, o compareOptions, m compareMachine, results []comparisonResult) error {
	var b strings.Builder
	printComparisonReport(&b, o, m, results)
	if _, err := io.WriteString(stdout, b.String()); err != nil {
		return err
	}
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("-out: %w", err)
		}
	}
	return nil
}
