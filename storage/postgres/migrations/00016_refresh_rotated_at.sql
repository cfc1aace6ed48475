-- When a refresh token was first retired by rotation
-- (storage.Token.RotatedAt): presenting it again within the reuse window
-- after that is a retry, answered with a new pair, not a reuse that
-- revokes the family. NULL while the token is active and once it is
-- revoked, so existing rows keep today's behaviour.

-- +goose Up
ALTER TABLE tokens ADD COLUMN rotated_at timestamptz;

-- +goose Down
ALTER TABLE tokens DROP COLUMN rotated_at;
