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
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer returns a sealer over a 32-byte key (Keyring.Derive).
func NewSealer(key []byte) (Sealer, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return Sealer{}, fmt.Errorf("secret: sealer key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Sealer{}, fmt.Errorf("secret: sealer: %w", err)
	}
	return Sealer{aead: aead}, nil
}

// Seal encrypts plaintext bound to label; the result starts with its
// random nonce.
func (s Sealer) Seal(plaintext []byte, label string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, plaintext, []byte(label))
}

// Open decrypts what Seal produced for the same label.
func (s Sealer) Open(sealed []byte, label string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrUnsealable
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(label))
	if err != nil {
		return nil, ErrUnsealable
	}
	return plain, nil
}
