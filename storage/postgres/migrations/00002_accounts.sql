-- Accounts: TOTP second factor and recovery codes on users, one-time
-- links sent by email (activation, password reset), failure counters for
-- brute-force protection, and revoking a user's tokens by subject.

-- +goose Up
ALTER TABLE users
    ADD COLUMN totp_secret    bytea,
    ADD COLUMN totp_enabled   boolean NOT NULL DEFAULT false,
    ADD COLUMN totp_last_step bigint NOT NULL DEFAULT 0,
    ADD COLUMN recovery_codes bytea[] NOT NULL DEFAULT '{}';

-- Only the keyed hash of a link's token is kept.
CREATE TABLE one_time_links (
    hash       text COLLATE "C" PRIMARY KEY,
    purpose    text NOT NULL,
    user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz,
    expires_at timestamptz NOT NULL
);

CREATE INDEX one_time_links_user_purpose_idx ON one_time_links (user_id, purpose);
CREATE INDEX one_time_links_expires_at_idx ON one_time_links (expires_at);

CREATE TABLE failure_counters (
    key          text COLLATE "C" PRIMARY KEY,
    failures     integer NOT NULL,
    last_failure timestamptz NOT NULL
);

CREATE INDEX failure_counters_last_failure_idx ON failure_counters (last_failure);

CREATE INDEX tokens_subject_idx ON tokens (subject) WHERE subject <> '';

-- +goose Down
DROP INDEX tokens_subject_idx;
DROP TABLE failure_counters;
DROP TABLE one_time_links;
ALTER TABLE users
    DROP COLUMN recovery_codes,
    DROP COLUMN totp_last_step,
    DROP COLUMN totp_enabled,
    DROP COLUMN totp_secret;
