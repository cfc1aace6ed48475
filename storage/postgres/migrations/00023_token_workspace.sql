-- The workspace a token was issued for (storage.Token.WorkspaceID, the
-- org_id claim), and the workspace picked during an authorization flow
-- (storage.Flow.WorkspaceID). Empty for the rows stored before: tokens of
-- no workspace, flows where none is picked yet.
--
-- Removing a member revokes the member's tokens for that workspace
-- (RevokeSubjectWorkspace): the index serves that revocation, and holds
-- only the user tokens that have a workspace.

-- +goose Up
ALTER TABLE tokens ADD COLUMN workspace_id text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE flows ADD COLUMN workspace_id text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX tokens_subject_workspace_idx ON tokens (subject, workspace_id)
    WHERE workspace_id <> '' AND subject <> '';

-- +goose Down
DROP INDEX tokens_subject_workspace_idx;
ALTER TABLE flows DROP COLUMN workspace_id;
ALTER TABLE tokens DROP COLUMN workspace_id;
