package memory

import (
	"cmp"
	"context"
	"slices"

	"github.com/tokenim/tokenim-auth/storage"
)

// detailKey names one remembered detail grant.
type detailKey struct {
	userID, clientID, typ, location string
}

// SaveDetailGrants implements storage.DetailGrants.
func (s *Store) SaveDetailGrants(ctx context.Context, userID, clientID string, grants []storage.DetailGrant) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.consents[consentKey{userID, clientID}]; !ok {
			return notFound("save detail grants of consent", userID+" "+clientID)
		}
		delWhere(t, s.detailGrants, func(k detailKey, _ storage.DetailGrant) bool { return k.userID == userID && k.clientID == clientID })
		for _, g := range grants {
			g = g.Clone()
			g.UserID, g.ClientID = userID, clientID
			put(t, s.detailGrants, detailKey{userID, clientID, g.Type, g.Location}, g)
		}
		return nil
	})
}

// ListDetailGrants implements storage.DetailGrants. Grants whose consent
// is gone (with its user or client) are not listed, as Postgres's
// cascade deletes them.
func (s *Store) ListDetailGrants(ctx context.Context, userID, clientID string) ([]storage.DetailGrant, error) {
	var out []storage.DetailGrant
	err := s.do(ctx, func(*txn) error {
		for k, g := range s.detailGrants {
			if k.userID != userID || (clientID != "" && k.clientID != clientID) {
				continue
			}
			if _, ok := s.consents[consentKey{k.userID, k.clientID}]; ok {
				out = append(out, g.Clone())
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.DetailGrant) int {
		return cmp.Or(cmp.Compare(a.ClientID, b.ClientID), cmp.Compare(a.Type, b.Type), cmp.Compare(a.Location, b.Location))
	})
	return out, err
}

// DeleteDetailGrant implements storage.DetailGrants.
func (s *Store) DeleteDetailGrant(ctx context.Context, userID, clientID, typ, location string) error {
	return s.do(ctx, func(t *txn) error {
		k := detailKey{userID, clientID, typ, location}
		if _, ok := s.detailGrants[k]; !ok {
			return notFound("delete detail grant", userID+" "+clientID+" "+location)
		}
		del(t, s.detailGrants, k)
		return nil
	})
}

// dropDetailGrants deletes the detail grants of a consent being deleted.
func (s *Store) dropDetailGrants(t *txn, userID, clientID string) {
	delWhere(t, s.detailGrants, func(k detailKey, _ storage.DetailGrant) bool { return k.userID == userID && k.clientID == clientID })
}
