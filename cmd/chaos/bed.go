package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// redisPrefix is the nodes' Redis key prefix.
const redisPrefix = "tokenim-chaos:"

// bed is the run's world: a private directory, a Postgres cluster and a
// Redis server of its own, and the nodes sharing them. close takes it all
// down.
type bed struct {
	opts    options
	logger  *slog.Logger
	secrets testbed.Secrets
	// dir holds the configuration, the cluster, and the logs.
	dir    string
	config string
	pg     *postgres
	redis  *redisServer
	nodes  []*testbed.Node
}

// newBed starts Postgres, Redis and the nodes. It returns the bed even
// on error, for the caller to close.
func newBed(ctx context.Context, opts options, logger *slog.Logger) (*bed, error) {
	b := &bed{opts: opts, logger: logger, secrets: testbed.NewSecrets()}
	dir, err := os.MkdirTemp("", "tokenim-chaos-")
	if err != nil {
		return b, fmt.Errorf("temporary directory: %w", err)
	}
	b.dir = dir
	logger.Info("starting postgres", "dir", dir)
	if b.pg, err = newPostgres(ctx, dir); err != nil {
		return b, err
	}
	logger.Info("starting redis")
	if b.redis, err = startRedis(ctx, dir); err != nil {
		return b, err
	}
	addrs := make([]string, nodeCount)
	for i := range addrs {
		if addrs[i], err = testbed.FreeAddr(); err != nil {
			return b, err
		}
	}
	b.config = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(b.config, []byte(testbed.ProviderConfig("http://"+addrs[0], b.secrets)), 0o600); err != nil {
		return b, fmt.Errorf("write configuration: %w", err)
	}
	for i, addr := range addrs {
		if err := b.startNode(ctx, i, addr); err != nil {
			return b, err
		}
	}
	return b, nil
}

// nodeCount is how many nodes share the database and Redis.
const nodeCount = 2

// startNode starts node i on addr, each node its own metrics listener.
func (b *bed) startNode(ctx context.Context, i int, addr string) error {
	metrics, err := testbed.FreeAddr()
	if err != nil {
		return err
	}
	name := fmt.Sprintf("node%d", i+1)
	b.logger.Info("starting node", "name", name, "listen", addr)
	n, err := testbed.StartNode(ctx, testbed.NodeSpec{
		Name: name, Bin: b.opts.bin, Config: b.config, Addr: addr, MetricsAddr: metrics,
		LogFile: filepath.Join(b.dir, name+".log"),
		Env: append(os.Environ(),
			"TOKENIM_DATABASE_URL="+b.pg.url(),
			"TOKENIM_SECRETS_SYSTEM="+b.secrets.System,
			"TOKENIM_METRICS_LISTEN="+metrics,
			"TOKENIM_REDIS_URL=redis://"+b.redis.addr+"/0",
			"TOKENIM_REDIS_PREFIX="+redisPrefix),
	})
	if n != nil {
		b.nodes = append(b.nodes, n)
	}
	return err
}

// restartNode starts node i again as it was; the bed stops it on close
// even when it does not become ready.
func (b *bed) restartNode(ctx context.Context, i int) error {
	n, err := testbed.StartNode(ctx, b.nodes[i].Spec)
	if n != nil {
		b.nodes[i] = n
	}
	return err
}

// bases are the nodes' URLs.
func (b *bed) bases() []string {
	var out []string
	for _, n := range b.nodes {
		out = append(out, n.Base)
	}
	return out
}

// close stops the nodes, Redis and Postgres and removes the directory.
// It runs on the way out, after an error or an interrupt too.
func (b *bed) close() {
	for _, n := range b.nodes {
		n.Stop(b.logger)
	}
	if b.redis != nil {
		if err := b.redis.close(); err != nil {
			b.logger.Warn("stop redis", "err", err)
		}
	}
	if b.pg != nil {
		if err := b.pg.close(); err != nil {
			b.logger.Warn("stop postgres", "err", err)
		}
	}
	switch {
	case b.dir != "" && b.opts.keep:
		b.logger.Info("kept the directory with the logs", "dir", b.dir)
	case b.dir != "":
		if err := os.RemoveAll(b.dir); err != nil {
			b.logger.Warn("remove temporary directory", "err", err)
		}
	}
}
