package testbed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
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
	Spec NodeSpec
	// Base is the public listener's URL, Metrics the metrics listener's.
	Base, Metrics string
	cmd           *exec.Cmd
	// exited is closed when the process has exited, and then err says
	// how.
	exited  chan struct{}
	err     error
	stopped bool
}

// StartNode runs "bin serve" and waits until /health/ready says ok. It
// returns the node even on error, so that the caller stops it. The node
// runs in a process group of its own: a Ctrl-C in the terminal reaches
// the tool alone, which then stops its nodes in order.
func StartNode(ctx context.Context, s NodeSpec) (*Node, error) {
	log, err := os.OpenFile(s.LogFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("node %s: log file: %w", s.Name, err)
	}
	defer log.Close() // the child has its own descriptor
	cmd := exec.Command(s.Bin, "serve", "--config", s.Config, "--listen", s.Addr)
	cmd.Env, cmd.Stdout, cmd.Stderr = s.Env, log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("node %s: start %s: %w", s.Name, s.Bin, err)
	}
	n := &Node{Spec: s, Base: "http://" + s.Addr, Metrics: "http://" + s.MetricsAddr, cmd: cmd, exited: make(chan struct{})}
	go func() {
		n.err = cmd.Wait()
		close(n.exited)
	}()
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
		case <-n.exited:
			return fmt.Errorf("exited: %v", n.err)
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

// Stop sends SIGTERM and waits for a graceful exit, killing the process
// after stopTimeout. Stopping twice, or a killed node, does nothing.
func (n *Node) Stop(logger *slog.Logger) {
	if n.stopped {
		return
	}
	n.stopped = true
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		logger.Warn("stop node", "name", n.Name(), "err", err)
	}
	select {
	case <-n.exited:
		if n.err != nil {
			logger.Warn("node exited with an error", "name", n.Name(), "err", n.err, "log", n.LogTail())
		}
	case <-time.After(stopTimeout):
		logger.Warn("node did not stop; killing it", "name", n.Name(), "timeout", stopTimeout)
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
}

// Kill sends SIGKILL, as a crash would, and waits until the process is
// gone.
func (n *Node) Kill() error {
	if n.stopped {
		return nil
	}
	n.stopped = true
	if err := n.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("node %s: kill: %w", n.Name(), err)
	}
	<-n.exited
	return nil
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
