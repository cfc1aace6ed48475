package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/reqctx"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
)

var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// tampered is a store whose chain reads come back changed by edit, as if
// someone had changed the rows behind the provider's back.
type tampered struct {
	storage.Store
	edit func([]storage.AuditRecord) []storage.AuditRecord
}

func (s tampered) ChainAudit(ctx context.Context, after int64, limit int) ([]storage.AuditRecord, error) {
	recs, err := s.Store.ChainAudit(ctx, after, limit)
	return s.edit(recs), err
}

// filled returns a store holding n sealed records (sealed by a sealer
// with batches of 3, so the chain spans several seals) and the chain.
func filled(t *testing.T, n int) (*memory.Store, audit.Chain) {
	t.Helper()
	store := memory.New()
	chain := audit.NewChain([]byte("0123456789abcdef0123456789abcdef"))
	clock := t0
	rec := audit.NewRecorder(audit.RecorderConfig{Store: store, Now: func() time.Time { clock = clock.Add(time.Minute); return clock }})
	ctx := reqctx.With(t.Context(), "req-1", "198.51.100.4", "IMDesk/3.1 (Windows)")
	for i := range n {
		err := rec.Record(ctx, audit.Event{Action: audit.SignIn, Subject: fmt.Sprint("u", i%3), ClientID: "chat",
			Scopes: []string{"openid"}, Detail: map[string]string{"n": fmt.Sprint(i)}}.ByUser(fmt.Sprint("u", i%3)))
		if err != nil {
			t.Fatalf("record: %v", err)
		}
	}
	sealed, err := audit.NewSealer(audit.SealerConfig{Store: store, Chain: chain, Batch: 3}).SealAll(t.Context())
	if err != nil || sealed != n {
		t.Fatalf("sealed %d of %d: %v", sealed, n, err)
	}
	return store, chain
}

func TestRecorderFillsTheRequest(t *testing.T) {
	store := memory.New()
	kicked := 0
	rec := audit.NewRecorder(audit.RecorderConfig{Store: store, Now: func() time.Time { return t0.Add(1500 * time.Nanosecond) }, Appended: func() { kicked++ }})
	ctx := reqctx.With(t.Context(), "req-9", "203.0.113.9", strings.Repeat("é", 400))
	if err := rec.Record(ctx, audit.Event{Action: audit.ConsentGranted, Subject: "u1", ClientID: "chat", Scopes: []string{"openid"}}.ByUser("u1")); err != nil {
		t.Fatal(err)
	}
	got, err := store.ListAudit(t.Context(), storage.AuditFilter{}, storage.AuditCursor{}, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("records: %v, %v", got, err)
	}
	r := got[0]
	if r.Time != t0.Add(time.Microsecond) || r.Outcome != audit.Success || r.ActorType != audit.ActorUser || r.ActorID != "u1" ||
		r.ClientIP != "203.0.113.9" || r.RequestID != "req-9" || len(r.UserAgent) > 512 || !strings.HasPrefix(r.UserAgent, "éé") || kicked != 1 {
		t.Errorf("record %+v (kicked %d)", r, kicked)
	}
}

func TestVerify(t *testing.T) {
	cases := []struct {
		name string
		edit func([]storage.AuditRecord) []storage.AuditRecord
		want *audit.Problem
	}{
		{"a whole chain verifies", func(r []storage.AuditRecord) []storage.AuditRecord { return r }, nil},
		{"a changed outcome is named", func(r []storage.AuditRecord) []storage.AuditRecord {
			for i := range r {
				if r[i].Seq == 5 {
					r[i].Outcome = audit.Failure
				}
			}
			return r
		}, &audit.Problem{Kind: audit.ProblemAltered, Seq: 5, ID: 5}},
		{"a changed scope is named", func(r []storage.AuditRecord) []storage.AuditRecord {
			for i := range r {
				if r[i].Seq == 2 {
					r[i].Scopes = append(r[i].Scopes, "admin")
				}
			}
			return r
		}, &audit.Problem{Kind: audit.ProblemAltered, Seq: 2, ID: 2}},
		{"a hash replaced by the one of another record is named", func(r []storage.AuditRecord) []storage.AuditRecord {
			for i := range r {
				if r[i].Seq == 7 {
					r[i].Hash = r[0].Hash
				}
			}
			return r
		}, &audit.Problem{Kind: audit.ProblemAltered, Seq: 7, ID: 7}},
		{"a deleted record is named", func(r []storage.AuditRecord) []storage.AuditRecord {
			return slices.DeleteFunc(r, func(x storage.AuditRecord) bool { return x.Seq == 4 })
		}, &audit.Problem{Kind: audit.ProblemMissing, Seq: 4}},
		{"the first record deleted is named", func(r []storage.AuditRecord) []storage.AuditRecord {
			return slices.DeleteFunc(r, func(x storage.AuditRecord) bool { return x.Seq == 1 })
		}, &audit.Problem{Kind: audit.ProblemMissing, Seq: 1}},
		{"the last records deleted are named", func(r []storage.AuditRecord) []storage.AuditRecord {
			return slices.DeleteFunc(r, func(x storage.AuditRecord) bool { return x.Seq >= 9 })
		}, &audit.Problem{Kind: audit.ProblemMissing, Seq: 9}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			store, chain := filled(t, 10)
			rep, err := chain.Verify(t.Context(), tampered{store, c.edit}, 4)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == nil {
				if rep.Problem != nil || rep.Checked != 10 || rep.Head.Seq != 10 {
					t.Fatalf("clean chain: %+v", rep)
				}
				return
			}
			if rep.Problem == nil || *rep.Problem != *c.want {
				t.Fatalf("problem %+v, want %+v", rep.Problem, c.want)
			}
		})
	}
	t.Run("a chain signed with another key does not verify", func(t *testing.T) {
		store, _ := filled(t, 3)
		rep, err := audit.NewChain([]byte("another key, not the provider's!")).Verify(t.Context(), store, 100)
		if err != nil || rep.Problem == nil || rep.Problem.Seq != 1 || rep.Problem.Kind != audit.ProblemAltered {
			t.Fatalf("report %+v, %v", rep, err)
		}
	})
}

func TestPruneKeepsTheChainVerifiable(t *testing.T) {
	store, chain := filled(t, 10) // records at t0+1m … t0+10m
	n, err := audit.Prune(t.Context(), store, chain, t0.Add(4*time.Minute+30*time.Second), t0.Add(time.Hour), 2)
	if err != nil || n != 4 {
		t.Fatalf("pruned %d, %v; want 4", n, err)
	}
	rep, err := chain.Verify(t.Context(), store, 3)
	if err != nil || rep.Problem != nil || rep.Checked != 6 || rep.Pruned != 4 || rep.Start.Seq != 4 {
		t.Fatalf("after pruning: %+v, %v", rep, err)
	}
	// A forged checkpoint (moved on, to hide a record) does not verify.
	forged := forgedCheckpoint{store}
	rep, err = chain.Verify(t.Context(), forged, 3)
	if err != nil || rep.Problem == nil || rep.Problem.Kind != audit.ProblemCheckpoint {
		t.Fatalf("forged checkpoint: %+v, %v", rep, err)
	}
	if _, err := audit.Prune(t.Context(), forged, chain, t0.Add(time.Hour), t0.Add(time.Hour), 2); err == nil {
		t.Error("pruning after a forged checkpoint went ahead")
	}
}

type forgedCheckpoint struct{ *memory.Store }

func (s forgedCheckpoint) AuditChain(ctx context.Context) (storage.AuditChain, error) {
	c, err := s.Store.AuditChain(ctx)
	if c.Checkpoint != nil {
		c.Checkpoint.Link.Seq++
	}
	return c, err
}

func (s forgedCheckpoint) PruneAudit(ctx context.Context, before time.Time, limit int,
	cp func(storage.AuditRecord, int64, *storage.AuditCheckpoint) (storage.AuditCheckpoint, error)) (int, error) {
	return s.Store.PruneAudit(ctx, before, limit, func(last storage.AuditRecord, n int64, prev *storage.AuditCheckpoint) (storage.AuditCheckpoint, error) {
		if prev != nil {
			prev.Pruned += 100
		}
		return cp(last, n, prev)
	})
}

func TestExport(t *testing.T) {
	store, _ := filled(t, 2500)
	rec := audit.NewRecorder(audit.RecorderConfig{Store: store, Now: func() time.Time { return t0.Add(72 * time.Hour) }})
	if err := rec.Record(t.Context(), audit.Event{Action: audit.AppChanged, ClientID: "=HYPERLINK(\"x\")", Reason: "-2+3"}.ByUser("admin")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := audit.Export(t.Context(), store, storage.AuditFilter{}, audit.FormatCSV, &buf)
	if err != nil || n != 2501 {
		t.Fatalf("csv export: %d, %v", n, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 2502 {
		t.Fatalf("csv: %d rows, %v", len(rows), err)
	}
	if rows[0][0] != "id" || rows[1][2] != audit.AppChanged || rows[1][8] != `'=HYPERLINK("x")` || rows[1][4] != "'-2+3" || rows[1][14] != "" {
		t.Errorf("header %v, first row %v", rows[0], rows[1])
	}
	if last := rows[len(rows)-1]; last[0] != "1" || last[14] != "1" || len(last[15]) != 64 {
		t.Errorf("oldest row %v", last)
	}

	buf.Reset()
	n, err = audit.Export(t.Context(), store, storage.AuditFilter{Subject: "u1"}, audit.FormatJSONL, &buf)
	if err != nil || n != 833 {
		t.Fatalf("jsonl export of u1: %d, %v", n, err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var first audit.Record
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.Subject != "u1" || first.Seq == 0 || first.UserAgent != "IMDesk/3.1 (Windows)" {
		t.Errorf("first line %s: %+v, %v", lines[0], first, err)
	}
	if _, err := audit.Export(t.Context(), store, storage.AuditFilter{}, "xml", &buf); err == nil {
		t.Error("an unknown format was accepted")
	}
}

// Across a rotation of the system secret the chain goes on under the new
// key: records linked under the previous key, and a checkpoint it signed,
// verify while it is kept (and are counted as needing it), and no longer
// once it is dropped.
func TestChainAcrossSecretRotation(t *testing.T) {
	store, old := filled(t, 6)
	if n, err := audit.Prune(t.Context(), store, old, t0.Add(2*time.Minute+30*time.Second), t0.Add(time.Hour), 10); err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2", n, err)
	}
	newKey := []byte("the key of the new system secret")
	rotating := audit.NewChain(newKey, []byte("0123456789abcdef0123456789abcdef"))
	rec := audit.NewRecorder(audit.RecorderConfig{Store: store, Now: func() time.Time { return t0.Add(time.Hour) }})
	for range 3 {
		if err := rec.Record(t.Context(), audit.Event{Action: audit.SignIn, Subject: "u1"}.ByUser("u1")); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := audit.NewSealer(audit.SealerConfig{Store: store, Chain: rotating}).SealAll(t.Context()); err != nil || n != 3 {
		t.Fatalf("sealed %d, %v", n, err)
	}
	rep, err := rotating.Verify(t.Context(), store, 4)
	if err != nil || rep.Problem != nil || rep.Checked != 7 || rep.UnderPrevious != 4 {
		t.Fatalf("during the rotation: %+v, %v; want 7 checked, 4 under the previous key", rep, err)
	}
	// Pruning goes on from the checkpoint the previous key signed.
	if n, err := audit.Prune(t.Context(), store, rotating, t0.Add(3*time.Minute+30*time.Second), t0.Add(time.Hour), 10); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want 1", n, err)
	}
	rep, err = audit.NewChain(newKey).Verify(t.Context(), store, 4)
	if err != nil || rep.Problem == nil || rep.Problem.Kind != audit.ProblemAltered || rep.Problem.Seq != 4 {
		t.Fatalf("without the previous key: %+v, %v; want record 4, linked under it, reported", rep, err)
	}
}
