package storage

import "errors"

// Sentinel errors returned by every backend. Compare with errors.Is: backends
// wrap them with the operation and the key.
var (
	// ErrNotFound means the record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists means a record with the same key (or unique field,
	// such as a user's email) exists.
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict means the operation lost a race: a concurrent change got
	// there first (a token already rotated or redeemed, a serialization
	// failure). Retrying with fresh state may succeed.
	ErrConflict = errors.New("conflict")
	// ErrInvalidInput means the backend refused a value it cannot hold:
	// bytes that are not UTF-8 text, or a NUL (Postgres text and jsonb
	// take neither). It comes from what a client sent, so it is the
	// client's mistake (400), never the server's: the provider's edge
	// middleware refuses such bytes first, and this is the second line.
	// The memory backend holds any string and never returns it.
	ErrInvalidInput = errors.New("invalid input")
	// ErrUnavailable means the backend could not be reached or did not
	// answer in time (connection refused or lost, no connection free in
	// the pool, the call's deadline passed): nothing is known of the
	// record, and the same call may succeed shortly. The protocol
	// endpoints answer 503 temporarily_unavailable with Retry-After.
	ErrUnavailable = errors.New("unavailable")
)
