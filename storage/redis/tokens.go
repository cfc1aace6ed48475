package redis

import (
	"context"
	"time"

	"github.com/tokenim/tokenim-auth/storage"
)

// Only access tokens are cached: they are what resource servers
// introspect on every call. Codes and refresh tokens are read once per
// use and their state changes (redemption, rotation) must be settled by
// the store.

func tokenKey(signature string) string { return "t:" + signature }

// CreateToken implements storage.Tokens, writing an access token through
// to Redis once it is committed. Its entry carries a version this node
// had seen of its shard before the insert: a revocation that follows the
// insert names the token (the store returns what it revoked) and makes
// the entry stale, however the two interleave.
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	return s.createToken(ctx, t, func(ctx context.Context) error { return s.Store.CreateToken(ctx, t) })
}

// CreateTokenRecorded implements storage.Tokens, caching an access token as
// CreateToken does.
func (s *Store) CreateTokenRecorded(ctx context.Context, t storage.Token, rec storage.AuditRecord) error {
	return s.createToken(ctx, t, func(ctx context.Context) error { return s.Store.CreateTokenRecorded(ctx, t, rec) })
}

// createToken runs create, which stores t, and writes an access token
// through to the cache: after the transaction ctx carries commits, or at
// once.
func (s *Store) createToken(ctx context.Context, t storage.Token, create func(ctx context.Context) error) error {
	if t.Kind != storage.KindAccessToken || !clean(t.Signature) {
		return create(ctx)
	}
	g := s.gen.Load()
	shard := s.shards.of(t.Signature)
	version := g.known[shard].Load()
	cur, usable := s.usable(ctx)
	if err := create(ctx); err != nil {
		return err
	}
	if !usable || cur != g {
		return nil
	}
	f := pendingFill{g: g, shard: shard, key: tokenKey(t.Signature), version: version, markers: tokenMarkers(t),
		payload: s.codec.encodeToken(t), ttl: s.cfg.TokenTTL, expires: t.ExpiresAt}
	if p := s.pendingOf(ctx); p != nil {
		p.mu.Lock()
		p.fills = append(p.fills, f)
		p.mu.Unlock()
		return nil
	}
	if cur, ok := s.usable(ctx); ok && cur == g {
		s.fill(ctx, g, f.shard, f.key, f.version, f.markers, f.payload, f.ttl, f.expires)
	}
	return nil
}

// GetToken implements storage.Tokens; an access token read outside a
// transaction comes from the cache when it can. Inactive tokens are cached
// too: a revoked token presented again is answered as quickly.
func (s *Store) GetToken(ctx context.Context, kind storage.TokenKind, signature string) (storage.Token, error) {
	if kind != storage.KindAccessToken || s.inTx(ctx) || !clean(signature) {
		return s.Store.GetToken(ctx, kind, signature)
	}
	return get(ctx, s, s.tokens, signature)
}

// tokenLookup reads access tokens by signature.
func (s *Store) tokenLookup() *lookup[storage.Token] {
	return &lookup[storage.Token]{
		cache: "token",
		kind:  't',
		key:   tokenKey,
		self:  markerToken,
		ttl:   s.cfg.TokenTTL,
		load: func(ctx context.Context, signature string) (storage.Token, error) {
			return s.Store.GetToken(ctx, storage.KindAccessToken, signature)
		},
		decode: func(signature string, b []byte) (storage.Token, error) {
			return s.codec.decodeToken(storage.KindAccessToken, signature, b)
		},
		encode:  s.codec.encodeToken,
		markers: tokenMarkers,
		expiry:  func(t storage.Token) time.Time { return t.ExpiresAt },
		clone:   storage.Token.Clone,
	}
}

// DeleteToken implements storage.Tokens.
func (s *Store) DeleteToken(ctx context.Context, kind storage.TokenKind, signature string) error {
	err := s.Store.DeleteToken(ctx, kind, signature)
	if kind == storage.KindAccessToken {
		s.invalidateAfter(ctx, change{records: []record{tokenRecord(signature)}})
	}
	return err
}

// DeactivateToken implements storage.Tokens.
func (s *Store) DeactivateToken(ctx context.Context, kind storage.TokenKind, signature string) error {
	err := s.Store.DeactivateToken(ctx, kind, signature)
	if kind == storage.KindAccessToken {
		s.invalidateAfter(ctx, change{records: []record{tokenRecord(signature)}})
	}
	return err
}

// RotateRefreshToken implements storage.Tokens: the family's access
// tokens are retired with the refresh token, and the store names them.
func (s *Store) RotateRefreshToken(ctx context.Context, requestID, signature string, at time.Time, window time.Duration) ([]string, error) {
	retired, err := s.Store.RotateRefreshToken(ctx, requestID, signature, at, window)
	if len(retired) > 0 {
		s.invalidateAfter(ctx, tokensChange(retired))
	}
	return retired, err
}

// RevokeFamily implements storage.Tokens: the store names the access
// tokens it revoked, and only those are made stale, each in its shard.
func (s *Store) RevokeFamily(ctx context.Context, kind storage.TokenKind, requestID string) ([]string, error) {
	revoked, err := s.Store.RevokeFamily(ctx, kind, requestID)
	if kind == storage.KindAccessToken && len(revoked) > 0 {
		s.invalidateAfter(ctx, tokensChange(revoked))
	}
	return revoked, err
}

// RevokeSubject implements storage.Tokens. Every cached token of the
// subject is re-read, whatever its client.
func (s *Store) RevokeSubject(ctx context.Context, subject, clientID string) (int, error) {
	n, err := s.Store.RevokeSubject(ctx, subject, clientID)
	s.invalidateAfter(ctx, change{everywhere: []string{markerSubject(subject)}})
	return n, err
}

// RevokeSubjectBeyond implements storage.Tokens.
func (s *Store) RevokeSubjectBeyond(ctx context.Context, subject string, allowed []string) (int, error) {
	n, err := s.Store.RevokeSubjectBeyond(ctx, subject, allowed)
	s.invalidateAfter(ctx, change{everywhere: []string{markerSubject(subject)}})
	return n, err
}

// RevokeClientWorkspace implements storage.Tokens. Every cached token of
// the client is re-read, whatever its workspace.
func (s *Store) RevokeClientWorkspace(ctx context.Context, clientID, workspaceID string) (int, error) {
	n, err := s.Store.RevokeClientWorkspace(ctx, clientID, workspaceID)
	s.invalidateAfter(ctx, change{everywhere: []string{markerClientTokens(clientID)}})
	return n, err
}

// RevokeSubjectWorkspace implements storage.Tokens. Every cached token of
// the subject is re-read, whatever its workspace: the marker names the
// subject, which is enough to drop the workspace's tokens at once on
// every node.
func (s *Store) RevokeSubjectWorkspace(ctx context.Context, subject, workspaceID string) (int, error) {
	n, err := s.Store.RevokeSubjectWorkspace(ctx, subject, workspaceID)
	s.invalidateAfter(ctx, change{everywhere: []string{markerSubject(subject)}})
	return n, err
}
