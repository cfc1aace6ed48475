package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

// endSessions deletes the login sessions a WHERE clause on login_sessions
// selects (its argument is $1) and, in the same statement, queues a logout
// delivery for each client with a back-channel logout URI that a deleted
// session signed in to. Every part of one statement sees the rows as they
// were before it, so the sign-ins are read before the foreign key removes
// them with their session; there is no moment when a session is gone and
// its notifications not yet queued. It returns how many sessions went.
func endSessions(where string) string {
	return `
WITH gone AS (
    DELETE FROM login_sessions WHERE ` + where + `
    RETURNING id, user_id
), queued AS (
    INSERT INTO logout_deliveries (client_id, subject, sid)
    SELECT si.client_id, gone.user_id, si.sid
    FROM gone
    JOIN session_sign_ins si ON si.session_id = gone.id
    JOIN clients c ON c.id = si.client_id
    WHERE c.backchannel_logout_uri <> ''
    ORDER BY gone.id, si.client_id
)
SELECT count(*) FROM gone`
}

// RecordSessionSignIn implements storage.BackchannelLogouts. A missing
// session or client is refused by its foreign key: ErrNotFound.
func (s *Store) RecordSessionSignIn(ctx context.Context, si storage.SessionSignIn) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	return s.guarded(ctx, "record sign-in of session "+si.SessionID, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO session_sign_ins (session_id, client_id, sid) VALUES ($1, $2, $3)
			ON CONFLICT (session_id, client_id) DO NOTHING`, si.SessionID, si.ClientID, si.SID)
		return wrap(err, "record sign-in of session ref %s to client %s", storage.Ref(si.SessionID), si.ClientID)
	})
}

// ClaimLogoutDeliveries implements storage.BackchannelLogouts: the due
// rows are locked with FOR UPDATE SKIP LOCKED, so a concurrent claim on
// another node passes over them instead of waiting, and leased in the same
// statement.
func (s *Store) ClaimLogoutDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]storage.LogoutDelivery, error) {
	if limit < 1 {
		return nil, fmt.Errorf("postgres: claim logout deliveries: limit %d below 1", limit)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, `
		WITH due AS (
		    SELECT id FROM logout_deliveries
		    WHERE due_at IS NULL OR due_at <= $1
		    ORDER BY id
		    LIMIT $3
		    FOR UPDATE SKIP LOCKED
		)
		UPDATE logout_deliveries d SET attempts = d.attempts + 1, due_at = $2
		FROM due WHERE d.id = due.id
		RETURNING d.id, d.client_id, d.subject, d.sid, d.attempts, d.due_at`,
		ts(now), ts(now.Add(lease)), limit)
	if err != nil {
		return nil, wrap(err, "claim logout deliveries")
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.LogoutDelivery, error) {
		var d storage.LogoutDelivery
		err := row.Scan(&d.ID, &d.ClientID, &d.Subject, &d.SID, &d.Attempts, into(&d.DueAt))
		return d, err
	})
	if err != nil {
		return nil, wrap(err, "claim logout deliveries")
	}
	// UPDATE ... RETURNING does not keep the order of the rows it chose.
	sortDeliveries(out)
	return out, nil
}

// RescheduleLogoutDelivery implements storage.BackchannelLogouts.
func (s *Store) RescheduleLogoutDelivery(ctx context.Context, id int64, due time.Time) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `UPDATE logout_deliveries SET due_at = $2 WHERE id = $1`, id, ts(due))
	return oneRow(tag.RowsAffected(), err, "reschedule logout delivery %d", id)
}

// FinishLogoutDelivery implements storage.BackchannelLogouts.
func (s *Store) FinishLogoutDelivery(ctx context.Context, id int64) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, `DELETE FROM logout_deliveries WHERE id = $1`, id)
	return oneRow(tag.RowsAffected(), err, "finish logout delivery %d", id)
}

// oneRow is the error of a statement that must touch exactly one row:
// ErrNotFound when it touched none.
func oneRow(affected int64, err error, format string, args ...any) error {
	if err != nil {
		return wrap(err, format, args...)
	}
	if affected == 0 {
		return wrap(pgx.ErrNoRows, format, args...)
	}
	return nil
}

// sortDeliveries puts deliveries in the order they were queued.
func sortDeliveries(ds []storage.LogoutDelivery) {
	slices.SortFunc(ds, func(a, b storage.LogoutDelivery) int { return cmp.Compare(a.ID, b.ID) })
}
