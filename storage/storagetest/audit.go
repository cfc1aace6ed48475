package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// auditRecord returns a record of action at at(d), about user and app.
func auditRecord(d time.Duration, action, user, app string) storage.AuditRecord {
	return storage.AuditRecord{
		Time: at(d), Action: action, Outcome: "success", ActorType: "user", ActorID: user,
		Subject: user, ClientID: app, Scopes: []string{"openid", "im:messages.read"},
		ClientIP: "192.0.2.7", UserAgent: "IMDesk/3.1", RequestID: "req-" + action,
		Detail: map[string]string{"grant_type": "authorization_code"},
	}
}

// fakeLink chains records with a recognisable "hash": the previous one,
// the position and the record's ID.
func fakeLink(head storage.AuditLink, recs []storage.AuditRecord) ([][]byte, error) {
	out := make([][]byte, len(recs))
	prev := head.Hash
	for i, r := range recs {
		out[i] = fmt.Appendf(nil, "%s>%d:%d", prev, head.Seq+1+int64(i), r.ID)
		prev = out[i]
	}
	return out, nil
}

func appendAll(t *testing.T, s storage.Store, recs ...storage.AuditRecord) []int64 {
	t.Helper()
	ids := make([]int64, len(recs))
	for i, r := range recs {
		id, err := s.AppendAudit(t.Context(), r)
		must(t, err, "append "+r.Action)
		ids[i] = id
	}
	return ids
}

func actions(recs []storage.AuditRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Action
	}
	return out
}

func auditTests() []test {
	return []test{
		{"an appended record reads back whole, unsealed", func(t *testing.T, s storage.Store) {
			want := auditRecord(0, "signin", "u1", "chat")
			want.WorkspaceID = "ws-1"
			want.Time = want.Time.Add(123456 * time.Microsecond)
			ids := appendAll(t, s, want)
			got, err := s.ListAudit(t.Context(), storage.AuditFilter{}, storage.AuditCursor{}, 10)
			must(t, err, "list")
			if len(got) != 1 {
				t.Fatalf("listed %d records, want 1", len(got))
			}
			want.ID = ids[0]
			same(t, "record", got[0], want)
			if !got[0].Time.Equal(want.Time) {
				t.Errorf("time %v, want %v to the microsecond", got[0].Time, want.Time)
			}
		}},
		{"records list newest first, filtered, a page at a time", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			appendAll(t, s,
				auditRecord(1*time.Minute, "a1", "u1", "chat"),
				auditRecord(2*time.Minute, "a2", "u2", "chat"),
				auditRecord(3*time.Minute, "a3", "u1", "calls"),
				auditRecord(3*time.Minute, "a4", "u1", "chat"), // same time: the later ID first
				auditRecord(5*time.Minute, "a5", "u2", "calls"),
			)
			inWorkspace := func(r storage.AuditRecord, ws string) storage.AuditRecord { r.WorkspaceID = ws; return r }
			appendAll(t, s,
				inWorkspace(auditRecord(4*time.Minute, "w1", "u3", ""), "ws-a"),
				inWorkspace(auditRecord(7*time.Minute, "w2", "u3", ""), "ws-b"),
				inWorkspace(auditRecord(8*time.Minute, "w3", "u4", ""), "ws-a"),
			)
			failed := auditRecord(6*time.Minute, "a6", "u1", "chat")
			failed.Outcome, failed.Scopes = "failure", []string{"im:calls.read"}
			appendAll(t, s, failed)

			cases := []struct {
				name string
				f    storage.AuditFilter
				want []string
			}{
				{"all", storage.AuditFilter{}, []string{"w3", "w2", "a6", "a5", "w1", "a4", "a3", "a2", "a1"}},
				{"a workspace", storage.AuditFilter{WorkspaceID: "ws-a"}, []string{"w3", "w1"}},
				{"a workspace and a user", storage.AuditFilter{WorkspaceID: "ws-b", Subject: "u3"}, []string{"w2"}},
				{"a user", storage.AuditFilter{Subject: "u1"}, []string{"a6", "a4", "a3", "a1"}},
				{"an app", storage.AuditFilter{ClientID: "calls"}, []string{"a5", "a3"}},
				{"a user and an app", storage.AuditFilter{Subject: "u1", ClientID: "chat"}, []string{"a6", "a4", "a1"}},
				{"actions", storage.AuditFilter{Actions: []string{"a2", "a5"}}, []string{"a5", "a2"}},
				{"one action", storage.AuditFilter{Actions: []string{"a3"}}, []string{"a3"}},
				{"outcome", storage.AuditFilter{Outcome: "failure"}, []string{"a6"}},
				{"scope", storage.AuditFilter{Scope: "im:messages.read"}, []string{"w3", "w2", "a5", "w1", "a4", "a3", "a2", "a1"}},
				{"time range, To excluded", storage.AuditFilter{From: at(2 * time.Minute), To: at(5 * time.Minute)}, []string{"w1", "a4", "a3", "a2"}},
				{"nothing matches", storage.AuditFilter{Subject: "nobody"}, nil},
			}
			for _, c := range cases {
				got, err := s.ListAudit(ctx, c.f, storage.AuditCursor{}, 100)
				must(t, err, c.name)
				if !slices.Equal(actions(got), c.want) {
					t.Errorf("%s: got %v, want %v", c.name, actions(got), c.want)
				}
				// The same, two at a time.
				var paged []storage.AuditRecord
				var cur storage.AuditCursor
				for range 10 {
					page, err := s.ListAudit(ctx, c.f, cur, 2)
					must(t, err, c.name+" page")
					if len(page) > 2 {
						t.Fatalf("%s: a page of 2 has %d records", c.name, len(page))
					}
					paged = append(paged, page...)
					if len(page) < 2 {
						break
					}
					last := page[len(page)-1]
					cur = storage.AuditCursor{Time: last.Time, ID: last.ID}
				}
				if !slices.Equal(actions(paged), c.want) {
					t.Errorf("%s in pages of 2: got %v, want %v", c.name, actions(paged), c.want)
				}
			}
		}},
		{"a record appended in a transaction goes with it", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			txCtx, err := s.BeginTx(ctx)
			must(t, err, "begin")
			_, err = s.AppendAudit(txCtx, auditRecord(0, "rolled.back", "u1", "chat"))
			must(t, err, "append")
			must(t, s.Rollback(txCtx), "rollback")
			must(t, storage.InTx(ctx, s, func(ctx context.Context) error {
				_, err := s.AppendAudit(ctx, auditRecord(time.Second, "committed", "u1", "chat"))
				return err
			}), "committed transaction")
			got, err := s.ListAudit(ctx, storage.AuditFilter{}, storage.AuditCursor{}, 10)
			must(t, err, "list")
			if !slices.Equal(actions(got), []string{"committed"}) {
				t.Fatalf("records after a rollback and a commit: %v, want [committed]", actions(got))
			}
		}},
		{"a token created with its record stores both, or neither", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			seedClient(t, s, "app")
			tok := sampleToken(storage.KindAccessToken, "sig-recorded", "req-1", "app")
			rec := auditRecord(0, "token.issued", "u1", "app")
			must(t, s.CreateTokenRecorded(ctx, tok, rec), "create")
			got, err := s.GetToken(ctx, storage.KindAccessToken, "sig-recorded")
			must(t, err, "read the token")
			same(t, "token", got, tok)
			recs, err := s.ListAudit(ctx, storage.AuditFilter{}, storage.AuditCursor{}, 10)
			must(t, err, "list")
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			rec.ID = recs[0].ID
			same(t, "record", recs[0], rec)

			err = s.CreateTokenRecorded(ctx, tok, auditRecord(time.Second, "token.issued.again", "u1", "app"))
			mustBe(t, err, storage.ErrAlreadyExists, "the same token again")
			orphan := sampleToken(storage.KindAccessToken, "sig-orphan", "req-2", "no-such-app")
			mustBe(t, s.CreateTokenRecorded(ctx, orphan, auditRecord(time.Second, "token.orphan", "u1", "no-such-app")), storage.ErrNotFound, "a token of an unknown client")
			rollBack := errors.New("roll back")
			mustBe(t, storage.InTx(ctx, s, func(ctx context.Context) error {
				if err := s.CreateTokenRecorded(ctx, sampleToken(storage.KindAccessToken, "sig-rolled-back", "req-3", "app"), auditRecord(time.Second, "token.rolled_back", "u1", "app")); err != nil {
					return err
				}
				return rollBack
			}), rollBack, "rolled-back transaction")
			recs, err = s.ListAudit(ctx, storage.AuditFilter{}, storage.AuditCursor{}, 10)
			must(t, err, "list again")
			if !slices.Equal(actions(recs), []string{"token.issued"}) {
				t.Fatalf("records after the refused and rolled-back writes: %v", actions(recs))
			}
			if _, err := s.GetToken(ctx, storage.KindAccessToken, "sig-rolled-back"); !isNotFound(err) {
				t.Fatalf("a rolled-back token: %v", err)
			}
		}},
		{"sealing chains records in append order and moves the head", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			ids := appendAll(t, s, auditRecord(3*time.Minute, "first", "u1", "chat"), auditRecord(time.Minute, "second", "u1", "chat"))
			c, err := s.AuditChain(ctx)
			must(t, err, "chain before")
			if c.Head.Seq != 0 || c.Head.Hash != nil || c.Unsealed != 2 || !c.OldestUnsealed.Equal(at(time.Minute)) || c.Checkpoint != nil {
				t.Fatalf("chain before sealing: %+v", c)
			}
			var seen []int64
			n, err := s.SealAudit(ctx, 1, func(head storage.AuditLink, recs []storage.AuditRecord) ([][]byte, error) {
				if head.Seq != 0 || head.Hash != nil {
					t.Errorf("first seal sees head %+v, want the start", head)
				}
				for _, r := range recs {
					seen = append(seen, r.ID)
				}
				return fakeLink(head, recs)
			})
			must(t, err, "seal one")
			if n != 1 || !slices.Equal(seen, ids[:1]) {
				t.Fatalf("sealed %d records %v, want 1: %v", n, seen, ids[:1])
			}
			n, err = s.SealAudit(ctx, 10, func(head storage.AuditLink, recs []storage.AuditRecord) ([][]byte, error) {
				if head.Seq != 1 || string(head.Hash) != fmt.Sprintf(">1:%d", ids[0]) {
					t.Errorf("second seal sees head %d %q", head.Seq, head.Hash)
				}
				return fakeLink(head, recs)
			})
			must(t, err, "seal the rest")
			if n != 1 {
				t.Fatalf("sealed %d, want 1", n)
			}
			n, err = s.SealAudit(ctx, 10, func(storage.AuditLink, []storage.AuditRecord) ([][]byte, error) {
				t.Error("link called with nothing to seal")
				return nil, nil
			})
			must(t, err, "seal nothing")
			if n != 0 {
				t.Fatalf("sealed %d with nothing waiting", n)
			}
			chain, err := s.ChainAudit(ctx, 0, 10)
			must(t, err, "walk")
			if len(chain) != 2 || chain[0].Seq != 1 || chain[1].Seq != 2 || chain[0].ID != ids[0] || chain[1].ID != ids[1] {
				t.Fatalf("chain: %+v", chain)
			}
			if want := fmt.Sprintf(">1:%d>2:%d", ids[0], ids[1]); string(chain[1].Hash) != want {
				t.Errorf("second hash %q, want %q", chain[1].Hash, want)
			}
			rest, err := s.ChainAudit(ctx, 1, 10)
			must(t, err, "walk after 1")
			if len(rest) != 1 || rest[0].Seq != 2 {
				t.Errorf("chain after seq 1: %+v", rest)
			}
			c, err = s.AuditChain(ctx)
			must(t, err, "chain after")
			if c.Head.Seq != 2 || string(c.Head.Hash) != string(chain[1].Hash) || c.Unsealed != 0 {
				t.Errorf("chain after sealing: %+v", c)
			}
		}},
		{"a failed seal stores nothing", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			appendAll(t, s, auditRecord(0, "a", "u1", "chat"))
			boom := errors.New("boom")
			_, err := s.SealAudit(ctx, 10, func(storage.AuditLink, []storage.AuditRecord) ([][]byte, error) { return nil, boom })
			mustBe(t, err, boom, "seal")
			c, err := s.AuditChain(ctx)
			must(t, err, "chain")
			if c.Head.Seq != 0 || c.Unsealed != 1 {
				t.Errorf("chain after a failed seal: %+v", c)
			}
		}},
		{"concurrent sealers build one chain without gaps", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			const records = 40
			for i := range records {
				appendAll(t, s, auditRecord(time.Duration(i)*time.Second, fmt.Sprint("a", i), "u1", "chat"))
			}
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for {
						n, err := s.SealAudit(ctx, 3, fakeLink)
						if err != nil {
							t.Errorf("seal: %v", err)
							return
						}
						if n == 0 {
							return
						}
					}
				})
			}
			wg.Wait()
			chain, err := s.ChainAudit(ctx, 0, 100)
			must(t, err, "walk")
			if len(chain) != records {
				t.Fatalf("chain has %d records, want %d", len(chain), records)
			}
			var prev []byte
			for i, r := range chain {
				if r.Seq != int64(i+1) {
					t.Fatalf("record %d has seq %d", i, r.Seq)
				}
				if want := fmt.Sprintf("%s>%d:%d", prev, r.Seq, r.ID); string(r.Hash) != want {
					t.Fatalf("record seq %d hash %q, want %q: a sealer saw a stale head", r.Seq, r.Hash, want)
				}
				prev = r.Hash
			}
		}},
		{"pruning deletes old sealed records from the chain's start and keeps a checkpoint", func(t *testing.T, s storage.Store) {
			ctx := t.Context()
			appendAll(t, s,
				auditRecord(1*time.Minute, "old1", "u1", "chat"),
				auditRecord(2*time.Minute, "old2", "u1", "chat"),
				auditRecord(10*time.Minute, "young", "u1", "chat"),
			)
			_, err := s.SealAudit(ctx, 10, fakeLink)
			must(t, err, "seal")
			unsealedOld := auditRecord(0, "unsealed-old", "u1", "chat")
			appendAll(t, s, unsealedOld)

			n, err := s.PruneAudit(ctx, at(0), 10, func(storage.AuditRecord, int64, *storage.AuditCheckpoint) (storage.AuditCheckpoint, error) {
				t.Error("checkpoint built with nothing to prune")
				return storage.AuditCheckpoint{}, nil
			})
			must(t, err, "prune nothing")
			if n != 0 {
				t.Fatalf("pruned %d records older than all", n)
			}
			chain, err := s.ChainAudit(ctx, 0, 10)
			must(t, err, "walk")
			var previous []*storage.AuditCheckpoint
			prune := func(limit int) int {
				n, err := s.PruneAudit(ctx, at(5*time.Minute), limit, func(last storage.AuditRecord, pruned int64, prev *storage.AuditCheckpoint) (storage.AuditCheckpoint, error) {
					previous = append(previous, prev)
					total := pruned
					if prev != nil {
						total += prev.Pruned
					}
					return storage.AuditCheckpoint{Link: storage.AuditLink{Seq: last.Seq, Hash: last.Hash}, Time: at(time.Hour),
						Pruned: total, PrunedTo: last.Time, MAC: []byte("mac-" + last.Action)}, nil
				})
				must(t, err, "prune")
				return n
			}
			if n := prune(1); n != 1 {
				t.Fatalf("first prune deleted %d, want 1", n)
			}
			if n := prune(10); n != 1 {
				t.Fatalf("second prune deleted %d, want 1", n)
			}
			if n := prune(10); n != 0 {
				t.Fatalf("third prune deleted %d, want 0", n)
			}
			if len(previous) != 2 || previous[0] != nil || previous[1] == nil || previous[1].Link.Seq != 1 {
				t.Fatalf("checkpoints seen by the builder: %+v", previous)
			}
			c, err := s.AuditChain(ctx)
			must(t, err, "chain")
			want := storage.AuditCheckpoint{Link: storage.AuditLink{Seq: 2, Hash: chain[1].Hash}, Time: at(time.Hour),
				Pruned: 2, PrunedTo: at(2 * time.Minute), MAC: []byte("mac-old2")}
			if c.Checkpoint == nil {
				t.Fatal("no checkpoint after pruning")
			}
			same(t, "checkpoint", *c.Checkpoint, want)
			if c.Head.Seq != 3 || c.Unsealed != 1 {
				t.Errorf("chain after pruning: %+v", c)
			}
			left, err := s.ListAudit(ctx, storage.AuditFilter{}, storage.AuditCursor{}, 10)
			must(t, err, "list")
			if !slices.Equal(actions(left), []string{"young", "unsealed-old"}) {
				t.Errorf("records left: %v, want the young one and the unsealed one", actions(left))
			}
			rest, err := s.ChainAudit(ctx, 0, 10)
			must(t, err, "walk after pruning")
			if len(rest) != 1 || rest[0].Seq != 3 {
				t.Errorf("chain after pruning: %+v", rest)
			}
		}},
	}
}
