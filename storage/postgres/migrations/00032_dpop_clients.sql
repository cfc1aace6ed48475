-- A client can be made to bind every access token to a DPoP key (RFC 9449
-- section 5.2, client metadata dpop_bound_access_tokens;
-- storage.Client.DPoPBoundAccessTokens): the token endpoint refuses its
-- requests without a DPoP proof.
--
-- The janitor purges initial access tokens that can no longer be used
-- (storage.PurgeRegistrationTokens): ended_at is when a token stopped
-- being usable for good, the earliest of its expiry, its revocation and,
-- once used up, its last use (storage.RegistrationToken.EndedAt); NULL
-- while none has happened. LEAST ignores NULLs. The index serves the
-- purge's search.

-- +goose Up
ALTER TABLE clients ADD COLUMN dpop_bound_access_tokens boolean NOT NULL DEFAULT false;

ALTER TABLE registration_tokens ADD COLUMN ended_at timestamptz GENERATED ALWAYS AS (
    LEAST(expires_at, revoked_at, CASE WHEN uses >= max_uses THEN last_used_at END)
) STORED;

CREATE INDEX registration_tokens_ended_idx ON registration_tokens (ended_at);

-- +goose Down
DROP INDEX registration_tokens_ended_idx;
ALTER TABLE registration_tokens DROP COLUMN ended_at;
ALTER TABLE clients DROP COLUMN dpop_bound_access_tokens;
