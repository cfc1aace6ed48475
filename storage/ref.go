package storage

import (
	"crypto/sha256"
	"encoding/hex"
)

// Ref is what logs and error messages say in place of a value that must
// not be written there: a token, code or device code signature, a login
// session's ID (the hash of its cookie), a one-time link's hash, a grant's
// request ID. It is the first 8 hex digits of the value's SHA-256: the same
// value always gives the same reference, so log lines about one record can
// be followed, and it cannot be turned back into the value or used to look
// the record up.
func Ref(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:4])
}
