package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// seedVersion21 writes, in the SQL of the schema that gave memberships
// what a provisioning client says of them (SCIM), a membership with an
// external ID that is suspended, and one the directory said nothing of,
// and returns a check that reads them back through the store.
func seedVersion21(t *testing.T, s *postgres.Store, url string) func(t *testing.T) {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	execAt(t, url, "seed version 21", at,
		`INSERT INTO users (id, email, status, created_at) VALUES
		    ('u21', 'erin@example.com', 'active', $1),
		    ('u21b', 'frank@example.com', 'active', $1)`,
		`INSERT INTO workspaces (id, handle, name, policy, created_at, updated_at)
		 VALUES ('w21', 'globex', 'Globex', '{}', $1, $1)`,
		`INSERT INTO workspace_members (workspace_id, user_id, role, joined_at, external_id, suspended)
		 VALUES ('w21', 'u21', 'member', $1, 'entra-0021', true)`,
		`INSERT INTO workspace_members (workspace_id, user_id, role, joined_at)
		 VALUES ('w21', 'u21b', 'admin', $1)`)
	return func(t *testing.T) {
		t.Helper()
		ctx := context.WithoutCancel(t.Context())
		for _, want := range []storage.Member{
			{WorkspaceID: "w21", UserID: "u21", Role: storage.WorkspaceMember, JoinedAt: at, ExternalID: "entra-0021", Suspended: true},
			{WorkspaceID: "w21", UserID: "u21b", Role: storage.WorkspaceAdmin, JoinedAt: at},
		} {
			m, err := s.GetMember(ctx, want.WorkspaceID, want.UserID)
			if diff := cmp.Diff(want, m); err != nil || diff != "" {
				t.Errorf("member %s: %v (-seeded +read):\n%s", want.UserID, err, diff)
			}
		}
	}
}
