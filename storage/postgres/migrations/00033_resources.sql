-- The protected resources (RFC 8707) managed in the console
-- (storage.Resource): each by its resource identifier, with the scopes it
-- accepts. The configured ones are never stored here.

-- +goose Up
CREATE TABLE resources (
    uri        text COLLATE "C" PRIMARY KEY,
    name       text NOT NULL DEFAULT '',
    scopes     text[] NOT NULL DEFAULT '{}',
    created_at timestamptz,
    updated_at timestamptz
);

-- +goose Down
DROP TABLE resources;
