-- The upstream identity provider a login session was signed in through
-- (storage.LoginSession.Upstream, the connector's ID), the user's subject
-- there and the upstream's session ID (its ID token's sid, when it sent
-- one). Empty for the rows stored before and for sign-ins of our own.
--
-- An upstream's back-channel logout names the sessions to end by sid, or
-- by subject alone (ListUpstreamSessions): an index serves each, and
-- holds only the sessions that came from an upstream.

-- +goose Up
ALTER TABLE login_sessions
    ADD COLUMN upstream         text COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN upstream_subject text COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN upstream_sid     text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX login_sessions_upstream_subject_idx ON login_sessions (upstream, upstream_subject)
    WHERE upstream <> '';
CREATE INDEX login_sessions_upstream_sid_idx ON login_sessions (upstream, upstream_sid)
    WHERE upstream_sid <> '';

-- +goose Down
DROP INDEX login_sessions_upstream_sid_idx;
DROP INDEX login_sessions_upstream_subject_idx;
ALTER TABLE login_sessions
    DROP COLUMN upstream_sid,
    DROP COLUMN upstream_subject,
    DROP COLUMN upstream;
