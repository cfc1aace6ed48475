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

// Compare checks a presented secret and, when it matches, records which
// stored hash it matched in the request's context (see touch), with the
// secret's hash under the current system secret when the stored one was
// made under a previous secret.
func (s secretHasher) Compare(ctx context.Context, hash, data []byte) error {
	if err := s.h.Compare(hash, string(data)); err != nil {
		return err
	}
	var rehash []byte
	if !s.h.UnderCurrent(hash) {
		rehash = s.h.Hash(string(data))
	}
	recordMatch(ctx, hash, rehash)
	return nil
}
