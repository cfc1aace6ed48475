-- A client can be made to bind every access token to a DPoP key (RFC 9449
-- section 5.2, client metadata dpop_bound_access_tokens;
-- storage.Client.DPoPBoundAccessTokens): the token endpoint refuses its
-- requests without a DPoP proof.

-- +goose Up
ALTER TABLE clients ADD COLUMN dpop_bound_access_tokens boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE clients DROP COLUMN dpop_bound_access_tokens;
