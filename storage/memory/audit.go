package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// auditLog is the memory store's authorization records, in append order
// (which is ID order).
type auditLog struct {
	records    []storage.AuditRecord
	nextID     int64
	head       storage.AuditLink
	checkpoint *storage.AuditCheckpoint
}

// AppendAudit implements storage.Audit.
func (s *Store) AppendAudit(ctx context.Context, rec storage.AuditRecord) (int64, error) {
	var id int64
	err := s.do(ctx, func(t *txn) error {
		id = s.appendAudit(t, rec)
		return nil
	})
	return id, err
}

// appendAudit appends rec under t and returns its ID.
func (s *Store) appendAudit(t *txn, rec storage.AuditRecord) int64 {
	s.audit.nextID++
	id := s.audit.nextID
	rec = rec.Clone()
	rec.ID, rec.Seq, rec.Hash = id, 0, nil
	rec.Time = rec.Time.Truncate(time.Microsecond)
	s.audit.records = append(s.audit.records, rec)
	t.undo = append(t.undo, func() {
		s.audit.records = slices.DeleteFunc(s.audit.records, func(r storage.AuditRecord) bool { return r.ID == id })
	})
	return id
}

// ListAudit implements storage.Audit.
func (s *Store) ListAudit(ctx context.Context, f storage.AuditFilter, after storage.AuditCursor, limit int) ([]storage.AuditRecord, error) {
	var out []storage.AuditRecord
	err := s.do(ctx, func(*txn) error {
		for _, r := range s.audit.records {
			if matches(f, r) && beforeCursor(r, after) {
				out = append(out, r)
			}
		}
		slices.SortFunc(out, func(a, b storage.AuditRecord) int {
			if c := b.Time.Compare(a.Time); c != 0 {
				return c
			}
			return int(b.ID - a.ID)
		})
		if len(out) > limit {
			out = out[:limit]
		}
		for i := range out {
			out[i] = out[i].Clone()
		}
		return nil
	})
	return out, err
}

// beforeCursor reports whether r comes after the cursor in newest-first
// order.
func beforeCursor(r storage.AuditRecord, c storage.AuditCursor) bool {
	if c.Time.IsZero() && c.ID == 0 {
		return true
	}
	return r.Time.Before(c.Time) || r.Time.Equal(c.Time) && r.ID < c.ID
}

func matches(f storage.AuditFilter, r storage.AuditRecord) bool {
	switch {
	case f.Subject != "" && r.Subject != f.Subject,
		f.ClientID != "" && r.ClientID != f.ClientID,
		f.WorkspaceID != "" && r.WorkspaceID != f.WorkspaceID,
		len(f.Actions) > 0 && !slices.Contains(f.Actions, r.Action),
		f.Outcome != "" && r.Outcome != f.Outcome,
		f.Scope != "" && !slices.Contains(r.Scopes, f.Scope),
		!f.From.IsZero() && r.Time.Before(f.From),
		!f.To.IsZero() && !r.Time.Before(f.To):
		return false
	}
	return true
}

// ChainAudit implements storage.Audit.
func (s *Store) ChainAudit(ctx context.Context, afterSeq int64, limit int) ([]storage.AuditRecord, error) {
	var out []storage.AuditRecord
	err := s.do(ctx, func(*txn) error {
		for _, r := range s.audit.records {
			if r.Seq > afterSeq {
				out = append(out, r.Clone())
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.AuditRecord) int { return int(a.Seq - b.Seq) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// AuditChain implements storage.Audit.
func (s *Store) AuditChain(ctx context.Context) (storage.AuditChain, error) {
	var c storage.AuditChain
	err := s.do(ctx, func(*txn) error {
		c.Head = storage.AuditLink{Seq: s.audit.head.Seq, Hash: slices.Clone(s.audit.head.Hash)}
		if s.audit.checkpoint != nil {
			cp := s.audit.checkpoint.Clone()
			c.Checkpoint = &cp
		}
		for _, r := range s.audit.records {
			if r.Seq == 0 {
				if c.Unsealed == 0 || r.Time.Before(c.OldestUnsealed) {
					c.OldestUnsealed = r.Time
				}
				c.Unsealed++
			}
		}
		return nil
	})
	return c, err
}

// SealAudit implements storage.Audit. Records are sealed in ID order.
func (s *Store) SealAudit(ctx context.Context, limit int, link func(storage.AuditLink, []storage.AuditRecord) ([][]byte, error)) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("memory: seal audit records: limit %d below 1", limit)
	}
	var n int
	err := s.do(ctx, func(t *txn) error {
		var idx []int
		var recs []storage.AuditRecord
		for i, r := range s.audit.records {
			if r.Seq == 0 && len(idx) < limit {
				idx = append(idx, i)
				recs = append(recs, r.Clone())
			}
		}
		if len(recs) == 0 {
			return nil
		}
		head := storage.AuditLink{Seq: s.audit.head.Seq, Hash: slices.Clone(s.audit.head.Hash)}
		hashes, err := link(head, recs)
		if err != nil {
			return err
		}
		if len(hashes) != len(recs) {
			return fmt.Errorf("memory: seal audit records: %d hashes for %d records", len(hashes), len(recs))
		}
		oldHead := s.audit.head
		ids := make([]int64, len(recs))
		for i, j := range idx {
			s.audit.records[j].Seq = head.Seq + 1 + int64(i)
			s.audit.records[j].Hash = slices.Clone(hashes[i])
			ids[i] = s.audit.records[j].ID
		}
		s.audit.head = storage.AuditLink{Seq: head.Seq + int64(len(recs)), Hash: slices.Clone(hashes[len(hashes)-1])}
		t.undo = append(t.undo, func() {
			s.audit.head = oldHead
			for i := range s.audit.records {
				if slices.Contains(ids, s.audit.records[i].ID) {
					s.audit.records[i].Seq, s.audit.records[i].Hash = 0, nil
				}
			}
		})
		n = len(recs)
		return nil
	})
	return n, err
}

// PruneAudit implements storage.Audit.
func (s *Store) PruneAudit(ctx context.Context, before time.Time, limit int,
	checkpoint func(storage.AuditRecord, int64, *storage.AuditCheckpoint) (storage.AuditCheckpoint, error)) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("memory: prune audit records: limit %d below 1", limit)
	}
	var n int
	err := s.do(ctx, func(t *txn) error {
		var sealed []storage.AuditRecord
		for _, r := range s.audit.records {
			if r.Seq > 0 {
				sealed = append(sealed, r)
			}
		}
		slices.SortFunc(sealed, func(a, b storage.AuditRecord) int { return int(a.Seq - b.Seq) })
		var gone []storage.AuditRecord
		for _, r := range sealed {
			if len(gone) == limit || !r.Time.Before(before) {
				break
			}
			gone = append(gone, r)
		}
		if len(gone) == 0 {
			return nil
		}
		var prev *storage.AuditCheckpoint
		if s.audit.checkpoint != nil {
			cp := s.audit.checkpoint.Clone()
			prev = &cp
		}
		cp, err := checkpoint(gone[len(gone)-1].Clone(), int64(len(gone)), prev)
		if err != nil {
			return err
		}
		cp = cp.Clone()
		oldRecords, oldCheckpoint := s.audit.records, s.audit.checkpoint
		last := gone[len(gone)-1].Seq
		s.audit.records = slices.DeleteFunc(slices.Clone(s.audit.records), func(r storage.AuditRecord) bool {
			return r.Seq > 0 && r.Seq <= last
		})
		s.audit.checkpoint = &cp
		t.undo = append(t.undo, func() { s.audit.records, s.audit.checkpoint = oldRecords, oldCheckpoint })
		n = len(gone)
		return nil
	})
	return n, err
}
