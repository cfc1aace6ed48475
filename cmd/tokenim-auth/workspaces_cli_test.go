package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// An operator creates a workspace with its first owner on the command
// line, lists and shows it; a bad or taken handle and an unknown owner
// exit 2 naming the flag, and the creation is an authorization record.
func TestWorkspacesCommand(t *testing.T) {
	t.Parallel()
	p := startProvider(t, pgtest.MigratedURL(t))
	created := mustRun(t, p.vars, "", "workspaces", "create", "--config", p.config, "--handle", "Acme", "--name", "Acme Corp", "--owner", annEmail, "--output", "json").stdout
	var made struct{ ID, Handle, Name string }
	if err := json.Unmarshal([]byte(created), &made); err != nil || made.Handle != "acme" || made.Name != "Acme Corp" || made.ID == "" {
		t.Fatalf("workspaces create printed %q (%v)", created, err)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--handle", "acme", "--name", "Again"}, `--handle: the handle "acme" is taken`},
		{[]string{"--handle", "a", "--name", "X"}, "--handle:"},
		{[]string{"--handle", "ok-handle", "--name", ""}, "--name:"},
		{[]string{"--handle", "ok-handle", "--name", "X", "--owner", "nobody@example.com"}, "--owner:"},
	} {
		r := runCmd(t, p.vars, "", append([]string{"workspaces", "create", "--config", p.config}, c.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, c.says) {
			t.Errorf("workspaces create %v: exit %d, stderr %q; want 2 saying %q", c.args, r.code, r.stderr, c.says)
		}
	}

	type row struct {
		Handle  string
		Members int
	}
	var rows []row
	if err := json.Unmarshal([]byte(mustRun(t, p.vars, "", "workspaces", "list", "--config", p.config, "--output", "json").stdout), &rows); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(rows, row{"acme", 1}) || !slices.ContainsFunc(rows, func(r row) bool { return r.Handle == storage.DefaultWorkspaceID }) {
		t.Errorf("workspaces list: %+v, want acme with its one member, and default", rows)
	}

	shown := mustRun(t, p.vars, "", "workspaces", "show", "--config", p.config, "acme").stdout
	for _, want := range []string{"workspace acme (Acme Corp), ID " + made.ID, "two-step verification required: false", annEmail, "owner"} {
		if !strings.Contains(shown, want) {
			t.Errorf("workspaces show does not say %q:\n%s", want, shown)
		}
	}
	if r := runCmd(t, p.vars, "", "workspaces", "show", "--config", p.config, "nope"); r.code == 0 || !strings.Contains(r.stderr, `no workspace with handle "nope"`) {
		t.Errorf("workspaces show nope: exit %d, %q", r.code, r.stderr)
	}

	recs, err := storeOf(t, p.vars).ListAudit(t.Context(), storage.AuditFilter{Actions: []string{audit.WorkspaceCreated}}, storage.AuditCursor{}, 10)
	if err != nil || len(recs) != 1 || recs[0].ActorType != audit.ActorCLI || recs[0].WorkspaceID != made.ID || recs[0].Seq == 0 {
		t.Fatalf("records of the creation: %+v (%v), want one by the command line, sealed, naming the workspace", recs, err)
	}
}
