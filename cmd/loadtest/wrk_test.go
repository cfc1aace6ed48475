package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The testdata files are the output of wrk 4.1.0 (Debian), captured against
// tokenim-auth serve --dev.
func readCapture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseWrk(t *testing.T) {
	for _, tc := range []struct {
		file   string
		want   wrkResult
		failed string // in failed(), "" for a success
	}{
		{
			file: "discovery.txt",
			want: wrkResult{requests: 133244, requestsPerS: 44382.81, p50: 131 * time.Microsecond, p99: 12850 * time.Microsecond},
		},
		{
			// Every introspection refused: no client authentication.
			file:   "introspect-401.txt",
			want:   wrkResult{requests: 54705, requestsPerS: 17624.83, p50: 304 * time.Microsecond, p99: 9690 * time.Microsecond, non2xx: 54705},
			failed: "54705 responses with a status of 400 or more",
		},
		{
			// The server killed in the middle of the run.
			file: "killed.txt",
			want: wrkResult{
				requests: 50136, requestsPerS: 16646.09, p50: 78 * time.Microsecond, p99: 6140 * time.Microsecond,
				socketErrors: 16 + 219413, socketSummary: "Socket errors: connect 0, read 16, write 219413, timeout 0",
			},
			failed: "read 16, write 219413",
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := parseWrk(readCapture(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("parsed\n%+v\nwant\n%+v", got, tc.want)
			}
			switch why := got.failed(); {
			case tc.failed == "" && why != "":
				t.Fatalf("a successful run reported as failed: %s", why)
			case tc.failed != "" && !strings.Contains(why, tc.failed):
				t.Fatalf("failed() = %q, want it to say %q", why, tc.failed)
			}
		})
	}
}

func TestParseWrkRefusesIncompleteOutput(t *testing.T) {
	full := readCapture(t, "discovery.txt")
	noLatency := full[:strings.Index(full, "  Latency Distribution")] + full[strings.Index(full, "  133244 requests"):]
	for name, out := range map[string]string{
		"wrk could not connect":     "unable to connect to 127.0.0.1:18931 Connection refused\n",
		"run without --latency":     noLatency,
		"no Requests/sec line":      strings.Replace(full, "Requests/sec:", "Req/s:", 1),
		"a latency in an odd unit":  strings.Replace(full, "12.85ms", "12.85ps", 1),
		"the output cut after 50 %": full[:strings.Index(full, "     75%")],
	} {
		t.Run(name, func(t *testing.T) {
			if r, err := parseWrk(out); err == nil {
				t.Fatalf("parsed %+v from incomplete output", r)
			}
		})
	}
}

func TestCombine(t *testing.T) {
	runs := []wrkResult{
		{requests: 100, requestsPerS: 10, p50: 2 * time.Millisecond, p99: 9 * time.Millisecond},
		{requests: 300, requestsPerS: 30, p50: 1 * time.Millisecond, p99: 20 * time.Millisecond, non2xx: 4},
		{requests: 200, requestsPerS: 20, p50: 3 * time.Millisecond, p99: 5 * time.Millisecond, socketErrors: 1, socketSummary: "Socket errors: connect 0, read 1, write 0, timeout 0"},
	}
	got := combine(runs)
	want := wrkResult{
		requests: 600, requestsPerS: 60, p50: 3 * time.Millisecond, p99: 20 * time.Millisecond,
		non2xx: 4, socketErrors: 1, socketSummary: "Socket errors: connect 0, read 1, write 0, timeout 0",
	}
	if got != want {
		t.Fatalf("combine = %+v, want %+v", got, want)
	}
}

func TestWrkArgs(t *testing.T) {
	t.Parallel()
	run := wrkRun{url: "http://127.0.0.1:1/x", script: "/tmp/x.lua", threads: 2, connections: 1, duration: 10 * time.Second}
	if got, want := strings.Join(run.args(), " "), "--latency -t 1 -c 1 -d 10s -s /tmp/x.lua http://127.0.0.1:1/x"; got != want {
		t.Errorf("wrk %s, want wrk %s (no more threads than connections)", got, want)
	}
	run.connections, run.timeout = 16, 10*time.Second
	if got, want := strings.Join(run.args(), " "), "--latency -t 2 -c 16 -d 10s --timeout 10s -s /tmp/x.lua http://127.0.0.1:1/x"; got != want {
		t.Errorf("wrk %s, want wrk %s", got, want)
	}
}

// TestKeyShape: the report shows a cached token's key, shard tag
// included, with its signature cut short.
func TestKeyShape(t *testing.T) {
	t.Parallel()
	if got, want := keyShape("tokenim-loadtest:e1:{1ab}t:abcdefghijklmnop"), "tokenim-loadtest:e1:{1ab}t:abcdefgh…"; got != want {
		t.Errorf("keyShape = %q, want %q", got, want)
	}
	if got := keyShape("short"); got != "short" {
		t.Errorf("keyShape(short) = %q", got)
	}
}
