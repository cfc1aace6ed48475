package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command with the given environment variables and stdin.
func runCmd(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), args, env{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
	})
	return result{code, out.String(), errb.String()}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsageAndConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		vars   map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"no command prints usage and exits 2", nil, nil, 2, "usage: tokenim-auth"},
		{"an unknown command exits 2", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"an unknown flag exits 2", nil, []string{"serve", "--frob"}, 2, "flag provided but not defined: -frob"},
		{"a missing config file exits 2 naming it", nil, []string{"serve", "--config", "/nonexistent/tokenim.yaml"}, 2, "/nonexistent/tokenim.yaml"},
		{"a config without issuer and secret exits 2 naming the fields", map[string]string{"TOKENIM_DATABASE_URL": "memory"}, []string{"serve"}, 2, "issuer:"},
		{"a short system secret exits 2 naming secrets.system", map[string]string{"TOKENIM_ISSUER": "http://127.0.0.1:8080", "TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": "short"}, []string{"serve"}, 2, "secrets.system"},
		{"a bad environment value exits 2 naming the variable", map[string]string{"TOKENIM_DATABASE_MAX_CONNS": "many"}, []string{"migrate"}, 2, "TOKENIM_DATABASE_MAX_CONNS"},
		{"a database URL that is not Postgres exits 2", map[string]string{"TOKENIM_ISSUER": "http://127.0.0.1:8080", "TOKENIM_DATABASE_URL": "mysql://x", "TOKENIM_SECRETS_SYSTEM": strings.Repeat("s", 32)}, []string{"migrate"}, 2, "database.url"},
		{"clients on the memory store exits 2 explaining why", map[string]string{"TOKENIM_ISSUER": "http://127.0.0.1:8080", "TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": strings.Repeat("s", 32)}, []string{"clients", "list"}, 2, "needs the Postgres database"},
		{"a stray argument exits 2 instead of being dropped", nil, []string{"keys", "rotate", "extra"}, 2, `unexpected argument "extra"`},
		{"a second value without its flag exits 2", nil, []string{"clients", "create", "--name", "x", "--type", "public", "--scope", "openid", "profile"}, 2, `unexpected argument "profile"`},
		{"clients list refuses an unknown output format", nil, []string{"clients", "list", "--output", "yaml"}, 2, "--output"},
		{"users list refuses an unknown output format", nil, []string{"users", "list", "--output", "yaml"}, 2, "--output"},
		{"users create refuses an address with a space", nil, []string{"users", "create", "--email", "a b@example.com", "--password-stdin"}, 2, "not an email address"},
		{"users create refuses a password argument", map[string]string{"TOKENIM_ISSUER": "http://127.0.0.1:8080", "TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": strings.Repeat("s", 32)}, []string{"users", "create", "--email", "a@b.c"}, 2, "--password-stdin is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, tc.vars, "", tc.args...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want exit %d mentioning %q", r.code, r.stderr, tc.code, tc.stderr)
			}
		})
	}
	t.Run("users create refuses a common password", func(t *testing.T) {
		r := runCmd(t, nil, "Password123\n", "users", "create", "--email", "a@example.com", "--password-stdin")
		if r.code != 2 || !strings.Contains(r.stderr, "too common") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
	t.Run("a YAML typo exits 2 naming the key and the nearest known one", func(t *testing.T) {
		p := writeFile(t, "issuer: http://127.0.0.1:8080\ndatabse:\n  url: memory\n")
		r := runCmd(t, nil, "", "serve", "--config", p)
		if r.code != 2 || !strings.Contains(r.stderr, `line 2: unknown key "databse" at the top level; did you mean "database"?`) {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

// startTimeout bounds how long serve may take to start. Starting on an
// empty database applies every migration, about 20 DDL transactions, which
// on a CI machine busy with the other packages' tests has taken over 30 s.
const startTimeout = 2 * time.Minute

// startServe runs serve in the background until the test ends and returns
// its base URL, what it printed and what it logged.
func startServe(t *testing.T, vars map[string]string, args ...string) (string, *syncBuffer, *syncBuffer) {
	t.Helper()
	base, out, logs, stop := launchServe(t, vars, args...)
	t.Cleanup(stop)
	return base, out, logs
}

// launchServe is startServe for a test that stops serve itself: stop
// cancels it and waits for it to exit, reporting an exit status other
// than 0; calling it again does nothing.
func launchServe(t *testing.T, vars map[string]string, args ...string) (base string, out, logs *syncBuffer, stop func()) {
	t.Helper()
	return launchServeEnv(t, vars, nil, args...)
}

// launchServeEnv is launchServe with change applied to serve's env.
func launchServeEnv(t *testing.T, vars map[string]string, change func(*env), args ...string) (base string, out, logs *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	addr := make(chan string, 1)
	out, logs = &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		e := env{
			stdin: strings.NewReader(""), stdout: out, stderr: logs,
			lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
			ready:  func(a string) { addr <- a },
		}
		if change != nil {
			change(&e)
		}
		done <- run(ctx, append([]string{"serve"}, args...), e)
	}()
	select {
	case a := <-addr:
		stop = sync.OnceFunc(func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("serve exited %d after shutdown:\n%s", code, logs.String())
				}
			case <-time.After(10 * time.Second):
				t.Error("serve did not shut down within 10s")
			}
		})
		return "http://" + a, out, logs, stop
	case code := <-done:
		cancel()
		t.Fatalf("serve exited %d:\n%s", code, logs.String())
	case <-time.After(startTimeout):
		cancel()
		t.Fatalf("serve did not start within %s:\n%s", startTimeout, logs.String())
	}
	return "", nil, nil, nil
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// field finds "label  value" in the dev banner.
func field(t *testing.T, banner, label string) string {
	t.Helper()
	for _, line := range strings.Split(banner, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), label); ok {
			parts := strings.Fields(rest)
			return parts[len(parts)-1]
		}
	}
	t.Fatalf("%q not in:\n%s", label, banner)
	return ""
}

func TestServeDev(t *testing.T) {
	t.Parallel()
	base, out, logs := startServe(t, nil, "--dev", "--listen", "127.0.0.1:0")
	banner := out.String()
	if !strings.Contains(banner, "issuer     "+base) {
		t.Fatalf("banner does not give the issuer %s:\n%s", base, banner)
	}
	for _, secretLine := range []string{"tkm_cs_"} {
		if strings.Count(banner, secretLine) < 3 {
			t.Fatalf("banner lacks demo secrets:\n%s", banner)
		}
	}
	bot := field(t, banner, "demo-bot")
	gateway := field(t, banner, "demo-gateway")

	t.Run("health answers", func(t *testing.T) {
		for _, p := range []string{"/health/alive", "/health/ready"} {
			resp, err := http.Get(base + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", p, resp.StatusCode)
			}
		}
	})

	t.Run("the demo bot gets a token the demo gateway introspects", func(t *testing.T) {
		form := url.Values{"grant_type": {"client_credentials"}}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/oauth2/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("demo-bot", bot)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var tok map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		at, _ := tok["access_token"].(string)
		if resp.StatusCode != http.StatusOK || at == "" {
			t.Fatalf("token: %d %v", resp.StatusCode, tok)
		}
		req, _ = http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/oauth2/introspect", strings.NewReader(url.Values{"token": {at}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("demo-gateway", gateway)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var intro map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&intro)
		resp.Body.Close()
		if intro["active"] != true || intro["client_id"] != "demo-bot" {
			t.Fatalf("introspection: %v", intro)
		}
	})

	t.Run("the printed authorize URL signs the demo user in to the demo web app", func(t *testing.T) {
		var authURL, verifier string
		for _, line := range strings.Split(banner, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, base+"/oauth2/auth?") {
				authURL = line
			}
			if _, after, ok := strings.Cut(line, "code_verifier="); ok {
				verifier = strings.Fields(after)[0]
			}
		}
		creds := strings.Fields(strings.TrimPrefix(strings.TrimSpace(banner[strings.Index(banner, "demo user"):]), "demo user"))
		if authURL == "" || verifier == "" || len(creds) < 3 {
			t.Fatalf("banner lacks the authorize URL, the verifier or the demo credentials:\n%s", banner)
		}
		b := newBrowser(t, base, "http://127.0.0.1:5555/callback")
		pg := b.get(authURL)
		pg = b.submit(pg, map[string]string{"email": creds[0], "password": creds[2]})
		pg = b.submit(pg, map[string]string{"decision": "allow"})
		loc, err := url.Parse(pg.location)
		if err != nil || loc.Query().Get("code") == "" {
			t.Fatalf("no code: %d %q", pg.status, pg.location)
		}
		form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
			"redirect_uri": {"http://127.0.0.1:5555/callback"}, "code_verifier": {verifier}}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, base+"/oauth2/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("demo-web", field(t, banner, "demo-web"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var tok map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || tok["id_token"] == nil || tok["refresh_token"] == nil {
			t.Fatalf("token exchange: %d %v", resp.StatusCode, tok)
		}
	})

	t.Run("secrets and tokens never reach the log", func(t *testing.T) {
		l := logs.String()
		if !strings.Contains(l, "bootstrap client applied") {
			t.Fatalf("no log captured:\n%s", l)
		}
		if strings.Contains(l, bot) || strings.Contains(l, gateway) || strings.Contains(l, "tkm_") {
			t.Fatalf("a secret or token appears in the log:\n%s", l)
		}
	})
}
