-- When a refresh token was first retired by rotation
-- (storage.Token.RotatedAt): presenting it again within the reuse window
-- after that is a retry, answered with a new pair, not a reuse that
-- revokes the family. NULL while the token is active and once it is
-- revoked, so existing rows keep today's behaviour.
--
-- A client's own reuse window in nanoseconds
-- (storage.Client.RefreshReuseWindow); NULL: the provider's default.

-- +goose Up
ALTER TABLE tokens ADD COLUMN rotated_at timestamptz;
ALTER TABLE clients ADD COLUMN refresh_reuse_window_ns bigint
    CHECK (refresh_reuse_window_ns >= 0);

-- +goose Down
ALTER TABLE clients DROP COLUMN refresh_reuse_window_ns;
ALTER TABLE tokens DROP COLUMN rotated_at;
