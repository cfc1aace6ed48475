package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// seedVersion22 writes, in the SQL of the schema that let workspace
// admins manage their workspaces, an authorization record naming a
// workspace and an admin client bound to one, and returns a check that
// reads them back through the store.
func seedVersion22(t *testing.T, s *postgres.Store, url string) func(t *testing.T) {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	execAt(t, url, "seed version 22", at,
		`INSERT INTO clients (id, name, type, redirect_uris, grant_types, scopes, created_at, updated_at, workspace_id)
		 VALUES ('app22', 'Acme admin', 'confidential', '{}', '{client_credentials}', '{admin}', $1, $1, 'w22')`,
		`INSERT INTO audit_records (at, action, outcome, subject, workspace_id)
		 VALUES ($1, 'workspace.member_added', 'success', 'u22', 'w22')`)
	return func(t *testing.T) {
		t.Helper()
		ctx := context.WithoutCancel(t.Context())
		c, err := s.GetClient(ctx, "app22")
		if err != nil || c.WorkspaceID != "w22" {
			t.Errorf("client: %+v, %v", c, err)
		}
		recs, err := s.ListAudit(ctx, storage.AuditFilter{WorkspaceID: "w22"}, storage.AuditCursor{}, 10)
		if err != nil || len(recs) != 1 || recs[0].WorkspaceID != "w22" || recs[0].Subject != "u22" || !recs[0].Time.Equal(at) {
			t.Errorf("records of the workspace: %+v, %v", recs, err)
		}
	}
}
