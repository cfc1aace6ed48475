package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// seedVersion23 writes, in the SQL of the schema that gave tokens and
// flows a workspace, a token of a workspace and a flow that picked one,
// and returns a check that reads them back through the store.
func seedVersion23(t *testing.T, s *postgres.Store, url string) func(t *testing.T) {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	execAt(t, url, "seed version 23", at,
		`INSERT INTO clients (id, name, type, redirect_uris, grant_types, scopes, created_at, updated_at)
		 VALUES ('app23', 'Chat', 'confidential', '{https://chat.example/cb}', '{authorization_code}', '{openid}', $1, $1)`,
		`INSERT INTO tokens (kind, signature, request_id, client_id, subject, scopes, active, requested_at, access_signature, session, workspace_id)
		 VALUES ('access_token', 'sig23', 'req23', 'app23', 'u23', '{openid}', true, $1, '', '{}', 'w23')`,
		`INSERT INTO flows (id, client_id, query, created_at, expires_at, workspace_id)
		 VALUES ('flow23', 'app23', 'a=b', $1, $1::timestamptz + interval '1 minute', 'w23')`)
	return func(t *testing.T) {
		t.Helper()
		ctx := context.WithoutCancel(t.Context())
		tok, err := s.GetToken(ctx, storage.KindAccessToken, "sig23")
		if err != nil || tok.WorkspaceID != "w23" {
			t.Errorf("token: %+v, %v", tok, err)
		}
		f, err := s.GetFlow(ctx, "flow23")
		if err != nil || f.WorkspaceID != "w23" {
			t.Errorf("flow: %+v, %v", f, err)
		}
	}
}
