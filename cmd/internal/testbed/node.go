package testbed

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Bounds of a node's start and stop.
const (
	readyTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
)

// NodeSpec is how to run one tokenim-auth serve process.
type NodeSpec struct {
	Name, Bin, Config string
	// Addr and MetricsAddr are the listeners' host:port.
	Addr, MetricsAddr string
	// Env is the process's whole environment.
	Env []string
	// LogFile receives the node's output; a restarted node appends to it.
	LogFile string
}

// Node is a running tokenim-auth serve process.
type Node struct {
	*Process
	Spec NodeSpec
	// Base is the public listener's URL, Metrics the metrics listener's.
	Base, Metrics string
}

// StartNode runs "bin serve" and waits until /health/ready says ok. It
// returns the node even on error, so that the caller stops it.
func StartNode(ctx context.Context, s NodeSpec) (*Node, error) {
	cmd := exec.Command(s.Bin, "serve", "--config", s.Config, "--listen", s.Addr)
	cmd.Env = s.Env
	p, err := StartProcess(cmd, s.LogFile)
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", s.Name, err)
	}
	n := &Node{Process: p, Spec: s, Base: "http://" + s.Addr, Metrics: "http://" + s.MetricsAddr}
	if err := n.waitReady(ctx); err != nil {
		return n, fmt.Errorf("node %s: %w\n%s", s.Name, err, n.LogTail())
	}
	return n, nil
}

// Name is the node's name.
func (n *Node) Name() string { return n.Spec.Name }

// waitReady polls /health/ready until it answers 200 with status ok. A
// node with Redis that says "degraded" does not reach Redis: a
// measurement would see Postgres alone, so it keeps waiting.
func (n *Node) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last := "no answer"
	for {
		select {
		case <-n.Exited():
			return fmt.Errorf("exited: %v", n.Err())
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s (%s): %w", readyTimeout, last, ctx.Err())
		case <-tick.C:
		}
		status, err := health(ctx, n.Base+"/health/ready")
		switch {
		case err != nil:
			last = err.Error()
		case status == "ok":
			return nil
		default:
			last = "status " + status
		}
	}
}

// health returns the status a health endpoint reports.
func health(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", fmt.Errorf("%s: %d, %w", url, resp.StatusCode, err)
	}
	if body.Reason != "" {
		return body.Status + ": " + body.Reason, nil
	}
	return body.Status, nil
}

// Stop stops the node gracefully (SIGTERM), killing it after
// stopTimeout; a failure is logged. Stopping twice, or a killed node,
// does nothing.
func (n *Node) Stop(logger *slog.Logger) {
	if err := n.Process.Stop(stopTimeout); err != nil {
		logger.Warn("node stopped badly", "name", n.Name(), "err", err, "log", n.LogTail())
	}
}

// LogTail is the end of the node's log, for an error message.
func (n *Node) LogTail() string {
	b, err := os.ReadFile(n.Spec.LogFile)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// FreeAddr finds a free loopback port, as host:port.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
