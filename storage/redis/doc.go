// Package redis is the token cache: a decorator over a storage.Store that
// answers the hot reads — access tokens (introspection, userinfo),
// clients (client authentication) and users (userinfo) — from memory and
// Redis, and sends every other call to the store it wraps, the source of
// truth.
//
// # Layers
//
// A read looks in the node's own memory first (entries live at most
// Config.LocalTTL), then in Redis, then in the store, and fills what it
// missed. An access token is also written to Redis when it is issued
// (write-through), after its transaction commits.
//
// # Revocation
//
// Entries are never trusted blindly. Redis keeps a version counter, and
// each entry records the counter's value read before the store was read
// for it, plus the markers it depends on: its own (signature or ID), its
// client's tokens, its subject. A revocation, after the store has
// committed it, increments the counter and stamps each marker it touches
// with the new value, in one script; a read treats an entry as a miss when
// one of its markers is newer than the entry. So a reader that raced the
// revocation and filled the cache with what it read before the commit
// does not bring the token back. The invalidation is then published on a
// channel, and every node drops the matching entries from its memory
// within milliseconds; a node whose subscription is down does not use its
// memory at all, and no entry outlives LocalTTL anyway.
//
// # Shards
//
// The cache is cut into 256 shards so that a Redis Cluster spreads it over
// all its nodes. A record's shard is picked by its ID (an access token's
// signature, what a read knows); every key of a shard carries the shard's
// hash tag, and the tags' slots are evenly spaced over the Cluster's 16384,
// so any equal split of the slots gives each node an equal share. Each
// shard has its own version counter and markers, and each script touches
// one shard: a read, one record's revocation (a token, a client, a user).
//
// A revocation of a client's or a subject's tokens, which may sit in any
// shard, stamps its marker in every shard, one script each, pipelined by
// node: such revocations are rare (an admin action, a password reset),
// reads are not. A token family's revocation is frequent (every refresh
// token rotation), so it stamps only the family's tokens: the store names
// the access tokens it made inactive (storage.Tokens.RevokeFamily and
// RotateRefreshToken return their signatures), and each one's own marker
// is stamped in its shard. A token the revocation did not see was
// committed after it, and is active in the store too.
//
// # Redis failures
//
// Every Redis call has a short deadline and goes through a circuit
// breaker; a failed call is a cache miss, answered from the store. A
// revocation that could not reach Redis bumps the cache epoch in the store
// (storage.CacheEpochs). Every key carries the epoch, and nodes re-read it
// every Config.EpochCheck and before using Redis again after an outage, so
// nothing cached before the revocation is read again.
//
// # Failure counters
//
// The brute-force counters (storage.Counters) are kept in Redis itself,
// not cached: sign-in attempts count there for every node without a
// database write, and in the wrapped store while Redis fails.
//
// Redis must not evict keys (maxmemory-policy noeviction): an evicted
// marker would let a stale entry through.
package redis
