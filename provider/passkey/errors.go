package passkey

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
)

var (
	// ErrCeremony is an answer whose ceremony is not known: its state is
	// missing or altered, belongs to another ceremony or account, timed
	// out, or was used already. The page starts again.
	ErrCeremony = errors.New("passkey: the ceremony expired or was already used")
	// ErrRefused is an authenticator's answer that does not verify.
	ErrRefused = errors.New("passkey: the authenticator's answer does not verify")
	// ErrWrongOrigin is an answer made on a page of another origin than
	// the provider's (a phishing page, or a misconfigured deployment).
	ErrWrongOrigin = errors.New("passkey: the answer was made on another site")
	// ErrUnknown is a passkey the provider does not hold (removed, or
	// registered elsewhere).
	ErrUnknown = errors.New("passkey: no such passkey")
	// ErrCloned is a passkey whose signature counter went back: two copies
	// of its private key may exist.
	ErrCloned = errors.New("passkey: signature counter went back (cloned authenticator?)")
	// ErrExists is a passkey registered already.
	ErrExists = errors.New("passkey: already registered")
)

// refused wraps an error of the WebAuthn library as ErrRefused, or
// ErrWrongOrigin when the origin was the problem, keeping the library's
// details for the log.
func refused(err error) error {
	if errors.Is(err, ErrUnknown) || errors.Is(err, ErrCeremony) {
		return err
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		if strings.Contains(strings.ToLower(pe.Details), "origin") {
			return fmt.Errorf("%w: %s: %s", ErrWrongOrigin, pe.Details, pe.DevInfo)
		}
		return fmt.Errorf("%w: %s: %s", ErrRefused, pe.Details, pe.DevInfo)
	}
	return fmt.Errorf("%w: %w", ErrRefused, err)
}
