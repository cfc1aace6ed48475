package redistest

import (
	"context"
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
	bin := ServerBinary
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("redis-server"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("redistest: no redis-server at %s or in PATH (CI=true: it must be installed)", ServerBinary)
			}
			t.Skipf("no redis-server at %s or in PATH: cannot start a Redis Cluster (set CI=true to make this fatal)", ServerBinary)
		}
	}
	dir := t.TempDir()
	addrs := make([]string, ClusterMasters)
	clients := make([]*goredis.Client, ClusterMasters)
	for i := range addrs {
		port := clusterPort(t)
		addrs[i] = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		startServer(t, bin, dir, port)
		clients[i] = goredis.NewClient(&goredis.Options{Addr: addrs[i], DialTimeout: time.Second, MaxRetries: -1})
		c := clients[i]
		t.Cleanup(func() { c.Close() })
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i, c := range clients {
		poll(ctx, t, addrs[i]+" answers", func() bool { return c.Ping(ctx).Err() == nil })
		first, last := ClusterRange(i)
		if err := c.ClusterAddSlotsRange(ctx, first, last).Err(); err != nil {
			t.Fatalf("redistest: assign slots to %s: %v", addrs[i], err)
		}
	}
	for i := 1; i < len(addrs); i++ {
		host, port, _ := net.SplitHostPort(addrs[i])
		if err := clients[0].ClusterMeet(ctx, host, port).Err(); err != nil {
			t.Fatalf("redistest: join %s: %v", addrs[i], err)
		}
	}
	for i, c := range clients {
		poll(ctx, t, addrs[i]+" reports cluster_state:ok with every node", func() bool {
			info, err := c.ClusterInfo(ctx).Result()
			return err == nil && strings.Contains(info, "cluster_state:ok") &&
				strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(ClusterMasters))
		})
	}
	return addrs
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

// startServer runs a Cluster-enabled redis-server on port, stopped
// (SIGTERM, then waited for) when t ends.
func startServer(t testing.TB, bin, dir string, port int) {
	t.Helper()
	p := strconv.Itoa(port)
	cmd := exec.Command(bin,
		"--port", p, "--bind", "127.0.0.1", "--cluster-enabled", "yes",
		"--cluster-config-file", filepath.Join(dir, "nodes-"+p+".conf"), "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--logfile", filepath.Join(dir, "redis-"+p+".log"))
	if err := cmd.Start(); err != nil {
		t.Fatalf("redistest: start %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
}

// clusterPort returns a free loopback port whose Cluster bus port (the
// port plus 10000) is free too.
func clusterPort(t testing.TB) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("redistest: find a free port: %v", err)
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
		return port
	}
	t.Fatal("redistest: no free pair of ports for a Cluster node")
	return 0
}

// poll waits for cond, checking every 20ms, until ctx ends.
func poll(ctx context.Context, t testing.TB, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("redistest: %s: %v", what, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ClusterKeys counts the keys of each master at addrs that match the glob
// pattern (SCAN's MATCH).
func ClusterKeys(t testing.TB, addrs []string, pattern string) []int {
	t.Helper()
	counts := make([]int, len(addrs))
	for i, a := range addrs {
		c := goredis.NewClient(&goredis.Options{Addr: a})
		iter := c.Scan(t.Context(), 0, pattern, 1000).Iterator()
		for iter.Next(t.Context()) {
			counts[i]++
		}
		err := iter.Err()
		c.Close()
		if err != nil {
			t.Fatalf("redistest: scan %s: %v", a, err)
		}
	}
	return counts
}
