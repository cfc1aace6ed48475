-- When each client secret was last used, shown to developers to tell a
-- live API key from a forgotten one.

-- +goose Up
ALTER TABLE client_secrets ADD COLUMN last_used_at timestamptz;

-- +goose Down
ALTER TABLE client_secrets DROP COLUMN last_used_at;
