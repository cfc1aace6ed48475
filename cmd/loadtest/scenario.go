package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// topology is which nodes a scenario drives.
type topology int

const (
	// node1 alone, with Redis.
	oneNode topology = iota
	// a node without Redis, on the same database.
	noRedis
	// node1 and two more nodes sharing its Redis.
	threeNodes
	// node1 driven by three wrk processes, as threeNodes drives three
	// nodes: the baseline that comparison needs, the load generator
	// taking the same share of the cores.
	oneNodeThreeWrk
)

// scenario is one measurement: a request sent by wrk as fast as the
// nodes answer.
type scenario struct {
	name     string
	topology topology
	// connections overrides -connections when not 0.
	connections int
	// profile: with -profile, a CPU profile is taken during the run.
	profile bool
	request func(l *lab, c credentials) request
}

func scenarioList() []scenario {
	introspect := func(l *lab, c credentials) request {
		return request{
			method: http.MethodPost, path: "/oauth2/introspect",
			header: map[string]string{"Authorization": testbed.BasicAuth(testbed.GatewayID, l.secrets.Gateway)},
			form:   url.Values{"token": {c.bot}}.Encode(),
		}
	}
	get := func(path string) func(*lab, credentials) request {
		return func(*lab, credentials) request { return request{method: http.MethodGet, path: path} }
	}
	return []scenario{
		{name: "client_credentials", profile: true, request: func(l *lab, _ credentials) request {
			return request{
				method: http.MethodPost, path: "/oauth2/token",
				header: map[string]string{"Authorization": testbed.BasicAuth(testbed.BotID, l.secrets.Bot)},
				form:   url.Values{"grant_type": {"client_credentials"}, "scope": {"im:messages.send"}}.Encode(),
			}
		}},
		{name: "introspect", profile: true, request: introspect},
		{name: "introspect_64", connections: 64, request: introspect},
		{name: "introspect_noredis", topology: noRedis, request: introspect},
		{name: "userinfo", request: func(_ *lab, c credentials) request {
			return request{method: http.MethodGet, path: "/userinfo", header: map[string]string{"Authorization": "Bearer " + c.user}}
		}},
		{name: "jwks", request: get("/.well-known/jwks.json")},
		{name: "discovery", request: get("/.well-known/openid-configuration")},
		{name: "introspect_1node_3wrk", topology: oneNodeThreeWrk, request: introspect},
		{name: "introspect_3nodes", topology: threeNodes, request: introspect},
	}
}

func scenarioNames() []string {
	var names []string
	for _, s := range scenarioList() {
		names = append(names, s.name)
	}
	return names
}

// result is a scenario's outcome.
type result struct {
	scenario string
	// connections is what the table shows: "16", or "15 (3×5)".
	connections string
	wrk         wrkResult
	// failure says why the scenario failed, "" when it did not.
	failure string
	// profile is the CPU profile's file, "" without one.
	profile string
}

// runScenarios runs the selected scenarios in order. A failed scenario
// is recorded and the next one runs.
func runScenarios(ctx context.Context, l *lab, c credentials) []result {
	var results []result
	for _, sc := range scenarioList() {
		if !slices.Contains(l.opts.scenarios, sc.name) || ctx.Err() != nil {
			continue
		}
		l.logger.Info("running scenario", "name", sc.name, "duration", l.opts.duration)
		r := runScenario(ctx, l, sc, c)
		if r.failure != "" {
			l.logger.Error("scenario failed", "name", sc.name, "why", r.failure)
		}
		results = append(results, r)
	}
	return results
}

// runScenario starts the nodes the scenario needs, checks its request
// once, then runs one wrk per node at once.
func runScenario(ctx context.Context, l *lab, sc scenario, c credentials) result {
	r := result{scenario: sc.name}
	nodes, release, err := l.topology(ctx, sc.topology)
	defer release()
	if err != nil {
		r.failure = err.Error()
		return r
	}
	req := sc.request(l, c)
	script, err := writeScript(l.dir, sc.name, req)
	if err != nil {
		r.failure = err.Error()
		return r
	}
	for _, n := range nodes {
		if err := probe(ctx, n.Base, req); err != nil {
			r.failure = err.Error()
			return r
		}
	}
	conns := cmp.Or(sc.connections, l.opts.connections)
	per := max(1, conns/len(nodes))
	r.connections = strconv.Itoa(per)
	if len(nodes) > 1 {
		r.connections = fmt.Sprintf("%d (%d×%d)", per*len(nodes), len(nodes), per)
	}
	for _, n := range nodes[1:] {
		if n == nodes[0] {
			r.connections = fmt.Sprintf("%d (%d wrk×%d)", per*len(nodes), len(nodes), per)
			break
		}
	}
	var prof *profiler
	if sc.profile && l.opts.profileDir != "" {
		prof = startProfile(ctx, l, nodes[0], sc.name)
	}
	r.wrk, err = runWrks(ctx, l, nodes, script, req.path, per)
	if prof != nil {
		if perr := prof.wait(); perr != nil {
			l.logger.Warn("cpu profile", "scenario", sc.name, "err", perr)
		} else {
			r.profile = prof.file
		}
	}
	switch {
	case err != nil:
		r.failure = err.Error()
	default:
		r.failure = r.wrk.failed()
	}
	return r
}

// runWrks runs one wrk per node, at once, and sums their results.
func runWrks(ctx context.Context, l *lab, nodes []*testbed.Node, script, path string, connections int) (wrkResult, error) {
	results := make([]wrkResult, len(nodes))
	errs := make([]error, len(nodes))
	var wg sync.WaitGroup
	for i, n := range nodes {
		run := wrkRun{url: n.Base + path, script: script, threads: l.opts.threads, connections: connections, duration: l.opts.duration}
		wg.Go(func() { results[i], errs[i] = run.run(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return wrkResult{}, err
		}
	}
	return combine(results), nil
}

// probe sends the request once and wants a 2xx answer: wrk counts only
// statuses of 400 and more as failures, so this also catches a request
// that would be redirected.
func probe(ctx context.Context, base string, r request) error {
	var body io.Reader
	if r.form != "" {
		body = strings.NewReader(r.form)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, base+r.path, body)
	if err != nil {
		return fmt.Errorf("probe %s: %w", r.path, err)
	}
	if r.form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("probe %s %s: %w", r.method, r.path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("probe %s %s: status %d, want 2xx: %s", r.method, r.path, resp.StatusCode, msg)
	}
	return nil
}

// topology returns the nodes of t, starting those not running; release
// stops the nodes started for it alone.
func (l *lab) topology(ctx context.Context, t topology) (nodes []*testbed.Node, release func(), err error) {
	node1 := l.nodes[0]
	var extra []*testbed.Node
	release = func() {
		for _, n := range extra {
			n.Stop(l.logger)
		}
	}
	start := func(name string, withRedis bool) error {
		n, err := l.start(ctx, name, withRedis)
		if n != nil {
			extra = append(extra, n)
		}
		return err
	}
	switch t {
	case oneNode:
		return []*testbed.Node{node1}, release, nil
	case oneNodeThreeWrk:
		return []*testbed.Node{node1, node1, node1}, release, nil
	case noRedis:
		err = start("noredis", false)
		return extra, release, err
	case threeNodes:
		if err = start("node2", true); err == nil {
			err = start("node3", true)
		}
		return append([]*testbed.Node{node1}, extra...), release, err
	}
	return nil, release, fmt.Errorf("unknown topology %d", t)
}
