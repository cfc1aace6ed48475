// Package janitor deletes what has expired — codes and tokens, login
// sessions, flows, one-time links, client assertion IDs, forgotten failure
// counters, initial access tokens of dynamic client registration once
// expired, revoked or used up — so that those tables do not grow without bound while live
// rows stay (see storage.Purger for what each area keeps).
//
// Every node of a deployment runs the janitor (Run, started by serve), but
// a round runs on one node at a time: it first takes a lock shared by the
// nodes (a Postgres advisory lock), and a node that finds it taken skips
// the round. A round purges each area in small batches, one short
// statement each, until a batch comes back short. The command
// "tokenim-auth janitor" runs one round (Once).
package janitor
