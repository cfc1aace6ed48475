package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

// Group commit of issued tokens. Each issued token is written with its
// authorization record (CreateTokenRecorded) before the response is sent,
// and what bounds issuance is the commit of each write. So the writes of
// concurrent issuances are gathered: at most issuer.slots batches are
// written at once, and the issuances that arrive while every slot is busy
// wait and are written together, as one pipelined batch of statements
// that Postgres runs as one implicit transaction (one round trip, one
// commit). No issuance waits for a timer: alone, it is written at once;
// under load, the batches grow with the wait. Each caller returns only
// once its own row is committed (or refused), so nothing is acknowledged
// that a crash could lose. A batch that fails is undone whole, and its
// issuances are then written one by one, each getting its own answer (a
// client deleted meanwhile fails only its own). The records are inserted
// unsealed, as before, and linked into the hash chain by the sealer
// (sealAudit) in the order of their IDs, which a batch assigns in order.

// maxIssueBatch bounds the issuances written in one batch.
const maxIssueBatch = 128

// issueItem is one issuance waiting to be written.
type issueItem struct {
	t storage.Token
	r storage.AuditRecord
	// done receives the issuance's outcome; lead, a batch this
	// issuance's goroutine is to write (the first item of the batch is
	// its own).
	done chan error
	lead chan []*issueItem
}

// issuer gathers issuances into batches.
type issuer struct {
	// slots is how many batches are written at once at most.
	slots int
	// write writes a batch and returns each item's outcome, in order.
	write func(ctx context.Context, batch []*issueItem) []error

	mu       sync.Mutex
	inflight int
	queue    []*issueItem
}

// issue writes t and r, alone or in a batch, and returns once they are
// committed or refused.
func (g *issuer) issue(ctx context.Context, t storage.Token, r storage.AuditRecord) error {
	it := &issueItem{t: t, r: r, done: make(chan error, 1), lead: make(chan []*issueItem, 1)}
	g.mu.Lock()
	if g.inflight < g.slots {
		g.inflight++
		g.mu.Unlock()
		g.run(ctx, []*issueItem{it})
		return <-it.done
	}
	g.queue = append(g.queue, it)
	g.mu.Unlock()
	select {
	case err := <-it.done:
		return err
	case batch := <-it.lead:
		g.run(ctx, batch)
		return <-it.done
	}
}

// run writes batch, answers each of its items, then hands the slot to the
// first of the issuances that queued meanwhile, with them as its batch,
// or frees it. The batch is written even if the caller gives up: the
// others in it wait for their answer.
func (g *issuer) run(ctx context.Context, batch []*issueItem) {
	errs := g.write(context.WithoutCancel(ctx), batch)
	for i, it := range batch {
		it.done <- errs[i]
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) == 0 {
		g.inflight--
		return
	}
	n := min(len(g.queue), maxIssueBatch)
	next := g.queue[:n:n]
	g.queue = append([]*issueItem(nil), g.queue[n:]...)
	next[0].lead <- next
}

// insertTokenRecorded inserts a token and, only once it is, its record (a
// data-modifying CTE): both commit together or, on a conflict, neither.
const insertTokenRecorded = `
WITH token AS (
    INSERT INTO tokens (kind, signature, request_id, client_id, subject, scopes, active,
                        requested_at, expires_at, access_signature, session, rotated_at, workspace_id)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $25, $26)
    RETURNING 1)
INSERT INTO audit_records (at, action, outcome, reason, actor_type, actor_id, subject, client_id,
                           scopes, client_ip, user_agent, request_id, detail)
SELECT $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24 FROM token`

// tokenRecordedArgs are the arguments of insertTokenRecorded.
func tokenRecordedArgs(t storage.Token, r storage.AuditRecord) []any {
	return []any{t.Kind, t.Signature, t.RequestID, t.ClientID, t.Subject, list(t.Scopes), t.Active,
		ts(t.RequestedAt), ts(t.ExpiresAt), t.AccessSignature, t.Session,
		r.Time, r.Action, r.Outcome, r.Reason, r.ActorType, r.ActorID, r.Subject, r.ClientID,
		list(r.Scopes), r.ClientIP, r.UserAgent, r.RequestID, detailOf(r), ts(t.RotatedAt), t.WorkspaceID}
}

// writeIssued writes a batch of issuances: one alone as one statement, more
// as one pipelined batch in one implicit transaction; when that fails
// (nothing of it is then committed), each on its own.
func (s *Store) writeIssued(ctx context.Context, batch []*issueItem) []error {
	errs := make([]error, len(batch))
	if len(batch) > 1 {
		if err := s.writeIssuedTogether(ctx, batch); err == nil {
			return errs
		}
	}
	for i, it := range batch {
		errs[i] = s.writeOneIssued(ctx, it.t, it.r)
	}
	return errs
}

// writeOneIssued inserts one token with its record.
func (s *Store) writeOneIssued(ctx context.Context, t storage.Token, r storage.AuditRecord) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	_, err := s.pool.Exec(ctx, insertTokenRecorded, tokenRecordedArgs(t, r)...)
	return wrap(err, "create %s ref %s of client %s", t.Kind, storage.Ref(t.Signature), t.ClientID)
}

// writeIssuedTogether inserts the batch's tokens and records in one
// round trip and one commit: the statements of a pipelined batch up to
// its Sync are one implicit transaction, which an error undoes whole.
func (s *Store) writeIssuedTogether(ctx context.Context, batch []*issueItem) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	b := &pgx.Batch{}
	for _, it := range batch {
		b.Queue(insertTokenRecorded, tokenRecordedArgs(it.t, it.r)...)
	}
	res := s.pool.SendBatch(ctx, b)
	var errs []error
	for range batch {
		if _, err := res.Exec(); err != nil {
			errs = append(errs, err)
			break
		}
	}
	if err := res.Close(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("postgres: create %d tokens together: %w", len(batch), err)
	}
	return nil
}
