package main

import (
	"bufio"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
	"github.com/tokenim/tokenim-auth/storage/redis/redistest"
)

var updateMetricNames = flag.Bool("update", false, "rewrite deploy/prometheus/metrics.txt from a running provider's /metrics")

// metricNamesPath lists the series names the provider exports. The
// deployment checks (deploy/tools) read it to make sure every metric the
// Grafana dashboards and the alert rules query exists.
const metricNamesPath = "../../deploy/prometheus/metrics.txt"

const metricNamesHeader = `# The series names a running provider exports on /metrics (Postgres, Redis,
# rate limits and metrics on), one a line: a histogram as its _bucket, _sum
# and _count series. Written by
#   go test ./cmd/tokenim-auth -run TestMetricNames -update
# and checked against the provider by the same test; deploy/tools checks that
# the dashboards and alert rules query only these.
`

// seriesNames lists the distinct series names of a Prometheus text
// exposition, sorted.
func seriesNames(body string) []string {
	var names []string
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			names = append(names, line[:i])
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestMetricNames starts the provider as it runs in production (Postgres,
// Redis, rate limits), makes it count a token, an introspection (a cache
// lookup) and a rate-limit refusal, scrapes /metrics and compares the
// series names with deploy/prometheus/metrics.txt.
func TestMetricNames(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"TOKENIM_DATABASE_URL": pgtest.MigratedURL(t),
		"TOKENIM_REDIS_URL":    fmt.Sprintf("redis://%s/%d", redistest.Addr(t), redistest.DB),
		"TOKENIM_REDIS_PREFIX": redistest.Prefix(t),
	}
	p := startProviderClientsConfig(t, env, "", "metrics:\n  listen: 127.0.0.1:0\n"+tightLimits)
	token := gatewayToken(t, p.issuer)
	if r := introspect(t, p, token); r["active"] != true {
		t.Fatalf("introspection %v", r)
	}
	// tightLimits leaves a client three token requests.
	refused := false
	for range 3 {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/oauth2/token",
			strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("im-gateway", gatewaySecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		refused = refused || resp.StatusCode == http.StatusTooManyRequests
	}
	if !refused {
		t.Fatal("four token requests and no 429: the rate limit is not counted")
	}
	status, body := get(t, "http://"+metricsAddr(t, p)+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics: %d\n%s", status, body)
	}
	names := seriesNames(body)
	for _, want := range []string{
		"tokenim_tokens_issued_total", "tokenim_rate_limited_total", "tokenim_cache_requests_total",
		"tokenim_db_pool_max_connections", "tokenim_introspection_duration_seconds_bucket",
		"tokenim_http_request_duration_seconds_count", "tokenim_backchannel_deliveries_total",
		"tokenim_store_up", "go_goroutines",
	} {
		if !slices.Contains(names, want) {
			t.Errorf("no %s among the scraped series: the scenario no longer makes the provider export it", want)
		}
	}
	for _, want := range []string{`tokenim_store_up{store="postgres"} 1`, `tokenim_store_up{store="redis"} 1`} {
		if !strings.Contains(body, "\n"+want) {
			t.Errorf("no %s in the scrape", want)
		}
	}
	got := metricNamesHeader + strings.Join(names, "\n") + "\n"
	if *updateMetricNames {
		if err := os.WriteFile(metricNamesPath, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(metricNamesPath)
	if err != nil {
		t.Fatal(err)
	}
	if string(have) != got {
		t.Fatalf("%s differs from the series the provider exports: run `go test ./cmd/tokenim-auth -run TestMetricNames -update` and check the dashboards and alerts (make deploy-check)\nscraped:\n%s", metricNamesPath, strings.Join(names, "\n"))
	}
}
