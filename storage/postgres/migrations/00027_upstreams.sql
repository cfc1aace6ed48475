-- Upstream identity providers ("connectors") managed in the console
-- (storage.Connector; those configured in YAML are never stored), the
-- email domains routed to each (unique across connectors), and the
-- upstream identities linked to accounts (storage.LinkedIdentity).
-- A connector's secret is stored sealed with the system secret.
-- A link names its connector by ID alone, with no foreign key: a
-- configured connector has links too. An identity links one account, and
-- an account has one identity per connector. Links go with their account,
-- and a stored connector's with it (DeleteConnector).

-- +goose Up
CREATE TABLE upstream_connectors (
    id                    text COLLATE "C" PRIMARY KEY,
    kind                  text NOT NULL,
    name                  text NOT NULL DEFAULT '',
    name_zh               text NOT NULL DEFAULT '',
    icon                  text NOT NULL DEFAULT '',
    settings              json,
    sealed_secret         bytea,
    only_way              boolean NOT NULL DEFAULT false,
    jit                   boolean NOT NULL DEFAULT false,
    default_role          text NOT NULL DEFAULT '',
    link_unverified_email boolean NOT NULL DEFAULT false,
    role_mapping          jsonb NOT NULL DEFAULT '[]',
    disabled              boolean NOT NULL DEFAULT false,
    created_at            timestamptz,
    updated_at            timestamptz
);

CREATE TABLE upstream_domains (
    domain       text COLLATE "C" PRIMARY KEY,
    connector_id text COLLATE "C" NOT NULL REFERENCES upstream_connectors (id) ON DELETE CASCADE,
    position     integer NOT NULL
);

CREATE INDEX upstream_domains_connector_idx ON upstream_domains (connector_id);

CREATE TABLE upstream_identities (
    connector_id text COLLATE "C" NOT NULL,
    subject      text COLLATE "C" NOT NULL,
    user_id      text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email        text NOT NULL DEFAULT '',
    created_at   timestamptz,
    last_used_at timestamptz,
    PRIMARY KEY (connector_id, subject),
    UNIQUE (user_id, connector_id)
);

-- +goose Down
DROP TABLE upstream_identities;
DROP TABLE upstream_domains;
DROP TABLE upstream_connectors;
