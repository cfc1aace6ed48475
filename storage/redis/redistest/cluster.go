package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// ServerBinary is the redis-server Cluster starts (Debian's package).
const ServerBinary = "/usr/bin/redis-server"

// ClusterMasters is how many masters Cluster starts; master i serves the
// i-th third of the hash slots (ClusterRange).
const ClusterMasters = 3

// ClusterRange returns the first and last hash slot master i serves.
func ClusterRange(i int) (first, last int) {
	return i * 16384 / ClusterMasters, (i+1)*16384/ClusterMasters - 1
}

// Cluster starts a Redis Cluster of three masters and no replica on free
// loopback ports, its files in a temporary directory, and returns the
// masters' addresses (master i serves ClusterRange(i)). The servers stop
// when t ends. Without redis-server the test is skipped, unless CI=true,
// where it fails.
func Cluster(t testing.TB) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: starts a Redis Cluster")
	}
	bin, err := FindServer()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v (CI=true: it must be installed)", err)
		}
		t.Skipf("%v: cannot start a Redis Cluster (set CI=true to make this fatal)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := StartCluster(ctx, bin, t.TempDir())
	if c != nil {
		t.Cleanup(c.Stop)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c.Addrs
}

// FindServer returns the redis-server binary: ServerBinary, else the one
// in PATH.
func FindServer() (string, error) {
	if _, err := os.Stat(ServerBinary); err == nil {
		return ServerBinary, nil
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", fmt.Errorf("redistest: no redis-server at %s or in PATH", ServerBinary)
	}
	return bin, nil
}

// RunningCluster is a Redis Cluster started by StartCluster.
type RunningCluster struct {
	// Addrs are the masters' addresses; master i serves ClusterRange(i).
	Addrs []string
	cmds  []*exec.Cmd
}

// Stop stops the masters (SIGTERM, then waits for them).
func (c *RunningCluster) Stop() {
	for _, cmd := range c.cmds {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}
}

// StartCluster starts the Redis Cluster that Cluster does, with bin, its
// files in dir (made if missing), and waits until every master reports the Cluster ready.
// On an error the masters already started are returned too, to be
// stopped.
func StartCluster(ctx context.Context, bin, dir string) (*RunningCluster, error) {
	c := &RunningCluster{Addrs: make([]string, ClusterMasters)}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return c, fmt.Errorf("redistest: cluster directory: %w", err)
	}
	clients := make([]*goredis.Client, ClusterMasters)
	defer func() {
		for _, cl := range clients {
			if cl != nil {
				cl.Close()
			}
		}
	}()
	for i := range c.Addrs {
		port, err := clusterPort()
		if err != nil {
			return c, err
		}
		c.Addrs[i] = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		cmd, err := startServer(bin, dir, port)
		if err != nil {
			return c, err
		}
		c.cmds = append(c.cmds, cmd)
		clients[i] = goredis.NewClient(&goredis.Options{Addr: c.Addrs[i], DialTimeout: time.Second, MaxRetries: -1})
	}
	for i, cl := range clients {
		if err := poll(ctx, c.Addrs[i]+" answers", func() bool { return cl.Ping(ctx).Err() == nil }); err != nil {
			return c, err
		}
		first, last := ClusterRange(i)
		if err := cl.ClusterAddSlotsRange(ctx, first, last).Err(); err != nil {
			return c, fmt.Errorf("redistest: assign slots to %s: %w", c.Addrs[i], err)
		}
	}
	for i := 1; i < len(c.Addrs); i++ {
		host, port, _ := net.SplitHostPort(c.Addrs[i])
		if err := clients[0].ClusterMeet(ctx, host, port).Err(); err != nil {
			return c, fmt.Errorf("redistest: join %s: %w", c.Addrs[i], err)
		}
	}
	for i, cl := range clients {
		err := poll(ctx, c.Addrs[i]+" reports cluster_state:ok with every node", func() bool {
			info, err := cl.ClusterInfo(ctx).Result()
			return err == nil && strings.Contains(info, "cluster_state:ok") &&
				strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(ClusterMasters))
		})
		if err != nil {
			return c, err
		}
	}
	return c, nil
}

// ClusterClient returns a Cluster client of addrs with the short timeouts
// the provider uses, closed when t ends.
func ClusterClient(t testing.TB, addrs []string) *goredis.ClusterClient {
	t.Helper()
	c := goredis.NewClusterClient(&goredis.ClusterOptions{
		Addrs:       addrs,
		DialTimeout: 250 * time.Millisecond, ReadTimeout: 250 * time.Millisecond, WriteTimeout: 250 * time.Millisecond,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// startServer runs a Cluster-enabled redis-server on port.
func startServer(bin, dir string, port int) (*exec.Cmd, error) {
	p := strconv.Itoa(port)
	cmd := exec.Command(bin,
		"--port", p, "--bind", "127.0.0.1", "--cluster-enabled", "yes",
		"--cluster-config-file", filepath.Join(dir, "nodes-"+p+".conf"), "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--logfile", filepath.Join(dir, "redis-"+p+".log"))
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("redistest: start %s: %w", bin, err)
	}
	return cmd, nil
}

// clusterPort returns a free loopback port whose Cluster bus port (the
// port plus 10000) is free too.
func clusterPort() (int, error) {
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("redistest: find a free port: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if port+10000 > 65535 {
			l.Close()
			continue
		}
		bus, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		l.Close()
		if err != nil {
			continue
		}
		bus.Close()
		return port, nil
	}
	return 0, errors.New("redistest: no free pair of ports for a Cluster node")
}

// poll waits for cond, checking every 20ms, until ctx ends.
func poll(ctx context.Context, what string, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("redistest: %s: %w", what, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// ClusterKeys counts the keys of each master at addrs that match the glob
// pattern (SCAN's MATCH).
func ClusterKeys(t testing.TB, addrs []string, pattern string) []int {
	t.Helper()
	counts, err := CountClusterKeys(t.Context(), addrs, pattern)
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

// CountClusterKeys counts the keys of each master at addrs that match the
// glob pattern (SCAN's MATCH).
func CountClusterKeys(ctx context.Context, addrs []string, pattern string) ([]int, error) {
	counts := make([]int, len(addrs))
	for i, a := range addrs {
		c := goredis.NewClient(&goredis.Options{Addr: a})
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		for iter.Next(ctx) {
			counts[i]++
		}
		err := iter.Err()
		c.Close()
		if err != nil {
			return nil, fmt.Errorf("redistest: scan %s: %w", a, err)
		}
	}
	return counts, nil
}
