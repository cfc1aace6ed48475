-- Scopes a developer asked for a service app, waiting for an
-- administrator's approval.

-- +goose Up
ALTER TABLE clients ADD COLUMN requested_scopes text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE clients DROP COLUMN requested_scopes;
