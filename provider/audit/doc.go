// Package audit keeps the authorization records: every security-relevant
// event — sign-ins, MFA changes, grants, tokens issued and revoked, apps,
// secrets, roles, users, admins' actions — as one record in an
// append-only trail, so that an administrator can answer "who got which
// permission, when, through which app, and who revoked it".
//
// A Recorder appends records, in the transaction of the change each
// records when there is one. A Sealer then chains them: record n carries
// HMAC-SHA-256(key, hash of record n-1 ‖ n ‖ canonical content of record
// n), the key derived from the system secret, so that someone who can
// write to the database but does not hold the system secret can neither
// alter nor delete a sealed record without Verify naming it. Sealing
// after the commit, rather than in each transaction, keeps the chain from
// serialising every token issued behind one lock; a record waits for the
// chain at most the sealer's interval (a second), and Verify reports the
// records still waiting.
//
// Prune deletes records past the retention period from the start of the
// chain and leaves a checkpoint (the link of the last record deleted,
// authenticated with the same key), from which the chain still verifies.
// Export writes any filtered listing as CSV or JSON lines, a page at a
// time.
package audit
