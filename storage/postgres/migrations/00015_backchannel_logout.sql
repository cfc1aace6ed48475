-- OpenID Connect Back-Channel Logout 1.0. A client may register a
-- back-channel logout URI (storage.Client.BackchannelLogoutURI) and ask for
-- the sid claim in every logout token.
--
-- session_sign_ins remembers which clients each login session signed in
-- to (an authorization response issued in that session), so that ending
-- the session tells exactly those clients; the rows go with the session
-- or the client. logout_deliveries is the outbox of notifications: rows
-- are inserted in the same statement that deletes the session, and taken
-- by a sender on any node with SELECT ... FOR UPDATE SKIP LOCKED. A row
-- holds no token: the logout token is signed at each attempt.

-- +goose Up
ALTER TABLE clients
    ADD COLUMN backchannel_logout_uri text NOT NULL DEFAULT '',
    ADD COLUMN backchannel_logout_session_required boolean NOT NULL DEFAULT false;

CREATE TABLE session_sign_ins (
    session_id text COLLATE "C" NOT NULL REFERENCES login_sessions (id) ON DELETE CASCADE,
    client_id  text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    sid        text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, client_id)
);

CREATE INDEX session_sign_ins_client_id_idx ON session_sign_ins (client_id);

CREATE TABLE logout_deliveries (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id  text COLLATE "C" NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    subject    text NOT NULL,
    sid        text NOT NULL DEFAULT '',
    attempts   integer NOT NULL DEFAULT 0,
    -- NULL: due at once.
    due_at     timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX logout_deliveries_due_idx ON logout_deliveries (due_at NULLS FIRST, id);
CREATE INDEX logout_deliveries_client_id_idx ON logout_deliveries (client_id);

-- +goose Down
DROP TABLE logout_deliveries;
DROP TABLE session_sign_ins;
ALTER TABLE clients
    DROP COLUMN backchannel_logout_session_required,
    DROP COLUMN backchannel_logout_uri;
