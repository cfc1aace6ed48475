package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeReady serves /health/ready answering status and body.
func fakeReady(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/health/ready" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHealthcheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status int
		body   string
		code   int
		stdout string
		stderr string // what the one line on stderr says
	}{
		{"ok is ready", 200, `{"status":"ok"}`, 0, "ok\n", ""},
		{"degraded is ready, with the reason", 200, `{"status":"degraded","reason":"the token cache does not answer"}`, 0,
			"degraded (the token cache does not answer)\n", ""},
		{"unavailable is not ready, with the reason", 503, `{"status":"unavailable","reason":"the store does not answer"}`, 1, "",
			"answered 503 Service Unavailable: unavailable (the store does not answer)"},
		{"an unknown status is not ready", 200, `{"status":"starting"}`, 1, "", "answered 200 OK: starting"},
		{"a page that is no health answer is not ready", 200, `<html>`, 1, "", "answered 200 OK, not a health status"},
		{"a server error is not ready", 500, ``, 1, "", "answered 500 Internal Server Error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := fakeReady(t, tc.status, tc.body)
			r := runCmd(t, nil, "", "healthcheck", "--url", srv.URL+"/health/ready")
			if r.code != tc.code || r.stdout != tc.stdout || !strings.Contains(r.stderr, tc.stderr) || strings.Count(r.stderr, "\n") != min(tc.code, 1) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q, one line on stderr saying %q", r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}

	t.Run("asks the loopback address on the port listen gives", func(t *testing.T) {
		t.Parallel()
		srv := fakeReady(t, 200, `{"status":"ok"}`)
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		fromEnv := runCmd(t, map[string]string{"TOKENIM_LISTEN": "0.0.0.0:" + port}, "", "healthcheck")
		fromFile := runCmd(t, nil, "", "healthcheck", "--config", writeFile(t, "listen: 0.0.0.0:"+port+"\n"))
		for _, r := range []result{fromEnv, fromFile} {
			if r.code != 0 || r.stdout != "ok\n" {
				t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
		}
	})

	t.Run("nothing listening is not ready", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		r := runCmd(t, map[string]string{"TOKENIM_LISTEN": addr}, "", "healthcheck")
		if r.code != 1 || !strings.Contains(r.stderr, "not ready") || !strings.Contains(r.stderr, addr+"/health/ready") || strings.Count(r.stderr, "\n") != 1 {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})

	t.Run("a provider that does not answer in time is not ready", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		t.Cleanup(srv.Close)
		r := runCmd(t, nil, "", "healthcheck", "--url", srv.URL+"/health/ready", "--timeout", "100ms")
		if r.code != 1 || !strings.Contains(r.stderr, "deadline exceeded") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})

	for _, tc := range []struct{ name, flag, value, stderr string }{
		{"a URL that is no URL exits 2", "--url", "http://[::1", "--url"},
		{"a listen without a port exits 2", "--config", "", "listen:"},
		{"a timeout of zero exits 2", "--timeout", "0s", "--timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			value := tc.value
			if tc.flag == "--config" {
				value = writeFile(t, "listen: localhost\n")
			}
			r := runCmd(t, nil, "", "healthcheck", tc.flag, value)
			if r.code != 2 || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
		})
	}
}

// TestHealthcheckOfServe asks a running provider, found from the listen
// address it was given.
func TestHealthcheckOfServe(t *testing.T) {
	t.Parallel()
	base, _, _ := startServe(t, nil, "--dev", "--listen", "127.0.0.1:0")
	r := runCmd(t, map[string]string{"TOKENIM_LISTEN": strings.TrimPrefix(base, "http://")}, "", "healthcheck")
	if r.code != 0 || r.stdout != "ok\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestReadyURL(t *testing.T) {
	t.Parallel()
	for listen, want := range map[string]string{
		"127.0.0.1:8080":   "http://127.0.0.1:8080/health/ready",
		"0.0.0.0:8080":     "http://127.0.0.1:8080/health/ready",
		":8080":            "http://127.0.0.1:8080/health/ready",
		"[::]:8080":        "http://127.0.0.1:8080/health/ready",
		"[::1]:9000":       "http://[::1]:9000/health/ready",
		"auth.internal:80": "http://auth.internal:80/health/ready",
	} {
		if got, err := readyURL(listen); err != nil || got != want {
			t.Errorf("readyURL(%q) = %q, %v; want %q", listen, got, err, want)
		}
	}
}
