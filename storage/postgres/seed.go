package postgres

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

// Bulk writes for measuring the store at scale (cmd/loadtest scale): the
// rows CreateToken, CreateUser and AppendAudit followed by SealAudit
// would write, with the same column encodings, written by COPY. The
// provider never calls them. They are not bounded by Config.QueryTimeout:
// millions of rows take minutes.

// tokenColumns are the columns CreateToken writes, in its order.
var tokenColumns = []string{"kind", "signature", "request_id", "client_id", "subject", "scopes", "active",
	"requested_at", "expires_at", "access_signature", "session", "rotated_at", "workspace_id"}

// CopyTokens writes tokens, in one COPY, and returns how many it wrote.
// A token of a client that does not exist, or a signature already stored,
// fails the whole COPY: nothing is written.
func (s *Store) CopyTokens(ctx context.Context, tokens iter.Seq[storage.Token]) (int64, error) {
	next, stop := iter.Pull(tokens)
	defer stop()
	n, err := s.pool.CopyFrom(ctx, pgx.Identifier{"tokens"}, tokenColumns, pgx.CopyFromFunc(func() ([]any, error) {
		t, ok := next()
		if !ok {
			return nil, nil
		}
		return []any{t.Kind, t.Signature, t.RequestID, t.ClientID, t.Subject, list(t.Scopes), t.Active,
			ts(t.RequestedAt), ts(t.ExpiresAt), t.AccessSignature, t.Session, ts(t.RotatedAt), t.WorkspaceID}, nil
	}))
	return n, wrap(err, "copy tokens")
}

// CopyUsers writes users, each a member of the default workspace as
// CreateUser makes it, in one transaction, and returns how many it wrote.
func (s *Store) CopyUsers(ctx context.Context, users iter.Seq[storage.User]) (int64, error) {
	type member struct {
		id, role string
		joined   time.Time
	}
	var members []member
	var n int64
	err := s.atomic(ctx, "copy users", func(q querier) error {
		tx, ok := q.(pgx.Tx)
		if !ok {
			return errors.New("postgres: copy users: not in a transaction")
		}
		next, stop := iter.Pull(users)
		defer stop()
		var err error
		n, err = tx.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "email", "email_verified", "name", "password_hash",
			"status", "role", "totp_secret", "totp_enabled", "totp_last_step", "recovery_codes", "created_at", "updated_at"},
			pgx.CopyFromFunc(func() ([]any, error) {
				u, ok := next()
				if !ok {
					return nil, nil
				}
				members = append(members, member{u.ID, storage.DefaultRole(roleOf(u.Role)), u.CreatedAt})
				return []any{u.ID, u.Email, u.EmailVerified, u.Name, u.PasswordHash, u.Status, roleOf(u.Role),
					u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, codes(u.RecoveryCodes), ts(u.CreatedAt), ts(u.UpdatedAt)}, nil
			}))
		if err != nil {
			return wrap(err, "copy users")
		}
		var workspace bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM workspaces WHERE id = $1)`, storage.DefaultWorkspaceID).Scan(&workspace); err != nil || !workspace {
			return wrap(err, "copy users: find the default workspace")
		}
		i := 0
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"workspace_members"}, []string{"workspace_id", "user_id", "role", "joined_at"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if i == len(members) {
					return nil, nil
				}
				m := members[i]
				i++
				return []any{storage.DefaultWorkspaceID, m.id, m.role, ts(m.joined)}, nil
			}))
		return wrap(err, "copy users: memberships")
	})
	return n, err
}

// copyAuditBatch is how many records CopyAudit links at a time.
const copyAuditBatch = 4096

// CopyAudit appends records and seals them, in one transaction: each gets
// the next ID, the next place in the chain after its head and the hash
// link gives it (link is what SealAudit takes: audit.Chain.Link), and the
// head moves to the last. Other appends wait until it commits. It returns
// how many records it wrote.
func (s *Store) CopyAudit(ctx context.Context, recs iter.Seq[storage.AuditRecord],
	link func(storage.AuditLink, []storage.AuditRecord) ([][]byte, error)) (int64, error) {
	var n int64
	err := s.atomic(ctx, "copy audit records", func(q querier) error {
		tx, ok := q.(pgx.Tx)
		if !ok {
			return errors.New("postgres: copy audit records: not in a transaction")
		}
		// Appends from elsewhere would take IDs this copy gives.
		if _, err := tx.Exec(ctx, `LOCK TABLE audit_records IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return wrap(err, "copy audit records: lock")
		}
		var head storage.AuditLink
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_chain WHERE id = 1 FOR UPDATE`).Scan(&head.Seq, &head.Hash); err != nil {
			return wrap(err, "copy audit records: lock the head")
		}
		if len(head.Hash) == 0 {
			head.Hash = nil
		}
		var unsealed bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_records WHERE seq IS NULL)`).Scan(&unsealed); err != nil {
			return wrap(err, "copy audit records: find unsealed records")
		}
		if unsealed {
			// They would come after the copied records in ID order but
			// before them in the chain.
			return errors.New("postgres: copy audit records: records wait to be sealed; seal them first")
		}
		var lastID int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM audit_records`).Scan(&lastID); err != nil {
			return wrap(err, "copy audit records: last ID")
		}
		next, stop := iter.Pull(recs)
		defer stop()
		var batch []storage.AuditRecord
		var hashes [][]byte
		i := 0
		fill := func() error {
			batch = batch[:0]
			for len(batch) < copyAuditBatch {
				r, ok := next()
				if !ok {
					break
				}
				lastID++
				r.ID, r.Seq = lastID, head.Seq+1+int64(len(batch))
				batch = append(batch, r)
			}
			if len(batch) == 0 {
				return nil
			}
			var err error
			if hashes, err = link(head, batch); err != nil {
				return err
			}
			if len(hashes) != len(batch) {
				return fmt.Errorf("postgres: copy audit records: %d hashes for %d records", len(hashes), len(batch))
			}
			head = storage.AuditLink{Seq: batch[len(batch)-1].Seq, Hash: hashes[len(hashes)-1]}
			i = 0
			return nil
		}
		var err error
		n, err = tx.CopyFrom(ctx, pgx.Identifier{"audit_records"}, []string{"id", "at", "action", "outcome", "reason",
			"actor_type", "actor_id", "subject", "client_id", "scopes", "client_ip", "user_agent", "request_id",
			"detail", "seq", "hash", "workspace_id"},
			pgx.CopyFromFunc(func() ([]any, error) {
				if i == len(batch) {
					if err := fill(); err != nil || len(batch) == 0 {
						return nil, err
					}
				}
				r := batch[i]
				r.Hash = hashes[i]
				i++
				return []any{r.ID, r.Time, r.Action, r.Outcome, r.Reason, r.ActorType, r.ActorID, r.Subject, r.ClientID,
					list(r.Scopes), r.ClientIP, r.UserAgent, r.RequestID, detailOf(r), r.Seq, r.Hash, r.WorkspaceID}, nil
			}))
		if err != nil {
			return wrap(err, "copy audit records")
		}
		if n == 0 {
			return nil
		}
		// COPY gives the IDs (as INSERT … OVERRIDING SYSTEM VALUE): the
		// identity goes on from the last.
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('audit_records', 'id'), $1)`, lastID); err != nil {
			return wrap(err, "copy audit records: move the identity")
		}
		_, err = tx.Exec(ctx, `UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1`, head.Seq, head.Hash)
		return wrap(err, "copy audit records: move the head")
	})
	return n, err
}

// AnalyzeCopied updates the planner's statistics of the tables the
// copies above write, as autovacuum would in time: after a bulk write the
// plans then fit the rows.
func (s *Store) AnalyzeCopied(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, `ANALYZE tokens, users, workspace_members, audit_records`)
	return wrap(err, "analyze")
}
