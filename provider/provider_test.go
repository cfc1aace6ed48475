package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider"
)

type pinger struct{ err error }

func (p pinger) Ping(context.Context) error { return p.err }

type panicky struct{}

func (panicky) Mount(mux provider.Mux) {
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("GET /log", func(w http.ResponseWriter, r *http.Request) {
		slog.New(provider.NewLogHandler(slog.NewJSONHandler(w, nil))).InfoContext(r.Context(), "hello")
	})
}

func get(t *testing.T, h http.Handler, path string) *http.Response {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestHealth(t *testing.T) {
	t.Run("alive answers 200", func(t *testing.T) {
		resp := get(t, provider.New(provider.Deps{Ready: pinger{}}), "/health/alive")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("ready is 503 when the store does not answer", func(t *testing.T) {
		resp := get(t, provider.New(provider.Deps{Ready: pinger{errors.New("down")}}), "/health/ready")
		var body map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != http.StatusServiceUnavailable || body["status"] != "unavailable" {
			t.Fatalf("status %d body %v", resp.StatusCode, body)
		}
	})
	t.Run("ready is 503 when the node cannot sign", func(t *testing.T) {
		resp := get(t, provider.New(provider.Deps{Ready: pinger{}, Signing: pinger{errors.New("key does not open")}}), "/health/ready")
		var body map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != http.StatusServiceUnavailable || body["status"] != "unavailable" {
			t.Fatalf("status %d body %v", resp.StatusCode, body)
		}
	})
	t.Run("ready is 200 when the store answers", func(t *testing.T) {
		resp := get(t, provider.New(provider.Deps{Ready: pinger{}}), "/health/ready")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestMiddleware(t *testing.T) {
	var logs bytes.Buffer
	h := provider.New(provider.Deps{Ready: pinger{}, Parts: []provider.Mounter{panicky{}}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	t.Run("every response carries the security headers and a request ID", func(t *testing.T) {
		resp := get(t, h, "/health/alive")
		for k, want := range map[string]string{
			"Referrer-Policy":        "no-referrer",
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
		} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("Content-Security-Policy = %q", csp)
		}
		if len(resp.Header.Get("X-Request-Id")) != 16 {
			t.Errorf("X-Request-Id = %q", resp.Header.Get("X-Request-Id"))
		}
	})
	t.Run("a panic is a logged 500 naming the request", func(t *testing.T) {
		resp := get(t, h, "/boom")
		body, _ := io.ReadAll(resp.Body)
		id := resp.Header.Get("X-Request-Id")
		if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), id) {
			t.Fatalf("status %d body %q", resp.StatusCode, body)
		}
		if !strings.Contains(logs.String(), "handler panicked") {
			t.Fatalf("panic not logged: %s", logs.String())
		}
	})
	t.Run("logs made with the request's context carry request_id and client_ip", func(t *testing.T) {
		resp := get(t, h, "/log")
		var rec map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil {
			t.Fatal(err)
		}
		if rec["request_id"] != resp.Header.Get("X-Request-Id") || rec["client_ip"] != "127.0.0.1" {
			t.Fatalf("log record %v", rec)
		}
	})
}

func TestBadBytesRefusedBeforeTheHandler(t *testing.T) {
	var logs bytes.Buffer
	h := provider.New(provider.Deps{Ready: pinger{}, Parts: []provider.Mounter{panicky{}}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	for _, path := range []string{"/boom?flow=%ff%fe", "/boom?x=a%00b", "/boom/%ff"} {
		resp := get(t, h, path)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400 before the handler", path, resp.StatusCode)
		}
		if resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: the refusal lacks the request ID or the security headers: %v", path, resp.Header)
		}
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Fatalf("a client's bad bytes logged an error: %s", logs.String())
	}
}

func TestStrictTransportSecurity(t *testing.T) {
	year := 365 * 24 * time.Hour
	for _, tc := range []struct {
		name   string
		issuer string
		hsts   *provider.HSTS
		want   string
	}{
		{"an https issuer sends the policy", "https://auth.example.com", &provider.HSTS{MaxAge: year}, "max-age=31536000"},
		{"with subdomains and preload", "https://auth.example.com", &provider.HSTS{MaxAge: 2 * year, IncludeSubdomains: true, Preload: true}, "max-age=63072000; includeSubDomains; preload"},
		{"a zero max-age clears it", "https://auth.example.com", &provider.HSTS{}, "max-age=0"},
		{"an http issuer sends none", "http://127.0.0.1:8080", &provider.HSTS{MaxAge: year}, ""},
		{"turned off sends none", "https://auth.example.com", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := provider.New(provider.Deps{Ready: pinger{}, Issuer: tc.issuer, HSTS: tc.hsts})
			for _, path := range []string{"/health/alive", "/nowhere"} {
				if got := get(t, h, path).Header.Get("Strict-Transport-Security"); got != tc.want {
					t.Fatalf("GET %s: Strict-Transport-Security = %q, want %q", path, got, tc.want)
				}
			}
		})
	}
}

func TestInstrument(t *testing.T) {
	var seen []string
	wrapper := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = append(seen, name+" in, request id set: "+boolText(w.Header().Get("X-Request-Id") != ""))
				next.ServeHTTP(w, r)
				seen = append(seen, name+" out, route "+r.Pattern)
			})
		}
	}
	h := provider.New(provider.Deps{Ready: pinger{}, Instrument: []func(http.Handler) http.Handler{wrapper("first"), wrapper("second")}})
	get(t, h, "/health/alive")
	get(t, h, "/nowhere")
	want := []string{
		"first in, request id set: yes", "second in, request id set: yes", "second out, route GET /health/alive", "first out, route GET /health/alive",
		"first in, request id set: yes", "second in, request id set: yes", "second out, route ", "first out, route ",
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("wrappers saw\n%q\nwant\n%q", seen, want)
	}
}

func boolText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
