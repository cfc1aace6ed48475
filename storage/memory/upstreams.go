package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

type identityKey struct {
	connectorID, subject string
}

// upstreamMaps holds the stored connectors and the linked identities.
type upstreamMaps struct {
	connectors map[string]storage.Connector
	domains    map[string]string // lower-case domain → connector ID
	identities map[identityKey]storage.LinkedIdentity
}

func newUpstreamMaps() upstreamMaps {
	return upstreamMaps{
		connectors: map[string]storage.Connector{},
		domains:    map[string]string{},
		identities: map[identityKey]storage.LinkedIdentity{},
	}
}

// putConnector stores c, whose domains must be free or its own already.
func (s *Store) putConnector(t *txn, c storage.Connector) error {
	seen := map[string]bool{}
	for _, d := range c.Domains {
		if owner, ok := s.upstreams.domains[d]; (ok && owner != c.ID) || seen[d] {
			return exists("connector "+c.ID+": domain", d)
		}
		seen[d] = true
	}
	if old, ok := s.upstreams.connectors[c.ID]; ok {
		for _, d := range old.Domains {
			del(t, s.upstreams.domains, d)
		}
	}
	for _, d := range c.Domains {
		put(t, s.upstreams.domains, d, c.ID)
	}
	put(t, s.upstreams.connectors, c.ID, c.Clone())
	return nil
}

// CreateConnector implements storage.Upstreams.
func (s *Store) CreateConnector(ctx context.Context, c storage.Connector) error {
	c, err := c.Normalized()
	if err != nil {
		return fmt.Errorf("memory: create %w", err)
	}
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.upstreams.connectors[c.ID]; ok {
			return exists("create connector", c.ID)
		}
		return s.putConnector(t, c)
	})
}

// GetConnector implements storage.Upstreams.
func (s *Store) GetConnector(ctx context.Context, id string) (storage.Connector, error) {
	var c storage.Connector
	err := s.do(ctx, func(*txn) error {
		got, ok := s.upstreams.connectors[id]
		if !ok {
			return notFound("get connector", id)
		}
		c = got.Clone()
		return nil
	})
	return c, err
}

// GetConnectorByDomain implements storage.Upstreams.
func (s *Store) GetConnectorByDomain(ctx context.Context, domain string) (storage.Connector, error) {
	var c storage.Connector
	err := s.do(ctx, func(*txn) error {
		id, ok := s.upstreams.domains[lower(domain)]
		if !ok {
			return notFound("get connector of domain", domain)
		}
		c = s.upstreams.connectors[id].Clone()
		return nil
	})
	return c, err
}

// ListConnectors implements storage.Upstreams.
func (s *Store) ListConnectors(ctx context.Context) ([]storage.Connector, error) {
	var out []storage.Connector
	err := s.do(ctx, func(*txn) error {
		for _, c := range s.upstreams.connectors {
			out = append(out, c.Clone())
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.Connector) int { return strings.Compare(a.ID, b.ID) })
	return out, err
}

// UpdateConnector implements storage.Upstreams.
func (s *Store) UpdateConnector(ctx context.Context, id string, update func(storage.Connector) (storage.Connector, error)) (storage.Connector, error) {
	var c storage.Connector
	err := s.do(ctx, func(t *txn) error {
		old, ok := s.upstreams.connectors[id]
		if !ok {
			return notFound("update connector", id)
		}
		next, err := update(old.Clone())
		if err != nil {
			return err
		}
		if next.ID != old.ID {
			return fmt.Errorf("memory: update connector %s: the ID cannot change", id)
		}
		if next, err = next.Normalized(); err != nil {
			return fmt.Errorf("memory: update %w", err)
		}
		c = next.Clone()
		return s.putConnector(t, next)
	})
	if err != nil {
		return storage.Connector{}, err
	}
	return c, nil
}

// DeleteConnector implements storage.Upstreams.
func (s *Store) DeleteConnector(ctx context.Context, id string) error {
	return s.do(ctx, func(t *txn) error {
		c, ok := s.upstreams.connectors[id]
		if !ok {
			return notFound("delete connector", id)
		}
		for _, d := range c.Domains {
			del(t, s.upstreams.domains, d)
		}
		del(t, s.upstreams.connectors, id)
		delWhere(t, s.upstreams.identities, func(k identityKey, _ storage.LinkedIdentity) bool { return k.connectorID == id })
		return nil
	})
}

// LinkIdentity implements storage.Upstreams.
func (s *Store) LinkIdentity(ctx context.Context, l storage.LinkedIdentity) error {
	return s.do(ctx, func(t *txn) error {
		if _, ok := s.users[l.UserID]; !ok {
			return notFound("link identity: user", l.UserID)
		}
		k := identityKey{l.ConnectorID, l.Subject}
		if _, ok := s.upstreams.identities[k]; ok {
			return exists("link identity of connector "+l.ConnectorID+": subject", l.Subject)
		}
		for _, other := range s.upstreams.identities {
			if other.UserID == l.UserID && other.ConnectorID == l.ConnectorID {
				return exists("link identity of connector "+l.ConnectorID+": user", l.UserID)
			}
		}
		put(t, s.upstreams.identities, k, l)
		return nil
	})
}

// GetLinkedIdentity implements storage.Upstreams.
func (s *Store) GetLinkedIdentity(ctx context.Context, connectorID, subject string) (storage.LinkedIdentity, error) {
	var l storage.LinkedIdentity
	err := s.do(ctx, func(*txn) error {
		got, ok := s.upstreams.identities[identityKey{connectorID, subject}]
		if !ok {
			return notFound("get linked identity of connector "+connectorID+": subject", subject)
		}
		l = got
		return nil
	})
	return l, err
}

// ListUserIdentities implements storage.Upstreams.
func (s *Store) ListUserIdentities(ctx context.Context, userID string) ([]storage.LinkedIdentity, error) {
	var out []storage.LinkedIdentity
	err := s.do(ctx, func(*txn) error {
		for _, l := range s.upstreams.identities {
			if l.UserID == userID {
				out = append(out, l)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.LinkedIdentity) int { return strings.Compare(a.ConnectorID, b.ConnectorID) })
	return out, err
}

// UnlinkIdentity implements storage.Upstreams.
func (s *Store) UnlinkIdentity(ctx context.Context, userID, connectorID, subject string) error {
	return s.do(ctx, func(t *txn) error {
		k := identityKey{connectorID, subject}
		if l, ok := s.upstreams.identities[k]; !ok || l.UserID != userID {
			return notFound("unlink identity of connector "+connectorID+" from user", userID)
		}
		del(t, s.upstreams.identities, k)
		return nil
	})
}

// TouchIdentity implements storage.Upstreams.
func (s *Store) TouchIdentity(ctx context.Context, connectorID, subject string, at time.Time) error {
	return s.do(ctx, func(t *txn) error {
		k := identityKey{connectorID, subject}
		l, ok := s.upstreams.identities[k]
		if !ok {
			return notFound("touch identity of connector "+connectorID+": subject", subject)
		}
		l.LastUsedAt = at
		put(t, s.upstreams.identities, k, l)
		return nil
	})
}
