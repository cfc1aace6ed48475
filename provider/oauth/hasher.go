package oauth

import (
	"context"

	"github.com/ory/fosite"

	"github.com/tokenim/tokenim-auth/provider/secret"
)

// secretHasher lets fosite check client secrets against their keyed
// hashes (see package secret for why not bcrypt).
type secretHasher struct {
	h secret.Hasher
}

var _ fosite.Hasher = secretHasher{}

func (s secretHasher) Hash(_ context.Context, data []byte) ([]byte, error) {
	return s.h.Hash(string(data)), nil
}

func (s secretHasher) Compare(_ context.Context, hash, data []byte) error {
	return s.h.Compare(hash, string(data))
}
