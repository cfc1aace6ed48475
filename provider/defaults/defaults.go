// Package defaults fills in the two dependencies nearly every part of the
// provider lets its caller leave out: the clock and the logger. A
// constructor writes
//
//	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
//
// so that a part built without them reads the real time and logs nothing,
// and a test injects either where it needs to.
package defaults

import (
	"log/slog"
	"time"
)

// Now returns now, or time.Now when now is nil.
func Now(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// Logger returns l, or a logger that discards every record when l is nil.
func Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
