-- How the upstream identity provider says the user signed in there (its
-- ID token's amr claim, storage.LoginSession.UpstreamAMR), kept with the
-- session it signed in so that our tokens' amr can show it. It is a
-- column of its own, apart from amr, so that nothing that reads our
-- methods (the session's level, step-up, a workspace's policy) counts
-- the upstream's. Empty for the rows stored before, for sign-ins of our
-- own and for an upstream that sent no amr.

-- +goose Up
ALTER TABLE login_sessions
    ADD COLUMN upstream_amr text[] COLLATE "C" NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE login_sessions
    DROP COLUMN upstream_amr;
