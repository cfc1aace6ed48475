package postgres_test

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// openEmpty opens a store on a fresh schema without migrating it, and
// returns the schema's URL too.
func openEmpty(t *testing.T) (*postgres.Store, string) {
	t.Helper()
	url := pgtest.URL(t)
	return openURL(t, url), url
}

// openURL opens a store on the database url, closed when t ends; it
// neither migrates nor checks the schema.
func openURL(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), postgres.Config{
		URL:    url,
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// tables lists the tables of the schema url's search_path names.
func tables(t *testing.T, url string) []string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.WithoutCancel(t.Context()))
	rows, err := conn.Query(t.Context(), `
		SELECT tablename FROM pg_tables
		WHERE schemaname = current_schema()
		ORDER BY tablename`)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	return names
}

func latest(t *testing.T, s *postgres.Store) int64 {
	t.Helper()
	versions, err := s.MigrationVersions(t.Context())
	if err != nil {
		t.Fatalf("migration versions: %v", err)
	}
	if len(versions) == 0 {
		t.Fatal("no migrations embedded")
	}
	return versions[len(versions)-1]
}

func TestCheckSchema(t *testing.T) {
	t.Parallel()
	s, url := openEmpty(t)
	want := latest(t, s)

	err := s.CheckSchema(t.Context())
	var se *postgres.SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("CheckSchema on an empty schema = %v, want a *SchemaError", err)
	}
	if se.Current != 0 || se.Expected != want {
		t.Errorf("SchemaError = %+v, want current 0, expected %d", se, want)
	}
	for _, v := range []string{"version 0", "version " + strconv.FormatInt(want, 10)} {
		if !strings.Contains(err.Error(), v) {
			t.Errorf("error %q does not name %q", err, v)
		}
	}
	if got := tables(t, url); len(got) != 0 {
		t.Errorf("CheckSchema created tables %v in an empty schema", got)
	}

	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := s.CheckSchema(t.Context()); err != nil {
		t.Fatalf("CheckSchema after Migrate: %v", err)
	}
}

func TestMigrateWithStepCountsEachMigration(t *testing.T) {
	t.Parallel()
	s, _ := openEmpty(t)
	versions, err := s.MigrationVersions(t.Context())
	if err != nil {
		t.Fatalf("versions: %v", err)
	}
	if err := s.MigrateUpTo(t.Context(), versions[1]); err != nil {
		t.Fatalf("up to %d: %v", versions[1], err)
	}
	var steps [][2]int
	step := func(applied, pending int) { steps = append(steps, [2]int{applied, pending}) }
	if err := s.Migrate(t.Context(), postgres.WithStep(step)); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	pending := len(versions) - 2
	if len(steps) != pending || steps[0] != [2]int{1, pending} || steps[pending-1] != [2]int{pending, pending} {
		t.Fatalf("steps %v, want 1 to %d of %d", steps, pending, pending)
	}
	if err := s.CheckSchema(t.Context()); err != nil {
		t.Fatalf("CheckSchema after Migrate: %v", err)
	}
	steps = nil
	if err := s.Migrate(t.Context(), postgres.WithStep(step)); err != nil || len(steps) != 0 {
		t.Fatalf("migrating an up-to-date schema: %v, steps %v", err, steps)
	}
}

func TestMigrationsApplyOneByOneToAnEmptySchema(t *testing.T) {
	t.Parallel()
	s, _ := openEmpty(t)
	versions, err := s.MigrationVersions(t.Context())
	if err != nil {
		t.Fatalf("versions: %v", err)
	}
	for i, v := range versions {
		if err := s.MigrateUpTo(t.Context(), v); err != nil {
			t.Fatalf("up to %d: %v", v, err)
		}
		err := s.CheckSchema(t.Context())
		if last := i == len(versions)-1; last != (err == nil) {
			t.Fatalf("CheckSchema at version %d (last: %v) = %v", v, last, err)
		}
	}
}

func TestMigrationsGoDownAndUpAgain(t *testing.T) {
	t.Parallel()
	s, url := openEmpty(t)
	ctx := t.Context()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := s.MigrateDownTo(ctx, 0); err != nil {
		t.Fatalf("down to 0: %v", err)
	}
	if got := tables(t, url); !cmp.Equal(got, []string{"goose_db_version"}) {
		t.Fatalf("tables after down to 0 = %v, want only goose's", got)
	}
	var se *postgres.SchemaError
	if err := s.CheckSchema(ctx); !errors.As(err, &se) || se.Current != 0 {
		t.Fatalf("CheckSchema after down to 0 = %v, want current version 0", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema: %v", err)
	}
	// The schema works: a round trip through it.
	seed(t, s)(t)
}

func TestSeededRowsSurviveLaterMigrations(t *testing.T) {
	t.Parallel()
	// seeds store records once the migration of their version has run and
	// return a check, run after every later migration, that they
	// survived. A migration that changes a table adds a seed for its
	// version.
	s, url := openEmpty(t)
	seeds := map[int64]func(t *testing.T) (check func(t *testing.T)){
		1:  func(t *testing.T) func(t *testing.T) { return seedVersion1(t, s, url) },
		2:  func(t *testing.T) func(t *testing.T) { return seedVersion2(t, s, url) },
		20: func(t *testing.T) func(t *testing.T) { return seedVersion20(t, s, url) },
		21: func(t *testing.T) func(t *testing.T) { return seedVersion21(t, s, url) },
		22: func(t *testing.T) func(t *testing.T) { return seedVersion22(t, s, url) },
		23: func(t *testing.T) func(t *testing.T) { return seedVersion23(t, s, url) },
		26: func(t *testing.T) func(t *testing.T) { return seedVersion26(t, s, url) },
		28: func(t *testing.T) func(t *testing.T) { return seedVersion28(t, s, url) },
		29: func(t *testing.T) func(t *testing.T) { return seedVersion29(t, s, url) },
		30: func(t *testing.T) func(t *testing.T) { return seedVersion30(t, s, url) },
	}
	ctx := t.Context()
	versions, err := s.MigrationVersions(ctx)
	if err != nil {
		t.Fatalf("versions: %v", err)
	}
	var checks []func(t *testing.T)
	for _, v := range versions {
		if err := s.MigrateUpTo(ctx, v); err != nil {
			t.Fatalf("up to %d: %v", v, err)
		}
		if seedFn, ok := seeds[v]; ok {
			checks = append(checks, seedFn(t))
		}
	}
	// Migrate is idempotent: nothing pending, nothing touched.
	for range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrate on an up-to-date schema: %v", err)
		}
	}
	for _, check := range checks {
		check(t)
	}
}

// seedVersion1 writes, in the SQL of the first schema (the store's code
// follows the newest one), the records seed writes, and returns seed's
// check, run through the store once every later migration has run.
func seedVersion1(t *testing.T, s *postgres.Store, url string) func(t *testing.T) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(t.Context()))
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO clients (id, name, type, redirect_uris, grant_types, scopes, created_at, updated_at)
		  VALUES ('app', 'Chat', 'confidential', '{https://chat.example/cb}', '{authorization_code}', '{openid}', $1, $1)`, []any{at}},
		{`INSERT INTO client_secrets (client_id, id, position, hash, prefix, created_at) VALUES ('app', 's1', 0, 'hash', 'tks_', $1)`, []any{at}},
		{`INSERT INTO users (id, email, status, created_at) VALUES ('u1', 'Ann@example.com', 'active', $1)`, []any{at}},
		{`INSERT INTO login_sessions (id, user_id, auth_time, amr, created_at, expires_at) VALUES ('sess', 'u1', $1, '{pwd}', $1, $2)`, []any{at, at.Add(time.Hour)}},
		{`INSERT INTO tokens (kind, signature, request_id, client_id, subject, scopes, active, requested_at, access_signature, session)
		  VALUES ('refresh_token', 'sig', 'req', 'app', 'u1', '{openid}', true, $1, 'at-sig', '{}')`, []any{at}},
		{`INSERT INTO flows (id, client_id, query, created_at, expires_at) VALUES ('flow', 'app', 'a=b', $1, $2)`, []any{at, at.Add(time.Minute)}},
		{`INSERT INTO consents (user_id, client_id, scopes, granted_at) VALUES ('u1', 'app', '{openid}', $1)`, []any{at}},
		{`INSERT INTO signing_keys (kid, algorithm, private_key, public_key, created_at) VALUES ('k1', 'ES256', 'sealed', '{"kid":"k1"}', $1)`, []any{at}},
		{`INSERT INTO jtis (jti, expires_at) VALUES ('jti', $1)`, []any{at.Add(time.Hour)}},
	} {
		if _, err := conn.Exec(t.Context(), stmt.sql, stmt.args...); err != nil {
			t.Fatalf("seed version 1: %v\n%s", err, stmt.sql)
		}
	}
	return check(s, at)
}

// seed stores a client with a secret, a user with a session and a
// consent, a token, a flow, a signing key and a JTI through the store,
// and returns a check that reads each of them back.
func seed(t *testing.T, s storage.Store) func(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	c, u, ls, tok, f, cons, k := seedRecords(at)
	steps := []struct {
		what string
		do   func() error
	}{
		{"client", func() error { return s.CreateClient(ctx, c) }},
		{"user", func() error { return s.CreateUser(ctx, u) }},
		{"session", func() error { return s.CreateLoginSession(ctx, ls) }},
		{"token", func() error { return s.CreateToken(ctx, tok) }},
		{"flow", func() error { return s.CreateFlow(ctx, f) }},
		{"consent", func() error { return s.SaveConsent(ctx, cons) }},
		{"key", func() error { return s.CreateSigningKey(ctx, k) }},
		{"jti", func() error { return s.SaveJTI(ctx, "jti", at.Add(time.Hour), at) }},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("seed %s: %v", st.what, err)
		}
	}

	return check(s, at)
}

// check reads back what seed (or seedVersion1) stored at at.
func check(s storage.Store, at time.Time) func(t *testing.T) {
	c, u, ls, tok, f, cons, k := seedRecords(at)
	return func(t *testing.T) {
		t.Helper()
		ctx := context.WithoutCancel(t.Context())
		same := func(what string, got any, err error, want any) {
			t.Helper()
			if err != nil {
				t.Errorf("read back %s: %v", what, err)
				return
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s changed (-seeded +read):\n%s", what, diff)
			}
		}
		gotC, err := s.GetClient(ctx, "app")
		same("client", gotC, err, c)
		gotU, err := s.GetUserByEmail(ctx, "ann@example.com")
		same("user", gotU, err, u)
		gotLS, err := s.GetLoginSession(ctx, "sess")
		same("login session", gotLS, err, ls)
		gotT, err := s.GetToken(ctx, storage.KindRefreshToken, "sig")
		same("token", gotT, err, tok)
		gotF, err := s.GetFlow(ctx, "flow")
		same("flow", gotF, err, f)
		gotCons, err := s.GetConsent(ctx, "u1", "app")
		same("consent", gotCons, err, cons)
		gotK, err := s.ListSigningKeys(ctx)
		same("signing keys", gotK, err, []storage.SigningKey{k})
		seen, err := s.SeenJTI(ctx, "jti", at)
		same("jti", seen, err, true)
	}
}

// seedRecords are the records seed stores, as of at.
func seedRecords(at time.Time) (storage.Client, storage.User, storage.LoginSession, storage.Token, storage.Flow, storage.Consent, storage.SigningKey) {
	c := storage.Client{
		ID: "app", Name: "Chat", Type: storage.ClientConfidential,
		Secrets: []storage.ClientSecret{{
			ID: "s1", Hash: []byte("hash"), Prefix: "tks_", CreatedAt: at,
		}},
		RedirectURIs: []string{"https://chat.example/cb"},
		GrantTypes:   []string{"authorization_code"},
		Scopes:       []string{"openid"},
		CreatedAt:    at, UpdatedAt: at,
	}
	u := storage.User{ID: "u1", Email: "Ann@example.com", Status: storage.UserActive, Role: "member", CreatedAt: at}
	ls := storage.LoginSession{ID: "sess", UserID: "u1", AuthTime: at, AMR: []string{"pwd"}, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}
	tok := storage.Token{
		Kind: storage.KindRefreshToken, Signature: "sig", RequestID: "req", ClientID: "app",
		Subject: "u1", Scopes: []string{"openid"}, Active: true, RequestedAt: at,
		AccessSignature: "at-sig", Session: []byte(`{}`),
	}
	f := storage.Flow{ID: "flow", ClientID: "app", Query: "a=b", CreatedAt: at, ExpiresAt: at.Add(time.Minute)}
	cons := storage.Consent{UserID: "u1", ClientID: "app", Scopes: []string{"openid"}, GrantedAt: at}
	k := storage.SigningKey{ID: "k1", Algorithm: "ES256", PrivateKey: []byte("sealed"), PublicKey: []byte(`{"kid":"k1"}`), CreatedAt: at}

	return c, u, ls, tok, f, cons, k
}

// seedVersion2 writes, in the SQL of the second schema, a user with a
// second factor, a one-time link and a failure counter, and returns a
// check that reads them back through the store.
func seedVersion2(t *testing.T, s *postgres.Store, url string) func(t *testing.T) {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	execAt(t, url, "seed version 2", at,
		`INSERT INTO users (id, email, status, totp_secret, totp_enabled, totp_last_step, recovery_codes, created_at)
		 VALUES ('u2', 'bob@example.com', 'active', 'sealed', true, 42, ARRAY['h1'::bytea, 'h2'::bytea], $1)`,
		`INSERT INTO one_time_links (hash, purpose, user_id, created_at, expires_at) VALUES ('lh', 'password_reset', 'u2', $1::timestamptz, $1::timestamptz + interval '30 minutes')`,
		`INSERT INTO failure_counters (key, failures, last_failure) VALUES ('account:u2', 3, $1)`)
	return func(t *testing.T) {
		t.Helper()
		ctx := context.WithoutCancel(t.Context())
		u, err := s.GetUser(ctx, "u2")
		if err != nil || string(u.TOTPSecret) != "sealed" || !u.TOTPEnabled || u.TOTPLastStep != 42 || len(u.RecoveryCodes) != 2 || string(u.RecoveryCodes[1]) != "h2" {
			t.Errorf("user with a second factor: %+v, %v", u, err)
		}
		l, err := s.ConsumeLink(ctx, storage.LinkPasswordReset, "lh", at)
		if err != nil || l.UserID != "u2" || !l.ExpiresAt.Equal(at.Add(30*time.Minute)) {
			t.Errorf("link: %+v, %v", l, err)
		}
		c, err := s.GetCounter(ctx, "account:u2")
		if err != nil || c.Failures != 3 || !c.LastFailure.Equal(at) {
			t.Errorf("counter: %+v, %v", c, err)
		}
	}
}

// execAt runs each statement of sqls on the database url with at as its
// $1, failing t (naming what) at the first refused.
func execAt(t *testing.T, url, what string, at time.Time, sqls ...string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.WithoutCancel(t.Context()))
	for _, sql := range sqls {
		if _, err := conn.Exec(t.Context(), sql, at); err != nil {
			t.Fatalf("%s: %v\n%s", what, err, sql)
		}
	}
}

// seedVersion20 writes, in the SQL of the schema that brought workspaces,
// a workspace with a policy, a member and a pending invitation, and
// returns a check that reads them back through the store.
func seedVersion20(t *testing.T, s *postgres.Store, url string) func(t *testing.T) {
	t.Helper()
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	execAt(t, url, "seed version 20", at,
		`INSERT INTO users (id, email, status, created_at) VALUES ('u20', 'carol@example.com', 'active', $1)`,
		`INSERT INTO workspaces (id, handle, name, policy, created_at, updated_at)
		 VALUES ('w20', 'acme', 'Acme', '{"require_mfa":true,"sign_in_methods":["passkey"],"session_lifetime":"8h0m0s","installs":"approved"}', $1, $1)`,
		`INSERT INTO workspace_members (workspace_id, user_id, role, joined_at) VALUES ('w20', 'u20', 'owner', $1)`,
		`INSERT INTO workspace_invitations (id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at)
		 VALUES ('i20', 'w20', 'dan@example.com', 'guest', 'ih', 'u20', $1::timestamptz, $1::timestamptz + interval '7 days')`)
	return func(t *testing.T) {
		t.Helper()
		ctx := context.WithoutCancel(t.Context())
		w, err := s.GetWorkspaceByHandle(ctx, "ACME")
		want := storage.Workspace{
			ID: "w20", Handle: "acme", Name: "Acme", CreatedAt: at, UpdatedAt: at,
			Policy: storage.WorkspacePolicy{RequireMFA: true, SignInMethods: []string{"passkey"}, SessionLifetime: 8 * time.Hour, Installs: storage.InstallsApproved},
		}
		if diff := cmp.Diff(want, w); err != nil || diff != "" {
			t.Errorf("workspace: %v (-seeded +read):\n%s", err, diff)
		}
		m, err := s.GetMember(ctx, "w20", "u20")
		if err != nil || m.Role != storage.WorkspaceOwner || !m.JoinedAt.Equal(at) {
			t.Errorf("member: %+v, %v", m, err)
		}
		inv, err := s.GetInvitation(ctx, "ih", at)
		if err != nil || inv.ID != "i20" || inv.Role != storage.WorkspaceGuest || inv.InvitedBy != "u20" || !inv.ExpiresAt.Equal(at.Add(7*24*time.Hour)) {
			t.Errorf("invitation: %+v, %v", inv, err)
		}
	}
}

// The migration that brought workspaces makes the deployment there was
// its default workspace: every account a member, an admin an admin, a
// guest a guest, any other role a member, joined when the account was
// made. Going down removes workspaces and leaves the accounts; going up
// again makes the same memberships.
func TestWorkspacesMigrationMakesTheDefaultWorkspace(t *testing.T) {
	t.Parallel()
	s, url := openEmpty(t)
	ctx := t.Context()
	if err := s.MigrateUpTo(ctx, 19); err != nil {
		t.Fatalf("up to 19: %v", err)
	}
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	execAt(t, url, "seed users at version 19", at, `
		INSERT INTO users (id, email, status, role, created_at) VALUES
		    ('u-admin', 'ann@example.com', 'active', 'admin', $1),
		    ('u-dev', 'bob@example.com', 'active', 'developer', $1::timestamptz + interval '1 minute'),
		    ('u-guest', 'carol@example.com', 'active', 'guest', NULL),
		    ('u-member', 'dan@example.com', 'disabled', 'member', $1),
		    ('u-custom', 'eve@example.com', 'pending', 'auditor', $1)`)
	want := []storage.Member{
		{WorkspaceID: storage.DefaultWorkspaceID, UserID: "u-admin", Role: storage.WorkspaceAdmin, JoinedAt: at},
		{WorkspaceID: storage.DefaultWorkspaceID, UserID: "u-custom", Role: storage.WorkspaceMember, JoinedAt: at},
		{WorkspaceID: storage.DefaultWorkspaceID, UserID: "u-dev", Role: storage.WorkspaceMember, JoinedAt: at.Add(time.Minute)},
		{WorkspaceID: storage.DefaultWorkspaceID, UserID: "u-guest", Role: storage.WorkspaceGuest},
		{WorkspaceID: storage.DefaultWorkspaceID, UserID: "u-member", Role: storage.WorkspaceMember, JoinedAt: at},
	}
	checkDefault := func(t *testing.T) {
		t.Helper()
		w, err := s.GetWorkspace(ctx, storage.DefaultWorkspaceID)
		if diff := cmp.Diff(storage.Workspace{ID: "default", Handle: "default", Name: "Default"}, w); err != nil || diff != "" {
			t.Fatalf("default workspace: %v (-want +got):\n%s", err, diff)
		}
		members, err := s.ListMembers(ctx, storage.DefaultWorkspaceID, storage.Page{})
		if diff := cmp.Diff(want, members); err != nil || diff != "" {
			t.Fatalf("default workspace's members: %v (-want +got):\n%s", err, diff)
		}
		mine, err := s.ListUserWorkspaces(ctx, "u-admin")
		if diff := cmp.Diff(want[:1], mine); err != nil || diff != "" {
			t.Fatalf("an admin's workspaces: %v (-want +got):\n%s", err, diff)
		}
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	checkDefault(t)

	if err := s.MigrateDownTo(ctx, 19); err != nil {
		t.Fatalf("down to 19: %v", err)
	}
	for _, table := range tables(t, url) {
		if strings.HasPrefix(table, "workspace") {
			t.Errorf("table %s left after going down to 19", table)
		}
	}
	if users, err := s.ListUsers(ctx, storage.Page{}); err != nil || len(users) != len(want) {
		t.Fatalf("accounts after going down: %d, %v; want %d", len(users), err, len(want))
	}

	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
	checkDefault(t)
}

// Going back below the migration that allows a current key per algorithm
// leaves one current key, preferring ES256; the other stays published for
// a while rather than being deleted.
func TestMigrationDownToOneCurrentKey(t *testing.T) {
	t.Parallel()
	s, _ := openEmpty(t)
	ctx := t.Context()
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	for _, k := range []storage.SigningKey{
		{ID: "es", Algorithm: "ES256", PrivateKey: []byte("sealed"), PublicKey: []byte(`{"kid":"es"}`), CreatedAt: at},
		{ID: "rs", Algorithm: "RS256", PrivateKey: []byte("sealed"), PublicKey: []byte(`{"kid":"rs"}`), CreatedAt: at.Add(time.Minute)},
	} {
		if err := s.CreateSigningKey(ctx, k); err != nil {
			t.Fatalf("create %s: %v", k.ID, err)
		}
	}
	if err := s.MigrateDownTo(ctx, 16); err != nil {
		t.Fatalf("down to 16: %v", err)
	}
	keys, err := s.ListSigningKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]bool{}
	for _, k := range keys {
		state[k.ID] = k.Current()
		if !k.Current() && !k.RetireAt.After(time.Now()) {
			t.Errorf("key %s retired at %v, want still published", k.ID, k.RetireAt)
		}
	}
	if !cmp.Equal(state, map[string]bool{"es": true, "rs": false}) {
		t.Fatalf("current keys after going down: %v, want es alone", state)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate up again: %v", err)
	}
}
