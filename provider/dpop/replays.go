package dpop

import (
	"context"
	"errors"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// errNoStore is returned by StoreReplays when it has no store.
var errNoStore = errors.New("dpop: replay store missing")

// JTIStore is what StoreReplays needs of the shared store (storage.JTIs).
type JTIStore interface {
	// SaveJTI remembers jti until exp; storage.ErrAlreadyExists when it
	// is saved and not expired at now.
	SaveJTI(ctx context.Context, jti string, exp, now time.Time) error
}

// StoreReplays backs Replays with the shared store's JTI table
// (storage.JTIs, the one that remembers client assertion IDs), so a proof
// used on one node is refused on every other.
type StoreReplays struct {
	// JTIs is the shared store.
	JTIs JTIStore
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Use saves key until until; false when it is saved already and not
// expired. Keys are ReplayKey's, prefixed "dpop:" so they never meet the
// store's other single-use IDs.
func (s StoreReplays) Use(ctx context.Context, key string, until time.Time) (bool, error) {
	if s.JTIs == nil {
		return false, errNoStore
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	err := s.JTIs.SaveJTI(ctx, key, until, now())
	if errors.Is(err, storage.ErrAlreadyExists) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}
