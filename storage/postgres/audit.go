package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectAudit = `
SELECT id, at, action, outcome, reason, actor_type, actor_id, subject, client_id, scopes,
       client_ip, user_agent, request_id, detail, coalesce(seq, 0), hash, workspace_id
FROM audit_records`

func scanAudit(row pgx.Row) (storage.AuditRecord, error) {
	var r storage.AuditRecord
	err := row.Scan(&r.ID, into(&r.Time), &r.Action, &r.Outcome, &r.Reason, &r.ActorType, &r.ActorID,
		&r.Subject, &r.ClientID, &r.Scopes, &r.ClientIP, &r.UserAgent, &r.RequestID, &r.Detail, &r.Seq, &r.Hash, &r.WorkspaceID)
	r.Scopes = listOf(r.Scopes)
	if len(r.Detail) == 0 {
		r.Detail = nil
	}
	return r, err
}

func collectAudit(rows pgx.Rows, err error, what string) ([]storage.AuditRecord, error) {
	if err != nil {
		return nil, wrap(err, "%s", what)
	}
	defer rows.Close()
	var out []storage.AuditRecord
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, wrap(err, "%s", what)
		}
		out = append(out, r)
	}
	return out, wrap(rows.Err(), "%s", what)
}

// AppendAudit implements storage.Audit. The record joins the caller's
// transaction; it takes no lock, so appending never waits for another
// transaction: the chain is built afterwards, by SealAudit.
func (s *Store) AppendAudit(ctx context.Context, r storage.AuditRecord) (int64, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var id int64
	err := s.q(ctx).QueryRow(ctx, `
		INSERT INTO audit_records (at, action, outcome, reason, actor_type, actor_id, subject, client_id,
		                           scopes, client_ip, user_agent, request_id, detail, workspace_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		RETURNING id`,
		r.Time, r.Action, r.Outcome, r.Reason, r.ActorType, r.ActorID, r.Subject, r.ClientID,
		list(r.Scopes), r.ClientIP, r.UserAgent, r.RequestID, detailOf(r), r.WorkspaceID).Scan(&id)
	if err != nil {
		return 0, wrap(err, "append audit record %s", r.Action)
	}
	return id, nil
}

// ListAudit implements storage.Audit. The conditions and the order match
// one of the indexes of migrations 00010 and 00022 —
// (subject|client_id|action|workspace_id, at, id) or (at, id) — read backwards from the cursor, so a page costs the
// rows it shows whatever the table's size, as long as the filter is not
// much narrower than the index (outcome and scope are checked on the rows
// the index yields).
func (s *Store) ListAudit(ctx context.Context, f storage.AuditFilter, after storage.AuditCursor, limit int) ([]storage.AuditRecord, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Subject != "" {
		where = append(where, "subject = "+arg(f.Subject))
	}
	if f.ClientID != "" {
		where = append(where, "client_id = "+arg(f.ClientID))
	}
	if f.WorkspaceID != "" {
		where = append(where, "workspace_id = "+arg(f.WorkspaceID))
	}
	switch len(f.Actions) {
	case 0:
	case 1:
		where = append(where, "action = "+arg(f.Actions[0]))
	default:
		where = append(where, "action = ANY("+arg(f.Actions)+")")
	}
	if f.Outcome != "" {
		where = append(where, "outcome = "+arg(f.Outcome))
	}
	if f.Scope != "" {
		where = append(where, arg(f.Scope)+" = ANY(scopes)")
	}
	if !f.From.IsZero() {
		where = append(where, "at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "at < "+arg(f.To))
	}
	if !after.Time.IsZero() || after.ID != 0 {
		where = append(where, fmt.Sprintf("(at, id) < (%s, %s)", arg(after.Time), arg(after.ID)))
	}
	q := selectAudit
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id DESC LIMIT " + arg(max(limit, 1))
	rows, err := s.q(ctx).Query(ctx, q, args...)
	return collectAudit(rows, err, "list audit records")
}

// ChainAudit implements storage.Audit.
func (s *Store) ChainAudit(ctx context.Context, afterSeq int64, limit int) ([]storage.AuditRecord, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectAudit+` WHERE seq > $1 ORDER BY seq LIMIT $2`, afterSeq, max(limit, 1))
	return collectAudit(rows, err, "walk the audit chain")
}

// AuditChain implements storage.Audit.
func (s *Store) AuditChain(ctx context.Context) (storage.AuditChain, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var c storage.AuditChain
	q := s.q(ctx)
	if err := q.QueryRow(ctx, `SELECT seq, hash FROM audit_chain WHERE id = 1`).Scan(&c.Head.Seq, &c.Head.Hash); err != nil {
		return c, wrap(err, "read the audit chain's head")
	}
	if len(c.Head.Hash) == 0 {
		c.Head.Hash = nil
	}
	cp, err := latestCheckpoint(ctx, q)
	if err != nil {
		return c, err
	}
	c.Checkpoint = cp
	var oldest *time.Time
	if err := q.QueryRow(ctx, `SELECT count(*), min(at) FROM audit_records WHERE seq IS NULL`).Scan(&c.Unsealed, &oldest); err != nil {
		return c, wrap(err, "count unsealed audit records")
	}
	if oldest != nil {
		c.OldestUnsealed = oldest.UTC()
	}
	return c, nil
}

// SealAudit implements storage.Audit. Locking the head row makes sealers
// on several nodes take turns; records are sealed in ID order, and only
// committed ones are visible, so a record whose transaction commits later
// is sealed by a later call, further along the chain.
func (s *Store) SealAudit(ctx context.Context, limit int, link func(storage.AuditLink, []storage.AuditRecord) ([][]byte, error)) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("postgres: seal audit records: limit %d below 1", limit)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var n int
	err := s.atomic(ctx, "seal audit records", func(q querier) error {
		var head storage.AuditLink
		if err := q.QueryRow(ctx, `SELECT seq, hash FROM audit_chain WHERE id = 1 FOR UPDATE`).Scan(&head.Seq, &head.Hash); err != nil {
			return wrap(err, "seal audit records: lock the head")
		}
		if len(head.Hash) == 0 {
			head.Hash = nil
		}
		rows, err := q.Query(ctx, selectAudit+` WHERE seq IS NULL ORDER BY id LIMIT $1`, limit)
		recs, err := collectAudit(rows, err, "seal audit records: read")
		if err != nil || len(recs) == 0 {
			return err
		}
		hashes, err := link(head, recs)
		if err != nil {
			return err
		}
		if len(hashes) != len(recs) {
			return fmt.Errorf("postgres: seal audit records: %d hashes for %d records", len(hashes), len(recs))
		}
		ids := make([]int64, len(recs))
		seqs := make([]int64, len(recs))
		for i, r := range recs {
			ids[i], seqs[i] = r.ID, head.Seq+1+int64(i)
		}
		if _, err := q.Exec(ctx, `
			UPDATE audit_records r SET seq = v.seq, hash = v.hash
			FROM unnest($1::bigint[], $2::bigint[], $3::bytea[]) AS v(id, seq, hash)
			WHERE r.id = v.id`, ids, seqs, hashes); err != nil {
			return wrap(err, "seal audit records: write")
		}
		if _, err := q.Exec(ctx, `UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1`,
			seqs[len(seqs)-1], hashes[len(hashes)-1]); err != nil {
			return wrap(err, "seal audit records: move the head")
		}
		n = len(recs)
		return nil
	})
	return n, err
}

// PruneAudit implements storage.Audit. It sets tokenim.audit_prune for
// its transaction, the one thing the append-only trigger lets delete.
func (s *Store) PruneAudit(ctx context.Context, before time.Time, limit int,
	checkpoint func(storage.AuditRecord, int64, *storage.AuditCheckpoint) (storage.AuditCheckpoint, error)) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("postgres: prune audit records: limit %d below 1", limit)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var n int
	err := s.atomic(ctx, "prune audit records", func(q querier) error {
		// The head's lock keeps a sealer from moving the chain meanwhile.
		if _, err := q.Exec(ctx, `SELECT 1 FROM audit_chain WHERE id = 1 FOR UPDATE`); err != nil {
			return wrap(err, "prune audit records: lock the head")
		}
		prev, err := latestCheckpoint(ctx, q)
		if err != nil {
			return err
		}
		// The oldest sealed records, in chain order, up to the first too
		// young to go.
		rows, err := q.Query(ctx, selectAudit+` WHERE seq IS NOT NULL ORDER BY seq LIMIT $1`, limit)
		recs, err := collectAudit(rows, err, "prune audit records: read")
		if err != nil {
			return err
		}
		last := -1
		for i, r := range recs {
			if !r.Time.Before(before) {
				break
			}
			last = i
		}
		if last < 0 {
			return nil
		}
		next, err := checkpoint(recs[last], int64(last+1), prev)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `SELECT set_config('tokenim.audit_prune', 'on', true)`); err != nil {
			return wrap(err, "prune audit records: allow")
		}
		if _, err := q.Exec(ctx, `DELETE FROM audit_records WHERE seq IS NOT NULL AND seq <= $1`, recs[last].Seq); err != nil {
			return wrap(err, "prune audit records: delete")
		}
		if _, err := q.Exec(ctx, `SELECT set_config('tokenim.audit_prune', 'off', true)`); err != nil {
			return wrap(err, "prune audit records: forbid again")
		}
		if _, err := q.Exec(ctx, `
			INSERT INTO audit_checkpoints (seq, hash, at, pruned, pruned_to, mac) VALUES ($1, $2, $3, $4, $5, $6)`,
			next.Link.Seq, next.Link.Hash, next.Time, next.Pruned, next.PrunedTo, next.MAC); err != nil {
			return wrap(err, "prune audit records: checkpoint")
		}
		n = last + 1
		return nil
	})
	return n, err
}

// detailOf returns a record's detail as a jsonb argument: {} for none.
func detailOf(r storage.AuditRecord) map[string]string {
	if r.Detail == nil {
		return map[string]string{}
	}
	return r.Detail
}

// latestCheckpoint returns the newest pruning checkpoint, nil when there
// is none.
func latestCheckpoint(ctx context.Context, q querier) (*storage.AuditCheckpoint, error) {
	var cp storage.AuditCheckpoint
	err := q.QueryRow(ctx, `SELECT seq, hash, at, pruned, pruned_to, mac FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).
		Scan(&cp.Link.Seq, &cp.Link.Hash, into(&cp.Time), &cp.Pruned, into(&cp.PrunedTo), &cp.MAC)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, wrap(err, "read the audit checkpoint")
	}
	return &cp, nil
}
