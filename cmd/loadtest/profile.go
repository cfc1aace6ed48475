package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

// A CPU profile starts profileStart into a wrk run and lasts
// profileLength.
const (
	profileStart  = time.Second
	profileLength = 5 * time.Second
)

// profiler takes one CPU profile in the background.
type profiler struct {
	file string
	done chan error
}

// startProfile takes a CPU profile of node n from its metrics listener
// (/debug/pprof/profile), profileStart from now, into
// <-profile>/<name>.pprof.
func startProfile(ctx context.Context, l *lab, n *testbed.Node, name string) *profiler {
	p := &profiler{file: filepath.Join(l.opts.profileDir, name+".pprof"), done: make(chan error, 1)}
	go func() { p.done <- p.take(ctx, n.Metrics) }()
	return p
}

func (p *profiler) take(ctx context.Context, metrics string) error {
	select {
	case <-time.After(profileStart):
	case <-ctx.Done():
		return ctx.Err()
	}
	url := metrics + "/debug/pprof/profile?seconds=" + strconv.Itoa(int(profileLength.Seconds()))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("get %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("get %s: status %d: %s", url, resp.StatusCode, msg)
	}
	if err := os.MkdirAll(filepath.Dir(p.file), 0o755); err != nil {
		return fmt.Errorf("profile directory: %w", err)
	}
	f, err := os.Create(p.file)
	if err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("save profile %s: %w", p.file, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save profile %s: %w", p.file, err)
	}
	return nil
}

// wait waits for the profile and says whether it was saved.
func (p *profiler) wait() error {
	return <-p.done
}
