package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"

	"github.com/tokenim/tokenim-auth/provider/backchannel"
	"github.com/tokenim/tokenim-auth/provider/login"
	"github.com/tokenim/tokenim-auth/provider/metrics"
	"github.com/tokenim/tokenim-auth/provider/oauth"
)

// compare checks the named metrics of m against the exposition text want.
func compare(t *testing.T, m *metrics.Metrics, want string, names ...string) {
	t.Helper()
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), names...); err != nil {
		t.Fatal(err)
	}
}

// find returns the series of the metric family name whose labels include
// every pair of labels, or fails.
func find(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			for k, v := range labels {
				if !slices.ContainsFunc(m.GetLabel(), func(l *dto.LabelPair) bool { return l.GetName() == k && l.GetValue() == v }) {
					continue series
				}
			}
			return m
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return nil
}

// bucket is the cumulative count of h at the bucket whose upper bound is le.
func bucket(t *testing.T, h *dto.Histogram, le float64) uint64 {
	t.Helper()
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == le {
			return b.GetCumulativeCount()
		}
	}
	t.Fatalf("no bucket le=%v", le)
	return 0
}

func TestTokensIssued(t *testing.T) {
	m := metrics.New()
	m.TokenIssued("client_credentials", "im-gateway")
	m.TokenIssued("client_credentials", "im-gateway")
	m.TokenIssued("authorization_code", "chat-web")
	m.TokenIssued("refresh_token", "chat-web")
	compare(t, m, `
# HELP tokenim_tokens_issued_total Successful token endpoint responses, by grant type and client.
# TYPE tokenim_tokens_issued_total counter
tokenim_tokens_issued_total{client_id="chat-web",grant_type="authorization_code"} 1
tokenim_tokens_issued_total{client_id="chat-web",grant_type="refresh_token"} 1
tokenim_tokens_issued_total{client_id="im-gateway",grant_type="client_credentials"} 2
`, "tokenim_tokens_issued_total")
}

func TestIntrospectionDuration(t *testing.T) {
	m := metrics.New()

	t.Run("every result provider/oauth reports is a series from the start", func(t *testing.T) {
		for _, r := range oauth.IntrospectionResults() {
			if h := find(t, m.Registry(), "tokenim_introspection_duration_seconds", map[string]string{"result": r}).GetHistogram(); h.GetSampleCount() != 0 {
				t.Fatalf("%s: count %d before any request", r, h.GetSampleCount())
			}
		}
	})

	t.Run("durations land in sub-millisecond buckets", func(t *testing.T) {
		m.Introspected(oauth.IntrospectionActive, 80*time.Microsecond)
		m.Introspected(oauth.IntrospectionActive, 200*time.Microsecond)
		m.Introspected(oauth.IntrospectionActive, 3*time.Millisecond)
		m.Introspected(oauth.IntrospectionUnauthorized, time.Millisecond)
		h := find(t, m.Registry(), "tokenim_introspection_duration_seconds", map[string]string{"result": "active"}).GetHistogram()
		if h.GetSampleCount() != 3 {
			t.Fatalf("count %d, want 3", h.GetSampleCount())
		}
		if got := h.GetSampleSum(); got < 0.00328 || got > 0.00328+1e-9 {
			t.Fatalf("sum %v, want 0.00328", got)
		}
		for _, c := range []struct {
			le   float64
			want uint64
		}{{0.00005, 0}, {0.0001, 1}, {0.00025, 2}, {0.0025, 2}, {0.005, 3}, {1, 3}} {
			if got := bucket(t, h, c.le); got != c.want {
				t.Errorf("bucket le=%v holds %d, want %d", c.le, got, c.want)
			}
		}
		if n := find(t, m.Registry(), "tokenim_introspection_duration_seconds", map[string]string{"result": "unauthorized"}).GetHistogram().GetSampleCount(); n != 1 {
			t.Fatalf("unauthorized count %d, want 1", n)
		}
	})

	t.Run("an unknown result is recorded as other", func(t *testing.T) {
		m.Introspected("surprise", time.Millisecond)
		if n := find(t, m.Registry(), "tokenim_introspection_duration_seconds", map[string]string{"result": "other"}).GetHistogram().GetSampleCount(); n != 1 {
			t.Fatalf("other count %d, want 1", n)
		}
		n, err := testutil.GatherAndCount(m.Registry(), "tokenim_introspection_duration_seconds")
		if err != nil {
			t.Fatal(err)
		}
		if want := len(oauth.IntrospectionResults()) + 1; n != want {
			t.Fatalf("%d series, want %d: the result became a label value of its own", n, want)
		}
	})
}

func TestSignInFailures(t *testing.T) {
	m := metrics.New()
	t.Run("every reason provider/login reports starts at zero", func(t *testing.T) {
		for _, r := range login.FailureReasons() {
			if v := find(t, m.Registry(), "tokenim_signin_failures_total", map[string]string{"reason": r}).GetCounter().GetValue(); v != 0 {
				t.Fatalf("%s = %v before any sign-in", r, v)
			}
		}
	})
	t.Run("each reason is counted under its own label, anything else as other", func(t *testing.T) {
		for i, r := range login.FailureReasons() {
			for range i + 1 {
				m.SignInFailed(r)
			}
		}
		m.SignInFailed("bad luck")
		for i, r := range login.FailureReasons() {
			if v := find(t, m.Registry(), "tokenim_signin_failures_total", map[string]string{"reason": r}).GetCounter().GetValue(); v != float64(i+1) {
				t.Errorf("%s = %v, want %d", r, v, i+1)
			}
		}
		if v := find(t, m.Registry(), "tokenim_signin_failures_total", map[string]string{"reason": "other"}).GetCounter().GetValue(); v != 1 {
			t.Errorf("other = %v, want 1", v)
		}
	})
}

func TestBackchannelDeliveries(t *testing.T) {
	m := metrics.New()
	var _ backchannel.Observer = m
	t.Run("every outcome provider/backchannel reports starts at zero", func(t *testing.T) {
		for _, o := range backchannel.Outcomes() {
			if v := find(t, m.Registry(), "tokenim_backchannel_deliveries_total", map[string]string{"outcome": o}).GetCounter().GetValue(); v != 0 {
				t.Fatalf("%s = %v before any delivery", o, v)
			}
		}
	})
	t.Run("each outcome is counted under its own label, anything else as other", func(t *testing.T) {
		m.BackchannelDelivery(backchannel.OutcomeRetried)
		m.BackchannelDelivery(backchannel.OutcomeRetried)
		m.BackchannelDelivery(backchannel.OutcomeFailed)
		m.BackchannelDelivery(backchannel.OutcomeDelivered)
		m.BackchannelDelivery(backchannel.OutcomeDelivered)
		m.BackchannelDelivery(backchannel.OutcomeDelivered)
		m.BackchannelDelivery("lost")
		compare(t, m, `
# HELP tokenim_backchannel_deliveries_total Back-channel logout delivery attempts, by outcome (delivered, retried, failed: given up).
# TYPE tokenim_backchannel_deliveries_total counter
tokenim_backchannel_deliveries_total{outcome="delivered"} 3
tokenim_backchannel_deliveries_total{outcome="failed"} 1
tokenim_backchannel_deliveries_total{outcome="other"} 1
tokenim_backchannel_deliveries_total{outcome="retried"} 2
`, "tokenim_backchannel_deliveries_total")
	})
}

func TestCacheAndRateLimiting(t *testing.T) {
	m := metrics.New()
	m.CacheResult("tokens", "hit")
	m.CacheResult("tokens", "hit")
	m.CacheResult("tokens", "miss")
	m.CacheResult("tokens", "error")
	m.RateLimited("/oauth2/token", "ip")
	m.RateLimited("/oauth2/token", "client")
	m.RateLimited("/oauth2/token", "client")
	compare(t, m, `
# HELP tokenim_cache_requests_total Token cache lookups, by cache and result (hit, miss, error).
# TYPE tokenim_cache_requests_total counter
tokenim_cache_requests_total{cache="tokens",result="error"} 1
tokenim_cache_requests_total{cache="tokens",result="hit"} 2
tokenim_cache_requests_total{cache="tokens",result="miss"} 1
# HELP tokenim_rate_limited_total Requests refused by the rate limiter, by endpoint and by what was limited.
# TYPE tokenim_rate_limited_total counter
tokenim_rate_limited_total{by="client",endpoint="/oauth2/token"} 2
tokenim_rate_limited_total{by="ip",endpoint="/oauth2/token"} 1
`, "tokenim_cache_requests_total", "tokenim_rate_limited_total")
}

func TestInstrument(t *testing.T) {
	m := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	})
	mux.HandleFunc("GET /apps/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "app") // an implicit 200
	})
	mux.HandleFunc("GET /empty", func(w http.ResponseWriter, r *http.Request) {}) // nothing written: 200
	mux.HandleFunc("GET /flush", func(w http.ResponseWriter, r *http.Request) {
		// The recorder must not hide the server's writer from a
		// ResponseController.
		if err := http.NewResponseController(w).Flush(); err != nil {
			http.Error(w, err.Error(), http.StatusTeapot)
		}
	})
	srv := httptest.NewServer(m.Instrument(mux))
	t.Cleanup(srv.Close)
	do := func(method, path string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	do("POST", "/oauth2/token")
	do("GET", "/apps/one")
	do("GET", "/apps/two")
	do("GET", "/wp-admin/setup.php")
	do("GET", "/.env")
	do("DELETE", "/oauth2/token")
	do("GET", "/empty")
	do("GET", "/flush")

	t.Run("requests are counted by matched pattern and status, unmatched ones together", func(t *testing.T) {
		compare(t, m, `
# HELP tokenim_http_requests_total HTTP requests on the public listener, by matched route pattern and status code.
# TYPE tokenim_http_requests_total counter
tokenim_http_requests_total{code="200",route="GET /apps/{id}"} 2
tokenim_http_requests_total{code="200",route="GET /empty"} 1
tokenim_http_requests_total{code="200",route="GET /flush"} 1
tokenim_http_requests_total{code="400",route="POST /oauth2/token"} 1
tokenim_http_requests_total{code="404",route="unmatched"} 2
tokenim_http_requests_total{code="405",route="unmatched"} 1
`, "tokenim_http_requests_total")
	})
	t.Run("each request is timed under its route", func(t *testing.T) {
		for route, want := range map[string]uint64{"GET /apps/{id}": 2, "POST /oauth2/token": 1, "unmatched": 3} {
			if n := find(t, m.Registry(), "tokenim_http_request_duration_seconds", map[string]string{"route": route}).GetHistogram().GetSampleCount(); n != want {
				t.Errorf("%s: %d timed, want %d", route, n, want)
			}
		}
	})
}

func TestHandler(t *testing.T) {
	m := metrics.New()
	m.TokenIssued("client_credentials", "im-gateway")
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`tokenim_tokens_issued_total{client_id="im-gateway",grant_type="client_credentials"} 1`,
		"go_goroutines ", "process_resident_memory_bytes ",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("no %q in\n%s", want, body)
		}
	}
}

func TestEachMetricsHasItsOwnRegistry(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.TokenIssued("client_credentials", "im-gateway")
	if n, _ := testutil.GatherAndCount(b.Registry(), "tokenim_tokens_issued_total"); n != 0 {
		t.Fatalf("a token counted on one Metrics shows on another: %d series", n)
	}
	if n, _ := testutil.GatherAndCount(prometheus.DefaultGatherer, "tokenim_tokens_issued_total"); n != 0 {
		t.Fatalf("the global registry has %d tokenim series", n)
	}
}

func TestNamesFollowPrometheusConventions(t *testing.T) {
	m := metrics.New()
	m.TokenIssued("client_credentials", "im-gateway")
	m.CacheResult("tokens", "hit")
	m.RateLimited("/oauth2/token", "ip")
	m.Introspected(oauth.IntrospectionActive, time.Millisecond)
	if err := m.RegisterStore("postgres", func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	m.Instrument(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var ours []*dto.MetricFamily
	for _, f := range families {
		if strings.HasPrefix(f.GetName(), "tokenim_") {
			ours = append(ours, f)
		}
	}
	if len(ours) != 9 {
		t.Fatalf("%d tokenim_ families, want 9", len(ours))
	}
	problems, err := promlint.NewWithMetricFamilies(ours).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", p.Metric, p.Text)
	}
}

func TestUpstreamRequests(t *testing.T) {
	m := metrics.New()
	var _ login.UpstreamObserver = m
	for i, r := range login.UpstreamResults() {
		for range i + 1 {
			m.UpstreamRequest("corp", r)
		}
	}
	m.UpstreamRequest("corp", "bad luck")
	for i, r := range login.UpstreamResults() {
		if v := find(t, m.Registry(), "tokenim_upstream_requests_total", map[string]string{"connector": "corp", "result": r}).GetCounter().GetValue(); v != float64(i+1) {
			t.Errorf("%s = %v, want %d", r, v, i+1)
		}
	}
	if v := find(t, m.Registry(), "tokenim_upstream_requests_total", map[string]string{"connector": "corp", "result": "other"}).GetCounter().GetValue(); v != 1 {
		t.Errorf("other = %v, want 1", v)
	}
}
