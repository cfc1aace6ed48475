// Package postgres is the production storage backend: it implements
// storage.Store over a pgx connection pool.
//
// It owns the database schema: the SQL migrations in migrations/, embedded
// in the binary and applied by goose (Store.Migrate, run by
// `tokenim-auth migrate` and by `serve` unless disabled), and the check
// that a server started with migrations off does not run on an older
// schema (Store.CheckSchema). Nothing else in the program writes SQL.
//
// Every call runs under the caller's context plus Config.QueryTimeout.
// A context returned by BeginTx carries a pgx transaction; each call made
// with it (or with a context derived from it) runs on that transaction.
// Calls that change several rows (UpdateClient, RotateRefreshToken,
// RotateSigningKey, ...) open their own transaction when the context has
// none, and otherwise run inside a savepoint of the caller's transaction,
// as do single writes that a constraint may refuse: a call that fails
// undoes only its own writes and leaves the transaction usable, as the
// storage contract requires.
//
// Driver errors are translated in one place (errors.go) into the storage
// sentinels: a missing row or a missing parent (a foreign key) is
// storage.ErrNotFound, a unique violation storage.ErrAlreadyExists, a
// serialization failure, deadlock or lock timeout storage.ErrConflict.
//
// Races are settled by Postgres rather than in Go: a code is redeemed and
// a refresh token rotated by a conditional UPDATE (… AND active), so of
// concurrent calls exactly one sees the row still active; the partial
// unique index on signing_keys keeps at most one current key of each
// algorithm however many nodes create or rotate keys at once.
//
// Expired rows are deleted by Purge, a bounded batch per statement found
// through an index on the expiry column; TryLock takes a session-level
// advisory lock, per schema, on a connection it keeps until unlock, so
// that one node at a time runs the janitor.
//
// Tests use the sub-package pgtest, which gives each test its own schema.
package postgres
