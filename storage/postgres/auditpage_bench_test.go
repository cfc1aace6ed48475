package postgres_test

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// auditRows is how many authorization records BenchmarkAuditPage seeds.
const auditRows = 1_000_000

// BenchmarkAuditPage measures one page of the admin console's records
// (ListAudit, 51 rows: a page and the look-ahead for "Older") over a
// million records: 20,000 users, 40 apps, 5 actions, about 2% failures, one
// record every 15 seconds from 2026-01-01. Each filter reads only the rows
// it shows through an index in (filter, at, id) order; the deep pages
// start from a cursor, as the "Older" link does, never with OFFSET. The
// plan of each query is logged (-v). Seeding takes a while: run it with
// make bench, or
//
//	go test ./storage/postgres -run '^$' -bench AuditPage -benchtime 200x -v
func BenchmarkAuditPage(b *testing.B) {
	ctx := b.Context()
	url := pgtest.MigratedURL(b)
	s, err := postgres.Open(ctx, postgres.Config{URL: url, MaxConns: 4, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	start := time.Now()
	if _, err := conn.Exec(ctx, `
		INSERT INTO audit_records (at, action, outcome, actor_type, actor_id, subject, client_id, scopes, client_ip, user_agent, request_id)
		SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '15 seconds',
		       (ARRAY['signin', 'token.issued', 'consent.granted', 'consent.withdrawn', 'token.revoked'])[1 + g % 5],
		       CASE WHEN g % 47 = 0 THEN 'failure' ELSE 'success' END,
		       'user', 'u' || (g % 20000), 'u' || (g % 20000), 'app-' || (g % 40),
		       ARRAY['openid', 'im:messages.read'], '203.0.113.' || (g % 250), 'Mozilla/5.0', 'req-' || g
		FROM generate_series(1, $1::int) g`, auditRows); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE audit_records`); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d records in %s", auditRows, time.Since(start).Round(time.Millisecond))

	// A cursor half-way through: the page the "Older" link reaches after
	// about 10,000 pages.
	middle := storage.AuditCursor{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(auditRows / 2 * 15 * time.Second), ID: auditRows / 2}
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, bc := range []struct {
		name   string
		filter storage.AuditFilter
		after  storage.AuditCursor
		// sql is the query ListAudit sends, for EXPLAIN.
		sql string
	}{
		{"newest", storage.AuditFilter{}, storage.AuditCursor{},
			`SELECT id FROM audit_records ORDER BY at DESC, id DESC LIMIT 51`},
		{"newest/deep", storage.AuditFilter{}, middle,
			`SELECT id FROM audit_records WHERE (at, id) < ('2026-03-29 19:00:00+00', 500000) ORDER BY at DESC, id DESC LIMIT 51`},
		{"user", storage.AuditFilter{Subject: "u4242"}, storage.AuditCursor{},
			`SELECT id FROM audit_records WHERE subject = 'u4242' ORDER BY at DESC, id DESC LIMIT 51`},
		{"user+action", storage.AuditFilter{Subject: "u4242", Actions: []string{"consent.granted"}}, storage.AuditCursor{},
			`SELECT id FROM audit_records WHERE subject = 'u4242' AND action = 'consent.granted' ORDER BY at DESC, id DESC LIMIT 51`},
		{"app+failure", storage.AuditFilter{ClientID: "app-7", Outcome: "failure"}, storage.AuditCursor{},
			`SELECT id FROM audit_records WHERE client_id = 'app-7' AND outcome = 'failure' ORDER BY at DESC, id DESC LIMIT 51`},
		{"action/deep", storage.AuditFilter{Actions: []string{"token.revoked"}}, middle,
			`SELECT id FROM audit_records WHERE action = 'token.revoked' AND (at, id) < ('2026-03-29 19:00:00+00', 500000) ORDER BY at DESC, id DESC LIMIT 51`},
		{"one-day", storage.AuditFilter{From: day, To: day.Add(24 * time.Hour)}, storage.AuditCursor{},
			`SELECT id FROM audit_records WHERE at >= '2026-03-01' AND at < '2026-03-02' ORDER BY at DESC, id DESC LIMIT 51`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var plan []string
			rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "+bc.sql)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					b.Fatal(err)
				}
				plan = append(plan, line)
			}
			if err := rows.Err(); err != nil {
				b.Fatal(err)
			}
			b.Logf("plan:\n%s", strings.Join(plan, "\n"))
			for b.Loop() {
				recs, err := s.ListAudit(ctx, bc.filter, bc.after, 51)
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
