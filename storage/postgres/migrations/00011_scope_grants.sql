-- +goose Up
-- "Who holds this permission": the admin console lists the grants whose
-- scopes contain one scope (storage.ScopeGrants).
CREATE INDEX consents_scopes_idx ON consents USING gin (scopes);

-- +goose Down
DROP INDEX consents_scopes_idx;
