package config

import (
	"math"
	"testing"
)

func TestMetricsAndTracingDefaults(t *testing.T) {
	cfg := Default()
	if cfg.Metrics.Listen != "" || cfg.Metrics.Pprof || cfg.Tracing.OTLPEndpoint != "" {
		t.Fatalf("metrics or tracing on by default: %+v %+v", cfg.Metrics, cfg.Tracing)
	}
	if cfg.Tracing.ServiceName != "tokenim-auth" || cfg.Tracing.SampleRatio != 1 || cfg.Tracing.Insecure {
		t.Fatalf("tracing defaults %+v", cfg.Tracing)
	}
	vars := map[string]string{
		"TOKENIM_METRICS_LISTEN":        "127.0.0.1:9464",
		"TOKENIM_METRICS_PPROF":         "true",
		"TOKENIM_TRACING_OTLP_ENDPOINT": "collector:4318",
		"TOKENIM_TRACING_INSECURE":      "true",
		"TOKENIM_TRACING_SAMPLE_RATIO":  "0.25",
	}
	cfg, err := Load("", mapEnv(vars))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Metrics.Listen != "127.0.0.1:9464" || !cfg.Metrics.Pprof || cfg.Tracing.OTLPEndpoint != "collector:4318" || !cfg.Tracing.Insecure || cfg.Tracing.SampleRatio != 0.25 {
		t.Fatalf("environment not applied: %+v %+v", cfg.Metrics, cfg.Tracing)
	}
}

func TestValidateMetricsAndTracing(t *testing.T) {
	accepts := []struct {
		name   string
		modify func(*Config)
	}{
		{"metrics on loopback", func(c *Config) { c.Metrics.Listen = "127.0.0.1:9464" }},
		{"metrics on a random port next to a random public port", func(c *Config) {
			c.Listen, c.Metrics.Listen = "127.0.0.1:0", "127.0.0.1:0"
		}},
		{"metrics on the public port of another address", func(c *Config) {
			c.Listen, c.Metrics.Listen = "10.0.0.1:8080", "127.0.0.1:8080"
		}},
		{"the profiler on the metrics listener", func(c *Config) { c.Metrics.Listen, c.Metrics.Pprof = "127.0.0.1:9464", true }},
		{"an http OTLP URL", func(c *Config) { c.Tracing.OTLPEndpoint = "http://otel-collector:4318" }},
		{"an https OTLP URL with a path", func(c *Config) { c.Tracing.OTLPEndpoint = "https://otlp.example.com/v1/traces" }},
		{"an OTLP HOST:PORT over plain HTTP", func(c *Config) {
			c.Tracing.OTLPEndpoint, c.Tracing.Insecure = "otel-collector:4318", true
		}},
		{"a sample ratio of 0", func(c *Config) { c.Tracing.SampleRatio = 0 }},
		{"a sample ratio of 0.1", func(c *Config) { c.Tracing.SampleRatio = 0.1 }},
	}
	for _, tt := range accepts {
		t.Run(tt.name+" is accepted", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
		})
	}

	refuses := []struct {
		name   string
		modify func(*Config)
		path   string
		text   string
	}{
		{"metrics without a port", func(c *Config) { c.Metrics.Listen = "127.0.0.1" }, "metrics.listen", "HOST:PORT"},
		{"metrics on port 70000", func(c *Config) { c.Metrics.Listen = "127.0.0.1:70000" }, "metrics.listen", "0 to 65535"},
		{"metrics on the public listener", func(c *Config) {
			c.Listen, c.Metrics.Listen = "127.0.0.1:8080", "127.0.0.1:8080"
		}, "metrics.listen", "must differ from listen"},
		{"metrics on the public port of every interface", func(c *Config) {
			c.Listen, c.Metrics.Listen = ":8080", "127.0.0.1:8080"
		}, "metrics.listen", "must differ from listen"},
		{"the profiler without metrics", func(c *Config) { c.Metrics.Pprof = true }, "metrics.pprof", "needs metrics.listen"},
		{"an OTLP endpoint without a port", func(c *Config) { c.Tracing.OTLPEndpoint = "otel-collector" }, "tracing.otlp_endpoint", "not a URL or HOST:PORT"},
		{"an OTLP HOST:PORT without a host", func(c *Config) { c.Tracing.OTLPEndpoint = ":4318" }, "tracing.otlp_endpoint", "host"},
		{"a gRPC OTLP URL", func(c *Config) { c.Tracing.OTLPEndpoint = "grpc://otel-collector:4317" }, "tracing.otlp_endpoint", "http://"},
		{"an OTLP URL without a host", func(c *Config) { c.Tracing.OTLPEndpoint = "http:///v1/traces" }, "tracing.otlp_endpoint", "host"},
		{"an OTLP URL with a password", func(c *Config) { c.Tracing.OTLPEndpoint = "https://u:p@otlp.example.com" }, "tracing.otlp_endpoint", "user name"},
		{"an OTLP URL with a query", func(c *Config) { c.Tracing.OTLPEndpoint = "https://otlp.example.com/?key=1" }, "tracing.otlp_endpoint", "query"},
		{"an https OTLP URL marked insecure", func(c *Config) {
			c.Tracing.OTLPEndpoint, c.Tracing.Insecure = "https://otlp.example.com", true
		}, "tracing.otlp_endpoint", "tracing.insecure"},
		{"an empty service name", func(c *Config) { c.Tracing.ServiceName = " " }, "tracing.service_name", "required"},
		{"a negative sample ratio", func(c *Config) { c.Tracing.SampleRatio = -0.5 }, "tracing.sample_ratio", "between 0 and 1"},
		{"a sample ratio above 1", func(c *Config) { c.Tracing.SampleRatio = 1.5 }, "tracing.sample_ratio", "between 0 and 1"},
		{"a NaN sample ratio", func(c *Config) { c.Tracing.SampleRatio = math.NaN() }, "tracing.sample_ratio", "between 0 and 1"},
	}
	for _, tt := range refuses {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			cfg := validConfig()
			tt.modify(&cfg)
			requireProblem(t, cfg.Validate(), tt.path, tt.text)
		})
	}
}
