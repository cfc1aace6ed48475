package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/janitor"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// seedExpiring stores, through the store, a client, a user, and tokens,
// sessions and a flow on both sides of their expiry; it returns, for each
// record, whether the janitor must delete it.
func seedExpiring(t *testing.T, store *postgres.Store) map[string]bool {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Second)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(store.CreateClient(ctx, storage.Client{ID: "chat", Name: "Chat", Type: storage.ClientConfidential}))
	must(store.CreateUser(ctx, storage.User{ID: "u1", Email: "ann@example.com", Status: storage.UserActive}))
	token := func(kind storage.TokenKind, sig string, expires time.Time) {
		must(store.CreateToken(ctx, storage.Token{Kind: kind, Signature: sig, RequestID: "fam", ClientID: "chat", Subject: "u1", Active: true, ExpiresAt: expires, Session: []byte("{}")}))
	}
	token(storage.KindAuthorizeCode, "code", now.Add(-2*time.Hour))
	token(storage.KindAccessToken, "at-old", now.Add(-time.Hour))
	token(storage.KindAccessToken, "at-new", now.Add(time.Hour))
	token(storage.KindRefreshToken, "rt-rotated", now.Add(700*time.Hour))
	_, err := store.RotateRefreshToken(ctx, "fam", "rt-rotated", time.Now(), 0)
	must(err)
	token(storage.KindRefreshToken, "rt-expired", now.Add(-time.Hour))
	must(store.CreateLoginSession(ctx, storage.LoginSession{ID: "ls-old", UserID: "u1", CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-24 * time.Hour)}))
	must(store.CreateLoginSession(ctx, storage.LoginSession{ID: "ls-live", UserID: "u1", CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)}))
	must(store.CreateFlow(ctx, storage.Flow{ID: "f-old", ClientID: "chat", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-45 * time.Minute)}))
	return map[string]bool{
		"authorize_code code": true, "access_token at-old": true, "access_token at-new": false,
		"refresh_token rt-rotated": false, "refresh_token rt-expired": true,
		"session ls-old": true, "session ls-live": false, "flow f-old": true,
	}
}

// stillThere says whether the record seedExpiring named is stored.
func stillThere(t *testing.T, store *postgres.Store, name string) bool {
	t.Helper()
	ctx := t.Context()
	kind, id, _ := strings.Cut(name, " ")
	var err error
	switch kind {
	case "session":
		_, err = store.GetLoginSession(ctx, id)
	case "flow":
		_, err = store.GetFlow(ctx, id)
	default:
		_, err = store.GetToken(ctx, storage.TokenKind(kind), id)
	}
	return err == nil
}

func TestJanitorCommand(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	path := configFile(t, vars)
	store := storeOf(t, vars)
	want := seedExpiring(t, store)

	t.Run("does nothing while another node runs a round", func(t *testing.T) {
		unlock, ok, err := store.TryLock(t.Context(), janitor.LockName)
		if err != nil || !ok {
			t.Fatalf("take the lock: %v, %v", ok, err)
		}
		defer unlock()
		r := mustRun(t, nil, "", "janitor", "--config", path)
		if !strings.Contains(r.stdout, "another node") {
			t.Fatalf("printed %q", r.stdout)
		}
		if !stillThere(t, store, "access_token at-old") {
			t.Fatal("deleted while another node held the lock")
		}
	})

	t.Run("deletes what expired and prints the counts", func(t *testing.T) {
		r := mustRun(t, nil, "", "janitor", "--config", path)
		for _, line := range []string{`tokens\s+3`, `login_sessions\s+1`, `flows\s+1`, `links\s+0`, `jtis\s+0`, `counters\s+0`, `total\s+5`} {
			if !regexp.MustCompile(`(?m)^` + line + `$`).MatchString(r.stdout) {
				t.Errorf("no line %q in:\n%s", line, r.stdout)
			}
		}
		for name, gone := range want {
			if stillThere(t, store, name) == gone {
				t.Errorf("%s still there = %v, want %v", name, !gone, !gone)
			}
		}
		if tok, err := store.GetToken(t.Context(), storage.KindRefreshToken, "rt-rotated"); err != nil || tok.Active {
			t.Errorf("the rotated refresh token: %+v, %v; want it kept, inactive", tok, err)
		}
	})

	t.Run("a second round finds nothing", func(t *testing.T) {
		r := mustRun(t, nil, "", "janitor", "--config", path)
		if !regexp.MustCompile(`(?m)^total\s+0$`).MatchString(r.stdout) {
			t.Fatalf("printed:\n%s", r.stdout)
		}
	})

	t.Run("refuses the memory store and stray arguments", func(t *testing.T) {
		memVars := map[string]string{"TOKENIM_ISSUER": "http://127.0.0.1:8080", "TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": adminSystemSecret}
		if r := runCmd(t, memVars, "", "janitor"); r.code != 2 || !strings.Contains(r.stderr, "needs the Postgres database") {
			t.Fatalf("on the memory store: exit %d, stderr %q", r.code, r.stderr)
		}
		if r := runCmd(t, vars, "", "janitor", "now"); r.code != 2 {
			t.Fatalf("with a stray argument: exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

func TestServeRunsTheJanitor(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	store := storeOf(t, vars)
	want := seedExpiring(t, store)
	_, _, logs := startServe(t, vars, "--listen", "127.0.0.1:0")
	// The first round runs as serve starts; flows are purged after
	// tokens and sessions.
	deadline := time.Now().Add(30 * time.Second)
	for stillThere(t, store, "flow f-old") {
		if time.Now().After(deadline) {
			t.Fatalf("serve's janitor did not delete the expired flow within 30s:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for name, gone := range want {
		if stillThere(t, store, name) == gone {
			t.Errorf("%s still there = %v, want %v", name, !gone, !gone)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"purged expired records","area":"tokens","deleted":3`) {
		t.Errorf("no log line for the tokens:\n%s", logs.String())
	}
}
