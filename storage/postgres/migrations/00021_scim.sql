-- SCIM 2.0 provisioning per workspace (storage.SCIM): the bearer tokens a
-- workspace's provisioning client (Entra ID, Okta) presents, the groups it
-- keeps, and what it says of each membership: its externalId, and whether
-- it is suspended (active=false). Only a keyed hash of each token is
-- stored. A workspace's tokens and groups go with it; ending a membership
-- takes the account out of the workspace's groups.

-- +goose Up
ALTER TABLE workspace_members
    ADD COLUMN external_id text NOT NULL DEFAULT '',
    ADD COLUMN suspended   boolean NOT NULL DEFAULT false;

CREATE TABLE scim_tokens (
    id           text COLLATE "C" PRIMARY KEY,
    workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         text NOT NULL,
    prefix       text NOT NULL,
    -- A keyed hash of the token, never the token.
    hash         bytea NOT NULL,
    created_by   text NOT NULL DEFAULT '',
    created_at   timestamptz,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX scim_tokens_workspace_idx ON scim_tokens (workspace_id, created_at);

CREATE TABLE scim_groups (
    id           text COLLATE "C" PRIMARY KEY,
    workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    display_name text NOT NULL,
    external_id  text NOT NULL DEFAULT '',
    created_at   timestamptz,
    updated_at   timestamptz,
    UNIQUE (workspace_id, display_name),
    -- The key the members' foreign key points at.
    UNIQUE (workspace_id, id)
);

CREATE TABLE scim_group_members (
    workspace_id text COLLATE "C" NOT NULL,
    group_id     text COLLATE "C" NOT NULL,
    user_id      text COLLATE "C" NOT NULL,
    PRIMARY KEY (workspace_id, group_id, user_id),
    FOREIGN KEY (workspace_id, group_id) REFERENCES scim_groups (workspace_id, id) ON DELETE CASCADE,
    FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);

CREATE INDEX scim_group_members_member_idx ON scim_group_members (workspace_id, user_id);

-- +goose Down
DROP TABLE scim_group_members;
DROP TABLE scim_groups;
DROP TABLE scim_tokens;
ALTER TABLE workspace_members DROP COLUMN external_id, DROP COLUMN suspended;
