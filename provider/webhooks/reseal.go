package webhooks

import (
	"context"
	"errors"
	"fmt"

	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// sealLabel binds a sealed secret to its subscription. Stored secrets
// depend on it: changing it makes every sealed secret unopenable.
func sealLabel(id string) string { return "webhook:" + id }

// ResealStore is the storage Reseal needs.
type ResealStore interface {
	ListWebhooks(ctx context.Context) ([]storage.WebhookSubscription, error)
	UpdateWebhook(ctx context.Context, id string, fn func(storage.WebhookSubscription) (storage.WebhookSubscription, error)) (storage.WebhookSubscription, error)
}

// ResealCount is what Reseal found.
type ResealCount struct {
	// Stored counts the secrets kept, a rotated one still signing
	// included.
	Stored int
	// Moved counts the secrets resealed under the current system secret,
	// or that would be.
	Moved int
	// Unopened are the subscriptions with a secret that opens under no
	// key.
	Unopened []string
}

// errResealed ends an update that finds nothing left to reseal.
var errResealed = errors.New("nothing to reseal")

// Reseal counts the subscriptions' secrets sealed under a previous system
// secret and, when write is set, seals them under the current one (s is
// the sealer for SealPurpose, with the previous secrets' keys). Run
// again, it reseals nothing. A secret that opens under no key is left as
// it is and its subscription named in Unopened.
func Reseal(ctx context.Context, store ResealStore, s secret.Sealer, write bool) (ResealCount, error) {
	var n ResealCount
	list, err := store.ListWebhooks(ctx)
	if err != nil {
		return n, fmt.Errorf("webhooks: list subscriptions: %w", err)
	}
	// reseal returns sealed under the current key and whether it changed.
	reseal := func(id string, sealed []byte) ([]byte, bool, error) {
		if sealed == nil {
			return nil, false, nil
		}
		return s.Reseal(sealed, sealLabel(id))
	}
	for _, w := range list {
		moved, unopened := 0, false
		for _, sealed := range [][]byte{w.SealedSecret, w.PreviousSealedSecret} {
			if sealed == nil {
				continue
			}
			n.Stored++
			_, changed, err := reseal(w.ID, sealed)
			switch {
			case err != nil:
				unopened = true
			case changed:
				moved++
			}
		}
		if unopened {
			n.Unopened = append(n.Unopened, w.ID)
		}
		if moved == 0 || !write {
			n.Moved += moved
			continue
		}
		// Sealed again from the record read in the update, which a
		// rotation may have changed since.
		_, err := store.UpdateWebhook(ctx, w.ID, func(w storage.WebhookSubscription) (storage.WebhookSubscription, error) {
			cur, c1, err1 := reseal(w.ID, w.SealedSecret)
			prev, c2, err2 := reseal(w.ID, w.PreviousSealedSecret)
			if !c1 && !c2 {
				return w, errResealed
			}
			if c1 && err1 == nil {
				w.SealedSecret = cur
			}
			if c2 && err2 == nil {
				w.PreviousSealedSecret = prev
			}
			return w, nil
		})
		switch {
		case err == nil:
			n.Moved += moved
		case errors.Is(err, errResealed), errors.Is(err, storage.ErrNotFound):
			// Resealed by another run, rotated, or deleted.
		default:
			return n, fmt.Errorf("webhooks: reseal the secrets of %s: %w", w.ID, err)
		}
	}
	return n, nil
}
