package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// CreateClient implements storage.Clients.
func (s *Store) CreateClient(ctx context.Context, c storage.Client) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.clients[c.ID]; ok {
			return exists("create client", c.ID)
		}
		put(t, s.clients, c.ID, c.Clone())
		return nil
	})
}

// GetClient implements storage.Clients.
func (s *Store) GetClient(ctx context.Context, id string) (storage.Client, error) {
	var c storage.Client
	err := s.do(ctx, func(*txn) error {
		got, ok := s.clients[id]
		if !ok {
			return notFound("get client", id)
		}
		c = got.Clone()
		return nil
	})
	return c, err
}

// ListClients implements storage.Clients.
func (s *Store) ListClients(ctx context.Context) ([]storage.Client, error) {
	var out []storage.Client
	err := s.do(ctx, func(*txn) error {
		for _, c := range s.clients {
			out = append(out, c.Clone())
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.Client) int { return strings.Compare(a.ID, b.ID) })
	return out, err
}

// UpdateClient implements storage.Clients.
func (s *Store) UpdateClient(ctx context.Context, id string, update func(storage.Client) (storage.Client, error)) (storage.Client, error) {
	var c storage.Client
	err := s.do(ctx, func(t *txn) error {
		old, ok := s.clients[id]
		if !ok {
			return notFound("update client", id)
		}
		next, err := update(old.Clone())
		if err != nil {
			return err
		}
		if next.ID != id {
			return fmt.Errorf("memory: update client %s: the ID cannot change", id)
		}
		put(t, s.clients, id, next.Clone())
		c = next.Clone()
		return nil
	})
	return c, err
}

// DeleteClient implements storage.Clients: the client goes with its tokens,
// consents, pending flows and device requests, sign-ins and logout deliveries, and its webhook subscriptions.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.clients[id]; !ok {
			return notFound("delete client", id)
		}
		del(t, s.clients, id)
		delWhere(t, s.exchange, func(clientID string, _ storage.ExchangePolicy) bool { return clientID == id })
		delWhere(t, s.tokens, func(_ tokenKey, tok storage.Token) bool { return tok.ClientID == id })
		delWhere(t, s.consents, func(k consentKey, _ storage.Consent) bool { return k.clientID == id })
		delWhere(t, s.detailGrants, func(k detailKey, _ storage.DetailGrant) bool { return k.clientID == id })
		delWhere(t, s.flows, func(_ string, f storage.Flow) bool { return f.ClientID == id })
		delWhere(t, s.signIns, func(k signInKey, _ string) bool { return k.clientID == id })
		s.deleteInstallationsWhere(t, func(_, clientID string) bool { return clientID == id })
		delWhere(t, s.deliveries, func(_ int64, d storage.LogoutDelivery) bool { return d.ClientID == id })
		s.deleteWebhooksWhere(t, func(w storage.WebhookSubscription) bool { return w.ClientID == id })
		for k, d := range s.devices {
			if d.ClientID == id {
				s.deleteDevice(t, k)
			}
		}
		return nil
	})
}

// TouchClientSecret implements storage.Clients.
func (s *Store) TouchClientSecret(ctx context.Context, clientID, secretID string, at time.Time) error {
	return s.do(ctx, func(t *txn) error {
		c, ok := s.clients[clientID]
		if !ok {
			return nil
		}
		for i, sec := range c.Secrets {
			if sec.ID == secretID && (sec.LastUsedAt.IsZero() || at.Sub(sec.LastUsedAt) >= time.Minute) {
				c = c.Clone()
				c.Secrets[i].LastUsedAt = at
				put(t, s.clients, clientID, c)
			}
		}
		return nil
	})
}

// SeenJTI implements storage.JTIs.
func (s *Store) SeenJTI(ctx context.Context, jti string, now time.Time) (bool, error) {
	var seen bool
	err := s.do(ctx, func(*txn) error {
		exp, ok := s.jtis[jti]
		seen = ok && exp.After(now)
		return nil
	})
	return seen, err
}

// SaveJTI implements storage.JTIs.
func (s *Store) SaveJTI(ctx context.Context, jti string, exp, now time.Time) error {
	return s.do(ctx, func(t *txn) error {
		if old, ok := s.jtis[jti]; ok && old.After(now) {
			return exists("save jti", jti)
		}
		put(t, s.jtis, jti, exp)
		return nil
	})
}
