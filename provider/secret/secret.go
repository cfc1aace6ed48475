package secret

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// MinSystemLength is the shortest system secret accepted, in bytes.
const MinSystemLength = 32

// ClientSecretPrefix starts every generated client secret, so that secret
// scanners and people can recognise one.
const ClientSecretPrefix = "tkm_cs_"

// PrefixLength is how many characters of a secret are kept in clear to
// tell secrets apart (the prefix plus 4 random characters).
const PrefixLength = len(ClientSecretPrefix) + 4

// Purposes of derived keys. Each names one use; a key is never used for
// two purposes.
const (
	PurposeClientSecrets = "tokenim-auth client secrets v1"
	PurposeSigningKeys   = "tokenim-auth signing keys v1"
	PurposeTokens        = "tokenim-auth token hmac v1"
	PurposeCookies       = "tokenim-auth cookies v1"
	PurposeTOTP          = "tokenim-auth totp secrets v1"
	PurposeRecoveryCodes = "tokenim-auth recovery codes v1"
	PurposeOneTimeLinks  = "tokenim-auth one-time links v1"
	PurposeAudit         = "tokenim-auth audit chain v1"
	PurposeDeviceCodes   = "tokenim-auth device codes v1"
)

// Keyring derives keys from the system secret.
type Keyring struct {
	system []byte
}

// NewKeyring returns a keyring over the system secret, which must be at
// least MinSystemLength bytes long.
func NewKeyring(system string) (Keyring, error) {
	if len(system) < MinSystemLength {
		return Keyring{}, fmt.Errorf("secret: the system secret must be at least %d characters", MinSystemLength)
	}
	return Keyring{system: []byte(system)}, nil
}

// Derive returns a 32-byte key for purpose (HKDF-SHA-256, RFC 5869).
func (k Keyring) Derive(purpose string) []byte {
	key, err := hkdf.Key(sha256.New, k.system, nil, purpose, 32)
	if err != nil {
		// HKDF fails only for a length above 255 hash sizes.
		panic(fmt.Sprintf("secret: derive %q: %v", purpose, err))
	}
	return key
}

// Hasher computes and checks keyed hashes of client secrets.
type Hasher struct {
	key []byte
}

// NewHasher returns the client-secret hasher of the keyring.
func NewHasher(k Keyring) Hasher {
	return NewHasherFor(k, PurposeClientSecrets)
}

// NewHasherFor returns a keyed hasher for another kind of high-entropy
// secret (recovery codes, one-time links), with a key of its own.
func NewHasherFor(k Keyring, purpose string) Hasher {
	return Hasher{key: k.Derive(purpose)}
}

// Hash returns HMAC-SHA-256 of the secret.
func (h Hasher) Hash(secret string) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(secret))
	return m.Sum(nil)
}

// ErrMismatch is returned when a secret does not match a hash.
var ErrMismatch = errors.New("secret does not match")

// Compare checks secret against hash in constant time.
func (h Hasher) Compare(hash []byte, secret string) error {
	if !hmac.Equal(hash, h.Hash(secret)) {
		return ErrMismatch
	}
	return nil
}

// NewClientSecret returns a fresh client secret: the prefix and 256 random
// bits, base64url-encoded.
func NewClientSecret() string {
	return ClientSecretPrefix + Random(32)
}

// Random returns n random bytes from crypto/rand, base64url-encoded without
// padding.
func Random(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Prefix returns the part of a secret kept in clear to tell secrets apart.
func Prefix(secret string) string {
	if len(secret) <= PrefixLength {
		return secret[:min(len(secret), 4)]
	}
	return secret[:PrefixLength]
}

// Derived returns a stable, non-reversible identifier for value in the
// namespace label (hex SHA-256, 32 characters): used where an identifier
// derived from a stored one is shown to clients.
func Derived(label, value string) string {
	sum := sha256.Sum256([]byte(label + "\x00" + value))
	return hex.EncodeToString(sum[:16])
}
