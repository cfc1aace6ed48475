package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tokenim/tokenim-auth/storage"
)

// purgeTarget returns the table an area's records live in and the column
// saying when each record's life ends.
func purgeTarget(area storage.PurgeArea) (table, column string, ok bool) {
	switch area {
	case storage.PurgeTokens:
		return "tokens", "expires_at", true
	case storage.PurgeLoginSessions:
		return "login_sessions", "expires_at", true
	case storage.PurgeFlows:
		return "flows", "expires_at", true
	case storage.PurgeDeviceAuthorizations:
		return "device_authorizations", "expires_at", true
	case storage.PurgeLinks:
		return "one_time_links", "expires_at", true
	case storage.PurgeInvitations:
		return "workspace_invitations", "expires_at", true
	case storage.PurgeJTIs:
		return "jtis", "expires_at", true
	case storage.PurgeCounters:
		return "failure_counters", "last_failure", true
	case storage.PurgeRegistrationTokens:
		return "registration_tokens", "ended_at", true
	}
	return "", "", false
}

// purgeStatement deletes one batch of table: at most $2 rows whose column
// is before $1, oldest first. The inner SELECT walks the index on column
// (migrations 00001, 00002, 00008, 00020 and 00032 make one for each table) and stops
// after $2 rows — ORDER BY makes that index the plan even when most rows
// have expired, where a sequential scan would otherwise look as cheap —
// and the DELETE fetches them by ctid (a TID scan), so a batch reads no
// more of the table than it deletes. NULL, the zero time, never compares
// below $1: records without an expiry stay.
//
// FOR UPDATE locks each row found and, should a concurrent statement
// have changed it meanwhile, re-checks the newest version, so a row made
// live again (SaveJTI renewing an expired JTI, AddFailure counting on an
// old counter, UpdateFlow) is not deleted; the lock keeps it as checked
// until the DELETE. SKIP LOCKED passes over rows another transaction is
// changing right now, rather than waiting for it: they go in a later
// batch.
func purgeStatement(table, column string) string {
	return fmt.Sprintf(`
DELETE FROM %[1]s
WHERE ctid = ANY (ARRAY (
    SELECT ctid FROM %[1]s WHERE %[2]s < $1
    ORDER BY %[2]s
    LIMIT $2
    FOR UPDATE SKIP LOCKED))`, table, column)
}

// Purge implements storage.Purger, one statement per call.
func (s *Store) Purge(ctx context.Context, area storage.PurgeArea, before time.Time, limit int) (int, error) {
	table, column, ok := purgeTarget(area)
	if !ok {
		return 0, fmt.Errorf("postgres: purge: unknown area %q", area)
	}
	if limit < 1 {
		return 0, fmt.Errorf("postgres: purge %s: limit %d is below 1", area, limit)
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	tag, err := s.q(ctx).Exec(ctx, purgeStatement(table, column), before, limit)
	if err != nil {
		return 0, wrap(err, "purge %s", area)
	}
	return int(tag.RowsAffected()), nil
}

// TryLock takes the session-level advisory lock called name, for the
// schema in use (see lockID), if no session holds it, without waiting: ok
// is false when another session — another node, or another Store on the
// same database — holds it. The lock lives on one pooled connection, kept
// out of the pool until unlock returns it; calling unlock again does
// nothing. Should the connection die, Postgres releases the lock with it:
// what the lock guards must stay safe, if wasteful, when run twice.
//
// The connection comes on top of those the store's calls use while the
// lock is held: Config.MaxConns must leave room for it.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, wrap(err, "lock %s: acquire a connection", name)
	}
	id, err := lockID(ctx, conn, name)
	if err == nil {
		err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, id).Scan(&ok)
	}
	if err != nil || !ok {
		conn.Release()
		if err != nil {
			return nil, false, wrap(err, "lock %s", name)
		}
		return nil, false, nil
	}
	// unlock runs after the caller's work, whose context may be done by
	// then: a fresh deadline, keeping ctx's values for the logger.
	base := context.WithoutCancel(ctx)
	return sync.OnceFunc(func() {
		ctx, cancel := s.withTimeout(base)
		defer cancel()
		var released bool
		err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1)`, id).Scan(&released)
		if err == nil && released {
			conn.Release()
			return
		}
		if err == nil {
			err = errors.New("the lock was not held")
		}
		// Closing the session releases its advisory locks for sure.
		s.logger.WarnContext(ctx, "advisory unlock failed; closing its connection", "lock", name, "err", err)
		if err := conn.Hijack().Close(ctx); err != nil {
			s.logger.WarnContext(ctx, "close connection", "lock", name, "err", err)
		}
	}), true, nil
}

// lockID names the advisory lock called name for the schema conn uses:
// advisory locks are per database, so nodes sharing a schema share the
// lock while schemas side by side, as in tests, each have their own.
func lockID(ctx context.Context, conn *pgxpool.Conn, name string) (int64, error) {
	var schema *string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return 0, err
	}
	if schema == nil {
		return 0, errors.New("no schema of the search_path exists")
	}
	h := fnv.New64a()
	h.Write([]byte("tokenim-auth lock " + *schema + " " + name))
	return int64(h.Sum64()), nil
}
