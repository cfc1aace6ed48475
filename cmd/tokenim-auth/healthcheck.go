package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider"
)

func healthcheckCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Check that a running provider is ready (a container health check)",
		Long: `Healthcheck asks a running provider whether it is ready (GET /health/ready) and
exits 0 when it answers 200 ok or degraded (serving, slower: the Redis cache
is down); otherwise it exits 1 with the reason. It asks the address the
configuration's listen gives (on 127.0.0.1 when it listens on every
address), or --url. It needs no shell or curl, so a distroless container
runs it as its health check.`,
		Example: `  tokenim-auth healthcheck --config /etc/tokenim-auth/config.yaml
  tokenim-auth healthcheck --url http://10.0.0.5:8080/health/ready`,
		Args: noArgs,
	}
	var f healthFlags
	configFlag(cmd, &f.config)
	cmd.Flags().StringVar(&f.url, "url", "", "the readiness `URL` to ask (default: http://127.0.0.1:PORT/health/ready, PORT from listen)")
	cmd.Flags().DurationVar(&f.timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return healthcheck(cmd.Context(), e, f) }
	return cmd
}

// healthFlags are healthcheck's flags.
type healthFlags struct {
	config, url string
	timeout     time.Duration
}

// healthcheck asks /health/ready and prints the status, or fails with
// the reason.
func healthcheck(ctx context.Context, e env, f healthFlags) error {
	target := f.url
	if target == "" {
		// Only listen matters here: the rest need not be valid.
		cfg, err := config.Load(f.config, e.lookup)
		if err != nil {
			return usageError{err}
		}
		if target, err = readyURL(cfg.Listen); err != nil {
			return usagef("listen: %v", err)
		}
	}
	if f.timeout <= 0 {
		return usagef("--timeout: want a positive duration, not %s", f.timeout)
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return usagef("--url: %v", err)
	}
	client := &http.Client{
		// Straight to the provider: no proxy from the environment, no
		// redirect.
		Transport:     &http.Transport{Proxy: nil},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	defer resp.Body.Close()
	var h provider.Health
	decodeErr := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&h)
	switch {
	case decodeErr != nil:
		return fmt.Errorf("not ready: %s answered %s, not a health status", target, resp.Status)
	case resp.StatusCode != http.StatusOK || !h.Ready():
		return fmt.Errorf("not ready: %s answered %s: %s", target, resp.Status, healthText(h))
	}
	fmt.Fprintln(e.stdout, healthText(h))
	return nil
}

// healthText is a status and its reason, if any.
func healthText(h provider.Health) string {
	if h.Reason == "" {
		return h.Status
	}
	return h.Status + " (" + h.Reason + ")"
}

// readyURL is the readiness URL of a provider listening on listen
// (HOST:PORT), asked on the loopback address when it listens on every
// address.
func readyURL(listen string) (string, error) {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/health/ready", nil
}
