package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/metrics"
)

// BenchmarkInstrument compares a request through the mux alone and
// through Instrument: the difference is what metrics cost per request.
func BenchmarkInstrument(b *testing.B) {
	m := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/introspect", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	for name, h := range map[string]http.Handler{"mux": mux, "instrumented": m.Instrument(mux)} {
		b.Run(name, func(b *testing.B) {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodPost, "/oauth2/introspect", nil)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(w, r)
			}
		})
	}
}

func BenchmarkIntrospected(b *testing.B) {
	m := metrics.New()
	b.ReportAllocs()
	for b.Loop() {
		m.Introspected("active", 300*time.Microsecond)
	}
}

func BenchmarkTokenIssued(b *testing.B) {
	m := metrics.New()
	b.ReportAllocs()
	for b.Loop() {
		m.TokenIssued("client_credentials", "im-gateway")
	}
}
