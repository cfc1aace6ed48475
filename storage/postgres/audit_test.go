package postgres_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// TestAuditRecordsAreAppendOnly: SQL run on the database, not through the
// store, cannot change or delete a record, nor seal one twice; only
// sealing an unsealed record and pruning get through.
func TestAuditRecordsAreAppendOnly(t *testing.T) {
	url := pgtest.URL(t)
	ctx := t.Context()
	s, err := postgres.Open(ctx, postgres.Config{URL: url, MaxConns: 4, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	for _, action := range []string{"signin", "consent.granted"} {
		if _, err := s.AppendAudit(ctx, storage.AuditRecord{Time: time.Now(), Action: action, Outcome: "success", Subject: "u1"}); err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)

	refused := func(what, sql string) {
		t.Helper()
		_, err := conn.Exec(ctx, sql)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want the append-only refusal", what, err)
		}
	}
	refused("changing a record", `UPDATE audit_records SET outcome = 'failure' WHERE action = 'signin'`)
	refused("changing and sealing at once", `UPDATE audit_records SET outcome = 'failure', seq = 99, hash = '\x01' WHERE action = 'signin'`)
	refused("deleting an unsealed record", `DELETE FROM audit_records WHERE action = 'signin'`)
	refused("truncating", `TRUNCATE audit_records`)

	if _, err := s.SealAudit(ctx, 10, func(head storage.AuditLink, recs []storage.AuditRecord) ([][]byte, error) {
		out := make([][]byte, len(recs))
		for i := range recs {
			out[i] = []byte{byte(i + 1)}
		}
		return out, nil
	}); err != nil {
		t.Fatalf("sealing through the store: %v", err)
	}
	refused("sealing again", `UPDATE audit_records SET seq = seq + 100 WHERE action = 'signin'`)
	refused("deleting a sealed record outside pruning", `DELETE FROM audit_records WHERE action = 'signin'`)

	recs, err := s.ListAudit(ctx, storage.AuditFilter{}, storage.AuditCursor{}, 10)
	if err != nil || len(recs) != 2 {
		t.Fatalf("records after the refusals: %d, %v; want both", len(recs), err)
	}
	for _, r := range recs {
		if r.Outcome != "success" || r.Seq == 0 {
			t.Errorf("record %s after the refusals: outcome %s, seq %d", r.Action, r.Outcome, r.Seq)
		}
	}
}

// BenchmarkAuditList pages through 1,000,000 authorization records, as the
// admin console does: newest first, filtered, from the start and from deep
// in the table (keyset pagination). The records span 10,000 users, 50 apps
// and 12 actions over about eleven days; 5% are failures.
func BenchmarkAuditList(b *testing.B) {
	url := pgtest.URL(b)
	ctx := b.Context()
	s, err := postgres.Open(ctx, postgres.Config{URL: url, MaxConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	const rows = 1_000_000
	end := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	if _, err := conn.Exec(ctx, `
		INSERT INTO audit_records (at, action, outcome, reason, actor_type, actor_id, subject, client_id, scopes, client_ip, user_agent, request_id)
		SELECT $1::timestamptz - make_interval(secs => $2 - i),
		       (ARRAY['signin','token.issued','consent.granted','consent.withdrawn','token.revoked','signout',
		              'mfa.enrolled','app.changed','secret.rotated','user.role_changed','lockout','token.refresh_reuse'])[1 + i % 12],
		       CASE WHEN i % 20 = 0 THEN 'failure' ELSE 'success' END,
		       CASE WHEN i % 20 = 0 THEN 'wrong_password' ELSE '' END,
		       'user', 'u' || (i % 10000), 'u' || (i % 10000), 'app-' || (i % 50),
		       ARRAY['openid', 'im:messages.read'], '198.51.100.' || (i % 250), 'IMDesk/3.1', md5(i::text)
		FROM generate_series(1, $2) AS i`, end, rows); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE audit_records`); err != nil {
		b.Fatal(err)
	}
	// A cursor half-way down the table, as after many "older" pages.
	mid := storage.AuditCursor{Time: end.Add(-rows / 2 * time.Second), ID: rows / 2}
	cases := []struct {
		name  string
		f     storage.AuditFilter
		after storage.AuditCursor
	}{
		{"newest", storage.AuditFilter{}, storage.AuditCursor{}},
		{"newest/deep", storage.AuditFilter{}, mid},
		{"user", storage.AuditFilter{Subject: "u4242"}, storage.AuditCursor{}},
		{"user/deep", storage.AuditFilter{Subject: "u4242"}, mid},
		{"app+action", storage.AuditFilter{ClientID: "app-7", Actions: []string{"token.issued"}}, storage.AuditCursor{}},
		{"actions", storage.AuditFilter{Actions: []string{"token.revoked", "consent.withdrawn"}}, storage.AuditCursor{}},
		{"failures", storage.AuditFilter{Outcome: "failure"}, storage.AuditCursor{}},
		{"day", storage.AuditFilter{From: end.Add(-72 * time.Hour), To: end.Add(-48 * time.Hour)}, storage.AuditCursor{}},
		{"user+failures+week", storage.AuditFilter{Subject: "u20", Outcome: "failure", From: end.Add(-7 * 24 * time.Hour)}, storage.AuditCursor{}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				recs, err := s.ListAudit(ctx, c.f, c.after, 50)
				if err != nil {
					b.Fatal(err)
				}
				if len(recs) == 0 {
					b.Fatal("an empty page")
				}
			}
		})
	}
}
