-- The web origins a browser may call the token, userinfo, revocation and
-- device endpoints from for a client (CORS, storage.Client.AllowedOrigins),
-- each "scheme://host[:port]". Empty for the clients there are: a public
-- client's redirect URIs' origins are allowed without being listed.

-- +goose Up
ALTER TABLE clients ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE clients DROP COLUMN allowed_origins;
