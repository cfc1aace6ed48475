-- The provider keeps a current signing key of each algorithm (RS256 and
-- ES256) rather than one key: at most one current key per algorithm. A
-- store with its one ES256 key gets an RS256 key at the next start.
--
-- The algorithm of a client's ID tokens
-- (storage.Client.IDTokenSignedResponseAlg, OpenID Connect Registration
-- 1.0 section 2); empty means RS256.

-- +goose Up
DROP INDEX signing_keys_one_current_key;
CREATE UNIQUE INDEX signing_keys_one_current_key_per_algorithm ON signing_keys (algorithm) WHERE retire_at IS NULL;

ALTER TABLE clients ADD COLUMN id_token_signed_response_alg text NOT NULL DEFAULT ''
    CHECK (id_token_signed_response_alg IN ('', 'RS256', 'ES256'));

-- +goose Down
ALTER TABLE clients DROP COLUMN id_token_signed_response_alg;

-- One current key again: the newest ES256 key stays current (the newest
-- key otherwise); the others stop signing but stay published for a day,
-- so the tokens they signed still verify.
UPDATE signing_keys SET retire_at = now() + interval '1 day'
WHERE retire_at IS NULL AND kid <> (
    SELECT kid FROM signing_keys WHERE retire_at IS NULL
    ORDER BY algorithm = 'ES256' DESC, created_at DESC NULLS LAST, kid
    LIMIT 1);
DROP INDEX signing_keys_one_current_key_per_algorithm;
CREATE UNIQUE INDEX signing_keys_one_current_key ON signing_keys ((true)) WHERE retire_at IS NULL;
