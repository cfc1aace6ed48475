package metrics

import (
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// other labels a value outside a fixed set.
const other = "other"

// introspectionResults are the values of the result label of
// tokenim_introspection_duration_seconds: the results provider/oauth
// reports (oauth.Introspection*; a test keeps the two in step).
func introspectionResults() []string {
	return []string{"active", "inactive", "error", "unauthorized"}
}

// signInReasons are the values of the reason label of
// tokenim_signin_failures_total: the reasons provider/login reports
// (login.Reason*; a test keeps the two in step).
func signInReasons() []string {
	return []string{
		"unknown_account", "wrong_password", "account_pending", "account_disabled",
		"throttled", "wrong_totp", "wrong_recovery_code",
		"passkey_refused", "passkey_wrong_origin", "passkey_unknown", "passkey_cloned",
	}
}

// upstreamResults are the values of the result label of
// tokenim_upstream_requests_total: the results provider/login reports
// (login.Upstream*; a test keeps the two in step).
func upstreamResults() []string {
	return []string{"redirected", "signed_in", "linked", "refused", "unavailable"}
}

// backchannelOutcomes are the values of the outcome label of
// tokenim_backchannel_deliveries_total: the outcomes provider/backchannel
// reports (backchannel.Outcome*; a test keeps the two in step).
func backchannelOutcomes() []string {
	return []string{"delivered", "retried", "failed"}
}

// Metrics is the provider's set of metrics and the registry holding them.
// It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	tokensIssued  *prometheus.CounterVec
	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	cacheRequests *prometheus.CounterVec
	rateLimited   *prometheus.CounterVec
	introspection *prometheus.HistogramVec
	signInFailed  *prometheus.CounterVec
	backchannel   *prometheus.CounterVec
	upstreams     *prometheus.CounterVec
	// introspected, signInReason and delivered hold the children of the fixed label
	// values, resolved once; they are only read after New.
	introspected map[string]prometheus.Observer
	signInReason map[string]prometheus.Counter
	delivered    map[string]prometheus.Counter
}

// New returns the metrics, registered on a registry of their own together
// with the Go runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		tokensIssued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tokenim_tokens_issued_total",
			Help: "Successful token endpoint responses, by grant type and client.",
		}, []string{"grant_type", "client_id"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tokenim_http_requests_total",
			Help: "HTTP requests on the public listener, by matched route pattern and status code.",
		}, []string{"route", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tokenim_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request on the public listener, by matched route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		cacheRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tokenim_cache_requests_total",
			Help: "Token cache lookups, by cache and result (hit, miss, error).",
		}, []string{"cache", "result"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tokenim_rate_limited_total",
			Help: "Requests refused by the rate limiter, by endpoint and by what was limited.",
		}, []string{"endpoint", "by"}),
	}
	m.introspection = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "tokenim_introspection_duration_seconds",
		Help: "Time to answer a token introspection request, by result.",
		// From 50µs: a cached answer takes well under a millisecond.
		Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
	}, []string{"result"})
	m.signInFailed = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tokenim_signin_failures_total",
		Help: "Refused sign-ins, by reason.",
	}, []string{"reason"})
	m.backchannel = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tokenim_backchannel_deliveries_total",
		Help: "Back-channel logout delivery attempts, by outcome (delivered, retried, failed: given up).",
	}, []string{"outcome"})
	// Its connector label holds only the IDs of configured connectors
	// (provider/login reports no other): a series appears at a
	// connector's first sign-in.
	m.upstreams = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tokenim_upstream_requests_total",
		Help: "Upstream sign-in steps, by connector and result (redirected, signed_in, linked, refused, unavailable).",
	}, []string{"connector", "result"})
	// Resolving the fixed values also exports them at zero from the
	// start, so that rate() and alerts see the first failure.
	m.introspected = make(map[string]prometheus.Observer)
	for _, r := range introspectionResults() {
		m.introspected[r] = m.introspection.WithLabelValues(r)
	}
	m.signInReason = make(map[string]prometheus.Counter)
	for _, r := range signInReasons() {
		m.signInReason[r] = m.signInFailed.WithLabelValues(r)
	}
	m.delivered = make(map[string]prometheus.Counter)
	for _, o := range backchannelOutcomes() {
		m.delivered[o] = m.backchannel.WithLabelValues(o)
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.tokensIssued, m.introspection, m.httpRequests, m.httpDuration,
		m.cacheRequests, m.signInFailed, m.rateLimited, m.backchannel, m.upstreams,
	)
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry the metrics are on, for tests and for adding
// collectors.
func (m *Metrics) Registry() *prometheus.Registry {
	return m.reg
}

// TokenIssued counts a successful token response (provider/oauth).
func (m *Metrics) TokenIssued(grantType, clientID string) {
	m.tokensIssued.WithLabelValues(grantType, clientID).Inc()
}

// Introspected records how long an introspection request took to answer
// and its result: active, inactive, error or unauthorized (provider/oauth).
// Any other result is recorded as "other".
func (m *Metrics) Introspected(result string, d time.Duration) {
	o, ok := m.introspected[result]
	if !ok {
		o = m.introspection.WithLabelValues(other)
	}
	o.Observe(d.Seconds())
}

// SignInFailed counts a refused sign-in by reason (provider/login):
// unknown_account, wrong_password, account_pending, account_disabled,
// throttled, wrong_totp, wrong_recovery_code, passkey_refused,
// passkey_wrong_origin, passkey_unknown or passkey_cloned. Any other reason is
// counted as "other".
func (m *Metrics) SignInFailed(reason string) {
	c, ok := m.signInReason[reason]
	if !ok {
		c = m.signInFailed.WithLabelValues(other)
	}
	c.Inc()
}

// UpstreamRequest counts a step of a sign-in through the upstream
// connector (provider/login): redirected, signed_in, linked, refused or
// unavailable. Any other result is counted as "other".
func (m *Metrics) UpstreamRequest(connector, result string) {
	if !slices.Contains(upstreamResults(), result) {
		result = other
	}
	m.upstreams.WithLabelValues(connector, result).Inc()
}

// BackchannelDelivery counts a back-channel logout delivery attempt by
// outcome (provider/backchannel): delivered, retried or failed. Any other
// outcome is counted as "other".
func (m *Metrics) BackchannelDelivery(outcome string) {
	c, ok := m.delivered[outcome]
	if !ok {
		c = m.backchannel.WithLabelValues(other)
	}
	c.Inc()
}

// CacheResult counts a lookup in the named cache; result is "hit",
// "miss" or "error" (storage/redis).
func (m *Metrics) CacheResult(cache, result string) {
	m.cacheRequests.WithLabelValues(cache, result).Inc()
}

// RateLimited counts a request the rate limiter refused at endpoint; by
// says what was limited, such as "ip" or "client".
func (m *Metrics) RateLimited(endpoint, by string) {
	m.rateLimited.WithLabelValues(endpoint, by).Inc()
}
