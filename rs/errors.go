package rs

import (
	"errors"
	"fmt"
)

// Sentinels for errors.Is on what Verify returns.
var (
	// ErrInvalidToken: the token is expired, revoked, unknown, malformed
	// or not meant for this resource server (RFC 6750 invalid_token).
	ErrInvalidToken = errors.New("invalid token")
	// ErrUnavailable: the provider could not be reached or did not answer
	// properly, so the token could not be checked.
	ErrUnavailable = errors.New("authorization server unavailable")
)

// InvalidTokenError tells why a token was refused. Reason is safe to show
// to the client.
type InvalidTokenError struct {
	Reason string
	Err    error
}

func (e *InvalidTokenError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("rs: invalid token: %s: %v", e.Reason, e.Err)
	}
	return "rs: invalid token: " + e.Reason
}

// Unwrap returns the cause.
func (e *InvalidTokenError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidToken) true.
func (e *InvalidTokenError) Is(target error) bool { return target == ErrInvalidToken }

// invalid is an InvalidTokenError.
func invalid(reason string, err error) error {
	return &InvalidTokenError{Reason: reason, Err: err}
}

// unavailable wraps a provider fault as ErrUnavailable.
func unavailable(op string, err error) error {
	return fmt.Errorf("rs: %s: %w: %w", op, ErrUnavailable, err)
}
