package mfa

import (
	"crypto/rand"
	"math/big"
	"strings"
	"unicode"

	"github.com/tokenim/tokenim-auth/provider/secret"
)

// RecoveryCodeCount is how many recovery codes an account is given.
const RecoveryCodeCount = 10

// RecoveryCodeLength is the number of characters in a recovery code, not
// counting the dash it is shown with.
const RecoveryCodeLength = 10

// recoveryAlphabet has no characters that are easily confused (0/O, 1/I/L):
// 31 characters, so a code carries 10·log2(31) ≈ 49.5 bits.
const recoveryAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewRecoveryCodes returns n distinct fresh recovery codes, formatted
// xxxxx-xxxxx in upper case.
func NewRecoveryCodes(n int) []string {
	codes := make([]string, 0, max(n, 0))
	seen := make(map[string]bool, max(n, 0))
	for len(codes) < n {
		c := newRecoveryCode()
		if seen[c] {
			continue
		}
		seen[c] = true
		codes = append(codes, c)
	}
	return codes
}

func newRecoveryCode() string {
	limit := big.NewInt(int64(len(recoveryAlphabet)))
	var b strings.Builder
	for i := range RecoveryCodeLength {
		if i == RecoveryCodeLength/2 {
			b.WriteByte('-')
		}
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			panic("mfa: crypto/rand: " + err.Error()) // crypto/rand does not fail (Go 1.24+)
		}
		b.WriteByte(recoveryAlphabet[n.Int64()])
	}
	return b.String()
}

// normaliseRecoveryCode forgives what people do when typing a code: lower
// case, spaces and dashes.
func normaliseRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToUpper(r)
	}, code)
}

// HashRecoveryCode returns the keyed hash to store for code, after
// normalising case, spaces and dashes. h is the hasher for
// secret.PurposeRecoveryCodes (secret.NewHasherFor).
func HashRecoveryCode(h secret.Hasher, code string) []byte {
	return h.Hash(normaliseRecoveryCode(code))
}

// HashRecoveryCodes returns the keyed hashes to store for a set of codes
// (HashRecoveryCode of each), in their order.
func HashRecoveryCodes(h secret.Hasher, codes []string) [][]byte {
	hashes := make([][]byte, 0, len(codes))
	for _, c := range codes {
		hashes = append(hashes, HashRecoveryCode(h, c))
	}
	return hashes
}

// MatchRecoveryCode returns the index in hashes of the hash code matches,
// or -1. The code is compared in constant time with every hash, without
// stopping at a match, under the current system secret or a previous one
// (secret.Hasher.Compare). The caller removes the matched hash: a
// recovery code is good once.
func MatchRecoveryCode(h secret.Hasher, hashes [][]byte, code string) int {
	code = normaliseRecoveryCode(code)
	found := -1
	for i, stored := range hashes {
		if h.Compare(stored, code) == nil && found < 0 {
			found = i
		}
	}
	return found
}
