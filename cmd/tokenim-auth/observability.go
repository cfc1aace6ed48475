package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/backchannel"
	"github.com/tokenim/tokenim-auth/provider/login"
	"github.com/tokenim/tokenim-auth/provider/metrics"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/storage"
)

// telemetry is the provider's metrics and tracing, each present only when
// configured: with neither, no request is wrapped.
type telemetry struct {
	// metrics is nil when metrics.listen is empty.
	metrics *metrics.Metrics
	// tracer is nil when tracing.otlp_endpoint is empty.
	tracer *sdktrace.TracerProvider
}

// newTelemetry builds what cfg turns on. The metrics report the Postgres
// pool, and whether Postgres answers, when store is the Postgres store.
func newTelemetry(ctx context.Context, cfg config.Config, store storage.Store, logger *slog.Logger) (*telemetry, error) {
	t := &telemetry{}
	if cfg.Metrics.Listen != "" {
		t.metrics = metrics.New()
		if pool, ok := store.(metrics.PoolStater); ok {
			if err := t.metrics.RegisterPool(pool); err != nil {
				return nil, err
			}
			if err := t.watchStore("postgres", store.Ping); err != nil {
				return nil, err
			}
		}
	}
	if cfg.Tracing.OTLPEndpoint != "" {
		tp, err := newTracerProvider(ctx, cfg.Tracing)
		if err != nil {
			return nil, err
		}
		t.tracer = tp
		// Validate refused an endpoint with user information: nothing
		// secret in it.
		logger.InfoContext(ctx, "tracing", "otlp_endpoint", cfg.Tracing.OTLPEndpoint, "service_name", cfg.Tracing.ServiceName, "sample_ratio", cfg.Tracing.SampleRatio)
	}
	return t, nil
}

// instrument lists the wrappers of the provider's routes: tracing outside
// metrics, so that a span covers all the work of its request.
func (t *telemetry) instrument() []func(http.Handler) http.Handler {
	var out []func(http.Handler) http.Handler
	if t.tracer != nil {
		out = append(out, traceRequests(t.tracer))
	}
	if t.metrics != nil {
		out = append(out, t.metrics.Instrument)
	}
	return out
}

// oauthObserver is what provider/oauth reports to, nil when metrics are
// off (a nil *metrics.Metrics must not become a non-nil interface).
func (t *telemetry) oauthObserver() oauth.Observer {
	if t.metrics == nil {
		return nil
	}
	return t.metrics
}

// loginObserver is what provider/login reports to, nil when metrics are
// off.
func (t *telemetry) loginObserver() login.Observer {
	if t.metrics == nil {
		return nil
	}
	return t.metrics
}

// upstreamObserver is what provider/login reports upstream sign-ins to,
// nil when metrics are off.
func (t *telemetry) upstreamObserver() login.UpstreamObserver {
	if t.metrics == nil {
		return nil
	}
	return t.metrics
}

// backchannelObserver is what provider/backchannel reports to, nil when
// metrics are off.
func (t *telemetry) backchannelObserver() backchannel.Observer {
	if t.metrics == nil {
		return nil
	}
	return t.metrics
}

// watchStore exports whether the named store answers ping
// (tokenim_store_up); a no-op when metrics are off.
func (t *telemetry) watchStore(name string, ping func(context.Context) error) error {
	if t.metrics == nil {
		return nil
	}
	return t.metrics.RegisterStore(name, ping)
}

// cacheObserver counts the Redis cache's outcomes, nil when metrics are
// off.
func (t *telemetry) cacheObserver() func(cache, result string) {
	if t.metrics == nil {
		return nil
	}
	return t.metrics.CacheResult
}

// rateLimitObserver counts rate-limit refusals, nil when metrics are off.
func (t *telemetry) rateLimitObserver() func(endpoint, by string) {
	if t.metrics == nil {
		return nil
	}
	return t.metrics.RateLimited
}

// shutdown flushes the spans not yet exported. It runs after the HTTP
// servers have stopped, under the same shutdown deadline.
func (t *telemetry) shutdown(ctx context.Context) error {
	if t == nil || t.tracer == nil {
		return nil
	}
	if err := t.tracer.Shutdown(ctx); err != nil {
		return fmt.Errorf("flush traces: %w", err)
	}
	return nil
}

// newTracerProvider exports spans over OTLP/HTTP in batches. Nothing is
// sent until the first span ends, so an unreachable collector does not
// stop the provider from starting; failed exports are reported by the
// OpenTelemetry SDK's error handler.
func newTracerProvider(ctx context.Context, cfg config.Tracing) (*sdktrace.TracerProvider, error) {
	exp, err := otlptracehttp.New(ctx, exporterOptions(cfg)...)
	if err != nil {
		return nil, fmt.Errorf("tracing.otlp_endpoint: %w", err)
	}
	attrs := []attribute.KeyValue{semconv.ServiceName(cfg.ServiceName)}
	// The version only when the binary was built from a tagged module.
	if v := versionOf(debug.ReadBuildInfo()); v.Version != develVersion {
		attrs = append(attrs, semconv.ServiceVersion(v.Version))
	}
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewWithAttributes(semconv.SchemaURL, attrs...)),
		// A caller's sampling decision (traceparent) is kept; traces
		// starting here are sampled at the configured ratio.
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(cfg.SampleRatio))),
	), nil
}

// exporterOptions turns tracing.otlp_endpoint, which Validate accepted,
// into exporter options. A URL without a path gets OTLP's /v1/traces.
func exporterOptions(cfg config.Tracing) []otlptracehttp.Option {
	endpoint, insecure := cfg.OTLPEndpoint, cfg.Insecure
	var opts []otlptracehttp.Option
	if u, err := url.Parse(endpoint); err == nil && strings.Contains(endpoint, "://") {
		endpoint, insecure = u.Host, u.Scheme == "http"
		if u.Path != "" && u.Path != "/" {
			opts = append(opts, otlptracehttp.WithURLPath(u.Path))
		}
	}
	opts = append(opts, otlptracehttp.WithEndpoint(endpoint))
	if insecure {
		opts = append(opts, otlptracehttp.WithInsecure())
	}
	return opts
}

// traceRequests starts a server span per request, named after the route
// once the mux has matched it ("POST /oauth2/token"; just the method when
// nothing matched). The provider is passed explicitly: the global
// OpenTelemetry state is left alone. A span records the method, path,
// route, status and client address, never the query string, a header or
// the body, where codes, tokens and secrets travel. Health probes are
// not traced.
func traceRequests(tp trace.TracerProvider) func(http.Handler) http.Handler {
	otel := otelhttp.NewMiddleware("tokenim-auth",
		otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		// Request metrics come from Prometheus (provider/metrics).
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
		otelhttp.WithFilter(func(r *http.Request) bool { return !strings.HasPrefix(r.URL.Path, "/health/") }),
	)
	return func(next http.Handler) http.Handler {
		return otel(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r)
			span := trace.SpanFromContext(r.Context())
			// otelhttp names the span after the route but records
			// http.route only when it is known at the start.
			if i := strings.IndexByte(r.Pattern, '/'); i >= 0 {
				span.SetAttributes(semconv.HTTPRoute(r.Pattern[i:]))
			}
			span.SetAttributes(attribute.String("tokenim.request_id", reqctx.RequestID(r.Context())))
		}))
	}
}

// listenMetrics opens the metrics listener, or returns nil when metrics
// are off.
func listenMetrics(cfg config.Config) (net.Listener, error) {
	if cfg.Metrics.Listen == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.Metrics.Listen)
	if err != nil {
		return nil, fmt.Errorf("metrics.listen: listen on %s: %w", cfg.Metrics.Listen, err)
	}
	return ln, nil
}

// pprofWriteTimeout is the metrics listener's write timeout when it
// serves the profiler: net/http/pprof refuses a profile or a trace that
// would outlast it, and a CPU profile takes 30 s by default.
const pprofWriteTimeout = 2 * time.Minute

// serveMetrics serves GET /metrics on ln, and with metrics.pprof Go's
// profiler under /debug/pprof/, with the public server's timeouts (a
// longer write timeout for profiles); a serving error goes to errc. It
// returns nil when metrics are off.
func serveMetrics(cfg config.Config, t *telemetry, ln net.Listener, logger *slog.Logger, errc chan<- error) *http.Server {
	if ln == nil || t.metrics == nil {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", t.metrics.Handler())
	srv := newServer(cfg, mux, logger)
	if cfg.Metrics.Pprof {
		mountPprof(mux)
		srv.WriteTimeout = max(srv.WriteTimeout, pprofWriteTimeout)
	}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("metrics.listen: %w", err)
		}
	}()
	logger.Info("serving metrics", "listen", ln.Addr().String(), "path", "/metrics", "pprof", cfg.Metrics.Pprof)
	return srv
}

// mountPprof registers net/http/pprof's handlers on mux, explicitly: the
// ones the package's init puts on http.DefaultServeMux are never served.
// Index also serves the named profiles (/debug/pprof/heap, goroutine,
// allocs, block, mutex, threadcreate).
func mountPprof(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}
