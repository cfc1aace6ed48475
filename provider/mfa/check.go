package mfa

import (
	"errors"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// ErrWrongCode is a code that does not verify: wrong, malformed, or used
// already.
var ErrWrongCode = errors.New("mfa: wrong or used code")

// Codes are the kinds of code Check accepts.
type Codes int

const (
	// TOTPCode is a code of the authenticator app.
	TOTPCode Codes = 1 << iota
	// RecoveryCode is one of the codes shown when TOTP was turned on.
	RecoveryCode
)

// Check checks code against the second factor of u at now, accepting the
// kinds in accept (a TOTP code is tried first), and returns u as it must
// be stored so that the code cannot be used again: the last step advanced
// to the code's, or the recovery code's hash removed. Call it inside the
// atomic update of the user, so two requests racing with one code cannot
// both pass. A code that does not verify is ErrWrongCode; a secret that
// does not open is an error of its own.
//
// Whether TOTP is on is the caller's to check: confirming an enrolment
// checks a secret that is not on yet.
func Check(sealer secret.Sealer, hasher secret.Hasher, u storage.User, code string, now time.Time, accept Codes) (storage.User, error) {
	if accept&TOTPCode != 0 {
		sec, err := OpenSecret(sealer, u.ID, u.TOTPSecret)
		if err != nil {
			return u, err
		}
		if step, ok := Verify(sec, code, now, u.TOTPLastStep); ok {
			u.TOTPLastStep = step
			return u, nil
		}
	}
	if accept&RecoveryCode != 0 {
		if i := MatchRecoveryCode(hasher, u.RecoveryCodes, code); i >= 0 {
			u.RecoveryCodes = slices.Delete(slices.Clone(u.RecoveryCodes), i, i+1)
			return u, nil
		}
	}
	return u, ErrWrongCode
}
