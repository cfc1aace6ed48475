package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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

// nodeSpec is how to run one tokenim-auth serve process.
type nodeSpec struct {
	name, bin, config string
	addr, metricsAddr string
	env               []string
	logFile           string
	withRedis         bool
}

// node is a running tokenim-auth serve process.
type node struct {
	name string
	// base is the public listener's URL, metrics the metrics listener's.
	base, metrics string
	cmd           *exec.Cmd
	// exited is closed when the process has exited, and then err says
	// how.
	exited  chan struct{}
	err     error
	logFile string
	stopped bool
}

// startNode runs "bin serve" and waits until /health/ready says ok. It
// returns the node even on error, so that the caller stops it.
func startNode(ctx context.Context, s nodeSpec) (*node, error) {
	log, err := os.Create(s.logFile)
	if err != nil {
		return nil, fmt.Errorf("node %s: log file: %w", s.name, err)
	}
	defer log.Close() // the child has its own descriptor
	cmd := exec.Command(s.bin, "serve", "--config", s.config, "--listen", s.addr)
	cmd.Env, cmd.Stdout, cmd.Stderr = s.env, log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("node %s: start %s: %w", s.name, s.bin, err)
	}
	n := &node{name: s.name, base: "http://" + s.addr, metrics: "http://" + s.metricsAddr, cmd: cmd, exited: make(chan struct{}), logFile: s.logFile}
	go func() {
		n.err = cmd.Wait()
		close(n.exited)
	}()
	if err := n.waitReady(ctx); err != nil {
		return n, fmt.Errorf("node %s: %w\n%s", s.name, err, n.logTail())
	}
	return n, nil
}

// waitReady polls /health/ready until it answers 200 with status ok. A
// node with Redis that says "degraded" does not reach Redis: the load
// test would measure Postgres alone, so it keeps waiting.
func (n *node) waitReady(ctx context.Context) error {
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
		status, err := health(ctx, n.base+"/health/ready")
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

// stop sends SIGTERM and waits for a graceful exit, killing the process
// after stopTimeout. Stopping twice does nothing.
func (n *node) stop(logger *slog.Logger) {
	if n.stopped {
		return
	}
	n.stopped = true
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		logger.Warn("stop node", "name", n.name, "err", err)
	}
	select {
	case <-n.exited:
		if n.err != nil {
			logger.Warn("node exited with an error", "name", n.name, "err", n.err, "log", n.logTail())
		}
	case <-time.After(stopTimeout):
		logger.Warn("node did not stop; killing it", "name", n.name, "timeout", stopTimeout)
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
}

// logTail is the end of the node's log, for an error message.
func (n *node) logTail() string {
	b, err := os.ReadFile(n.logFile)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}
