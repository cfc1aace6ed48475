-- Apps registered by developers in the portal: who owns each, and how it
-- describes itself.

-- +goose Up
ALTER TABLE clients
    ADD COLUMN owner_id    text COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN description text NOT NULL DEFAULT '',
    ADD COLUMN logo_uri    text NOT NULL DEFAULT '';

CREATE INDEX clients_owner_id_idx ON clients (owner_id) WHERE owner_id <> '';

-- +goose Down
DROP INDEX clients_owner_id_idx;
ALTER TABLE clients
    DROP COLUMN logo_uri,
    DROP COLUMN description,
    DROP COLUMN owner_id;
