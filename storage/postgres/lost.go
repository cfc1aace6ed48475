package postgres

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// lostConnections watches every statement for a connection that died
// under it (the server restarted, failed over, or the network between
// was cut) and then empties the pool: the connections idle beside it were
// most likely cut too, and the pool would otherwise hand them out one by
// one, failing a request on each, after the database is back. A statement
// that only ran out of time is not a lost connection and leaves the pool
// alone.
type lostConnections struct {
	pool atomic.Pointer[pgxpool.Pool]
}

var _ pgx.QueryTracer = (*lostConnections)(nil)

func (l *lostConnections) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (l *lostConnections) TraceQueryEnd(_ context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if data.Err == nil || !connectionLost(data.Err) {
		return
	}
	if pool := l.pool.Load(); pool != nil {
		// Connections in use now are closed as they are returned.
		pool.Reset()
	}
}

// connectionLost reports whether err says the connection itself is gone:
// the socket failed or was closed, or the server is shutting down or ended
// the session (57P01-57P03, class 08). A deadline, a cancellation or an
// error about the statement is not that.
func connectionLost(err error) bool {
	var netErr net.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), pgconn.Timeout(err):
		return false
	case errors.As(err, &pgErr):
		return strings.HasPrefix(pgErr.Code, "08") || slices.Contains([]string{"57P01", "57P02", "57P03"}, pgErr.Code)
	case errors.As(err, &netErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, pgconn.ErrConnClosed):
		return true
	}
	return false
}
