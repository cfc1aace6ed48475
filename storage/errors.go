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
)
