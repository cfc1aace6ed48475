package memory

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// ListScopeConsents implements storage.ScopeGrants.
func (s *Store) ListScopeConsents(ctx context.Context, scope string, now time.Time, after storage.ConsentCursor, limit int) ([]storage.Consent, error) {
	var out []storage.Consent
	err := s.do(ctx, func(*txn) error {
		for k, c := range s.consents {
			if cmp.Or(cmp.Compare(k.userID, after.UserID), cmp.Compare(k.clientID, after.ClientID)) <= 0 {
				continue
			}
			if !slices.Contains(c.Scopes, scope) || (!c.ExpiresAt.IsZero() && !c.ExpiresAt.After(now)) {
				continue
			}
			out = append(out, c.Clone())
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.Consent) int {
		return cmp.Or(cmp.Compare(a.UserID, b.UserID), cmp.Compare(a.ClientID, b.ClientID))
	})
	return out[:min(len(out), storage.Page{Limit: limit}.EffectiveLimit())], err
}
