package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/cmd/internal/testbed"
)

func TestMedian(t *testing.T) {
	t.Parallel()
	if got := median([]float64{300, 100, 200}); got != 200 {
		t.Errorf("median of three = %v, want the middle one, 200", got)
	}
	if got := median([]float64{400, 100}); got != 250 {
		t.Errorf("median of two = %v, want their mean, 250", got)
	}
	if got := median([]time.Duration{9 * time.Millisecond, time.Millisecond, 3 * time.Millisecond, 5 * time.Millisecond}); got != 4*time.Millisecond {
		t.Errorf("median of four latencies = %v, want 4ms", got)
	}
	in := []float64{3, 1, 2}
	median(in)
	if !slices.Equal(in, []float64{3, 1, 2}) {
		t.Errorf("median sorted its argument: %v", in)
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	got := summarize([]wrkResult{
		{requestsPerS: 1000, p50: 2 * time.Millisecond, p99: 10 * time.Millisecond},
		{requestsPerS: 3000, p50: 1 * time.Millisecond, p99: 30 * time.Millisecond},
	})
	want := summary{runs: 2, rate: 2000, p50: 1500 * time.Microsecond, p99: 20 * time.Millisecond}
	if got != want {
		t.Fatalf("summarize = %+v, want %+v", got, want)
	}
	if got := summarize(nil); got != (summary{}) {
		t.Fatalf("no runs summarized as %+v", got)
	}
}

func TestRatioAndPercent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ got, want string }{
		{ratio(3000, 1200), "×2.50"},
		{ratio(3000, 0), ""},
		{ratio(0, 1200), ""},
		{percent(24000, 30000), "80%"},
		{percent(24000, 0), ""},
		{thousands(1234567.6), "1,234,568"},
		{thousands(999), "999"},
		{thousands(1000), "1,000"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestRoundOrderAlternates(t *testing.T) {
	t.Parallel()
	if got := roundOrder(0); !slices.Equal(got, []side{hydraSide, oursSide}) {
		t.Errorf("round 1: %v, want Hydra first", got)
	}
	if got := roundOrder(1); !slices.Equal(got, []side{oursSide, hydraSide}) {
		t.Errorf("round 2: %v, want ours first", got)
	}
}

func TestReportTable(t *testing.T) {
	t.Parallel()
	run := func(rate float64) []wrkResult {
		return []wrkResult{{requests: 1, requestsPerS: rate, p50: time.Millisecond, p99: 5 * time.Millisecond}}
	}
	byName := map[string]comparison{}
	for _, c := range comparisonList() {
		byName[c.name] = c
	}
	results := []comparisonResult{
		{comparison: byName["static"], connections: 16, runs: [2][]wrkResult{run(5000), run(30000)}},
		{comparison: byName["introspect"], connections: 16, runs: [2][]wrkResult{run(1500), run(24000)}},
		{comparison: byName["refresh"], connections: 16, runs: [2][]wrkResult{run(100), nil}, failures: [2]string{"", "12 responses with a status of 400 or more"}},
	}
	var b strings.Builder
	m := compareMachine{machine: machine{Machine: testbed.Machine{CPU: "AMD EPYC", Cores: 2, Memory: 24 << 30, Go: "go1.26.8"}, wrk: "wrk 4.1.0"}, hydra: "v2.3.0", postgres: "15.20", redis: "7.0.15"}
	printComparisonReport(&b, compareOptions{options: options{threads: 2, duration: 10 * time.Second}, rounds: 2}, m, results)
	out := b.String()
	for _, want := range []string{
		"AMD EPYC, 2 cores, 24 GiB; PostgreSQL 15.20 and Redis 7.0.15",
		"Ory Hydra v2.3.0",
		"| introspection, hot token (Hydra: admin port, no client auth) | 16 | 1,500 | 5.00 ms | 24,000 | 1.00 ms / 5.00 ms | ×16.00 | 80% |",
		"| refresh: a write and a rotation (Hydra: PBKDF2; ours: keyed hash) | 16 | 100 | 5.00 ms | failed |  |  |  |",
		"FAILED refresh (ours): 12 responses",
		"PBKDF2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestHydraDSN(t *testing.T) {
	t.Parallel()
	got, err := hydraDSN("postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	if want := "postgres://postgres@127.0.0.1:5432/" + hydraDatabase + "?sslmode=disable"; got != want {
		t.Errorf("hydraDSN = %s, want %s", got, want)
	}
	if _, err := hydraDSN("mysql://root@127.0.0.1/test"); err == nil {
		t.Error("a MySQL URL was taken for Hydra's database")
	}
}

func TestHydraCommandLines(t *testing.T) {
	t.Parallel()
	s := hydraSpec{bin: "/cache/hydra", dsn: "postgres://h/db", secret: "s3cret-s3cret-s3cret", public: "127.0.0.1:4444", admin: "127.0.0.1:4445"}
	env := s.env()
	for _, want := range []string{
		"DSN=postgres://h/db", "SECRETS_SYSTEM=s3cret-s3cret-s3cret",
		"SERVE_PUBLIC_HOST=127.0.0.1", "SERVE_PUBLIC_PORT=4444", "SERVE_ADMIN_HOST=127.0.0.1", "SERVE_ADMIN_PORT=4445",
		"URLS_SELF_ISSUER=http://127.0.0.1:4444", "URLS_LOGIN=" + hydraLogin, "URLS_CONSENT=" + hydraConsent,
		"LOG_LEVEL=warn", "STRATEGIES_ACCESS_TOKEN=opaque",
	} {
		if !slices.Contains(env, want) {
			t.Errorf("hydra's environment lacks %s", want)
		}
	}
	if got := strings.Join(s.migrateArgs(), " "); got != "migrate sql up -e --yes" {
		t.Errorf("migrate: hydra %s", got)
	}
	if got := strings.Join(s.serveArgs(), " "); got != "serve all --dev --sqa-opt-out" {
		t.Errorf("serve: hydra %s", got)
	}
}

func TestHydraBuild(t *testing.T) {
	t.Parallel()
	// Hydra v2.3.0's go.mod, as go mod edit -json prints it (cut).
	goMod := `{"Module": {"Path": "github.com/ory/hydra/v2"}, "Replace": [
		{"Old": {"Path": "github.com/ory/hydra-client-go/v2"}, "New": {"Path": "./internal/httpclient"}},
		{"Old": {"Path": "github.com/gobuffalo/pop/v6"}, "New": {"Path": "github.com/ory/pop/v6", "Version": "v6.2.1-0.20241121111754-e5dfc0f3344b"}}]}`
	replace, local, err := goModReplaces([]byte(goMod))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"-replace=github.com/gobuffalo/pop/v6=github.com/ory/pop/v6@v6.2.1-0.20241121111754-e5dfc0f3344b"}; !slices.Equal(replace, want) {
		t.Errorf("replace flags %q, want %q", replace, want)
	}
	if want := []string{"github.com/ory/hydra-client-go/v2 => ./internal/httpclient"}; !slices.Equal(local, want) {
		t.Errorf("local replacements %q, want %q", local, want)
	}
	var steps []string
	for _, s := range hydraBuildSteps("v2.3.0", replace) {
		steps = append(steps, strings.Join(s, " "))
	}
	want := []string{
		"go get -tool github.com/ory/hydra/v2@v2.3.0",
		"go mod edit " + replace[0],
		"go mod tidy",
		"go build -o hydra.tmp github.com/ory/hydra/v2",
	}
	if !slices.Equal(steps, want) {
		t.Errorf("build steps\n%s\nwant\n%s", strings.Join(steps, "\n"), strings.Join(want, "\n"))
	}
	if _, _, err := goModReplaces([]byte("module x")); err == nil {
		t.Error("a go.mod that is not JSON was read")
	}
}

func TestWithClient(t *testing.T) {
	t.Parallel()
	config, err := withClient(testbed.ProviderConfig("http://127.0.0.1:1", testbed.NewSecrets()), refreshAppClient("s"))
	if err != nil {
		t.Fatal(err)
	}
	clients, users, _ := strings.Cut(config, "\nusers:\n")
	if !strings.Contains(clients, "  - id: "+refreshAppID+"\n") || !strings.Contains(clients, "offline_access") || !strings.Contains(users, testbed.UserEmail) {
		t.Fatalf("the client is not in the client list:\n%s", config)
	}
	if _, err := withClient("issuer: x\n", refreshAppClient("s")); err == nil {
		t.Fatal("a configuration without clients took a client")
	}
}

// tokenServer answers a form POST, recording the token field of each
// request; with rotate, it answers each with a new refresh token.
type tokenServer struct {
	mu     sync.Mutex
	field  string
	rotate bool
	seen   []string
	issued map[string]bool
	bad    []string
}

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" || r.Header.Get("Authorization") != "Basic abc" || r.PostFormValue("grant_type") != "refresh_token" {
		s.mu.Lock()
		s.bad = append(s.bad, fmt.Sprintf("%s %q %q", r.Header.Get("Content-Type"), r.Header.Get("Authorization"), r.PostForm))
		s.mu.Unlock()
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, r.PostFormValue(s.field))
	if s.rotate {
		next := fmt.Sprintf("rt.%d_-", len(s.seen))
		s.issued[next] = true
		fmt.Fprintf(w, `{"access_token":"at","refresh_token": "%s","token_type":"bearer"}`, next)
		return
	}
	fmt.Fprint(w, `{"active":true}`)
}

// TestTokenScripts runs wrk with the scripts writeTokenScript makes,
// against a server that records the tokens sent.
func TestTokenScripts(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("wrk"); err != nil {
		t.Skip("wrk not installed (apt-get install wrk)")
	}
	req := request{method: http.MethodPost, path: "/oauth2/token", header: map[string]string{"Authorization": "Basic abc"}, form: "grant_type=refresh_token"}
	initial := []string{"a+1", "b/2", "c=3", "d.4", "e_5", "f-6", "g~7", "h 8"}
	for _, rotate := range []bool{false, true} {
		t.Run(fmt.Sprintf("rotate=%t", rotate), func(t *testing.T) {
			t.Parallel()
			ts := &tokenServer{field: "refresh_token", rotate: rotate, issued: map[string]bool{}}
			srv := httptest.NewServer(ts)
			defer srv.Close()
			script, err := writeTokenScript(t.TempDir(), "script", req, tokenSource{field: "refresh_token", tokens: initial, rotate: rotate}, 2)
			if err != nil {
				t.Fatal(err)
			}
			res, err := wrkRun{url: srv.URL + req.path, script: script, threads: 2, connections: 4, duration: time.Second}.run(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			ts.mu.Lock()
			defer ts.mu.Unlock()
			if len(ts.bad) > 0 || res.failed() != "" {
				t.Fatalf("refused requests (%s): %q", res.failed(), ts.bad[:min(len(ts.bad), 5)])
			}
			if len(ts.seen) < 2*len(initial) {
				t.Fatalf("only %d requests in a second", len(ts.seen))
			}
			count := map[string]int{}
			for _, tok := range ts.seen {
				count[tok]++
				if !slices.Contains(initial, tok) && !ts.issued[tok] {
					t.Fatalf("token %q sent, neither given nor issued", tok)
				}
			}
			// wrk builds the first thread's first request once more, to
			// check it, and does not send it: with rotate, that token is
			// spent unsent.
			var unsent []string
			for _, tok := range initial {
				if count[tok] == 0 {
					unsent = append(unsent, tok)
				}
			}
			if len(unsent) > 0 && (!rotate || len(unsent) > 1) {
				t.Errorf("tokens %q never sent", unsent)
			}
			if !rotate {
				return
			}
			for tok, n := range count {
				if n > 1 {
					t.Errorf("refresh token %q sent %d times, want once", tok, n)
				}
			}
		})
	}
}

func TestParseCompareOptions(t *testing.T) {
	t.Parallel()
	var stderr strings.Builder
	o, err := parseCompareOptions([]string{"-duration", "5s", "-scenarios", "refresh,jwks", "-out", "/tmp/x.md"}, &stderr)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if o.hydraVersion != "v2.3.0" || o.rounds != 2 || o.duration != 5*time.Second || o.out != "/tmp/x.md" || !slices.Equal(o.scenarios, []string{"refresh", "jwks"}) {
		t.Errorf("options %+v", o)
	}
	o, err = parseCompareOptions(nil, &stderr)
	if err != nil || !slices.Equal(o.scenarios, comparisonNames()) {
		t.Errorf("no -scenarios: %v, %v, want every scenario", o.scenarios, err)
	}
	for _, args := range [][]string{{"-rounds", "0"}, {"-scenarios", "userinfo"}, {"-duration", "1500ms"}} {
		if _, err := parseCompareOptions(args, &stderr); !errors.Is(err, testbed.ErrUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func TestLuaTokenScript(t *testing.T) {
	t.Parallel()
	req := request{method: http.MethodPost, path: "/oauth2/introspect", header: map[string]string{"Authorization": "Basic abc"}}
	script, err := luaTokenScript(req, tokenSource{field: "token"}, "/tmp/run/cold.tokens", 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`wrk.method = "POST"`, `wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"`, `wrk.headers["Authorization"] = "Basic abc"`,
		`local prefix = "token="`, `local file = "/tmp/run/cold.tokens"`, "local threads = 2", "local rotate = false", "function request()",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %s:\n%s", want, script)
		}
	}
	if strings.Contains(script, "function response(") {
		t.Errorf("a script cycling through tokens reads the answers:\n%s", script)
	}
	req.form = "grant_type=refresh_token"
	script, err = luaTokenScript(req, tokenSource{field: "refresh_token", rotate: true}, "/tmp/run/rt.tokens", 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`local prefix = "grant_type=refresh_token&refresh_token="`, "local rotate = true", "function response(status, headers, body)"} {
		if !strings.Contains(script, want) {
			t.Errorf("rotating script lacks %s:\n%s", want, script)
		}
	}
	if strings.Contains(script, "wrk.body") {
		t.Errorf("the body is fixed, not made per request:\n%s", script)
	}
	if _, err := luaTokenScript(req, tokenSource{field: "token"}, "/tmp/répertoire/x.tokens", 2); err == nil {
		t.Error("a path Lua and Go quote differently was accepted")
	}
	if _, err := writeTokenScript(t.TempDir(), "empty", req, tokenSource{field: "token"}, 2); err == nil {
		t.Error("a script without tokens was written")
	}
}
