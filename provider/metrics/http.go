package metrics

import (
	"net/http"
	"strconv"
	"time"
)

// unmatched is the route label of a request no pattern matched (a 404 or
// 405 from the mux), so that probing random paths adds no series.
const unmatched = "unmatched"

// Instrument counts and times every request next serves, by the
// http.ServeMux pattern that matched it. It must wrap the mux itself:
// the mux records the pattern in the *http.Request it was given, which is
// the one Instrument reads after next returns; a middleware in between
// that passes on a copy (r.WithContext) would hide it.
func (m *Metrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		d := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = unmatched
		}
		code := rec.code
		if code == 0 {
			code = http.StatusOK // nothing written: net/http sends 200
		}
		m.httpRequests.WithLabelValues(route, codeLabel(code)).Inc()
		m.httpDuration.WithLabelValues(route).Observe(d.Seconds())
	})
}

// statusRecorder notes the status code of a response. It is one small
// allocation per request, where an interface-preserving wrapper such as
// httpsnoop's costs a dozen: it offers only http.ResponseWriter, and
// Unwrap, through which http.ResponseController still reaches the
// server's Flush, Hijack and deadlines. No handler of the provider
// asserts those interfaces on its writer.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

// WriteHeader implements http.ResponseWriter. Informational (1xx) headers
// are not the response's status.
func (s *statusRecorder) WriteHeader(code int) {
	if s.code == 0 && code >= 200 {
		s.code = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.code == 0 {
		s.code = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter {
	return s.ResponseWriter
}

// codeLabel is the status code as a label value, without an allocation
// for the codes the provider answers with.
func codeLabel(code int) string {
	switch code {
	case http.StatusOK:
		return "200"
	case http.StatusCreated:
		return "201"
	case http.StatusNoContent:
		return "204"
	case http.StatusFound:
		return "302"
	case http.StatusSeeOther:
		return "303"
	case http.StatusNotModified:
		return "304"
	case http.StatusBadRequest:
		return "400"
	case http.StatusUnauthorized:
		return "401"
	case http.StatusForbidden:
		return "403"
	case http.StatusNotFound:
		return "404"
	case http.StatusMethodNotAllowed:
		return "405"
	case http.StatusConflict:
		return "409"
	case http.StatusTooManyRequests:
		return "429"
	case http.StatusInternalServerError:
		return "500"
	case http.StatusServiceUnavailable:
		return "503"
	}
	return strconv.Itoa(code)
}
