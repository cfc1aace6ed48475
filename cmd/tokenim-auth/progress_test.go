package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// runTerminal is runCmd with stdout taken for a terminal, where the long
// commands show their progress.
func runTerminal(t *testing.T, vars map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(t.Context(), args, env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb, lookup: lookupIn(vars), terminal: true,
	})
	return result{code, out.String(), errb.String()}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	t.Run("migrate counts the migrations it applies on a terminal only", func(t *testing.T) {
		t.Parallel()
		r := runTerminal(t, adminVars(t), "migrate")
		counts := regexp.MustCompile(`applying migrations: (\d+) of (\d+)`).FindAllStringSubmatch(r.stderr, -1)
		if r.code != 0 || r.stdout != "database schema is up to date\n" || len(counts) < 2 ||
			counts[0][1] != "1" || counts[len(counts)-1][1] != counts[len(counts)-1][2] || !strings.Contains(r.stderr, "\r\x1b[K") {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if r := mustRun(t, adminVars(t), "", "migrate"); strings.Contains(r.stderr, "\r") {
			t.Fatalf("off a terminal migrate showed progress: %q", r.stderr)
		}
	})

	t.Run("janitor counts what it deletes on a terminal only", func(t *testing.T) {
		t.Parallel()
		vars := migratedVars(t)
		seedExpiring(t, storeOf(t, vars))
		r := runTerminal(t, vars, "janitor")
		if r.code != 0 || !regexp.MustCompile(`(?m)^total\s+5$`).MatchString(r.stdout) ||
			!strings.Contains(r.stderr, "\r\x1b[Kdeleting expired records: tokens, 3 deleted") || !strings.HasSuffix(r.stderr, "\r\x1b[K") {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if r := mustRun(t, vars, "", "janitor"); r.stderr != "" {
			t.Fatalf("off a terminal janitor showed progress: %q", r.stderr)
		}
	})

	t.Run("audit verify and export count records on a terminal, quiet when the records go to stdout or are JSON", func(t *testing.T) {
		t.Parallel()
		vars := migratedVars(t)
		createClient(t, vars, "--id", "gateway", "--name", "Gateway", "--type", "resource_server")
		dir := t.TempDir()

		r := runTerminal(t, vars, "audit", "verify")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "chain verified: 2 records") ||
			!strings.Contains(r.stderr, "\r\x1b[Kverifying the chain: 2 records") || !strings.HasSuffix(r.stderr, "\r\x1b[K") {
			t.Fatalf("verify: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
		if r := mustRun(t, vars, "", "audit", "verify"); r.stderr != "" {
			t.Fatalf("off a terminal verify showed progress: %q", r.stderr)
		}

		out := filepath.Join(dir, "records.csv")
		r = runTerminal(t, vars, "audit", "export", "--out", out)
		if r.code != 0 || !strings.Contains(r.stderr, "\r\x1b[Kexporting: 2 records\r\x1b[K2 records written to "+out+"\n") {
			t.Fatalf("export --out: exit %d, stderr %q", r.code, r.stderr)
		}
		if b, err := os.ReadFile(out); err != nil || strings.Count(string(b), "\n") != 3 {
			t.Fatalf("exported %q, %v", b, err)
		}
		for _, args := range [][]string{
			{"audit", "export"},
			{"audit", "export", "--format", "jsonl"},
			{"audit", "export", "--format", "jsonl", "--out", filepath.Join(dir, "records.jsonl")},
		} {
			r := runTerminal(t, vars, args...)
			if r.code != 0 || strings.Contains(r.stderr, "\r") || strings.Contains(r.stdout, "\r") {
				t.Fatalf("%v showed progress: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
			}
		}
	})
}
