package redis

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// Clients are cached for client authentication, which every token and
// introspection request does; users for userinfo. Both are JSON in Redis:
// the in-process cache keeps the hot ones decoded.

func clientKey(id string) string { return "c:" + id }
func userKey(id string) string   { return "u:" + id }

func jsonLookup[T any](s *Store, cache string, kind byte, key, self func(string) string, clone func(T) T, load func(ctx context.Context, id string) (T, error)) *lookup[T] {
	return &lookup[T]{
		cache: cache,
		kind:  kind,
		key:   key,
		self:  self,
		ttl:   s.cfg.ObjectTTL,
		load:  load,
		decode: func(_ string, b []byte) (T, error) {
			var v T
			err := json.Unmarshal(b, &v)
			return v, err
		},
		encode: func(v T) []byte {
			b, _ := json.Marshal(v)
			return b
		},
		markers: func(T) []string { return nil },
		expiry:  func(T) time.Time { return time.Time{} },
		clone:   clone,
	}
}

func (s *Store) clientLookup() *lookup[storage.Client] {
	return jsonLookup(s, "client", 'c', clientKey, markerClient, storage.Client.Clone, s.Store.GetClient)
}

func (s *Store) userLookup() *lookup[storage.User] {
	return jsonLookup(s, "user", 'u', userKey, markerUser, storage.User.Clone, s.Store.GetUser)
}

// GetClient implements storage.Clients from the cache when it can. The
// cached record holds only keyed hashes of the client's secrets.
func (s *Store) GetClient(ctx context.Context, id string) (storage.Client, error) {
	if s.inTx(ctx) || !clean(id) {
		return s.Store.GetClient(ctx, id)
	}
	return get(ctx, s, s.clients, id)
}

// CreateClient implements storage.Clients: nothing is cached of a client
// that did not exist, but every node is told (OnClientsChanged).
func (s *Store) CreateClient(ctx context.Context, c storage.Client) error {
	err := s.Store.CreateClient(ctx, c)
	if err == nil {
		s.clientsChangedAfter(ctx)
	}
	return err
}

// UpdateClient implements storage.Clients: a rotated, revoked or expired
// secret, or a changed scope list, is seen by every node at once.
func (s *Store) UpdateClient(ctx context.Context, id string, update func(storage.Client) (storage.Client, error)) (storage.Client, error) {
	c, err := s.Store.UpdateClient(ctx, id, update)
	s.invalidateAfter(ctx, change{records: []record{clientRecord(id)}})
	if err == nil {
		s.clientsChangedAfter(ctx)
	}
	return c, err
}

// TouchClientSecret implements storage.Clients. Callers record a use at
// most once a minute per secret, so showing the new time everywhere is
// rare. It revokes nothing: when Redis cannot be told, the cached client
// shows the older time until it expires, and the epoch is left alone.
func (s *Store) TouchClientSecret(ctx context.Context, clientID, secretID string, at time.Time) error {
	err := s.Store.TouchClientSecret(ctx, clientID, secretID, at)
	if err == nil {
		if serr := s.stamp(context.WithoutCancel(ctx), change{records: []record{clientRecord(clientID)}}); serr != nil {
			s.logger.DebugContext(ctx, "show a secret's last use in redis", "err", serr)
		}
	}
	return err
}

// DeleteClient implements storage.Clients: the client and every token
// issued to it.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	err := s.Store.DeleteClient(ctx, id)
	s.invalidateAfter(ctx, change{records: []record{clientRecord(id)}, everywhere: []string{markerClientTokens(id)}})
	if err == nil {
		s.clientsChangedAfter(ctx)
	}
	return err
}

// GetUser implements storage.Users from the cache when it can.
func (s *Store) GetUser(ctx context.Context, id string) (storage.User, error) {
	if s.inTx(ctx) || !clean(id) {
		return s.Store.GetUser(ctx, id)
	}
	return get(ctx, s, s.users, id)
}

// UpdateUser implements storage.Users.
func (s *Store) UpdateUser(ctx context.Context, id string, update func(storage.User) (storage.User, error)) (storage.User, error) {
	u, err := s.Store.UpdateUser(ctx, id, update)
	s.invalidateAfter(ctx, change{records: []record{userRecord(id)}})
	return u, err
}

// CreateSigningKey implements storage.Keys, telling every node.
func (s *Store) CreateSigningKey(ctx context.Context, k storage.SigningKey) error {
	err := s.Store.CreateSigningKey(ctx, k)
	if err == nil {
		s.publishKeys(ctx)
	}
	return err
}

// RotateSigningKey implements storage.Keys, telling every node.
func (s *Store) RotateSigningKey(ctx context.Context, next storage.SigningKey, retireAt time.Time) error {
	err := s.Store.RotateSigningKey(ctx, next, retireAt)
	if err == nil {
		s.publishKeys(ctx)
	}
	return err
}

// DeleteSigningKey implements storage.Keys, telling every node.
func (s *Store) DeleteSigningKey(ctx context.Context, id string) error {
	err := s.Store.DeleteSigningKey(ctx, id)
	if err == nil {
		s.publishKeys(ctx)
	}
	return err
}
