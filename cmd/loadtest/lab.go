package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"
	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// Where the load test keeps its state, removed at the start and the end.
const (
	schema      = "tokenim_loadtest"
	redisDB     = 11
	redisPrefix = "tokenim-loadtest:"
)

// lab is the load test's world: a schema, Redis keys, a configuration
// file, a private directory, and the nodes started so far.
type lab struct {
	opts    options
	logger  *slog.Logger
	secrets testbed.Secrets
	// dir holds the configuration, the wrk scripts and the nodes' logs;
	// removed by close.
	dir    string
	config string
	// issuer is node1's address: every node answers for it.
	issuer string
	rdb    *goredis.Client
	nodes  []*testbed.Node
}

// newLab clears the schema and the Redis keys and writes the
// configuration.
func newLab(ctx context.Context, opts options, logger *slog.Logger) (*lab, error) {
	l := &lab{opts: opts, logger: logger, secrets: testbed.NewSecrets()}
	l.rdb = goredis.NewClient(&goredis.Options{Addr: opts.redis, DB: redisDB})
	dir, err := os.MkdirTemp("", "tokenim-loadtest-")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	l.dir = dir
	if err := l.setUp(ctx); err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

func (l *lab) setUp(ctx context.Context) error {
	if err := l.recreateSchema(ctx); err != nil {
		return err
	}
	if err := l.deleteRedisKeys(ctx); err != nil {
		return err
	}
	addr, err := testbed.FreeAddr()
	if err != nil {
		return err
	}
	l.issuer = "http://" + addr
	l.config = filepath.Join(l.dir, "config.yaml")
	config, err := withClient(testbed.ProviderConfig(l.issuer, l.secrets), refreshAppClient(l.secrets.Web))
	if err != nil {
		return err
	}
	if err := os.WriteFile(l.config, []byte(config), 0o600); err != nil {
		return fmt.Errorf("write configuration: %w", err)
	}
	return nil
}

// refreshAppID is a web app like testbed.WebID that may also ask for
// offline_access: its users' sign-ins bring refresh tokens.
const refreshAppID = "loadtest-refresh"

// refreshAppClient is refreshAppID's entry in the configuration's client
// list.
func refreshAppClient(secret string) string {
	return fmt.Sprintf(`  - id: %s
    name: Load test app with refresh tokens
    type: confidential
    secret: %q
    redirect_uris: [%q]
    scopes: [openid, offline_access]
    skip_consent: true
`, refreshAppID, secret, testbed.WebReturn)
}

// withClient adds a client to the client list of a configuration made by
// testbed.ProviderConfig, which ends with the users.
func withClient(config, client string) (string, error) {
	before, after, ok := strings.Cut(config, "\nusers:\n")
	if !ok || !strings.Contains(before, "\nclients:\n") {
		return "", errors.New("configuration: no clients list followed by the users")
	}
	return before + "\n" + client + "users:\n" + after, nil
}

// close stops the nodes, drops the schema, deletes the Redis keys and the
// directory. It runs on the way out, even after an interrupt.
func (l *lab) close() {
	for _, n := range l.nodes {
		n.Stop(l.logger)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.dropSchema(ctx); err != nil {
		l.logger.Warn("drop schema", "err", err)
	}
	if err := l.deleteRedisKeys(ctx); err != nil {
		l.logger.Warn("delete redis keys", "err", err)
	}
	if err := l.rdb.Close(); err != nil {
		l.logger.Warn("close redis", "err", err)
	}
	if err := os.RemoveAll(l.dir); err != nil {
		l.logger.Warn("remove temporary directory", "err", err)
	}
}

// start runs a node, with or without Redis, and waits until it is ready.
// node1 listens on the issuer's address. env is added to the node's
// environment, a variable in it taking the place of the same one there.
func (l *lab) start(ctx context.Context, name string, withRedis bool, env ...string) (*testbed.Node, error) {
	addr := strings.TrimPrefix(l.issuer, "http://")
	if len(l.nodes) > 0 {
		a, err := testbed.FreeAddr()
		if err != nil {
			return nil, err
		}
		addr = a
	}
	metricsAddr, err := testbed.FreeAddr()
	if err != nil {
		return nil, err
	}
	base, err := l.env(metricsAddr, withRedis)
	if err != nil {
		return nil, err
	}
	env = append(base, env...)
	l.logger.Info("starting node", "name", name, "listen", addr, "redis", withRedis)
	n, err := testbed.StartNode(ctx, testbed.NodeSpec{
		Name: name, Bin: l.opts.bin, Config: l.config, Addr: addr, MetricsAddr: metricsAddr,
		Env: env, LogFile: filepath.Join(l.dir, name+".log"),
	})
	if n != nil {
		l.nodes = append(l.nodes, n)
	}
	return n, err
}

// env is a node's environment: ours, plus the database, the system
// secret, the metrics listener and Redis.
func (l *lab) env(metricsAddr string, withRedis bool) ([]string, error) {
	db, err := withSearchPath(l.opts.database)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"TOKENIM_DATABASE_URL="+db,
		"TOKENIM_SECRETS_SYSTEM="+l.secrets.System,
		"TOKENIM_METRICS_LISTEN="+metricsAddr,
	)
	if withRedis {
		env = append(env,
			"TOKENIM_REDIS_URL=redis://"+l.opts.redis+"/"+strconv.Itoa(redisDB),
			"TOKENIM_REDIS_PREFIX="+redisPrefix)
	}
	return env, nil
}

// withSearchPath sets the database URL's search_path to the load test's
// schema (pgx sends it as a run-time parameter).
func withSearchPath(database string) (string, error) {
	u, err := url.Parse(database)
	if err != nil {
		return "", fmt.Errorf("-database: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func (l *lab) recreateSchema(ctx context.Context) error {
	return l.exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE", "CREATE SCHEMA "+schema)
}

func (l *lab) dropSchema(ctx context.Context) error {
	return l.exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE")
}

// exec runs statements on the database, in order.
func (l *lab) exec(ctx context.Context, statements ...string) error {
	conn, err := pgx.Connect(ctx, l.opts.database)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, s := range statements {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("postgres: %s: %w", s, err)
		}
	}
	return nil
}

// deleteRedisKeys deletes every key under the load test's prefix.
func (l *lab) deleteRedisKeys(ctx context.Context) error {
	iter := l.rdb.Scan(ctx, 0, redisPrefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return fmt.Errorf("redis: scan %s*: %w", redisPrefix, err)
	}
	for len(keys) > 0 {
		batch := keys[:min(len(keys), 1000)]
		keys = keys[len(batch):]
		if err := l.rdb.Unlink(ctx, batch...).Err(); err != nil {
			return fmt.Errorf("redis: delete %s*: %w", redisPrefix, err)
		}
	}
	return nil
}
