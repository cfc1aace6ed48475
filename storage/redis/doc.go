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
// for it, plus the markers it depends on: its signature, its family
// (request ID), its client, its subject. A revocation, after the store has
// committed it, increments the counter and stamps each marker it touches
// with the new value, in one script; a read treats an entry as a miss when
// one of its markers is newer than the entry. So a reader that raced the
// revocation and filled the cache with what it read before the commit
// does not bring the token back. The same script publishes the markers on
// a channel, and every node drops the matching entries from its memory
// within milliseconds; a node whose subscription is down does not use its
// memory at all, and no entry outlives LocalTTL anyway.
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
