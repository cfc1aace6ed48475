// Package storage declares what TokenIM Auth keeps and the contract every
// backend honours: the record types, four sentinel errors, and one small
// interface per area (Clients, Users, LoginSessions, BackchannelLogouts,
// Flows, DeviceAuthorizations, Tokens, Consents, ScopeGrants, Keys, JTIs,
// Links, Passkeys, Workspaces, Counters, CacheEpochs, Audit, and Purger,
// which deletes what has expired). Store is their union, for backends and
// wiring; a consumer takes the smallest interface it needs.
//
// The package imports neither fosite nor any provider package: token
// records carry the fosite request as an opaque serialized blob next to the
// columns we query, and the adapter in provider/oauth owns the encoding.
//
// Backends: storage/memory (dev mode, tests) and storage/postgres
// (production). storage/redis is a cache in front of either (a
// LockingStore it wraps), answering hot reads and keeping the counters.
// storage/storagetest is the conformance suite all three run.
package storage
