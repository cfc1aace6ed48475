package memory

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// SaveConsent implements storage.Consents.
func (s *Store) SaveConsent(ctx context.Context, c storage.Consent) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.users[c.UserID]; !ok {
			return notFound("save consent of user", c.UserID)
		}
		if _, ok := s.clients[c.ClientID]; !ok {
			return notFound("save consent for client", c.ClientID)
		}
		c.LastUsedAt = time.Time{}
		put(t, s.consents, consentKey{c.UserID, c.ClientID}, c.Clone())
		return nil
	})
}

// GetConsent implements storage.Consents.
func (s *Store) GetConsent(ctx context.Context, userID, clientID string) (storage.Consent, error) {
	var c storage.Consent
	err := s.do(ctx, func(*txn) error {
		got, ok := s.consents[consentKey{userID, clientID}]
		if !ok {
			return notFound("get consent", userID+" "+clientID)
		}
		c = got.Clone()
		return nil
	})
	return c, err
}

// ListConsents implements storage.Consents.
func (s *Store) ListConsents(ctx context.Context, userID string) ([]storage.Consent, error) {
	var out []storage.Consent
	err := s.do(ctx, func(*txn) error {
		for k, c := range s.consents {
			if k.userID != userID {
				continue
			}
			c = c.Clone()
			for tk, tok := range s.tokens {
				if tk.kind == storage.KindAccessToken && tok.Subject == userID && tok.ClientID == k.clientID && tok.RequestedAt.After(c.LastUsedAt) {
					c.LastUsedAt = tok.RequestedAt
				}
			}
			out = append(out, c)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.Consent) int {
		if c := b.GrantedAt.Compare(a.GrantedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ClientID, b.ClientID)
	})
	return out, err
}

// ListClientConsents implements storage.Consents.
func (s *Store) ListClientConsents(ctx context.Context, clientID string) ([]storage.Consent, error) {
	var out []storage.Consent
	err := s.do(ctx, func(*txn) error {
		for k, c := range s.consents {
			if k.clientID == clientID {
				out = append(out, c.Clone())
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.Consent) int {
		if c := b.GrantedAt.Compare(a.GrantedAt); c != 0 {
			return c
		}
		return strings.Compare(a.UserID, b.UserID)
	})
	return out, err
}

// DeleteConsent implements storage.Consents.
func (s *Store) DeleteConsent(ctx context.Context, userID, clientID string) error {
	return s.do(ctx, func(t *txn) error {
		k := consentKey{userID, clientID}
		if _, ok := s.consents[k]; !ok {
			return notFound("delete consent", userID+" "+clientID)
		}
		del(t, s.consents, k)
		s.dropDetailGrants(t, userID, clientID)
		return nil
	})
}
