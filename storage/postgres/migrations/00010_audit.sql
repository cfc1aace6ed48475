-- Authorization records: the append-only audit trail, sealed into a hash
-- chain (see storage.Audit).

-- +goose Up
CREATE TABLE audit_records (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    action     text        NOT NULL,
    outcome    text        NOT NULL,
    reason     text        NOT NULL DEFAULT '',
    actor_type text        NOT NULL DEFAULT '',
    actor_id   text        NOT NULL DEFAULT '',
    subject    text        NOT NULL DEFAULT '',
    client_id  text        NOT NULL DEFAULT '',
    scopes     text[]      NOT NULL DEFAULT '{}',
    client_ip  text        NOT NULL DEFAULT '',
    user_agent text        NOT NULL DEFAULT '',
    request_id text        NOT NULL DEFAULT '',
    detail     jsonb       NOT NULL DEFAULT '{}',
    -- The chain position and hash, set once when the record is sealed.
    seq        bigint      UNIQUE,
    hash       bytea,
    CHECK ((seq IS NULL) = (hash IS NULL))
);

-- Listing is newest first by (at, id), optionally narrowed to a user, an
-- app or an action: each has an index in that order, so a filtered page
-- reads only the rows it shows (keyset pagination).
CREATE INDEX audit_records_at      ON audit_records (at, id);
CREATE INDEX audit_records_subject ON audit_records (subject, at, id);
CREATE INDEX audit_records_client  ON audit_records (client_id, at, id);
CREATE INDEX audit_records_action  ON audit_records (action, at, id);
-- The sealer finds the records waiting for the chain.
CREATE INDEX audit_records_unsealed ON audit_records (id) WHERE seq IS NULL;

-- The head of the chain: the last record sealed. Sealing locks this row,
-- so that one sealer runs at a time across nodes.
CREATE TABLE audit_chain (
    id   smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    seq  bigint   NOT NULL DEFAULT 0,
    hash bytea    NOT NULL DEFAULT ''
);
INSERT INTO audit_chain (id) VALUES (1);

-- What pruning left: the link of the last record deleted, so the chain
-- still verifies from the next one.
CREATE TABLE audit_checkpoints (
    seq       bigint      PRIMARY KEY,
    hash      bytea       NOT NULL,
    at        timestamptz NOT NULL,
    pruned    bigint      NOT NULL,
    pruned_to timestamptz NOT NULL,
    mac       bytea       NOT NULL
);

-- Append-only: a record may be sealed once and deleted only by pruning
-- (which sets tokenim.audit_prune for its transaction), once sealed. The
-- provider never does anything else; this stops a mistake, and someone
-- with the rights to get around it is caught by the chain.
-- +goose StatementBegin
CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.seq IS NOT NULL AND current_setting('tokenim.audit_prune', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit records are append-only: % refused', TG_OP;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
           AND to_jsonb(NEW) - 'seq' - 'hash' = to_jsonb(OLD) - 'seq' - 'hash' THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit records are append-only: % refused', TG_OP;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
    FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only();

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_chain;
DROP TABLE audit_records;
DROP FUNCTION audit_records_append_only();
