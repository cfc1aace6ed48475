package main

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

const otherSecret = "another-system-secret-0123456789abcd"

// serveRefused runs serve and reports its exit code and log; a serve that
// starts listening is stopped and fails the test.
func serveRefused(t *testing.T, vars map[string]string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	logs := &syncBuffer{}
	started := false
	code := run(ctx, append([]string{"serve"}, args...), env{
		stdin: strings.NewReader(""), stdout: &syncBuffer{}, stderr: logs, lookup: lookupIn(vars),
		ready: func(string) { started = true; cancel() },
	})
	if started {
		t.Fatalf("serve started:\n%s", logs.String())
	}
	return code, logs.String()
}

// A node started on a Postgres store with another system secret than the
// one the store was set up with does not start, and says which setting
// and what to do; keys rotate refuses too, sealing no key under it.
func TestWrongSystemSecretRefusedAtStart(t *testing.T) {
	p := startProvider(t, pgtest.URL(t))
	wrong := maps.Clone(p.vars)
	wrong["TOKENIM_SECRETS_SYSTEM"] = otherSecret

	code, logs := serveRefused(t, wrong, "--config", p.config, "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(logs, "secrets.system") || !strings.Contains(logs, "start every node with that secret") {
		t.Fatalf("serve with another secret: exit %d, want non-zero naming secrets.system and what to do:\n%s", code, logs)
	}

	before, err := storeOf(t, p.vars).ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, wrong, "", "keys", "rotate", "--config", p.config)
	if r.code == 0 || !strings.Contains(r.stderr, "secrets.system") {
		t.Fatalf("keys rotate with another secret: exit %d, want non-zero naming secrets.system:\n%s", r.code, r.stderr)
	}
	after, err := storeOf(t, p.vars).ListSigningKeys(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("keys rotate with another secret stored a key: %d keys, had %d", len(after), len(before))
	}

	// The right secret still starts.
	_, _, _, stop := launchServe(t, p.vars, "--config", p.config, "--listen", "127.0.0.1:0")
	stop()
}

// readiness reads /health/ready's status.
func readiness(t *testing.T, issuer string) (int, string) {
	t.Helper()
	resp, err := http.Get(issuer + "/health/ready")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Status string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body.Status
}

// A running node whose current signing key stops opening (another node,
// started with another secret before the start check, rotated it) is no
// longer ready; the memory store's node, whose key it made, is.
func TestReadyOnlyWhenSigning(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		p := startProvider(t, "memory")
		if code, status := readiness(t, p.issuer); code != http.StatusOK || status != "ok" {
			t.Fatalf("ready: %d %q, want 200 ok:\n%s", code, status, p.logs.String())
		}
	})
	t.Run("postgres", func(t *testing.T) {
		p := startProvider(t, pgtest.URL(t))
		if code, status := readiness(t, p.issuer); code != http.StatusOK || status != "ok" {
			t.Fatalf("ready before: %d %q, want 200 ok:\n%s", code, status, p.logs.String())
		}
		// A key sealed under another secret becomes current in the store.
		ring, err := secret.NewKeyring(otherSecret)
		if err != nil {
			t.Fatal(err)
		}
		elsewhere := memory.New()
		km, err := keys.New(keys.Config{Store: elsewhere, SealKey: ring.Derive(secret.PurposeSigningKeys), Algorithm: keys.ES256})
		if err != nil {
			t.Fatal(err)
		}
		if err := km.Ensure(t.Context()); err != nil {
			t.Fatal(err)
		}
		sealed, err := elsewhere.ListSigningKeys(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if err := storeOf(t, p.vars).RotateSigningKey(t.Context(), sealed[0], time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// The node re-reads its keys every second (keys.refresh: 1s).
		deadline := time.Now().Add(10 * time.Second)
		for {
			code, status := readiness(t, p.issuer)
			if code == http.StatusServiceUnavailable && status == "unavailable" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("ready with an unusable signing key: %d %q", code, status)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
