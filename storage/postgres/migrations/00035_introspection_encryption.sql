-- How a client's signed introspection answers are signed and encrypted
-- (RFC 9701 section 6: introspection_signed_response_alg,
-- introspection_encrypted_response_alg, introspection_encrypted_response_enc;
-- storage.Client.IntrospectionSignedResponseAlg and the two after it).
-- Empty means the defaults: signed with RS256, not encrypted. The values
-- allowed are checked where clients are registered (provider/clientrules),
-- so a new algorithm needs no migration.

-- +goose Up
ALTER TABLE clients
    ADD COLUMN introspection_signed_response_alg text NOT NULL DEFAULT '',
    ADD COLUMN introspection_encrypted_response_alg text NOT NULL DEFAULT '',
    ADD COLUMN introspection_encrypted_response_enc text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE clients
    DROP COLUMN introspection_signed_response_alg,
    DROP COLUMN introspection_encrypted_response_alg,
    DROP COLUMN introspection_encrypted_response_enc;
