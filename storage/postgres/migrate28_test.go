package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// seedVersion28 writes, in the SQL of the schema that gave login sessions
// the upstream they came from, a session signed in through a connector,
// and returns a check that an upstream's logout still finds it through
// the store.
func seedVersion28(t *testing.T, s *postgres.Store, url string) func(t *testing.T) {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	execAt(t, url, "seed version 28", at,
		`INSERT INTO users (id, email, status, created_at) VALUES ('u28', 'gina@example.com', 'active', $1)`,
		`INSERT INTO login_sessions (id, user_id, auth_time, amr, acr, created_at, expires_at, upstream, upstream_subject, upstream_sid)
		 VALUES ('sess28', 'u28', $1, '{fed}', '1', $1, $1::timestamptz + interval '1 hour', 'corp', 'gina-7', 'op-sid-28')`)
	return func(t *testing.T) {
		t.Helper()
		ctx := context.WithoutCancel(t.Context())
		for _, by := range [][2]string{{"gina-7", ""}, {"", "op-sid-28"}, {"gina-7", "op-sid-28"}} {
			l, err := s.ListUpstreamSessions(ctx, "corp", by[0], by[1])
			if err != nil || len(l) != 1 || l[0].ID != "sess28" || l[0].UserID != "u28" || l[0].Upstream != "corp" ||
				l[0].UpstreamSubject != "gina-7" || l[0].UpstreamSID != "op-sid-28" {
				t.Errorf("sessions of corp by %q: %+v, %v", by, l, err)
			}
		}
	}
}
