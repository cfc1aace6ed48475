package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
)

const selectSessions = `
SELECT id, user_id, auth_time, amr, acr, user_agent, ip, created_at, expires_at,
       upstream, upstream_subject, upstream_sid, upstream_amr
FROM login_sessions`

func scanSession(row pgx.Row) (storage.LoginSession, error) {
	var ls storage.LoginSession
	err := row.Scan(&ls.ID, &ls.UserID, into(&ls.AuthTime), &ls.AMR, &ls.ACR, &ls.UserAgent, &ls.IP,
		into(&ls.CreatedAt), into(&ls.ExpiresAt), &ls.Upstream, &ls.UpstreamSubject, &ls.UpstreamSID, &ls.UpstreamAMR)
	ls.AMR, ls.UpstreamAMR = listOf(ls.AMR), listOf(ls.UpstreamAMR)
	return ls, err
}

// CreateLoginSession implements storage.LoginSessions. The session of a
// user who does not exist is refused by the foreign key: ErrNotFound.
func (s *Store) CreateLoginSession(ctx context.Context, ls storage.LoginSession) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	// The ID is a hash of the cookie: safe to name in an error.
	return s.guarded(ctx, "create login session "+ls.ID, func(q querier) error {
		_, err := q.Exec(ctx, `
			INSERT INTO login_sessions (id, user_id, auth_time, amr, acr, user_agent, ip, created_at, expires_at,
			                            upstream, upstream_subject, upstream_sid, upstream_amr)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			ls.ID, ls.UserID, ts(ls.AuthTime), list(ls.AMR), ls.ACR, ls.UserAgent, ls.IP,
			ts(ls.CreatedAt), ts(ls.ExpiresAt), ls.Upstream, ls.UpstreamSubject, ls.UpstreamSID, list(ls.UpstreamAMR))
		return wrap(err, "create login session ref %s for user %s", storage.Ref(ls.ID), ls.UserID)
	})
}

// GetLoginSession implements storage.LoginSessions.
func (s *Store) GetLoginSession(ctx context.Context, id string) (storage.LoginSession, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	ls, err := scanSession(s.q(ctx).QueryRow(ctx, selectSessions+` WHERE id = $1`, id))
	if err != nil {
		return storage.LoginSession{}, wrap(err, "get login session ref %s", storage.Ref(id))
	}
	return ls, nil
}

// ListLoginSessions implements storage.LoginSessions: newest first, ties
// by ID.
func (s *Store) ListLoginSessions(ctx context.Context, userID string) ([]storage.LoginSession, error) {
	return s.listSessions(ctx, "list login sessions of user "+userID, `user_id = $1`, userID)
}

// listSessions returns the sessions where holds, newest first, ties by
// ID; what says what was being done, for an error.
func (s *Store) listSessions(ctx context.Context, what, where string, args ...any) ([]storage.LoginSession, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	rows, err := s.q(ctx).Query(ctx, selectSessions+` WHERE `+where+`
		ORDER BY created_at DESC NULLS LAST, id`, args...)
	if err != nil {
		return nil, wrap(err, "%s", what)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.LoginSession, error) {
		return scanSession(row)
	})
	if err != nil {
		return nil, wrap(err, "%s", what)
	}
	return out, nil
}

// ListUpstreamSessions implements storage.LoginSessions: newest first,
// ties by ID. Each case has a statement of its own, which repeats the
// predicate of the partial index it needs, so that every plan (a
// generic one too, which knows nothing of the arguments) can use it.
func (s *Store) ListUpstreamSessions(ctx context.Context, connector, subject, sid string) ([]storage.LoginSession, error) {
	var where string
	args := []any{connector}
	switch {
	case connector == "" || (subject == "" && sid == ""):
		return nil, nil
	case sid == "":
		where, args = `upstream <> '' AND upstream = $1 AND upstream_subject = $2`, append(args, subject)
	case subject == "":
		where, args = `upstream_sid <> '' AND upstream = $1 AND upstream_sid = $2`, append(args, sid)
	default:
		where, args = `upstream_sid <> '' AND upstream = $1 AND upstream_sid = $2 AND upstream_subject = $3`, append(args, sid, subject)
	}
	// The upstream's subject and session identify an account elsewhere:
	// the error names the connector only.
	return s.listSessions(ctx, "list login sessions of connector "+connector, where, args...)
}

// DeleteLoginSession implements storage.LoginSessions, queuing the
// session's logout deliveries in the same statement.
func (s *Store) DeleteLoginSession(ctx context.Context, id string) error {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var n int
	if err := s.q(ctx).QueryRow(ctx, endSessions("id = $1"), id).Scan(&n); err != nil {
		return wrap(err, "delete login session ref %s", storage.Ref(id))
	}
	if n == 0 {
		return fmt.Errorf("postgres: delete login session ref %s: %w", storage.Ref(id), storage.ErrNotFound)
	}
	return nil
}

// DeleteUserLoginSessions implements storage.LoginSessions, queuing the
// sessions' logout deliveries in the same statement.
func (s *Store) DeleteUserLoginSessions(ctx context.Context, userID string) (int, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	var n int
	if err := s.q(ctx).QueryRow(ctx, endSessions("user_id = $1"), userID).Scan(&n); err != nil {
		return 0, wrap(err, "delete login sessions of user %s", userID)
	}
	return n, nil
}
