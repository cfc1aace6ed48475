-- The accounts' WebAuthn credentials (storage.Passkey): the public key the
-- provider verifies each assertion with, the signature counter and the
-- authenticator data flags as last seen. A credential ID is unique across
-- every account; an account's passkeys go with it.

-- +goose Up
CREATE TABLE passkeys (
    id               bytea PRIMARY KEY,
    user_id          text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             text NOT NULL,
    public_key       bytea NOT NULL,
    attestation_type text NOT NULL,
    aaguid           bytea NOT NULL,
    sign_count       bigint NOT NULL CHECK (sign_count BETWEEN 0 AND 4294967295),
    transports       text[] NOT NULL DEFAULT '{}',
    user_verified    boolean NOT NULL,
    backup_eligible  boolean NOT NULL,
    backup_state     boolean NOT NULL,
    created_at       timestamptz NOT NULL,
    last_used_at     timestamptz
);

CREATE INDEX passkeys_user_idx ON passkeys (user_id, created_at);

-- +goose Down
DROP TABLE passkeys;
