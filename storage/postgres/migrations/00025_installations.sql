-- Apps installed into workspaces (storage.Installation): a workspace's
-- consent to an app, which then gets bot tokens whose subject is the
-- installation's ID. One installation of an app per workspace. The
-- scopes installed (approved) and those requested and not yet approved
-- (a first request's, or a new version's added scopes: re-approval) are
-- kept apart. And the apps a workspace's admin approved beforehand for
-- its members to install (policy "approved").
-- Both go with their workspace and with their app.

-- +goose Up
CREATE TABLE installations (
    id           text COLLATE "C" PRIMARY KEY,
    workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    client_id    text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scopes       text[] NOT NULL DEFAULT '{}',
    requested    text[] NOT NULL DEFAULT '{}',
    declined     text[] NOT NULL DEFAULT '{}',
    status       text NOT NULL,
    requested_by text NOT NULL DEFAULT '',
    decided_by   text NOT NULL DEFAULT '',
    reason       text NOT NULL DEFAULT '',
    created_at   timestamptz,
    updated_at   timestamptz,
    UNIQUE (workspace_id, client_id)
);

CREATE INDEX installations_workspace_idx ON installations (workspace_id, created_at, id);
CREATE INDEX installations_client_idx ON installations (client_id);

CREATE TABLE workspace_approved_apps (
    workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    client_id    text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    approved_by  text NOT NULL DEFAULT '',
    approved_at  timestamptz,
    PRIMARY KEY (workspace_id, client_id)
);

-- +goose Down
DROP TABLE workspace_approved_apps;
DROP TABLE installations;
