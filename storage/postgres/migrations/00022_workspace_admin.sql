-- Workspaces managed by their admins.
--
-- An authorization record names the workspace it concerns
-- (storage.AuditRecord.WorkspaceID), empty for the records written before
-- and for those that concern none; the console and the audit command
-- filter on it, newest first, as on subject and client. A column added
-- with a constant default rewrites no row, so the append-only trigger is
-- not involved, and the chain still verifies: the hash covers the
-- workspace only when it is set (provider/audit canonical).
--
-- An admin client may be bound to one workspace
-- (storage.Client.WorkspaceID): empty is platform-wide, as every client
-- was. No foreign key: a deleted workspace's client keeps an ID nothing
-- has, and sees nothing.

-- +goose Up
ALTER TABLE audit_records ADD COLUMN workspace_id text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX audit_records_workspace ON audit_records (workspace_id, at, id);
ALTER TABLE clients ADD COLUMN workspace_id text COLLATE "C" NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE clients DROP COLUMN workspace_id;
DROP INDEX audit_records_workspace;
ALTER TABLE audit_records DROP COLUMN workspace_id;
