// Package memory is the in-memory storage backend behind dev mode and fast
// tests. Every map sits behind one mutex; a transaction holds that mutex
// from BeginTx to Commit or Rollback and keeps an undo log, so concurrent
// requests see the same all-or-nothing behaviour as on Postgres. Nothing
// survives a restart.
package memory
