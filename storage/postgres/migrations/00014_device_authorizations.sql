-- Device authorization requests (RFC 8628). Neither code is stored: the
-- device code's and the user code's keyed hashes identify a request. The
-- janitor deletes a request once it has expired (expires_at index).

-- +goose Up
CREATE TABLE device_authorizations (
    device_code_signature text COLLATE "C" PRIMARY KEY,
    user_code_signature   text COLLATE "C" NOT NULL UNIQUE,
    request_id      text NOT NULL,
    client_id       text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scopes          text[] NOT NULL DEFAULT '{}',
    client_ip       text NOT NULL DEFAULT '',
    user_agent      text NOT NULL DEFAULT '',
    status          text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'redeemed')),
    interval_ms     bigint NOT NULL,
    last_polled_at  timestamptz,
    user_id         text NOT NULL DEFAULT '',
    granted_scopes  text[] NOT NULL DEFAULT '{}',
    login_session_id text NOT NULL DEFAULT '',
    auth_time       timestamptz,
    amr             text[] NOT NULL DEFAULT '{}',
    acr             text NOT NULL DEFAULT '',
    decided_at      timestamptz,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL
);

CREATE INDEX device_authorizations_client_id_idx ON device_authorizations (client_id);
CREATE INDEX device_authorizations_expires_at_idx ON device_authorizations (expires_at);

-- +goose Down
DROP TABLE device_authorizations;
