-- The resources (RFC 8707) a device authorization request named
-- (storage.DeviceAuthorization.Resources): the device's tokens are for
-- them. Empty for the rows stored before.

-- +goose Up
ALTER TABLE device_authorizations ADD COLUMN resources text[] NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE device_authorizations DROP COLUMN resources;
