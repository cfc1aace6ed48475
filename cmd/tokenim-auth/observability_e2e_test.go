package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"google.golang.org/protobuf/proto"
)

// metricsAddr is the address serve logged it serves metrics on.
func metricsAddr(t *testing.T, p running) string {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(p.logs.String()))
	for sc.Scan() {
		var line struct {
			Msg    string `json:"msg"`
			Listen string `json:"listen"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving metrics" {
			return line.Listen
		}
	}
	t.Fatalf("serve did not log where it serves metrics:\n%s", p.logs.String())
	return ""
}

// get fetches a URL and returns its status and body.
func get(t *testing.T, rawURL string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// gatewayToken gets a client-credentials token as the IM gateway.
func gatewayToken(t *testing.T, issuer string) string {
	t.Helper()
	cc := clientcredentials.Config{ClientID: "im-gateway", ClientSecret: gatewaySecret, TokenURL: issuer + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	eachStoreConfig(t, "metrics:\n  listen: 127.0.0.1:0\n", func(t *testing.T, p running) {
		if r := introspect(t, p, gatewayToken(t, p.issuer)); r["active"] != true {
			t.Fatalf("introspection %v", r)
		}
		b := newBrowser(t, p.issuer)
		if pg := signIn(t, b, b.get(p.issuer+"/login"), annEmail, "not-the-password"); pg.status != http.StatusUnauthorized {
			t.Fatalf("a wrong password: %d, want 401", pg.status)
		}
		// Guessing at an unknown account until the throttle steps in.
		unknown := 0
		for pg := (page{}); pg.status != http.StatusTooManyRequests; unknown++ {
			if unknown == 20 {
				t.Fatal("20 failed sign-ins and no throttling")
			}
			pg = signIn(t, b, b.get(p.issuer+"/login"), "nobody@example.com", "guess")
		}
		unknown-- // the last attempt was throttled
		status, body := get(t, "http://"+metricsAddr(t, p)+"/metrics")
		if status != http.StatusOK {
			t.Fatalf("GET /metrics: %d\n%s", status, body)
		}

		for _, tc := range []struct{ name, want string }{
			{"the client-credentials token is counted", `tokenim_tokens_issued_total{client_id="im-gateway",grant_type="client_credentials"} 1`},
			{"the introspection is timed as active", `tokenim_introspection_duration_seconds_count{result="active"} 1`},
			{"the wrong password is counted", `tokenim_signin_failures_total{reason="wrong_password"} 1`},
			{"guesses at an unknown account are counted", fmt.Sprintf(`tokenim_signin_failures_total{reason="unknown_account"} %d`, unknown)},
			{"the throttled attempt is counted", `tokenim_signin_failures_total{reason="throttled"} 1`},
			{"a reason that did not happen is zero", `tokenim_signin_failures_total{reason="account_disabled"} 0`},
			{"the token request is counted under its route", `tokenim_http_requests_total{code="200",route="POST /oauth2/token"} 1`},
			{"the refused sign-ins are counted under their route", fmt.Sprintf(`tokenim_http_requests_total{code="401",route="POST /login"} %d`, unknown+1)},
			{"the token request is timed under its route", `tokenim_http_request_duration_seconds_count{route="POST /oauth2/token"} 1`},
			{"Go runtime metrics are there", "go_goroutines "},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if !strings.Contains(body, "\n"+tc.want) {
					t.Fatalf("no %q in\n%s", tc.want, body)
				}
			})
		}
		t.Run("the Postgres pool is reported on Postgres only", func(t *testing.T) {
			has := strings.Contains(body, "\ntokenim_db_pool_max_connections ")
			if postgres := p.vars["TOKENIM_DATABASE_URL"] != "memory"; has != postgres {
				t.Fatalf("pool metrics present: %v, on Postgres: %v", has, postgres)
			}
		})
		t.Run("Postgres is reported up on Postgres only, Redis not at all without Redis", func(t *testing.T) {
			has := strings.Contains(body, "\n"+`tokenim_store_up{store="postgres"} 1`)
			if postgres := p.vars["TOKENIM_DATABASE_URL"] != "memory"; has != postgres {
				t.Fatalf("postgres up: %v, on Postgres: %v\n%s", has, postgres, body)
			}
			if strings.Contains(body, `store="redis"`) {
				t.Fatalf("a Redis gauge without Redis:\n%s", body)
			}
		})
		t.Run("the public listener does not serve /metrics", func(t *testing.T) {
			if status, body := get(t, p.issuer+"/metrics"); status != http.StatusNotFound {
				t.Fatalf("GET %s/metrics: %d\n%s", p.issuer, status, body)
			}
		})
		t.Run("the metrics listener serves nothing else", func(t *testing.T) {
			if status, _ := get(t, "http://"+metricsAddr(t, p)+"/.well-known/openid-configuration"); status != http.StatusNotFound {
				t.Fatalf("the metrics listener answered %d for a provider route", status)
			}
		})
	})
}

func TestMetricsOff(t *testing.T) {
	t.Parallel()
	p := startProvider(t, "memory")
	if strings.Contains(p.logs.String(), "serving metrics") {
		t.Fatalf("metrics served without metrics.listen:\n%s", p.logs.String())
	}
	if status, _ := get(t, p.issuer+"/metrics"); status != http.StatusNotFound {
		t.Fatalf("GET /metrics on the public listener: %d", status)
	}
}

func TestPprof(t *testing.T) {
	t.Parallel()
	t.Run("on: the metrics listener serves the profiler", func(t *testing.T) {
		p := startProviderConfig(t, "memory", "metrics:\n  listen: 127.0.0.1:0\n  pprof: true\n")
		metrics := "http://" + metricsAddr(t, p)
		if status, body := get(t, metrics+"/debug/pprof/cmdline"); status != http.StatusOK || body == "" {
			t.Fatalf("GET /debug/pprof/cmdline on the metrics listener: %d %q", status, body)
		}
		if status, body := get(t, metrics+"/debug/pprof/"); status != http.StatusOK || !strings.Contains(body, "profile") {
			t.Fatalf("GET /debug/pprof/ on the metrics listener: %d\n%s", status, body)
		}
		for _, path := range []string{"/debug/pprof/", "/debug/pprof/cmdline", "/debug/pprof/profile?seconds=1"} {
			if status, _ := get(t, p.issuer+path); status != http.StatusNotFound {
				t.Errorf("GET %s on the public listener: %d, want 404", path, status)
			}
		}
	})
	t.Run("off: the metrics listener does not", func(t *testing.T) {
		p := startProviderConfig(t, "memory", "metrics:\n  listen: 127.0.0.1:0\n")
		if status, _ := get(t, "http://"+metricsAddr(t, p)+"/debug/pprof/cmdline"); status != http.StatusNotFound {
			t.Fatalf("GET /debug/pprof/cmdline with metrics.pprof off: %d, want 404", status)
		}
	})
}

func TestMetricsListenerTaken(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	vars := map[string]string{
		"TOKENIM_ISSUER": "http://127.0.0.1:8080", "TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": strings.Repeat("s", 32),
		"TOKENIM_METRICS_LISTEN": taken.Addr().String(),
	}
	r := runCmd(t, vars, "", "serve", "--listen", "127.0.0.1:0")
	if r.code != 1 || !strings.Contains(r.stderr, "metrics.listen") {
		t.Fatalf("exit %d, stderr %q; want exit 1 naming metrics.listen", r.code, r.stderr)
	}
}

// otlpReceiver is an OTLP/HTTP trace receiver: it keeps every span
// exported to it.
type otlpReceiver struct {
	mu    sync.Mutex
	spans []*tracepb.Span
	srv   *httptest.Server
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	rc := &otlpReceiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			t.Errorf("the exporter sent %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			t.Errorf("the exporter sent a bad export request: %v", err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		for _, rs := range req.GetResourceSpans() {
			for _, ss := range rs.GetScopeSpans() {
				rc.spans = append(rc.spans, ss.GetSpans()...)
			}
			if !slices.ContainsFunc(rs.GetResource().GetAttributes(), func(a *commonpb.KeyValue) bool {
				return a.GetKey() == "service.name" && text(a.GetValue()) == "tokenim-auth-test"
			}) {
				t.Errorf("resource %v has no service.name tokenim-auth-test", rs.GetResource().GetAttributes())
			}
		}
		rc.mu.Unlock()
		resp, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(resp)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *otlpReceiver) received() []*tracepb.Span {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.spans)
}

func TestTracing(t *testing.T) {
	t.Parallel()
	rc := newOTLPReceiver(t)
	addr, issuer := freeIssuer(t)
	path := writeFile(t, fmt.Sprintf(`
issuer: %[1]s
tracing:
  otlp_endpoint: %[2]s
  service_name: tokenim-auth-test
clients:
  - id: chat-web
    name: TokenIM Chat Web
    type: confidential
    secret: %[3]s
    redirect_uris: [%[4]s]
    scopes: [openid, profile]
  - id: im-gateway
    name: IM gateway
    type: resource_server
    secret: %[5]s
    scopes: [im:presence.read]
`, issuer, rc.srv.URL, webSecret, webCallback, gatewaySecret))
	vars := map[string]string{"TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh"}

	// serve runs until stop, which waits for it to exit: spans are flushed
	// on the way out.
	_, _, _, stop := launchServe(t, vars, "--config", path, "--listen", addr)
	t.Cleanup(stop)

	state, challenge := "state-"+random(t), oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	token := gatewayToken(t, issuer)
	p := running{issuer: issuer}
	if r := introspect(t, p, token); r["active"] != true {
		t.Fatalf("introspection %v", r)
	}
	authURL := issuer + "/oauth2/auth?" + url.Values{
		"client_id": {"chat-web"}, "response_type": {"code"}, "redirect_uri": {webCallback}, "scope": {"openid"},
		"state": {state}, "code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}.Encode()
	b := newBrowser(t, issuer)
	if pg := b.get(authURL); pg.status != http.StatusOK || pg.url.Path != "/login" {
		t.Fatalf("authorization request: %d %s", pg.status, pg.url)
	}
	get(t, issuer+"/health/ready")
	get(t, issuer+"/no/such/page")
	stop()

	spans := rc.received()
	names := map[string]int{}         // server spans by name
	requests := map[string]struct{}{} // their span IDs
	for _, s := range spans {
		if s.GetKind() == tracepb.Span_SPAN_KIND_SERVER {
			names[s.GetName()]++
			requests[string(s.GetSpanId())] = struct{}{}
		}
	}
	t.Run("each request is a server span named after its route", func(t *testing.T) {
		want := map[string]int{
			"POST /oauth2/token": 1, "POST /oauth2/introspect": 1, "GET /oauth2/auth": 1, "GET /login": 1,
			"GET": 1, // the unmatched request: no route, no path in the name
		}
		if !maps.Equal(names, want) {
			t.Fatalf("server spans %v, want %v", names, want)
		}
	})
	t.Run("fosite's own spans are children of the request's", func(t *testing.T) {
		for _, s := range spans {
			if _, ok := requests[string(s.GetParentSpanId())]; s.GetKind() != tracepb.Span_SPAN_KIND_SERVER && !ok {
				t.Errorf("span %q (%v) is not a child of a request's span", s.GetName(), s.GetKind())
			}
		}
	})
	t.Run("spans carry the route and the status", func(t *testing.T) {
		i := slices.IndexFunc(spans, func(s *tracepb.Span) bool { return s.GetName() == "POST /oauth2/token" })
		if i < 0 {
			t.Fatal("no span for the token request")
		}
		if s := spans[i]; spanAttr(s, "http.route") != "/oauth2/token" || spanAttr(s, "http.response.status_code") != "200" || spanAttr(s, "tokenim.request_id") == "" {
			t.Fatalf("token span attributes %v", s.GetAttributes())
		}
	})
	t.Run("health probes are not traced", func(t *testing.T) {
		for name := range names {
			if strings.Contains(name, "/health") {
				t.Fatalf("a span for a health probe: %q", name)
			}
		}
	})
	t.Run("no span holds a secret, a token, the state or the PKCE challenge", func(t *testing.T) {
		secrets := []string{gatewaySecret, webSecret, token, state, challenge}
		for _, s := range spans {
			attrs := slices.Clone(s.GetAttributes())
			for _, e := range s.GetEvents() {
				attrs = append(attrs, e.GetAttributes()...)
			}
			for _, a := range attrs {
				v := text(a.GetValue())
				for _, secret := range secrets {
					if strings.Contains(v, secret) {
						t.Errorf("span %q: attribute %s holds %q", s.GetName(), a.GetKey(), secret)
					}
				}
			}
			if strings.Contains(s.GetStatus().GetMessage(), token) {
				t.Errorf("span %q: status message holds the token", s.GetName())
			}
		}
	})
}

// spanAttr returns a span attribute's value as text, "" when absent.
func spanAttr(s *tracepb.Span, key string) string {
	for _, a := range s.GetAttributes() {
		if a.GetKey() == key {
			return text(a.GetValue())
		}
	}
	return ""
}

// text is an attribute value as text.
func text(v *commonpb.AnyValue) string {
	switch v := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return v.StringValue
	case *commonpb.AnyValue_IntValue:
		return strconv.FormatInt(v.IntValue, 10)
	case *commonpb.AnyValue_BoolValue:
		return strconv.FormatBool(v.BoolValue)
	}
	return fmt.Sprint(v)
}
