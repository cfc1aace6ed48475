-- A client's access tokens are opaque or JWTs (RFC 9068,
-- storage.Client.AccessTokenFormat); empty means opaque, so existing
-- clients keep opaque tokens. Both formats are stored alike, as rows of
-- tokens keyed by their signature.

-- +goose Up
ALTER TABLE clients ADD COLUMN access_token_format text NOT NULL DEFAULT ''
    CHECK (access_token_format IN ('', 'opaque', 'jwt'));

-- +goose Down
ALTER TABLE clients DROP COLUMN access_token_format;
