-- Signed webhooks for identity events (provider/webhooks).
--
-- webhook_subscriptions are the endpoints: the platform's (client_id NULL)
-- or one app's, going with it. Their signing secret is sealed under the
-- system secret (the provider must read it to sign); after a rotation the
-- previous one is kept, and signs beside it, until previous_until.
--
-- webhook_messages is the outbox and the record of what became of each
-- message: rows are inserted in the transaction that records the event,
-- taken by a sender on any node with SELECT ... FOR UPDATE SKIP LOCKED
-- while pending, then kept delivered or failed (the newest few per
-- subscription) for the console to show and send again.
-- webhook_attempts is each subscription's log of sends, bounded the same
-- way.

-- +goose Up
CREATE TABLE webhook_subscriptions (
    id                     text COLLATE "C" PRIMARY KEY,
    client_id              text COLLATE "C" REFERENCES clients (id) ON DELETE CASCADE,
    url                    text NOT NULL,
    event_types            text[] COLLATE "C" NOT NULL DEFAULT '{}',
    description            text NOT NULL DEFAULT '',
    disabled               boolean NOT NULL DEFAULT false,
    sealed_secret          bytea NOT NULL,
    previous_sealed_secret bytea,
    previous_until         timestamptz,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);

CREATE INDEX webhook_subscriptions_client_id_idx ON webhook_subscriptions (client_id);

CREATE TABLE webhook_messages (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id text COLLATE "C" NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    message_id      text NOT NULL,
    event_type      text NOT NULL,
    -- The body, byte for byte as it is signed.
    payload         bytea NOT NULL,
    state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    -- NULL: due at once.
    due_at          timestamptz,
    created_at      timestamptz NOT NULL
);

CREATE INDEX webhook_messages_due_idx ON webhook_messages (due_at NULLS FIRST, id) WHERE state = 'pending';
CREATE INDEX webhook_messages_subscription_idx ON webhook_messages (subscription_id, id);

CREATE TABLE webhook_attempts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id text COLLATE "C" NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    message_id      bigint NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    attempt         integer NOT NULL,
    at              timestamptz NOT NULL,
    status          integer NOT NULL DEFAULT 0,
    error_class     text NOT NULL DEFAULT '',
    duration_us     bigint NOT NULL DEFAULT 0
);

CREATE INDEX webhook_attempts_subscription_idx ON webhook_attempts (subscription_id, id);
CREATE INDEX webhook_attempts_message_idx ON webhook_attempts (message_id);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_messages;
DROP TABLE webhook_subscriptions;
