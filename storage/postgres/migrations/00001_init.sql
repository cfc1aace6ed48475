-- The initial schema. Conventions, kept by every later migration:
--   * timestamps are timestamptz; NULL stands for Go's zero time.Time;
--   * string lists are text[] NOT NULL (an empty array for none);
--   * keys and list orders use COLLATE "C" so that rows sort by bytes,
--     as Go compares strings;
--   * whatever belongs to a client or a user goes with it (ON DELETE
--     CASCADE), so DeleteClient is one statement.

-- +goose Up
CREATE TABLE clients (
    id                         text COLLATE "C" PRIMARY KEY,
    name                       text NOT NULL,
    type                       text NOT NULL,
    redirect_uris              text[] NOT NULL DEFAULT '{}',
    post_logout_redirect_uris  text[] NOT NULL DEFAULT '{}',
    grant_types                text[] NOT NULL DEFAULT '{}',
    scopes                     text[] NOT NULL DEFAULT '{}',
    audience                   text[] NOT NULL DEFAULT '{}',
    token_endpoint_auth_method text NOT NULL DEFAULT '',
    jwks_uri                   text NOT NULL DEFAULT '',
    skip_consent               boolean NOT NULL DEFAULT false,
    created_at                 timestamptz,
    updated_at                 timestamptz
);

-- A client's secrets, kept as keyed hashes; position keeps the order the
-- client record lists them in (oldest first).
CREATE TABLE client_secrets (
    client_id  text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    id         text COLLATE "C" NOT NULL,
    position   integer NOT NULL,
    hash       bytea NOT NULL,
    prefix     text NOT NULL DEFAULT '',
    created_at timestamptz,
    expires_at timestamptz,
    PRIMARY KEY (client_id, id)
);

CREATE TABLE users (
    id             text COLLATE "C" PRIMARY KEY,
    email          text NOT NULL,
    email_verified boolean NOT NULL DEFAULT false,
    name           text NOT NULL DEFAULT '',
    password_hash  text NOT NULL DEFAULT '',
    status         text NOT NULL,
    created_at     timestamptz,
    updated_at     timestamptz
);

-- Emails are unique without regard to case; the same expression orders
-- ListUsers' keyset pagination.
CREATE UNIQUE INDEX users_lower_email_key ON users ((lower(email)) COLLATE "C");

CREATE TABLE login_sessions (
    id         text COLLATE "C" PRIMARY KEY,
    user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auth_time  timestamptz,
    amr        text[] NOT NULL DEFAULT '{}',
    acr        text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT '',
    ip         text NOT NULL DEFAULT '',
    created_at timestamptz,
    expires_at timestamptz
);

CREATE INDEX login_sessions_user_id_idx ON login_sessions (user_id);

CREATE TABLE flows (
    id         text COLLATE "C" PRIMARY KEY,
    client_id  text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    query      text NOT NULL DEFAULT '',
    user_id    text NOT NULL DEFAULT '',
    auth_time  timestamptz,
    amr        text[] NOT NULL DEFAULT '{}',
    decision   text NOT NULL DEFAULT '',
    granted_scopes text[] NOT NULL DEFAULT '{}',
    created_at timestamptz,
    expires_at timestamptz
);

CREATE INDEX flows_client_id_idx ON flows (client_id);

-- Every code and token fosite keeps, told apart by kind. The token itself
-- is never stored: signature identifies it, session is fosite's request,
-- opaque here.
CREATE TABLE tokens (
    kind             text NOT NULL,
    signature        text NOT NULL,
    request_id       text NOT NULL,
    client_id        text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    subject          text NOT NULL DEFAULT '',
    scopes           text[] NOT NULL DEFAULT '{}',
    active           boolean NOT NULL,
    requested_at     timestamptz,
    expires_at       timestamptz,
    access_signature text NOT NULL DEFAULT '',
    session          bytea,
    PRIMARY KEY (kind, signature)
);

-- A family's tokens (rotation, revocation), a client's or a user's tokens
-- (deletion, listing), and expired tokens (clean-up).
CREATE INDEX tokens_request_id_kind_idx ON tokens (request_id, kind);
CREATE INDEX tokens_client_id_subject_idx ON tokens (client_id, subject);
CREATE INDEX tokens_expires_at_idx ON tokens (expires_at);

CREATE TABLE consents (
    user_id    text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id  text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scopes     text[] NOT NULL DEFAULT '{}',
    granted_at timestamptz,
    expires_at timestamptz,
    PRIMARY KEY (user_id, client_id)
);

CREATE INDEX consents_client_id_idx ON consents (client_id);

-- Signing keys; private_key is sealed with the system secret before it
-- gets here, public_key is the JWK as the caller encoded it.
CREATE TABLE signing_keys (
    kid         text COLLATE "C" PRIMARY KEY,
    algorithm   text NOT NULL,
    private_key bytea NOT NULL,
    public_key  bytea NOT NULL,
    created_at  timestamptz,
    retire_at   timestamptz
);

-- At most one current key (retire_at IS NULL), even with several nodes
-- creating or rotating at once: the loser gets a unique violation.
CREATE UNIQUE INDEX signing_keys_one_current_key ON signing_keys ((true)) WHERE retire_at IS NULL;

-- IDs of client assertion JWTs, remembered until they expire (RFC 7523
-- section 3).
CREATE TABLE jtis (
    jti        text PRIMARY KEY,
    expires_at timestamptz NOT NULL
);

CREATE INDEX jtis_expires_at_idx ON jtis (expires_at);

-- +goose Down
DROP TABLE jtis;
DROP TABLE signing_keys;
DROP TABLE consents;
DROP TABLE tokens;
DROP TABLE flows;
DROP TABLE login_sessions;
DROP TABLE users;
DROP TABLE client_secrets;
DROP TABLE clients;
