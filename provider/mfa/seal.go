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
