-- Indexes on the expiry of login sessions and flows, so that the janitor
-- finds expired rows without reading whole tables. Tokens, JTIs, one-time
-- links and failure counters have theirs since 00001 and 00002.
--
-- CONCURRENTLY, so that building them on large tables (they grew until the
-- janitor came) does not block sign-ins; that cannot run in a transaction.
-- A build interrupted halfway leaves an invalid index behind: each is
-- dropped first, so that running the migration again builds it whole.

-- +goose NO TRANSACTION

-- +goose Up
DROP INDEX CONCURRENTLY IF EXISTS login_sessions_expires_at_idx;
CREATE INDEX CONCURRENTLY login_sessions_expires_at_idx ON login_sessions (expires_at);
DROP INDEX CONCURRENTLY IF EXISTS flows_expires_at_idx;
CREATE INDEX CONCURRENTLY flows_expires_at_idx ON flows (expires_at);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS flows_expires_at_idx;
DROP INDEX CONCURRENTLY IF EXISTS login_sessions_expires_at_idx;
