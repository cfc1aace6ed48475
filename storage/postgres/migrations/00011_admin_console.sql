-- The admin console: "who holds this permission" lists the grants whose
-- scopes contain one scope (storage.ScopeGrants), and an administrator
-- can disable an app (storage.Client.Disabled).

-- +goose Up
CREATE INDEX consents_scopes_idx ON consents USING gin (scopes);
ALTER TABLE clients ADD COLUMN disabled boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE clients DROP COLUMN disabled;
DROP INDEX consents_scopes_idx;
