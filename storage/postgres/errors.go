package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tokenim/tokenim-auth/storage"
)

// SQLSTATE codes the storage contract gives a meaning to; see
// https://www.postgresql.org/docs/current/errcodes-appendix.html.
const (
	codeCharacterNotInRepertoire = "22021"
	codeUntranslatableCharacter  = "22P05"
	codeForeignKeyViolation      = "23503"
	codeUniqueViolation          = "23505"
	codeSerializationFailure     = "40001"
	codeDeadlockDetected         = "40P01"
	codeLockNotAvailable         = "55P03"
)

// wrap says what was being done when err happened, and translates the
// driver errors the storage contract names (see sentinel).
func wrap(err error, format string, args ...any) error {
	return translate(err, storage.ErrAlreadyExists, format, args...)
}

// wrapRace is wrap for a write that races with the same write on another
// node (RotateSigningKey): there a unique violation means the other one got
// there first, storage.ErrConflict.
func wrapRace(err error, format string, args ...any) error {
	return translate(err, storage.ErrConflict, format, args...)
}

// translate is the one place where driver errors become storage
// sentinels:
//
//	pgx.ErrNoRows                 → storage.ErrNotFound
//	23503 foreign_key_violation   → storage.ErrNotFound (the client or
//	                                user the record belongs to is absent)
//	23505 unique_violation        → onUnique
//	40001 serialization_failure,
//	40P01 deadlock_detected,
//	55P03 lock_not_available      → storage.ErrConflict
//	22021 character_not_in_repertoire
//	      (text that is not UTF-8, a NUL),
//	22P05 untranslatable_character
//	      (a \u0000 in jsonb)        → storage.ErrInvalidInput
//	no connection (refused, lost, pool
//	acquire failed), the call's deadline,
//	class 08, 53300, 57P01-57P03  → storage.ErrUnavailable
//
// The sentinel and the driver error both stay in the chain, so callers
// test errors.Is(err, storage.ErrNotFound) and a log line still shows the
// constraint Postgres named.
func translate(err error, onUnique error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	var sentinel error
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		sentinel = storage.ErrNotFound
	case unreachable(err):
		sentinel = storage.ErrUnavailable
	case errors.As(err, &pgErr):
		switch pgErr.Code {
		case codeForeignKeyViolation:
			sentinel = storage.ErrNotFound
		case codeUniqueViolation:
			sentinel = onUnique
		case codeSerializationFailure, codeDeadlockDetected, codeLockNotAvailable:
			sentinel = storage.ErrConflict
		case codeCharacterNotInRepertoire, codeUntranslatableCharacter:
			sentinel = storage.ErrInvalidInput
		}
	}
	if sentinel == nil {
		return fmt.Errorf("postgres: %s: %w", what, err)
	}
	return fmt.Errorf("postgres: %s: %w: %w", what, sentinel, err)
}

// unreachable reports whether err says the database could not be reached
// or did not answer in time, rather than anything about the statement: a
// connection that could not be made (pgxpool's acquire included) or was
// lost, the call's deadline, or the server refusing or ending connections
// (class 08 connection_exception, 53300 too_many_connections, 57P01-57P03
// shutting down or starting up).
func unreachable(err error) bool {
	var connectErr *pgconn.ConnectError
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, context.Canceled):
		return false // the caller gave up: nothing is known of the database
	case connectionLost(err):
		return true
	case errors.As(err, &pgErr):
		return pgErr.Code == "53300"
	case errors.As(err, &connectErr), pgconn.Timeout(err), errors.Is(err, context.DeadlineExceeded):
		return true
	}
	return false
}
