-- Dynamic client registration (RFC 7591, RFC 7592). A client that
-- registered itself keeps when (registered_at, NULL for every other
-- client), a keyed hash of its registration access token (never the
-- token), the initial access token it presented, and the metadata only
-- such a client states (storage.ClientRegistration). The initial access
-- tokens administrators issue (storage.RegistrationToken) are kept as a
-- keyed hash too, with how many registrations each is good for and how
-- many it was used for.

-- +goose Up
ALTER TABLE clients
    ADD COLUMN registered_at              timestamptz,
    ADD COLUMN registration_token_hash    bytea,
    ADD COLUMN registration_initial_token text COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN client_uri                 text NOT NULL DEFAULT '',
    ADD COLUMN policy_uri                 text NOT NULL DEFAULT '',
    ADD COLUMN tos_uri                    text NOT NULL DEFAULT '',
    ADD COLUMN contacts                   text[] NOT NULL DEFAULT '{}',
    ADD COLUMN software_id                text NOT NULL DEFAULT '',
    ADD COLUMN software_version           text NOT NULL DEFAULT '';

CREATE TABLE registration_tokens (
    id           text COLLATE "C" PRIMARY KEY,
    name         text NOT NULL DEFAULT '',
    prefix       text NOT NULL,
    -- A keyed hash of the token, never the token.
    hash         bytea NOT NULL,
    created_by   text NOT NULL DEFAULT '',
    created_at   timestamptz,
    expires_at   timestamptz,
    max_uses     integer NOT NULL CHECK (max_uses >= 0),
    uses         integer NOT NULL DEFAULT 0 CHECK (uses >= 0),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX registration_tokens_created_idx ON registration_tokens (created_at);

-- +goose Down
DROP TABLE registration_tokens;
ALTER TABLE clients
    DROP COLUMN registered_at,
    DROP COLUMN registration_token_hash,
    DROP COLUMN registration_initial_token,
    DROP COLUMN client_uri,
    DROP COLUMN policy_uri,
    DROP COLUMN tos_uri,
    DROP COLUMN contacts,
    DROP COLUMN software_id,
    DROP COLUMN software_version;
