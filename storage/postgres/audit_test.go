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

// TestAuditRecordsAreAppendOnly: SQL run on the database, not through the
// store, cannot change or delete a record, nor seal one twice; only
// sealing an unsealed record and pruning get through.
func TestAuditRecordsAreAppendOnly(t *testing.T) {
	t.Parallel()
	url := pgtest.MigratedURL(t)
	ctx := t.Context()
	s, err := postgres.Open(ctx, postgres.Config{URL: url, MaxConns: 4, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(s.Close)
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
