package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// seedVersion29 writes, in the SQL of the schema that gave login sessions
// the upstream's own methods, a session signed in through a connector
// that said how, and returns a check that the store still reads them back
// apart from our methods.
func seedVersion29(t *testing.T, s *postgres.Store, url string) func(t *testing.T) {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	execAt(t, url, "seed version 29", at,
		`INSERT INTO users (id, email, status, created_at) VALUES ('u29', 'hugo@example.com', 'active', $1)`,
		`INSERT INTO login_sessions (id, user_id, auth_time, amr, acr, created_at, expires_at, upstream, upstream_subject, upstream_sid, upstream_amr)
		 VALUES ('sess29', 'u29', $1, '{fed}', '1', $1, $1::timestamptz + interval '1 hour', 'corp', 'hugo-9', 'op-sid-29', '{pwd,mfa}')`)
	return func(t *testing.T) {
		t.Helper()
		ls, err := s.GetLoginSession(context.WithoutCancel(t.Context()), "sess29")
		if err != nil || !slices.Equal(ls.AMR, []string{"fed"}) || ls.ACR != "1" || ls.Upstream != "corp" ||
			!slices.Equal(ls.UpstreamAMR, []string{"pwd", "mfa"}) {
			t.Errorf("session sess29: %+v, %v", ls, err)
		}
	}
}
