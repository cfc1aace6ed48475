package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
)

// clusterTokens is how many access tokens the Redis Cluster measure
// issues through each node and then introspects in turn.
const clusterTokens = 10_000

// clusterResult is the Redis Cluster measure of scale: introspection
// answered from Redis (the node's own memory off) through one Redis
// server and through a Cluster of three masters, how the Cluster spread
// the cached tokens, and a revocation seen through it.
type clusterResult struct {
	single, cluster wrkResult
	// spread is the number of cached access tokens each master holds.
	spread []int
	// masters are the Cluster's masters' addresses.
	masters []string
}

// measureCluster runs the Redis Cluster measure: a node on the lab's
// Redis and a node on a three-master Cluster started here (Debian's
// redis-server on free loopback ports, stopped at the end), both with
// redis.local_ttl 0, so that every introspection reads Redis.
func measureCluster(ctx context.Context, opts scaleOptions, logger *slog.Logger) (clusterResult, error) {
	logger = logger.With("measure", "redis_cluster")
	var r clusterResult
	l, err := newLab(ctx, opts.options, logger)
	if err != nil {
		return r, err
	}
	defer l.close()
	bin, err := redistest.FindServer()
	if err != nil {
		return r, err
	}
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	logger.Info("starting a Redis Cluster", "masters", redistest.ClusterMasters)
	c, err := redistest.StartCluster(startCtx, bin, filepath.Join(l.dir, "cluster"))
	defer c.Stop()
	if err != nil {
		return r, err
	}
	r.masters = c.Addrs
	noLocal := "TOKENIM_REDIS_LOCAL_TTL=0s"
	single, err := l.start(ctx, "redis_single", true, noLocal)
	if err != nil {
		return r, err
	}
	onCluster, err := l.start(ctx, "redis_cluster", false, noLocal,
		"TOKENIM_REDIS_ADDRS="+strings.Join(c.Addrs, ","), "TOKENIM_REDIS_PREFIX="+redisPrefix)
	if err != nil {
		return r, err
	}
	if r.single, err = l.introspectFromRedis(ctx, "redis_single", single); err != nil {
		return r, fmt.Errorf("one Redis server: %w", err)
	}
	if r.cluster, err = l.introspectFromRedis(ctx, "redis_cluster", onCluster); err != nil {
		return r, fmt.Errorf("a Redis Cluster: %w", err)
	}
	if r.spread, err = redistest.CountClusterKeys(ctx, c.Addrs, redisPrefix+"e*:{*}t:*"); err != nil {
		return r, err
	}
	return r, l.revokeThrough(ctx, onCluster)
}

// introspectFromRedis issues clusterTokens tokens through node n (each
// written through to Redis) and introspects them in turn with wrk.
func (l *lab) introspectFromRedis(ctx context.Context, name string, n *testbed.Node) (wrkResult, error) {
	tokens, err := issueTokens(ctx, l.botConfig(n), clusterTokens)
	if err != nil {
		return wrkResult{}, err
	}
	t := l.introspection(n, tokens)
	if err := introspectsActive(ctx, t, tokens[0], tokens[len(tokens)-1]); err != nil {
		return wrkResult{}, err
	}
	l.logger.Info("running scenario", "name", name, "duration", l.opts.duration)
	return runTarget(ctx, l, name, t, l.opts.connections)
}

// introspection is the resource server's introspection of tokens, in
// turn, at node n.
func (l *lab) introspection(n *testbed.Node, tokens []string) target {
	return target{base: n.Base, req: request{method: http.MethodPost, path: "/oauth2/introspect",
		header: map[string]string{"Authorization": testbed.BasicAuth(testbed.GatewayID, l.secrets.Gateway)}},
		tokens: &tokenSource{field: "token", tokens: tokens}}
}

// revokeThrough revokes a token at node n (RFC 7009) and checks that n
// finds it inactive at once, from the Cluster, while another stays
// active.
func (l *lab) revokeThrough(ctx context.Context, n *testbed.Node) error {
	tokens, err := issueTokens(ctx, l.botConfig(n), 2)
	if err != nil {
		return err
	}
	t := l.introspection(n, tokens)
	if err := introspectsActive(ctx, t, tokens...); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.Base+"/oauth2/revoke",
		strings.NewReader(url.Values{"token": {tokens[0]}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", testbed.BasicAuth(testbed.BotID, l.secrets.Bot))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("revoke: status %d", resp.StatusCode)
	}
	if err := introspectsAs(ctx, t, false, tokens[0]); err != nil {
		return fmt.Errorf("the revoked token: %w", err)
	}
	return introspectsActive(ctx, t, tokens[1])
}

// printCluster prints the Redis Cluster measure.
func printCluster(w io.Writer, r clusterResult) {
	fmt.Fprintf(w, "\nRedis Cluster (%d masters, started by the run; `redis.local_ttl: 0`, so every introspection reads Redis; %s tokens issued through each node, introspected in turn):\n\n",
		len(r.masters), thousands(clusterTokens))
	fmt.Fprintln(w, "| Redis | introspection req/s | p50 | p99 |")
	fmt.Fprintln(w, "|---|---:|---:|---:|")
	for _, row := range []struct {
		name string
		res  wrkResult
	}{{"one server", r.single}, {fmt.Sprintf("Cluster of %d masters", len(r.masters)), r.cluster}} {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", row.name, thousands(row.res.requestsPerS), ms(row.res.p50), ms(row.res.p99))
	}
	total := 0
	for _, n := range r.spread {
		total += n
	}
	fmt.Fprintf(w, "\nThe Cluster over one server: ×%.2f. Cached access tokens per master: %s (%s in all)", r.cluster.requestsPerS/r.single.requestsPerS, spreadText(r.spread, total), thousands(float64(total)))
	fmt.Fprintln(w, "; a token revoked through the Cluster's node was inactive at once, another still active.")
}

// spreadText is each master's count with its share of total.
func spreadText(spread []int, total int) string {
	parts := make([]string, len(spread))
	for i, n := range spread {
		share := 0.0
		if total > 0 {
			share = 100 * float64(n) / float64(total)
		}
		parts[i] = fmt.Sprintf("%s (%.1f%%)", thousands(float64(n)), share)
	}
	return strings.Join(parts, ", ")
}
