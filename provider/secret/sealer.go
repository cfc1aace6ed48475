package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// ErrUnsealable is returned by Open when sealed data was not sealed with
// this key and label, or was altered.
var ErrUnsealable = errors.New("secret: cannot unseal: wrong system secret, wrong label, or altered data")

// Sealer encrypts small secrets at rest (signing keys, TOTP secrets) with
// AES-256-GCM under a key derived from the system secret. Each sealed value
// is bound to a label (such as a key ID or a user ID): it cannot be moved
// to another record and still open.
//
// While the system secret is being rotated a sealer also holds the keys of
// the previous secrets: it seals under the current key only, and opens
// what any of its keys sealed (GCM's tag tells which one did).
type Sealer struct {
	// aeads holds the current key's cipher first, then the previous ones.
	aeads []cipher.AEAD
}

// NewSealer returns a sealer over a 32-byte key (Keyring.Derive) and the
// keys of previous system secrets (Keyring.DerivePrevious), which only
// open. Keyring.Sealer builds one for a purpose.
func NewSealer(key []byte, previous ...[]byte) (Sealer, error) {
	var s Sealer
	for _, k := range append([][]byte{key}, previous...) {
		block, err := aes.NewCipher(k)
		if err != nil {
			return Sealer{}, fmt.Errorf("secret: sealer key: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return Sealer{}, fmt.Errorf("secret: sealer: %w", err)
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// Seal encrypts plaintext bound to label under the current key; the
// result starts with its random nonce.
func (s Sealer) Seal(plaintext []byte, label string) []byte {
	aead := s.aeads[0]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, plaintext, []byte(label))
}

// Open decrypts what Seal produced for the same label, under the current
// key or a previous one.
func (s Sealer) Open(sealed []byte, label string) ([]byte, error) {
	plain, _, err := s.open(sealed, label)
	return plain, err
}

// Reseal returns sealed as sealed under the current key: sealed itself and
// false when it already is, a new sealed value of the same plaintext and
// true when it opens only under a previous key, and ErrUnsealable when no
// key opens it.
func (s Sealer) Reseal(sealed []byte, label string) ([]byte, bool, error) {
	plain, i, err := s.open(sealed, label)
	if err != nil {
		return nil, false, err
	}
	if i == 0 {
		return sealed, false, nil
	}
	return s.Seal(plain, label), true, nil
}

// open returns the plaintext and the index of the key that opened it.
func (s Sealer) open(sealed []byte, label string) ([]byte, int, error) {
	for i, aead := range s.aeads {
		n := aead.NonceSize()
		if len(sealed) < n {
			return nil, 0, ErrUnsealable
		}
		if plain, err := aead.Open(nil, sealed[:n], sealed[n:], []byte(label)); err == nil {
			return plain, i, nil
		}
	}
	return nil, 0, ErrUnsealable
}
