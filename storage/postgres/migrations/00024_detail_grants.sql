-- Per-conversation grants (storage.DetailGrant): the RFC 9396
-- authorization details a user remembered granting an app, one row per
-- conversation or channel. They belong to the remembered consent, and go
-- with it.

-- +goose Up
CREATE TABLE detail_grants (
    user_id    text COLLATE "C" NOT NULL,
    client_id  text COLLATE "C" NOT NULL,
    type       text COLLATE "C" NOT NULL,
    location   text COLLATE "C" NOT NULL,
    actions    text[] NOT NULL DEFAULT '{}',
    granted_at timestamptz,
    PRIMARY KEY (user_id, client_id, type, location),
    FOREIGN KEY (user_id, client_id) REFERENCES consents (user_id, client_id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE detail_grants;
