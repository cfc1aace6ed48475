-- The workspace a device authorization request is for
-- (storage.DeviceAuthorization.WorkspaceID): the one its organization
-- parameter named, or the one the user picked when approving it. Empty
-- for the rows stored before, and for a pending request that named none.
-- No foreign key: the token endpoint checks the workspace and the
-- membership when the device redeems the code, as a deleted workspace's
-- pending requests simply expire.

-- +goose Up
ALTER TABLE device_authorizations ADD COLUMN workspace_id text COLLATE "C" NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE device_authorizations DROP COLUMN workspace_id;
