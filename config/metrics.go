package config

import (
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Metrics configures the Prometheus endpoint.
type Metrics struct {
	// Listen is the HOST:PORT of a second listener that serves only GET
	// /metrics (and the profiler with Pprof), never the public one; empty
	// turns metrics off. Keep it
	// off the internet: a loopback or internal address.
	Listen string `yaml:"listen"`
	// Pprof also serves Go's profiler under /debug/pprof/ on the metrics
	// listener (never the public one), for CPU profiles under load. Off by
	// default: a profile costs CPU and shows the program's internals. It
	// needs Listen.
	Pprof bool `yaml:"pprof"`
}

// Tracing configures OpenTelemetry tracing, exported over OTLP/HTTP.
type Tracing struct {
	// OTLPEndpoint is where spans are sent: a URL such as
	// http://otel-collector:4318 (the path /v1/traces is added when the
	// URL has none) or a HOST:PORT. Empty turns tracing off.
	OTLPEndpoint string `yaml:"otlp_endpoint"`
	// Insecure sends spans over plain HTTP to a HOST:PORT endpoint; the
	// scheme of a URL endpoint decides by itself.
	Insecure bool `yaml:"insecure"`
	// ServiceName is the service.name of every span.
	ServiceName string `yaml:"service_name"`
	// SampleRatio is the share of traces started here that are recorded,
	// from 0 to 1; a request that arrives with a sampled W3C traceparent is
	// recorded whatever the ratio.
	SampleRatio float64 `yaml:"sample_ratio"`
}

// defaultTracing: off, every trace sampled once an endpoint is set.
func defaultTracing() Tracing {
	return Tracing{ServiceName: "tokenim-auth", SampleRatio: 1}
}

// validateMetrics checks the metrics and tracing sections.
func (c Config) validateMetrics(p *problems) {
	if l := c.Metrics.Listen; l != "" {
		host, port, msg := splitListen(l)
		switch {
		case msg != "":
			p.add("metrics.listen", "%s", msg)
		case port != 0 && sameListener(c.Listen, host, port):
			p.add("metrics.listen", "must differ from listen (%q): /metrics is never served on the public listener", c.Listen)
		}
	}
	if c.Metrics.Pprof && c.Metrics.Listen == "" {
		p.add("metrics.pprof", "needs metrics.listen: the profiler is served on the metrics listener only")
	}
	t := c.Tracing
	if t.OTLPEndpoint != "" {
		if msg := otlpEndpointProblem(t.OTLPEndpoint, t.Insecure); msg != "" {
			p.add("tracing.otlp_endpoint", "%s", msg)
		}
	}
	if strings.TrimSpace(t.ServiceName) == "" {
		p.add("tracing.service_name", "required, such as tokenim-auth")
	}
	if math.IsNaN(t.SampleRatio) || t.SampleRatio < 0 || t.SampleRatio > 1 {
		p.add("tracing.sample_ratio", "must be between 0 and 1, got %v", t.SampleRatio)
	}
}

// splitListen parses a HOST:PORT listen address, or says what is wrong
// with it.
func splitListen(addr string) (host string, port int, problem string) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, "not HOST:PORT: " + strconv.Quote(addr)
	}
	port, err = strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, "port must be a number from 0 to 65535: " + strconv.Quote(addr)
	}
	return host, port, ""
}

// sameListener reports whether the public listen address would take the
// same port as host:port: the same port, and the same host or either one
// listening on every interface.
func sameListener(listen, host string, port int) bool {
	lhost, lport, msg := splitListen(listen)
	if msg != "" || lport != port {
		return false
	}
	return lhost == host || anyHost(lhost) || anyHost(host)
}

func anyHost(h string) bool {
	return h == "" || h == "0.0.0.0" || h == "::"
}

// otlpEndpointProblem checks an OTLP/HTTP endpoint, a URL or a HOST:PORT,
// and returns what is wrong, or "".
func otlpEndpointProblem(endpoint string, insecure bool) string {
	if !strings.Contains(endpoint, "://") {
		host, port, msg := splitListen(endpoint)
		switch {
		case msg != "":
			return "not a URL or HOST:PORT: " + strconv.Quote(endpoint)
		case host == "" || port == 0:
			return "needs a host and a port from 1 to 65535: " + strconv.Quote(endpoint)
		}
		return ""
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return "not a URL or HOST:PORT"
	case u.User != nil:
		// Never quoted: the user information may hold a password.
		return "must not contain a user name or password"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must be an http:// or https:// URL, or HOST:PORT: " + strconv.Quote(endpoint)
	case u.Host == "":
		return "must have a host: " + strconv.Quote(endpoint)
	case u.RawQuery != "" || u.Fragment != "":
		return "must have no query or fragment"
	case u.Scheme == "https" && insecure:
		return "is an https:// URL but tracing.insecure is true: use an http:// URL for plain HTTP"
	}
	return ""
}
