package mfa

import (
	"fmt"

	"github.com/tokenim/tokenim-auth/provider/secret"
)

// sealLabel binds a sealed TOTP secret to its account. Stored secrets
// depend on it: changing it makes every sealed secret unopenable.
func sealLabel(userID string) string {
	return "totp:" + userID
}

// SealSecret encrypts a base32 TOTP secret for storage with the user's
// record. s is the sealer for secret.PurposeTOTP.
func SealSecret(s secret.Sealer, userID, base32Secret string) []byte {
	return s.Seal([]byte(base32Secret), sealLabel(userID))
}

// OpenSecret decrypts what SealSecret produced for the same user ID. A
// secret sealed for another user, under another system secret, or altered
// gives an error wrapping secret.ErrUnsealable.
func OpenSecret(s secret.Sealer, userID string, sealed []byte) (string, error) {
	plain, err := s.Open(sealed, sealLabel(userID))
	if err != nil {
		return "", fmt.Errorf("mfa: open totp secret of %s: %w", userID, err)
	}
	return string(plain), nil
}

// ResealSecret returns what SealSecret produced for userID sealed under
// the current system secret: sealed itself and false when it already is,
// a new sealed value and true when it opened only under a previous
// secret (see secret.Sealer.Reseal).
func ResealSecret(s secret.Sealer, userID string, sealed []byte) ([]byte, bool, error) {
	out, changed, err := s.Reseal(sealed, sealLabel(userID))
	if err != nil {
		return nil, false, fmt.Errorf("mfa: reseal totp secret of %s: %w", userID, err)
	}
	return out, changed, nil
}
