package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// seedVersion26 writes, in the SQL of the schema that gave device
// authorization requests a workspace, a request approved for one, and
// returns a check that reads it back through the store.
func seedVersion26(t *testing.T, s *postgres.Store, url string) func(t *testing.T) {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	execAt(t, url, "seed version 26", at,
		`INSERT INTO clients (id, name, type, redirect_uris, grant_types, scopes, created_at, updated_at)
		 VALUES ('app26', 'TV', 'public', '{}', '{urn:ietf:params:oauth:grant-type:device_code}', '{openid}', $1, $1)`,
		`INSERT INTO device_authorizations (device_code_signature, user_code_signature, request_id, client_id, scopes,
		     status, interval_ms, user_id, granted_scopes, decided_at, created_at, expires_at, workspace_id)
		 VALUES ('dev26', 'user26', 'req26', 'app26', '{openid}', 'approved', 5000, 'u26', '{openid}',
		     $1, $1, $1::timestamptz + interval '10 minutes', 'w26')`)
	return func(t *testing.T) {
		t.Helper()
		ctx := context.WithoutCancel(t.Context())
		d, err := s.GetDeviceAuthorization(ctx, "dev26")
		if err != nil || d.WorkspaceID != "w26" || d.Status != storage.DeviceApproved || d.UserID != "u26" || d.ClientID != "app26" {
			t.Errorf("device authorization: %+v, %v", d, err)
		}
	}
}
