package storage

import (
	"context"
	"time"
)

// SigningKey is a key the provider signs tokens with. The private half is
// stored only encrypted with the system secret.
type SigningKey struct {
	// ID is the key's kid.
	ID string
	// Algorithm is the JWS algorithm, ES256 or RS256.
	Algorithm string
	// PrivateKey is the encrypted private key, opaque to storage.
	PrivateKey []byte
	// PublicKey is the public JWK, JSON-encoded.
	PublicKey []byte
	CreatedAt time.Time
	// RetireAt is zero for the current signing key. A rotated key no longer
	// signs but stays published until RetireAt, when every token it signed
	// has expired.
	RetireAt time.Time
}

// Current reports whether k is the key that signs new tokens.
func (k SigningKey) Current() bool { return k.RetireAt.IsZero() }

// Keys stores signing keys. At most one key of each algorithm is current
// at any time: the provider keeps a current key of every algorithm it
// signs with, and keys of one algorithm are created and rotated without
// regard to the others.
type Keys interface {
	// CreateSigningKey stores k (with a zero RetireAt) as the first current
	// key of k.Algorithm. ErrAlreadyExists if a key of that algorithm is
	// current, or k.ID exists: of nodes starting at once, one creates the
	// key and the others use it.
	CreateSigningKey(ctx context.Context, k SigningKey) error
	// RotateSigningKey makes next (with a zero RetireAt) the current key of
	// next.Algorithm and sets retireAt on the key of that algorithm that
	// was current, atomically; keys of other algorithms are left as they
	// are. Concurrent rotations of one algorithm leave exactly one current
	// key of it; a rotation that lost the race to another gets
	// ErrConflict. ErrConflict too if next.ID exists.
	RotateSigningKey(ctx context.Context, next SigningKey, retireAt time.Time) error
	// ListSigningKeys returns every stored key, newest first.
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)
	// DeleteSigningKey removes a key. ErrNotFound if absent.
	DeleteSigningKey(ctx context.Context, id string) error
	// ResealSigningKey replaces the encrypted private key of key id, if it
	// is still from, by to (the same key sealed under the current system
	// secret); nothing else changes. ErrNotFound if absent; ErrConflict if
	// the stored private key is not from (resealed meanwhile).
	ResealSigningKey(ctx context.Context, id string, from, to []byte) error
}
