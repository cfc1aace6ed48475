-- The algorithm a private_key_jwt client signs its assertions with;
-- empty means RS256.

-- +goose Up
ALTER TABLE clients ADD COLUMN token_endpoint_auth_signing_alg text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE clients DROP COLUMN token_endpoint_auth_signing_alg;
