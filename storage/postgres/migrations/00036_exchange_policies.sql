-- The token exchange policies (RFC 8693) managed in the console
-- (storage.ExchangePolicy): one per client, gone with the client. The
-- configured ones are never stored here.

-- +goose Up
CREATE TABLE exchange_policies (
    client_id         text COLLATE "C" PRIMARY KEY REFERENCES clients (id) ON DELETE CASCADE,
    subject_audiences text[] NOT NULL DEFAULT '{}',
    resources         text[] NOT NULL DEFAULT '{}',
    scopes            text[] NOT NULL DEFAULT '{}',
    impersonation     boolean NOT NULL DEFAULT false,
    created_at        timestamptz,
    updated_at        timestamptz
);

-- +goose Down
DROP TABLE exchange_policies;
