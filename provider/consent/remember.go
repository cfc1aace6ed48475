package consent

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// RememberStore is what remembering a grant reads and changes.
type RememberStore interface {
	GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error)
	SaveConsent(ctx context.Context, c storage.Consent) error
}

// Remember adds scopes to what user userID has granted app c, keeping what
// was granted before and is still valid and still allowed to the app; the
// grant then lasts lifespan from now (0: until withdrawn). The consent page
// calls it when the user ticks "Remember", the device page on every
// approval, so that the grant shows on the account page and can be
// withdrawn there.
func Remember(ctx context.Context, store RememberStore, userID string, c storage.Client, scopes []string, lifespan time.Duration, now time.Time) error {
	scopes = slices.Clone(scopes)
	old, err := store.GetConsent(ctx, userID, c.ID)
	switch {
	case err == nil && (old.ExpiresAt.IsZero() || old.ExpiresAt.After(now)):
		for _, s := range old.Scopes {
			if !slices.Contains(scopes, s) && slices.Contains(c.Scopes, s) {
				scopes = append(scopes, s)
			}
		}
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return err
	}
	grant := storage.Consent{UserID: userID, ClientID: c.ID, Scopes: scopes, GrantedAt: now}
	if lifespan > 0 {
		grant.ExpiresAt = now.Add(lifespan)
	}
	return store.SaveConsent(ctx, grant)
}
