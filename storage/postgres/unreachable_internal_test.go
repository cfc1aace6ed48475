package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tokenim/tokenim-auth/storage"
)

// Failures of the connection, not of the statement, are
// storage.ErrUnavailable; a caller that gave up, and errors about the
// statement, are not.
func TestTranslateUnreachable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		err         error
		unavailable bool
	}{
		{"the call's deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), true},
		{"a connection lost mid-answer", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"the server shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"a connection exception", &pgconn.PgError{Code: "08006"}, true},
		{"the caller gave up", fmt.Errorf("query: %w", context.Canceled), false},
		{"a unique violation", &pgconn.PgError{Code: codeUniqueViolation}, false},
		{"a syntax error", &pgconn.PgError{Code: "42601"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := translate(tc.err, storage.ErrAlreadyExists, "get client %s", "app")
			if got := errors.Is(err, storage.ErrUnavailable); got != tc.unavailable {
				t.Fatalf("translate(%v) = %v: unavailable %v, want %v", tc.err, err, got, tc.unavailable)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("the driver error left the chain: %v", err)
			}
		})
	}
}
