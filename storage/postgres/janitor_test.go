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

// nodes opens n stores on one fresh, migrated schema: n nodes of one
// deployment, each with its own pool. It returns them and the schema's URL.
func nodes(t *testing.T, n int) ([]*postgres.Store, string) {
	t.Helper()
	url := pgtest.MigratedURL(t)
	var out []*postgres.Store
	for range n {
		s, err := postgres.Open(t.Context(), postgres.Config{
			URL:      url,
			MaxConns: 4,
			Logger:   slog.New(slog.NewTextHandler(t.Output(), nil)),
		})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(s.Close)
		out = append(out, s)
	}
	return out, url
}

func tryLock(t *testing.T, s *postgres.Store, name string) (func(), bool) {
	t.Helper()
	unlock, ok, err := s.TryLock(t.Context(), name)
	if err != nil {
		t.Fatalf("TryLock %s: %v", name, err)
	}
	if ok {
		// Released before the store closes (cleanups run last first), or
		// Close would wait for the connection the lock holds.
		t.Cleanup(unlock)
	}
	return unlock, ok
}

func TestTryLock(t *testing.T) {
	t.Parallel()
	n, _ := nodes(t, 2)
	a, b := n[0], n[1]

	unlock, ok := tryLock(t, a, "janitor")
	if !ok {
		t.Fatal("the first node did not get a free lock")
	}
	if _, ok := tryLock(t, b, "janitor"); ok {
		t.Fatal("the second node got the lock the first one holds")
	}
	if _, ok := tryLock(t, a, "janitor"); ok {
		t.Fatal("the first node got its own lock twice (a second connection is a second session)")
	}
	if _, ok := tryLock(t, b, "another"); !ok {
		t.Fatal("a lock of another name was held too")
	}
	if _, ok := tryLock(t, pgtest.Open(t), "janitor"); !ok {
		t.Fatal("a store on another schema shares the lock")
	}

	unlock()
	unlock() // a second call does nothing
	if _, ok := tryLock(t, b, "janitor"); !ok {
		t.Fatal("the second node did not get the lock once the first released it")
	}
	if _, ok := tryLock(t, a, "janitor"); ok {
		t.Fatal("the first node took the lock back from the second")
	}
}

// TestPurgeReadsNoWholeTable checks that an index serves the search of
// every area's purge: with sequential scans priced out, a plan still
// holding one has no index to use.
func TestPurgeReadsNoWholeTable(t *testing.T) {
	t.Parallel()
	_, url := nodes(t, 1)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	if _, err := conn.Exec(t.Context(), `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	for _, area := range storage.PurgeAreas() {
		rows, err := conn.Query(t.Context(), "EXPLAIN "+postgres.PurgeStatement(area), time.Now(), 500)
		if err != nil {
			t.Fatalf("explain purge %s: %v", area, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("explain purge %s: %v", area, err)
		}
		plan := strings.Join(lines, "\n")
		if strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, "Tid Scan") {
			t.Errorf("purge %s scans a whole table:\n%s", area, plan)
		}
	}
}

func TestPurgePassesOverRowsBeingChanged(t *testing.T) {
	t.Parallel()
	s := pgtest.Open(t)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	if err := s.SaveJTI(ctx, "jti", t0.Add(time.Minute), t0); err != nil {
		t.Fatal(err)
	}
	// The expired JTI is used again, in a transaction still open: its row
	// is locked and renewed.
	txCtx, err := s.BeginTx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Rollback(txCtx) })
	if err := s.SaveJTI(txCtx, "jti", t0.Add(time.Hour), t0.Add(2*time.Minute)); err != nil {
		t.Fatalf("renew: %v", err)
	}
	// The janitor neither waits for that transaction nor deletes the row.
	n, err := s.Purge(ctx, storage.PurgeJTIs, t0.Add(10*time.Minute), 10)
	if err != nil || n != 0 {
		t.Fatalf("purge during the renewal = %d, %v; want 0, nil", n, err)
	}
	if err := s.Commit(txCtx); err != nil {
		t.Fatal(err)
	}
	n, err = s.Purge(ctx, storage.PurgeJTIs, t0.Add(10*time.Minute), 10)
	if err != nil || n != 0 {
		t.Fatalf("purge after the renewal = %d, %v; want 0, nil", n, err)
	}
	if seen, err := s.SeenJTI(ctx, "jti", t0.Add(30*time.Minute)); err != nil || !seen {
		t.Fatalf("renewed JTI seen = %v, %v; want true", seen, err)
	}
}
