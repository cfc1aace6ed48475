-- Workspaces (storage.Workspace): organizations with their own members,
-- roles and policy, and the invitations to join them. A deployment that
-- ran before workspaces becomes one: the default workspace, every account
-- there is its member, with the workspace role matching its global role
-- (admin, guest, member for any other). The default workspace's times are
-- NULL (the zero time): it was there before workspaces had any.
-- A workspace's members and invitations go with it; an account's
-- memberships go with the account.

-- +goose Up
CREATE TABLE workspaces (
    id         text COLLATE "C" PRIMARY KEY,
    -- Lower-cased by the store: unique in any letter case.
    handle     text COLLATE "C" NOT NULL UNIQUE,
    name       text NOT NULL,
    policy     jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz,
    updated_at timestamptz
);

INSERT INTO workspaces (id, handle, name) VALUES ('default', 'default', 'Default');

CREATE TABLE workspace_members (
    workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id      text COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         text NOT NULL,
    joined_at    timestamptz,
    PRIMARY KEY (workspace_id, user_id)
);

CREATE INDEX workspace_members_user_idx ON workspace_members (user_id);

INSERT INTO workspace_members (workspace_id, user_id, role, joined_at)
SELECT 'default', id,
       CASE role WHEN 'admin' THEN 'admin' WHEN 'guest' THEN 'guest' ELSE 'member' END,
       created_at
FROM users;

CREATE TABLE workspace_invitations (
    id           text COLLATE "C" PRIMARY KEY,
    workspace_id text COLLATE "C" NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        text NOT NULL,
    role         text NOT NULL,
    -- A keyed hash of the emailed link's token, never the token.
    token_hash   text COLLATE "C" NOT NULL UNIQUE,
    invited_by   text NOT NULL DEFAULT '',
    created_at   timestamptz,
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  text NOT NULL DEFAULT ''
);

CREATE INDEX workspace_invitations_workspace_idx ON workspace_invitations (workspace_id, created_at);
-- The janitor's purge walks it.
CREATE INDEX workspace_invitations_expires_idx ON workspace_invitations (expires_at);

-- +goose Down
DROP TABLE workspace_invitations;
DROP TABLE workspace_members;
DROP TABLE workspaces;
