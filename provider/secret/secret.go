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
	PurposePasskeys      = "tokenim-auth passkey ceremonies v1"
	PurposeUpstreams     = "tokenim-auth upstream secrets v1"
	// PurposeDPoPNonces keys the DPoP nonces every node makes and accepts
	// (dpop.HMACNonces).
	PurposeDPoPNonces = "tokenim-auth dpop nonces v1"
	// PurposeUpstreamState seals an upstream sign-in's state (its
	// connector, state, nonce and PKCE verifier) into the browser's
	// short-lived cookie.
	PurposeUpstreamState = "tokenim-auth upstream sign-in state v1"
)

// Keyring derives keys from the system secret and, while the secret is
// being rotated, from the previous ones: new values are sealed and hashed
// under the current secret's keys only, and values made under a previous
// secret still open and compare until it is dropped.
type Keyring struct {
	system []byte
	// previous are the earlier system secrets still accepted, most
	// recent first.
	previous [][]byte
}

// NewKeyring returns a keyring over the system secret, which must be at
// least MinSystemLength bytes long.
func NewKeyring(system string) (Keyring, error) {
	if len(system) < MinSystemLength {
		return Keyring{}, fmt.Errorf("secret: the system secret must be at least %d characters", MinSystemLength)
	}
	return Keyring{system: []byte(system)}, nil
}

// WithPrevious returns the keyring also accepting the earlier system
// secrets previous (most recent first) for what was sealed or hashed
// under them. Each must be at least MinSystemLength bytes long, differ from
// the current secret and from the others.
func (k Keyring) WithPrevious(previous ...string) (Keyring, error) {
	seen := map[string]bool{string(k.system): true}
	out := Keyring{system: k.system}
	for i, p := range previous {
		switch {
		case len(p) < MinSystemLength:
			return Keyring{}, fmt.Errorf("secret: previous system secret %d must be at least %d characters", i+1, MinSystemLength)
		case p == string(k.system):
			return Keyring{}, fmt.Errorf("secret: previous system secret %d is the current one", i+1)
		case seen[p]:
			return Keyring{}, fmt.Errorf("secret: previous system secret %d is given twice", i+1)
		}
		seen[p] = true
		out.previous = append(out.previous, []byte(p))
	}
	return out, nil
}

// Previous returns how many previous system secrets the keyring accepts:
// 0 unless a rotation is under way.
func (k Keyring) Previous() int { return len(k.previous) }

// Derive returns the current secret's 32-byte key for purpose
// (HKDF-SHA-256, RFC 5869).
func (k Keyring) Derive(purpose string) []byte {
	return derive(k.system, purpose)
}

// DerivePrevious returns the previous secrets' keys for purpose, in the
// order they were given; none when no rotation is under way.
func (k Keyring) DerivePrevious(purpose string) [][]byte {
	out := make([][]byte, len(k.previous))
	for i, p := range k.previous {
		out[i] = derive(p, purpose)
	}
	return out
}

// Sealer returns the sealer for purpose: it seals under the current
// secret's key and opens under any of the keyring's.
func (k Keyring) Sealer(purpose string) (Sealer, error) {
	return NewSealer(k.Derive(purpose), k.DerivePrevious(purpose)...)
}

func derive(system []byte, purpose string) []byte {
	key, err := hkdf.Key(sha256.New, system, nil, purpose, 32)
	if err != nil {
		// HKDF fails only for a length above 255 hash sizes.
		panic(fmt.Sprintf("secret: derive %q: %v", purpose, err))
	}
	return key
}

// tagLength is the length of the key tag that starts a hash.
const tagLength = 4

// Hasher computes and checks keyed hashes of high-entropy secrets.
//
// A hash is a tag naming the key (the first bytes of an HMAC of a fixed
// string under it) followed by HMAC-SHA-256 of the secret. The tag says
// which system secret a stored hash was made under, so that after a
// rotation the values still needing a previous secret can be counted
// (UnderCurrent) and a hash is compared under its own key only. A hash
// without a tag, as stored before tags were added, is compared under
// every key.
type Hasher struct {
	// keys holds the current key first, then the previous ones.
	keys []hashKey
}

type hashKey struct {
	mac *MAC
	tag [tagLength]byte
}

// NewHasher returns the client-secret hasher of the keyring.
func NewHasher(k Keyring) Hasher {
	return NewHasherFor(k, PurposeClientSecrets)
}

// NewHasherFor returns a keyed hasher for another kind of high-entropy
// secret (recovery codes, one-time links), with a key of its own.
func NewHasherFor(k Keyring, purpose string) Hasher {
	var h Hasher
	for _, key := range append([][]byte{k.Derive(purpose)}, k.DerivePrevious(purpose)...) {
		h.keys = append(h.keys, newHashKey(key))
	}
	return h
}

func newHashKey(key []byte) hashKey {
	hk := hashKey{mac: NewMAC(sha256.New, key)}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tokenim-auth key tag"))
	copy(hk.tag[:], m.Sum(nil))
	return hk
}

// ring returns the keys, current first; the zero Hasher has one empty key.
func (h Hasher) ring() []hashKey {
	if len(h.keys) == 0 {
		return []hashKey{newHashKey(nil)}
	}
	return h.keys
}

func (k hashKey) sum(secret string) []byte {
	return k.mac.Sum(nil, []byte(secret))
}

// Hash returns the tagged HMAC-SHA-256 of the secret under the current
// key.
func (h Hasher) Hash(secret string) []byte {
	k := h.ring()[0]
	return append(k.tag[:], k.sum(secret)...)
}

// ErrMismatch is returned when a secret does not match a hash.
var ErrMismatch = errors.New("secret does not match")

// Compare checks secret against hash, made under the current key or a
// previous one. Each comparison is in constant time, and every key a hash
// may have been made under is tried, whether an earlier one matched or
// not.
func (h Hasher) Compare(hash []byte, secret string) error {
	ok := false
	switch len(hash) {
	case tagLength + sha256.Size:
		for _, k := range h.ring() {
			if [tagLength]byte(hash[:tagLength]) == k.tag && hmac.Equal(hash[tagLength:], k.sum(secret)) {
				ok = true
			}
		}
	case sha256.Size:
		for _, k := range h.ring() {
			if hmac.Equal(hash, k.sum(secret)) {
				ok = true
			}
		}
	}
	if !ok {
		return ErrMismatch
	}
	return nil
}

// UnderCurrent reports whether hash was made under the current key. A
// hash made under a previous key, or without a tag (before tags, so under
// a previous secret once a rotation is under way), is not.
func (h Hasher) UnderCurrent(hash []byte) bool {
	return len(hash) == tagLength+sha256.Size && [tagLength]byte(hash[:tagLength]) == h.ring()[0].tag
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
