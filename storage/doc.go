// Package storage declares what TokenIM Auth keeps and the contract every
// backend honours: the record types, four sentinel errors, and one small
// interface per area (Clients, Users, LoginSessions, BackchannelLogouts,
// Flows, Tokens, Consents, Keys, JTIs, Links, Counters, and Purger, which
// deletes what has expired). Store is their union, for backends and wiring;
// a consumer takes the smallest interface it needs.
//
// The package imports neither fosite nor any provider package: token
// records carry the fosite request as an opaque serialized blob next to the
// columns we query, and the adapter in provider/oauth owns the encoding.
//
// Backends: storage/memory (dev mode, tests) and storage/postgres
// (production). storage/storagetest is the conformance suite both run.
package storage
