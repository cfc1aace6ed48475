-- A client can be made to send every authorization request through the
-- pushed authorization request endpoint (RFC 9126 section 5,
-- storage.Client.RequirePAR). Pushed requests themselves are rows of
-- tokens with kind 'par', purged with the other tokens once expired.

-- +goose Up
ALTER TABLE clients ADD COLUMN require_par boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE clients DROP COLUMN require_par;
