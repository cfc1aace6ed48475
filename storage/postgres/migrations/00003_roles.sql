-- Roles on users: what a user may delegate, and whether a second factor
-- is required of them.

-- +goose Up
ALTER TABLE users ADD COLUMN role text NOT NULL DEFAULT 'member';

-- +goose Down
ALTER TABLE users DROP COLUMN role;
