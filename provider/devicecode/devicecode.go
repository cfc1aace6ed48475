// Package devicecode makes and recognises the two codes of the device
// authorization grant (RFC 8628): the device code the device polls with,
// and the short user code a person types on the verification page.
// Neither is stored: a Keyed turns each into the keyed hash storage keeps.
//
// The token endpoint (provider/oauth) issues and redeems the codes; the
// verification page (provider/device) looks requests up by user code. Both
// use this package, and share nothing else.
package devicecode

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"net/url"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/secret"
)

// Alphabet is what user codes are made of: 20 consonants, so that a code
// reads the same in any font (no 0/O, 1/I/L confusion), spells no word,
// and can be typed on a phone's keyboard without switching layouts (RFC 8628
// section 6.1).
const Alphabet = "BCDFGHJKLMNPQRSTVWXZ"

// UserCodeLength is the number of characters of a user code: 20^8, about
// 2^34.6 codes, against an attacker guessing on a throttled page while a
// code lives minutes (RFC 8628 section 5.1).
const UserCodeLength = 8

// deviceCodePrefix tells a TokenIM Auth device code at a glance and lets
// secret scanners find leaked ones.
const deviceCodePrefix = "tkm_dc_"

// NewDeviceCode returns a fresh device code: 256 random bits.
func NewDeviceCode() string {
	return deviceCodePrefix + secret.Random(32)
}

// NewUserCode returns a fresh user code in its canonical form (no
// separator), each character drawn uniformly from Alphabet.
func NewUserCode() string {
	var b strings.Builder
	n := big.NewInt(int64(len(Alphabet)))
	for range UserCodeLength {
		i, err := rand.Int(rand.Reader, n)
		if err != nil {
			// crypto/rand does not fail on supported platforms (Go 1.24+).
			panic(err)
		}
		b.WriteByte(Alphabet[i.Int64()])
	}
	return b.String()
}

// Format shows a canonical user code as people read it: "BDFG-HJKL".
func Format(code string) string {
	if len(code) != UserCodeLength {
		return code
	}
	return code[:UserCodeLength/2] + "-" + code[UserCodeLength/2:]
}

// VerificationURI is the page where a user enters a user code
// (verification_uri, RFC 8628 section 3.2); with a canonical userCode it is
// verification_uri_complete, the address a QR code shows.
func VerificationURI(issuer, userCode string) string {
	if userCode == "" {
		return issuer + "/device"
	}
	return issuer + "/device?" + url.Values{"user_code": {Format(userCode)}}.Encode()
}

// ErrMalformed is returned by Normalize for input that cannot be a user
// code.
var ErrMalformed = errors.New("not a user code")

// Normalize turns what a person typed into a canonical user code: case,
// spaces and dashes do not matter. ErrMalformed when what is left is not
// UserCodeLength characters of Alphabet, so that a typo is told apart from
// an unknown code without a lookup.
func Normalize(input string) (string, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(input) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
			continue
		case r < 128 && strings.ContainsRune(Alphabet, r):
			b.WriteRune(r)
		default:
			return "", ErrMalformed
		}
		if b.Len() > UserCodeLength {
			return "", ErrMalformed
		}
	}
	if b.Len() != UserCodeLength {
		return "", ErrMalformed
	}
	return b.String(), nil
}

// Keyed hashes codes with the provider's key for device codes, derived
// from the system secret (secret.PurposeDeviceCodes).
type Keyed struct {
	key []byte
}

// NewKeyed returns a Keyed using key, which must be at least 32 bytes.
func NewKeyed(key []byte) (Keyed, error) {
	if len(key) < 32 {
		return Keyed{}, errors.New("devicecode: the key must be at least 32 bytes")
	}
	return Keyed{key: key}, nil
}

// Valid reports whether k was made by NewKeyed (the zero Keyed has no key).
func (k Keyed) Valid() bool { return len(k.key) >= 32 }

// DeviceCode returns the signature a device code is stored under.
func (k Keyed) DeviceCode(code string) string {
	return k.sign("device_code", code)
}

// UserCode returns the signature a canonical user code is stored under.
func (k Keyed) UserCode(code string) string {
	return k.sign("user_code", code)
}

func (k Keyed) sign(label, code string) string {
	mac := hmac.New(sha256.New, k.key)
	mac.Write([]byte(label + "\x00" + code))
	return hex.EncodeToString(mac.Sum(nil))
}
