-- The cache epoch: nodes key what they cache in Redis by it, and bump it
-- when a revocation could not reach Redis (see storage.CacheEpochs).

-- +goose Up
CREATE TABLE cache_epoch (
    id    smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    epoch bigint   NOT NULL DEFAULT 0
);
INSERT INTO cache_epoch (id, epoch) VALUES (1, 0);

-- +goose Down
DROP TABLE cache_epoch;
