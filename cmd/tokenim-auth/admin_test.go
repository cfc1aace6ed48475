package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/postgres"
	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// adminSystemSecret is the system secret of the administrative tests.
const adminSystemSecret = "admin-test-system-secret-0123456789abcdef"

// adminVars returns the environment of an administrative command working
// on a fresh, empty schema of the test's own.
func adminVars(t *testing.T) map[string]string {
	t.Helper()
	return varsOn(pgtest.URL(t))
}

// migratedVars is adminVars on a schema at the newest migration, as
// migrate leaves it (TestMigrate runs migrate itself).
func migratedVars(t *testing.T) map[string]string {
	t.Helper()
	return varsOn(pgtest.MigratedURL(t))
}

// varsOn is the environment of an administrative command on the database
// dbURL.
func varsOn(dbURL string) map[string]string {
	return map[string]string{
		"TOKENIM_DATABASE_URL":   dbURL,
		"TOKENIM_ISSUER":         "http://127.0.0.1:8080",
		"TOKENIM_SECRETS_SYSTEM": adminSystemSecret,
	}
}

// mustRun runs the command and fails the test unless it exits 0.
func mustRun(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	r := runCmd(t, vars, stdin, args...)
	if r.code != 0 {
		t.Fatalf("%s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// configFile writes a YAML configuration holding what vars set through
// the environment, and returns its path.
func configFile(t *testing.T, vars map[string]string) string {
	t.Helper()
	return writeFile(t, "issuer: "+strconv.Quote(vars["TOKENIM_ISSUER"])+"\n"+
		"database:\n  url: "+strconv.Quote(vars["TOKENIM_DATABASE_URL"])+"\n"+
		"secrets:\n  system: "+strconv.Quote(vars["TOKENIM_SECRETS_SYSTEM"])+"\n")
}

// storeOf opens the database the commands of vars work on, the way a test
// of the storage package would, to read back what they wrote.
func storeOf(t *testing.T, vars map[string]string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), postgres.Config{URL: vars["TOKENIM_DATABASE_URL"], MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// lookupIn reads variables from vars, as env.lookup.
func lookupIn(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// buildApp assembles the provider over the database of vars the way serve
// does, serves it on loopback until the test ends, and returns its store
// and server.
func buildApp(t *testing.T, vars map[string]string) (storage.Store, *httptest.Server) {
	t.Helper()
	cfg, err := loadConfig("", env{lookup: lookupIn(vars)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := build(t.Context(), cfg, slog.New(slog.NewTextHandler(t.Output(), nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.store.Close)
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close) // registered last: the server stops before the store closes
	return a.store, srv
}

// createdClient is what "clients create --output json" prints.
type createdClient struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// createClient runs "clients create --output json" with args and decodes
// what it printed, refusing any field but client_id and client_secret.
func createClient(t *testing.T, vars map[string]string, args ...string) createdClient {
	t.Helper()
	r := mustRun(t, vars, "", append([]string{"clients", "create", "--output", "json"}, args...)...)
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	var c createdClient
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("clients create printed %q: %v", r.stdout, err)
	}
	if c.ClientID == "" {
		t.Fatalf("clients create printed no client_id: %s", r.stdout)
	}
	return c
}

// checkClientSecret fails unless s is a generated client secret: the
// tkm_cs_ prefix, then 256 random bits in unpadded base64url.
func checkClientSecret(t *testing.T, s string) {
	t.Helper()
	rest, ok := strings.CutPrefix(s, secret.ClientSecretPrefix)
	if !ok {
		t.Fatalf("secret %q does not start with %s", s, secret.ClientSecretPrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) != 32 {
		t.Fatalf("secret %q: want 256 bits in base64url after the prefix (decoded %d bytes, %v)", s, len(raw), err)
	}
}

// checkNotStoredInClear fails if text appears in any column of any row of
// the schema of vars.
func checkNotStoredInClear(t *testing.T, vars map[string]string, text string) {
	t.Helper()
	ctx := t.Context()
	conn := connect(t, vars)
	tables := tablesOf(t, vars)
	if len(tables) == 0 {
		t.Fatal("no tables to look in")
	}
	for _, table := range tables {
		rows, err := conn.Query(ctx, "SELECT r::text FROM "+pgx.Identifier{table}.Sanitize()+" r")
		if err != nil {
			t.Fatal(err)
		}
		dump, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range dump {
			if strings.Contains(row, text) {
				t.Fatalf("table %s stores %q in clear: %s", table, text, row)
			}
		}
	}
}

// connect opens a plain connection to the database of vars, closed when
// the test ends.
func connect(t *testing.T, vars map[string]string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), vars["TOKENIM_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// tablesOf lists the tables of the schema of vars.
func tablesOf(t *testing.T, vars map[string]string) []string {
	t.Helper()
	rows, err := connect(t, vars).Query(t.Context(), `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// hasKey reports whether the decoded JSON v holds, at any depth, an object
// key that contains part.
func hasKey(v any, part string) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if strings.Contains(strings.ToLower(k), part) || hasKey(e, part) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(v, func(e any) bool { return hasKey(e, part) })
	}
	return false
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		times int
		file  bool
	}{
		{"migrate brings an empty schema up to date", 1, false},
		{"migrate twice is fine: the second run has nothing to do", 2, false},
		{"migrate reads the database from --config", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := adminVars(t)
			args := []string{"migrate"}
			if tc.file {
				args = append(args, "--config", configFile(t, vars))
				vars = nil
			}
			for range tc.times {
				r := mustRun(t, vars, "", args...)
				if r.stdout != "database schema is up to date\n" {
					t.Fatalf("migrate printed %q", r.stdout)
				}
			}
		})
	}

	t.Run("after migrate the schema passes the check every other command makes", func(t *testing.T) {
		vars := migratedVars(t)
		if err := storeOf(t, vars).CheckSchema(t.Context()); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("migrate on the memory store exits 2 explaining there is nothing to migrate", func(t *testing.T) {
		r := runCmd(t, map[string]string{"TOKENIM_DATABASE_URL": "memory", "TOKENIM_ISSUER": "http://127.0.0.1:8080", "TOKENIM_SECRETS_SYSTEM": adminSystemSecret}, "", "migrate")
		if r.code != 2 || !strings.Contains(r.stderr, "nothing to migrate") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

func TestAdminCommandsRefuseAnUnmigratedSchema(t *testing.T) {
	t.Parallel()
	vars := adminVars(t)
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"clients create", "", []string{"clients", "create", "--name", "App", "--type", "confidential", "--redirect-uri", "https://app.example/cb"}},
		{"clients list", "", []string{"clients", "list"}},
		{"clients delete", "", []string{"clients", "delete", "app"}},
		{"users create", "correct horse battery\n", []string{"users", "create", "--email", "a@example.com", "--password-stdin"}},
		{"users list", "", []string{"users", "list"}},
		{"keys rotate", "", []string{"keys", "rotate"}},
	} {
		t.Run(tc.name+" exits 1 naming both schema versions", func(t *testing.T) {
			r := runCmd(t, vars, tc.stdin, tc.args...)
			if r.code != 1 || !strings.Contains(r.stderr, "database schema is at version 0, this binary needs version") ||
				!strings.Contains(r.stderr, "tokenim-auth migrate") {
				t.Fatalf("exit %d, stderr %q; want exit 1 naming the schema versions and migrate", r.code, r.stderr)
			}
		})
	}
	t.Run("the refused commands left the schema empty, without even a migration table", func(t *testing.T) {
		if tables := tablesOf(t, vars); len(tables) != 0 {
			t.Fatalf("tables %v on a schema nothing migrated", tables)
		}
	})
}

func TestClientsCreate(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	store := storeOf(t, vars)
	ring, err := secret.NewKeyring(adminSystemSecret)
	if err != nil {
		t.Fatal(err)
	}
	hasher := secret.NewHasher(ring)

	t.Run("a confidential client gets a 256-bit tkm_cs_ secret stored only as a keyed hash", func(t *testing.T) {
		c := createClient(t, vars, "--name", "Web app", "--type", "confidential",
			"--redirect-uri", "https://app.example/cb", "--scope", "openid", "--scope", "im:messages.read")
		checkClientSecret(t, c.ClientSecret)
		rec, err := store.GetClient(t.Context(), c.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Name != "Web app" || rec.Type != storage.ClientConfidential ||
			!slices.Equal(rec.RedirectURIs, []string{"https://app.example/cb"}) ||
			!slices.Equal(rec.Scopes, []string{"openid", "im:messages.read"}) ||
			!slices.Equal(rec.GrantTypes, []string{"authorization_code", "refresh_token"}) ||
			rec.TokenEndpointAuthMethod != "client_secret_basic" {
			t.Fatalf("stored client %+v", rec)
		}
		if len(rec.Secrets) != 1 {
			t.Fatalf("stored %d secrets, want 1", len(rec.Secrets))
		}
		s := rec.Secrets[0]
		if err := hasher.Compare(s.Hash, c.ClientSecret); err != nil {
			t.Fatalf("stored hash is not the keyed hash of the printed secret: %v", err)
		}
		if s.Prefix != secret.Prefix(c.ClientSecret) || len(s.Prefix) != secret.PrefixLength {
			t.Fatalf("stored prefix %q of secret %q", s.Prefix, c.ClientSecret)
		}
		checkNotStoredInClear(t, vars, c.ClientSecret)
		checkNotStoredInClear(t, vars, c.ClientSecret[secret.PrefixLength:])
	})

	t.Run("a private_key_jwt client gets no secret and keeps its assertion algorithm", func(t *testing.T) {
		c := createClient(t, vars, "--name", "Bot", "--type", "confidential", "--grant-type", "client_credentials",
			"--token-endpoint-auth-method", "private_key_jwt", "--jwks-uri", "https://bot.example/jwks.json",
			"--token-endpoint-auth-signing-alg", "ES256")
		rec, err := store.GetClient(t.Context(), c.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		if c.ClientSecret != "" || len(rec.Secrets) != 0 || rec.TokenEndpointAuthSigningAlg != "ES256" || rec.JWKSURI != "https://bot.example/jwks.json" {
			t.Fatalf("printed secret %q, stored %+v", c.ClientSecret, rec)
		}
		r := runCmd(t, vars, "", "clients", "create", "--name", "Bot", "--type", "confidential", "--grant-type", "client_credentials",
			"--token-endpoint-auth-method", "private_key_jwt", "--jwks-uri", "https://bot.example/jwks.json",
			"--token-endpoint-auth-signing-alg", "HS256")
		if r.code == 0 || !strings.Contains(r.stderr, "token_endpoint_auth_signing_alg") {
			t.Fatalf("an HMAC algorithm: exit %d, stderr %q", r.code, r.stderr)
		}
	})

	t.Run("a generated client ID is usable and unique", func(t *testing.T) {
		a := createClient(t, vars, "--name", "A", "--type", "resource_server")
		b := createClient(t, vars, "--name", "B", "--type", "resource_server")
		if a.ClientID == b.ClientID || !strings.HasPrefix(a.ClientID, "app-") {
			t.Fatalf("generated IDs %q and %q", a.ClientID, b.ClientID)
		}
	})

	t.Run("text output shows the secret once with the warning", func(t *testing.T) {
		r := mustRun(t, vars, "", "clients", "create", "--id", "text-app", "--name", "Text app", "--type", "confidential", "--redirect-uri", "https://app.example/cb")
		id, sec := field(t, r.stdout, "client_id:"), field(t, r.stdout, "client_secret:")
		if id != "text-app" {
			t.Fatalf("client_id %q in:\n%s", id, r.stdout)
		}
		checkClientSecret(t, sec)
		if strings.Count(r.stdout, sec) != 1 || !strings.Contains(r.stdout, "The secret is shown only now") {
			t.Fatalf("want the secret once and the warning:\n%s", r.stdout)
		}
		if strings.Contains(r.stderr, sec) {
			t.Fatalf("the secret reached the log: %s", r.stderr)
		}
		rec, err := store.GetClient(t.Context(), "text-app")
		if err != nil || len(rec.Secrets) != 1 || hasher.Compare(rec.Secrets[0].Hash, sec) != nil {
			t.Fatalf("stored %+v, %v", rec, err)
		}
	})

	t.Run("a public client gets no secret", func(t *testing.T) {
		c := createClient(t, vars, "--id", "native", "--name", "Native app", "--type", "public",
			"--redirect-uri", "com.example.app:/cb", "--redirect-uri", "http://127.0.0.1/cb", "--scope", "openid")
		if c.ClientSecret != "" {
			t.Fatalf("public client got secret %q", c.ClientSecret)
		}
		r := mustRun(t, vars, "", "clients", "create", "--id", "native-text", "--name", "Native", "--type", "public", "--redirect-uri", "com.example.app:/cb")
		if strings.Contains(r.stdout, "secret") {
			t.Fatalf("text output of a public client mentions a secret:\n%s", r.stdout)
		}
		rec, err := store.GetClient(t.Context(), "native")
		if err != nil || len(rec.Secrets) != 0 || rec.TokenEndpointAuthMethod != "none" || rec.Type != storage.ClientPublic {
			t.Fatalf("stored %+v, %v", rec, err)
		}
	})

	t.Run("a resource server gets a secret and the client_credentials grant only", func(t *testing.T) {
		c := createClient(t, vars, "--id", "gateway", "--name", "Gateway", "--type", "resource_server")
		checkClientSecret(t, c.ClientSecret)
		rec, err := store.GetClient(t.Context(), "gateway")
		if err != nil || rec.Type != storage.ClientResourceServer || !slices.Equal(rec.GrantTypes, []string{"client_credentials"}) ||
			len(rec.Secrets) != 1 || hasher.Compare(rec.Secrets[0].Hash, c.ClientSecret) != nil {
			t.Fatalf("stored %+v, %v", rec, err)
		}
	})

	t.Run("a client's own refresh token reuse window is stored and listed", func(t *testing.T) {
		createClient(t, vars, "--id", "desk", "--name", "Desktop", "--type", "public", "--redirect-uri", "com.example.desk:/cb",
			"--refresh-token-reuse-window", "30s")
		rec, err := store.GetClient(t.Context(), "desk")
		if err != nil || rec.RefreshReuseWindow == nil || *rec.RefreshReuseWindow != 30*time.Second {
			t.Fatalf("stored %+v, %v", rec.RefreshReuseWindow, err)
		}
		r := mustRun(t, vars, "", "clients", "list", "--output", "json")
		var listed []struct {
			ClientID string `json:"client_id"`
			Window   string `json:"refresh_token_reuse_window"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
			t.Fatal(err)
		}
		windows := map[string]string{}
		for _, c := range listed {
			windows[c.ClientID] = c.Window
		}
		if windows["desk"] != "30s" || windows["gateway"] != "" {
			t.Fatalf("listed windows %v, want 30s for desk and none for gateway", windows)
		}
	})

	t.Run("a browser app's allowed origins are stored normalised and listed", func(t *testing.T) {
		createClient(t, vars, "--id", "spa", "--name", "SPA", "--type", "public", "--redirect-uri", "https://spa.example/cb",
			"--allowed-origin", "https://SPA.example:443", "--allowed-origin", "http://localhost:5173")
		rec, err := store.GetClient(t.Context(), "spa")
		if err != nil || !slices.Equal(rec.AllowedOrigins, []string{"https://spa.example", "http://localhost:5173"}) || !rec.BrowserApp() {
			t.Fatalf("stored origins %q (browser app %v), %v", rec.AllowedOrigins, rec.BrowserApp(), err)
		}
		r := mustRun(t, vars, "", "clients", "list", "--output", "json")
		var listed []struct {
			ClientID string   `json:"client_id"`
			Origins  []string `json:"allowed_origins"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
			t.Fatal(err)
		}
		origins := map[string][]string{}
		for _, c := range listed {
			origins[c.ClientID] = c.Origins
		}
		if !slices.Equal(origins["spa"], []string{"https://spa.example", "http://localhost:5173"}) || origins["gateway"] == nil || len(origins["gateway"]) != 0 {
			t.Fatalf("listed origins %q, want spa's two and an empty list for gateway", origins)
		}
	})

	before, err := store.ListClients(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string // what stderr names
	}{
		{"a reuse window over a minute exits 2 naming it", []string{"--name", "X", "--type", "public", "--redirect-uri", "com.example.x:/cb", "--refresh-token-reuse-window", "2m"},
			[]string{"client refresh_token_reuse_window:", "1m"}},
		{"a reuse window that is not a duration exits 2 naming the flag", []string{"--name", "X", "--type", "public", "--redirect-uri", "com.example.x:/cb", "--refresh-token-reuse-window", "soon"},
			[]string{"-refresh-token-reuse-window", "soon"}},
		{"an allowed origin with a path exits 2 naming it", []string{"--name", "X", "--type", "public", "--redirect-uri", "https://x.example/cb", "--allowed-origin", "https://x.example/app"},
			[]string{"client allowed_origins[0]:", "no path", "https://x.example/app"}},
		{"a wildcard allowed origin exits 2 naming it", []string{"--name", "X", "--type", "public", "--redirect-uri", "https://x.example/cb", "--allowed-origin", "https://x.example", "--allowed-origin", "*"},
			[]string{"client allowed_origins[1]:", "wildcard"}},
		{"an unknown type exits 2 naming the type", []string{"--name", "X", "--type", "robot"}, []string{"client type:", `"robot"`}},
		{"a missing type exits 2 naming the type", []string{"--name", "X"}, []string{"client type:"}},
		{"a missing name exits 2 naming the name", []string{"--type", "resource_server"}, []string{"client name:", "required"}},
		{"an http redirect URI on a public host exits 2 naming the redirect URI", []string{"--name", "X", "--type", "public", "--redirect-uri", "http://app.example/cb"},
			[]string{"client redirect_uris[0]:", "https", "http://app.example/cb"}},
		{"a custom-scheme redirect URI on a confidential client exits 2", []string{"--name", "X", "--type", "confidential", "--redirect-uri", "com.example.app:/cb"},
			[]string{"client redirect_uris[0]:", "only for public clients"}},
		{"authorization_code without a redirect URI exits 2", []string{"--name", "X", "--type", "confidential"}, []string{"client redirect_uris:", "at least one"}},
		{"a scope outside the catalogue exits 2 naming it", []string{"--name", "X", "--type", "confidential", "--redirect-uri", "https://app.example/cb", "--scope", "openid", "--scope", "im:everything"},
			[]string{"client scopes[1]:", `"im:everything" is not in the scope catalogue`}},
		{"an unknown grant type exits 2 naming it", []string{"--name", "X", "--type", "confidential", "--grant-type", "password"}, []string{"client grant_types[0]:", `"password"`}},
		{"a public client may not use client_credentials", []string{"--name", "X", "--type", "public", "--grant-type", "client_credentials"}, []string{"client grant_types:", "public client"}},
		{"an invalid client ID exits 2 naming the ID", []string{"--id", "my app", "--name", "X", "--type", "resource_server"}, []string{"client id:", `"my app"`}},
		{"--output yaml exits 2 naming --output", []string{"--name", "X", "--type", "resource_server", "--output", "yaml"}, []string{"--output", `"yaml"`}},
		{"a duplicate --id exits 2 naming the ID", []string{"--id", "gateway", "--name", "Again", "--type", "resource_server"}, []string{`client with ID "gateway" already exists`}},
		{"an unknown flag exits 2", []string{"--colour", "red"}, []string{"flag provided but not defined: -colour"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, vars, "", append([]string{"clients", "create"}, tc.args...)...)
			if r.code != 2 {
				t.Fatalf("exit %d, stderr %q; want 2", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Fatalf("stderr %q does not name %q", r.stderr, w)
				}
			}
			if strings.Contains(r.stdout+r.stderr, secret.ClientSecretPrefix) {
				t.Fatalf("a refused client printed a secret:\nstdout: %s\nstderr: %s", r.stdout, r.stderr)
			}
		})
	}
	t.Run("refused clients leave nothing behind", func(t *testing.T) {
		after, err := store.ListClients(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before) {
			t.Fatalf("%d clients before the refused ones, %d after", len(before), len(after))
		}
		gw, err := store.GetClient(t.Context(), "gateway")
		if err != nil || gw.Name != "Gateway" {
			t.Fatalf("the duplicate --id changed the existing client: %+v, %v", gw, err)
		}
	})
}

func TestCreatedClientSecretsAuthenticate(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	_, srv := buildApp(t, vars)
	// Created while the provider runs: no restart is needed.
	bot := createClient(t, vars, "--id", "bot", "--name", "Bot", "--type", "confidential",
		"--grant-type", "client_credentials", "--scope", "im:messages.send")
	gateway := createClient(t, vars, "--id", "gateway", "--name", "Gateway", "--type", "resource_server")
	tokenURL := srv.URL + "/oauth2/token"

	// botToken is a client_credentials token got with the bot's printed
	// secret.
	botToken := func(t *testing.T) string {
		t.Helper()
		cc := clientcredentials.Config{ClientID: bot.ClientID, ClientSecret: bot.ClientSecret, TokenURL: tokenURL,
			Scopes: []string{"im:messages.send"}, AuthStyle: oauth2.AuthStyleInHeader}
		tok, err := cc.Token(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if tok.AccessToken == "" || tok.Extra("scope") != "im:messages.send" {
			t.Fatalf("token %q with scope %v", tok.AccessToken, tok.Extra("scope"))
		}
		return tok.AccessToken
	}
	t.Run("the printed secret gets a client_credentials token", func(t *testing.T) {
		botToken(t)
	})

	t.Run("a resource server's printed secret introspects a token of the bot", func(t *testing.T) {
		token := botToken(t)
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(gateway.ClientID, gateway.ClientSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		raw, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(raw, &body); err != nil || body["active"] != true || body["client_id"] != "bot" {
			t.Fatalf("introspection: %d %s", resp.StatusCode, raw)
		}
	})

	for _, tc := range []struct {
		name, id, secret string
	}{
		{"a wrong secret is 401 invalid_client", bot.ClientID, bot.ClientSecret + "x"},
		{"another client's secret is 401 invalid_client", bot.ClientID, gateway.ClientSecret},
		{"the stored prefix alone is 401 invalid_client", bot.ClientID, secret.Prefix(bot.ClientSecret)},
		{"a deleted client's secret is 401 invalid_client", "deleted", func() string {
			c := createClient(t, vars, "--id", "deleted", "--name", "Deleted", "--type", "confidential", "--grant-type", "client_credentials", "--scope", "im:messages.send")
			mustRun(t, vars, "", "clients", "delete", "deleted")
			return c.ClientSecret
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc := clientcredentials.Config{ClientID: tc.id, ClientSecret: tc.secret, TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}
			_, err := cc.Token(t.Context())
			re, ok := errors.AsType[*oauth2.RetrieveError](err)
			if !ok || re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != "invalid_client" {
				t.Fatalf("got %v, want 401 invalid_client", err)
			}
		})
	}
}

func TestClientsListAndDelete(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	web := createClient(t, vars, "--id", "web", "--name", "Web app", "--type", "confidential",
		"--redirect-uri", "https://app.example/cb", "--scope", "openid", "--scope", "im:messages.read")
	createClient(t, vars, "--id", "native", "--name", "Native app", "--type", "public", "--redirect-uri", "com.example.app:/cb")
	gateway := createClient(t, vars, "--id", "gateway", "--name", "Gateway", "--type", "resource_server")
	hashes := map[string][]byte{}
	for _, c := range []string{"web", "gateway"} {
		rec, err := storeOf(t, vars).GetClient(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		hashes[c] = rec.Secrets[0].Hash
	}
	// noSecrets fails if out holds a secret or a hash in any usual encoding.
	noSecrets := func(t *testing.T, out string) {
		t.Helper()
		for _, s := range []string{web.ClientSecret, gateway.ClientSecret, web.ClientSecret[secret.PrefixLength:]} {
			if strings.Contains(out, s) {
				t.Fatalf("output holds secret %q:\n%s", s, out)
			}
		}
		for _, h := range hashes {
			for _, enc := range []string{base64.StdEncoding.EncodeToString(h), base64.RawStdEncoding.EncodeToString(h), base64.RawURLEncoding.EncodeToString(h), hex.EncodeToString(h)} {
				if strings.Contains(out, enc) {
					t.Fatalf("output holds a secret hash (%q):\n%s", enc, out)
				}
			}
		}
	}

	t.Run("text lists every client with its secret prefixes", func(t *testing.T) {
		r := mustRun(t, vars, "", "clients", "list")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "CLIENT ID") {
			t.Fatalf("want a header and 3 clients:\n%s", r.stdout)
		}
		for i, want := range [][]string{
			{"gateway", "Gateway", "resource_server", "client_credentials", secret.Prefix(gateway.ClientSecret) + "…"},
			{"native", "Native app", "public", "authorization_code,refresh_token"},
			{"web", "Web app", "confidential", "openid im:messages.read", secret.Prefix(web.ClientSecret) + "…"},
		} {
			for _, w := range want {
				if !strings.Contains(lines[i+1], w) {
					t.Fatalf("line %q lacks %q", lines[i+1], w)
				}
			}
		}
		if strings.Contains(lines[2], secret.ClientSecretPrefix) {
			t.Fatalf("the public client shows a secret: %q", lines[2])
		}
		noSecrets(t, r.stdout)
	})

	t.Run("json lists every client with prefixes and no hash field", func(t *testing.T) {
		r := mustRun(t, vars, "", "clients", "list", "--output", "json")
		var list []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
			t.Fatalf("%v:\n%s", err, r.stdout)
		}
		var generic any
		_ = json.Unmarshal([]byte(r.stdout), &generic)
		if hasKey(generic, "hash") {
			t.Fatalf("json has a hash field:\n%s", r.stdout)
		}
		noSecrets(t, r.stdout)
		if len(list) != 3 {
			t.Fatalf("want 3 clients:\n%s", r.stdout)
		}
		prefixes := map[string][]string{}
		for _, c := range list {
			id, _ := c["client_id"].(string)
			secrets, _ := c["secrets"].([]any)
			for _, s := range secrets {
				p, _ := s.(map[string]any)["prefix"].(string)
				prefixes[id] = append(prefixes[id], p)
			}
		}
		want := map[string][]string{"web": {secret.Prefix(web.ClientSecret)}, "gateway": {secret.Prefix(gateway.ClientSecret)}}
		if len(prefixes) != 2 || !slices.Equal(prefixes["web"], want["web"]) || !slices.Equal(prefixes["gateway"], want["gateway"]) {
			t.Fatalf("secret prefixes %v, want %v", prefixes, want)
		}
	})

	t.Run("json of an empty list is an empty array", func(t *testing.T) {
		r := mustRun(t, migratedVars(t), "", "clients", "list", "--output", "json")
		if strings.TrimSpace(r.stdout) != "[]" {
			t.Fatalf("got %q", r.stdout)
		}
	})

	t.Run("delete removes the client", func(t *testing.T) {
		r := mustRun(t, vars, "", "clients", "delete", "web")
		if !strings.Contains(r.stdout, "deleted client web") {
			t.Fatalf("delete printed %q", r.stdout)
		}
		if _, err := storeOf(t, vars).GetClient(t.Context(), "web"); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("after delete: %v, want ErrNotFound", err)
		}
		if l := mustRun(t, vars, "", "clients", "list").stdout; strings.Contains(l, "Web app") {
			t.Fatalf("the deleted client is still listed:\n%s", l)
		}
	})

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"deleting it again exits 1 saying there is no such client", []string{"delete", "web"}, 1, `no client with ID "web"`},
		{"delete without an ID exits 2", []string{"delete"}, 2, "usage: tokenim-auth clients delete"},
		{"delete with two IDs exits 2", []string{"delete", "native", "gateway"}, 2, "usage: tokenim-auth clients delete"},
		{"no subcommand exits 2", nil, 2, "missing subcommand"},
		{"an unknown subcommand exits 2", []string{"rename"}, 2, `unknown subcommand "rename"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, vars, "", append([]string{"clients"}, tc.args...)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d mentioning %q", r.code, r.stderr, tc.code, tc.stderr)
			}
		})
	}
	t.Run("the refused deletes removed nothing", func(t *testing.T) {
		list, err := storeOf(t, vars).ListClients(t.Context())
		if err != nil || len(list) != 2 {
			t.Fatalf("%d clients left (%v), want native and gateway", len(list), err)
		}
	})
}

func TestUsers(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	store := storeOf(t, vars)
	const pw = "correct horse battery"

	t.Run("create reads the password from stdin and stores only its argon2id hash", func(t *testing.T) {
		r := mustRun(t, vars, pw+"\n", "users", "create", "--email", "a@example.com", "--name", "Ann", "--password-stdin")
		if !strings.HasPrefix(r.stdout, "created user a@example.com (") {
			t.Fatalf("printed %q", r.stdout)
		}
		u, err := store.GetUserByEmail(t.Context(), "a@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "Ann" || u.Status != storage.UserActive || !u.EmailVerified || !strings.Contains(r.stdout, u.ID) {
			t.Fatalf("stored %+v", u)
		}
		if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$") || !password.IsHash(u.PasswordHash) {
			t.Fatalf("stored hash %q is not argon2id", u.PasswordHash)
		}
		if ok, err := password.Verify(pw, u.PasswordHash); !ok || err != nil {
			t.Fatalf("the stored hash does not verify the password: %v", err)
		}
		checkNotStoredInClear(t, vars, pw)
		if strings.Contains(r.stdout+r.stderr, pw) {
			t.Fatal("the password was echoed")
		}
	})

	t.Run("create without a trailing newline and with json output", func(t *testing.T) {
		r := mustRun(t, vars, "another password", "users", "create", "--email", "bob@example.com", "--password-stdin", "--output", "json")
		var out map[string]string
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out["email"] != "bob@example.com" || out["id"] == "" || len(out) != 2 {
			t.Fatalf("printed %q (%v)", r.stdout, err)
		}
		u, err := store.GetUser(t.Context(), out["id"])
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := password.Verify("another password", u.PasswordHash); !ok {
			t.Fatal("the stored hash does not verify the password")
		}
	})

	for _, tc := range []struct {
		name   string
		stdin  string
		args   []string
		stderr []string
	}{
		{"a 7-character password exits 2", "1234567\n", []string{"--email", "c@example.com", "--password-stdin"}, []string{"--password-stdin", "shorter than 8"}},
		{"a password longer than 128 characters exits 2", strings.Repeat("p", 129) + "\n", []string{"--email", "c@example.com", "--password-stdin"}, []string{"--password-stdin", "longer than 128"}},
		{"an empty stdin exits 2", "", []string{"--email", "c@example.com", "--password-stdin"}, []string{"--password-stdin", "no password"}},
		{"a duplicate email in another letter case exits 2", pw + "\n", []string{"--email", "A@Example.COM", "--password-stdin"}, []string{"already exists", "A@Example.COM"}},
		{"an address without @ exits 2 naming --email", pw + "\n", []string{"--email", "ann.example.com", "--password-stdin"}, []string{"--email", "not an email address"}},
		{"--output yaml exits 2 naming --output", pw + "\n", []string{"--email", "c@example.com", "--password-stdin", "--output", "yaml"}, []string{"--output", `"yaml"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCmd(t, vars, tc.stdin, append([]string{"users", "create"}, tc.args...)...)
			if r.code != 2 {
				t.Fatalf("exit %d, stderr %q; want 2", r.code, r.stderr)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(r.stderr, w) {
					t.Fatalf("stderr %q does not mention %q", r.stderr, w)
				}
			}
		})
	}

	t.Run("refused users leave nothing behind", func(t *testing.T) {
		list, err := store.ListUsers(t.Context(), storage.Page{})
		if err != nil || len(list) != 2 {
			t.Fatalf("%d users (%v), want Ann and Bob only", len(list), err)
		}
	})

	t.Run("list shows the users in text, never a hash", func(t *testing.T) {
		r := mustRun(t, vars, "", "users", "list")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], "EMAIL") ||
			!strings.Contains(lines[1], "a@example.com") || !strings.Contains(lines[1], "Ann") || !strings.Contains(lines[1], "active") ||
			!strings.Contains(lines[2], "bob@example.com") {
			t.Fatalf("users list:\n%s", r.stdout)
		}
		if strings.Contains(r.stdout, "argon2") || strings.Contains(r.stdout, "$") {
			t.Fatalf("users list shows a hash:\n%s", r.stdout)
		}
	})

	t.Run("list shows the users in json, with no hash field", func(t *testing.T) {
		r := mustRun(t, vars, "", "users", "list", "--output", "json")
		var list []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
			t.Fatalf("%v:\n%s", err, r.stdout)
		}
		if len(list) != 2 || list[0]["email"] != "a@example.com" || list[0]["name"] != "Ann" || list[0]["status"] != "active" || list[1]["email"] != "bob@example.com" {
			t.Fatalf("users list:\n%s", r.stdout)
		}
		var generic any
		_ = json.Unmarshal([]byte(r.stdout), &generic)
		if hasKey(generic, "hash") || hasKey(generic, "password") || strings.Contains(r.stdout, "argon2") {
			t.Fatalf("users list shows a hash:\n%s", r.stdout)
		}
	})

	t.Run("users without a subcommand exits 2", func(t *testing.T) {
		if r := runCmd(t, vars, "", "users"); r.code != 2 || !strings.Contains(r.stderr, "missing subcommand") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
	})
}

func TestKeysRotate(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	store, _ := buildApp(t, vars)
	ctx := t.Context()
	first, err := store.ListSigningKeys(ctx)
	if err != nil || len(first) != 2 || !first[0].Current() || !first[1].Current() || first[0].Algorithm == first[1].Algorithm {
		t.Fatalf("after build: %d keys (%v), want a current key of each algorithm", len(first), err)
	}
	old := map[string]string{}
	for _, k := range first {
		old[k.Algorithm] = k.ID
	}

	start := time.Now()
	r := mustRun(t, vars, "", "keys", "rotate")
	end := time.Now()
	rotated := rotatedKeys(t, r.stdout)
	if len(rotated) != 2 || rotated["RS256"] == old["RS256"] || rotated["ES256"] == old["ES256"] ||
		!strings.Contains(r.stdout, "the previous RS256 key stays published for 1h0m0s") || !strings.Contains(r.stdout, "the previous ES256 key stays published for 1h0m0s") {
		t.Fatalf("rotate printed %q", r.stdout)
	}

	t.Run("the new keys are current and the old ones retire when their tokens have expired", func(t *testing.T) {
		list, err := store.ListSigningKeys(ctx)
		if err != nil || len(list) != 4 {
			t.Fatalf("%d keys (%v), want 4", len(list), err)
		}
		byID := map[string]storage.SigningKey{}
		for _, k := range list {
			byID[k.ID] = k
		}
		for alg, kid := range rotated {
			if k := byID[kid]; !k.Current() || k.Algorithm != alg {
				t.Fatalf("new %s key %s is not current: %+v", alg, kid, k)
			}
			// The longest token lifespan is the one-hour default.
			retire := byID[old[alg]].RetireAt
			if byID[old[alg]].Current() || retire.Before(start.Add(time.Hour).Add(-time.Second)) || retire.After(end.Add(time.Hour).Add(time.Second)) {
				t.Fatalf("old %s key %s retires at %v, want an hour after the rotation (%v)", alg, old[alg], retire, start)
			}
		}
	})

	t.Run("the key set still publishes the old keys beside the new ones", func(t *testing.T) {
		cfg, err := loadConfig("", env{lookup: lookupIn(vars)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		ring, err := secret.NewKeyring(cfg.Secrets.System)
		if err != nil {
			t.Fatal(err)
		}
		km, err := newKeyManager(cfg, store, ring, slog.New(slog.NewTextHandler(t.Output(), nil)))
		if err != nil {
			t.Fatal(err)
		}
		set, err := km.JWKS(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var kids []string
		for _, k := range set.Keys {
			kids = append(kids, k.KeyID)
		}
		slices.Sort(kids)
		want := []string{rotated["RS256"], rotated["ES256"], old["RS256"], old["ES256"]}
		slices.Sort(want)
		if !slices.Equal(kids, want) {
			t.Fatalf("JWKS kids %v, want %v", kids, want)
		}
		// keys.algorithm is ES256 by default.
		cur, err := km.Current(ctx)
		if err != nil || cur.ID != rotated["ES256"] {
			t.Fatalf("current key %q (%v), want %s", cur.ID, err, rotated["ES256"])
		}
	})

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"keys without a subcommand exits 2", []string{"keys"}},
		{"an unknown keys subcommand exits 2", []string{"keys", "delete"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := runCmd(t, vars, "", tc.args...); r.code != 2 || !strings.Contains(r.stderr, "usage: tokenim-auth keys rotate") {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
		})
	}
}

func TestAdminCommandsReadTheDatabaseFromConfigOrEnvironment(t *testing.T) {
	t.Parallel()
	// Each source is a way to tell the commands where the database is; the
	// steps run in order on one fresh schema per source.
	for _, src := range []struct {
		name  string
		setup func(t *testing.T, db map[string]string) (vars map[string]string, args []string)
	}{
		{"TOKENIM_DATABASE_URL", func(t *testing.T, db map[string]string) (map[string]string, []string) {
			return db, nil
		}},
		{"--config FILE", func(t *testing.T, db map[string]string) (map[string]string, []string) {
			return nil, []string{"--config", configFile(t, db)}
		}},
		{"TOKENIM_DATABASE_URL over a --config FILE saying memory", func(t *testing.T, db map[string]string) (map[string]string, []string) {
			file := configFile(t, map[string]string{"TOKENIM_ISSUER": db["TOKENIM_ISSUER"], "TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": db["TOKENIM_SECRETS_SYSTEM"]})
			return map[string]string{"TOKENIM_DATABASE_URL": db["TOKENIM_DATABASE_URL"]}, []string{"--config", file}
		}},
	} {
		t.Run(src.name, func(t *testing.T) {
			t.Parallel()
			db := adminVars(t)
			vars, extra := src.setup(t, db)
			var rotated map[string]string
			for _, step := range []struct {
				stdin string
				args  []string
				check func(t *testing.T, out string)
			}{
				{"", []string{"migrate"}, func(t *testing.T, out string) {
					if out != "database schema is up to date\n" {
						t.Fatalf("printed %q", out)
					}
				}},
				{"", []string{"clients", "create", "--id", "bot", "--name", "Bot", "--type", "confidential", "--grant-type", "client_credentials", "--scope", "im:messages.send", "--output", "json"},
					func(t *testing.T, out string) {
						var c createdClient
						if err := json.Unmarshal([]byte(out), &c); err != nil || c.ClientID != "bot" {
							t.Fatalf("printed %q", out)
						}
						checkClientSecret(t, c.ClientSecret)
					}},
				{"", []string{"clients", "list"}, func(t *testing.T, out string) {
					if !strings.Contains(out, "bot") {
						t.Fatalf("printed %q", out)
					}
				}},
				{"correct horse battery\n", []string{"users", "create", "--email", "a@example.com", "--password-stdin"}, func(t *testing.T, out string) {
					if !strings.Contains(out, "created user a@example.com") {
						t.Fatalf("printed %q", out)
					}
				}},
				{"", []string{"users", "list", "--output", "json"}, func(t *testing.T, out string) {
					if !strings.Contains(out, `"email": "a@example.com"`) {
						t.Fatalf("printed %q", out)
					}
				}},
				{"", []string{"keys", "rotate"}, func(t *testing.T, out string) {
					if rotated = rotatedKeys(t, out); len(rotated) != 2 || !strings.Contains(out, "(the first one)") {
						t.Fatalf("printed %q", out)
					}
				}},
				{"", []string{"clients", "delete", "bot"}, func(t *testing.T, out string) {
					if !strings.Contains(out, "deleted client bot") {
						t.Fatalf("printed %q", out)
					}
				}},
			} {
				// Subcommand words come first, then flags.
				words := slices.IndexFunc(step.args, func(a string) bool { return strings.HasPrefix(a, "-") })
				if words < 0 {
					words = len(step.args)
				}
				if step.args[0] == "clients" && step.args[1] == "delete" {
					words = 2 // the client ID is an argument after the flags
				}
				args := slices.Concat(step.args[:words], extra, step.args[words:])
				t.Run(strings.Join(step.args[:min(2, len(step.args))], " "), func(t *testing.T) {
					step.check(t, mustRun(t, vars, step.stdin, args...).stdout)
				})
			}

			t.Run("every step acted on that database", func(t *testing.T) {
				store := storeOf(t, db)
				ctx := t.Context()
				if _, err := store.GetClient(ctx, "bot"); !errors.Is(err, storage.ErrNotFound) {
					t.Fatalf("client bot: %v, want deleted", err)
				}
				if _, err := store.GetUserByEmail(ctx, "a@example.com"); err != nil {
					t.Fatal(err)
				}
				keys, err := store.ListSigningKeys(ctx)
				stored := map[string]string{}
				for _, k := range keys {
					stored[k.Algorithm] = k.ID
				}
				if err != nil || len(keys) != 2 || !maps.Equal(stored, rotated) {
					t.Fatalf("keys %v (%v), want the rotated keys %v", keys, err, rotated)
				}
			})
		})
	}
}

// TestServeContainerConfigWithComposeEnvironment runs what the container
// runs: config/container.yaml with the environment compose.yaml sets, on a
// Postgres database; then config/example.yaml the same way, whose
// bootstrap clients must not stop the provider from starting.
func TestServeContainerConfigWithComposeEnvironment(t *testing.T) {
	t.Parallel()
	vars := map[string]string{
		"TOKENIM_ISSUER":         "http://localhost:8080",
		"TOKENIM_DATABASE_URL":   pgtest.URL(t),
		"TOKENIM_SECRETS_SYSTEM": base64.StdEncoding.EncodeToString([]byte(strings.Repeat("r", 32))),
	}
	base, _, logs := startServe(t, vars, "--config", "../../config/container.yaml", "--listen", "127.0.0.1:0")
	resp, err := http.Get(base + "/health/ready")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/health/ready: %d\n%s", resp.StatusCode, logs.String())
	}
	if strings.Contains(logs.String(), "bootstrap client applied") {
		t.Fatalf("the container configuration declares clients:\n%s", logs.String())
	}
}

func TestServeExampleConfigWithComposeEnvironment(t *testing.T) {
	t.Parallel()
	db := pgtest.URL(t)
	vars := map[string]string{
		"TOKENIM_ISSUER":         "http://localhost:8080",
		"TOKENIM_DATABASE_URL":   db,
		"TOKENIM_SECRETS_SYSTEM": base64.StdEncoding.EncodeToString([]byte(strings.Repeat("r", 32))),
	}
	base, _, logs := startServe(t, vars, "--config", "../../config/example.yaml", "--listen", "127.0.0.1:0")
	resp, err := http.Get(base + "/health/ready")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/health/ready: %d\n%s", resp.StatusCode, logs.String())
	}
	for _, id := range []string{"tokenim-web", "com.tokenim.app", "tokenim-messages-api"} {
		if !strings.Contains(logs.String(), `"client_id":"`+id+`"`) {
			t.Errorf("bootstrap client %s not applied:\n%s", id, logs.String())
		}
	}
}

func TestUsersResetMFA(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	store := storeOf(t, vars)
	mustRun(t, vars, "violet-harbour-42\n", "users", "create", "--email", "mfa@example.com", "--password-stdin")
	u, err := store.GetUserByEmail(t.Context(), "mfa@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.UpdateUser(t.Context(), u.ID, func(u storage.User) (storage.User, error) {
		u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.RecoveryCodes = []byte("sealed"), true, 7, [][]byte{[]byte("h")}
		return u, nil
	}); err != nil {
		t.Fatal(err)
	}
	t.Run("reset-mfa turns the second factor off", func(t *testing.T) {
		r := mustRun(t, vars, "", "users", "reset-mfa", "--email", "MFA@example.com")
		if !strings.Contains(r.stdout, "two-step verification is off for mfa@example.com") {
			t.Fatalf("printed %q", r.stdout)
		}
		got, _ := store.GetUser(t.Context(), u.ID)
		if got.TOTPEnabled || got.TOTPSecret != nil || len(got.RecoveryCodes) != 0 || got.TOTPLastStep != 0 {
			t.Fatalf("after reset: %+v", got)
		}
	})
	t.Run("reset-mfa of an unknown account fails, without an email it is a usage error", func(t *testing.T) {
		if r := runCmd(t, vars, "", "users", "reset-mfa", "--email", "nobody@example.com"); r.code != 1 || !strings.Contains(r.stderr, "no account") {
			t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
		}
		if r := runCmd(t, vars, "", "users", "reset-mfa"); r.code != 2 {
			t.Fatalf("exit %d, want 2", r.code)
		}
	})
}

func TestClientSecretsRotateRevokeList(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	store := storeOf(t, vars)
	created := mustRun(t, vars, "", "clients", "create", "--name", "Bot", "--type", "confidential", "--grant-type", "client_credentials", "--scope", "im:messages.send", "--id", "bot", "--output", "json")
	var first struct {
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(created.stdout), &first); err != nil {
		t.Fatal(err)
	}
	t.Run("a created secret expires after api_keys.lifetime", func(t *testing.T) {
		c, _ := store.GetClient(t.Context(), "bot")
		if d := time.Until(c.Secrets[0].ExpiresAt); d < 89*24*time.Hour || d > 91*24*time.Hour {
			t.Fatalf("secret expires in %v, want about 90 days", d)
		}
	})
	var rotated struct {
		SecretID     string `json:"secret_id"`
		ClientSecret string `json:"client_secret"`
	}
	t.Run("rotate prints a new secret once and keeps the old one for the grace period", func(t *testing.T) {
		r := mustRun(t, vars, "", "clients", "secrets", "rotate", "--grace", "2h", "--output", "json", "bot")
		if err := json.Unmarshal([]byte(r.stdout), &rotated); err != nil || !strings.HasPrefix(rotated.ClientSecret, "tkm_cs_") {
			t.Fatalf("printed %q (%v)", r.stdout, err)
		}
		c, _ := store.GetClient(t.Context(), "bot")
		if len(c.Secrets) != 2 {
			t.Fatalf("%d secrets", len(c.Secrets))
		}
		if d := time.Until(c.Secrets[0].ExpiresAt); d > 2*time.Hour || d < time.Hour {
			t.Fatalf("old secret expires in %v, want within the 2h grace", d)
		}
		checkNotStoredInClear(t, vars, rotated.ClientSecret)
	})
	t.Run("a third live secret is refused", func(t *testing.T) {
		if r := runCmd(t, vars, "", "clients", "secrets", "rotate", "bot"); r.code != 2 || !strings.Contains(r.stderr, "revoke one first") {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	})
	t.Run("list shows prefixes, states and dates, never a secret", func(t *testing.T) {
		r := mustRun(t, vars, "", "clients", "secrets", "list", "bot")
		if !strings.Contains(r.stdout, "live") || !strings.Contains(r.stdout, "tkm_cs_") || strings.Contains(r.stdout, first.ClientSecret) || strings.Contains(r.stdout, rotated.ClientSecret) {
			t.Fatalf("list printed:\n%s", r.stdout)
		}
	})
	t.Run("revoke removes a secret at once; the last live one cannot be revoked", func(t *testing.T) {
		c, _ := store.GetClient(t.Context(), "bot")
		mustRun(t, vars, "", "clients", "secrets", "revoke", "bot", c.Secrets[0].ID)
		c, _ = store.GetClient(t.Context(), "bot")
		if len(c.Secrets) != 1 || c.Secrets[0].ID != rotated.SecretID {
			t.Fatalf("secrets after revoke: %+v", c.Secrets)
		}
		if r := runCmd(t, vars, "", "clients", "secrets", "revoke", "bot", rotated.SecretID); r.code != 2 || !strings.Contains(r.stderr, "only live secret") {
			t.Fatalf("revoking the last secret: exit %d: %s", r.code, r.stderr)
		}
		if r := runCmd(t, vars, "", "clients", "secrets", "revoke", "bot", "nope"); r.code != 1 {
			t.Fatalf("revoking an unknown secret: exit %d", r.code)
		}
	})
	t.Run("--expires never makes a secret that does not expire", func(t *testing.T) {
		mustRun(t, vars, "", "clients", "create", "--name", "Forever", "--type", "resource_server", "--id", "forever", "--expires", "never")
		c, _ := store.GetClient(t.Context(), "forever")
		if !c.Secrets[0].ExpiresAt.IsZero() {
			t.Fatalf("secret expires %v", c.Secrets[0].ExpiresAt)
		}
		if r := runCmd(t, vars, "", "clients", "create", "--name", "X", "--type", "resource_server", "--expires", "10m"); r.code != 2 {
			t.Fatalf("a 10-minute secret: exit %d", r.code)
		}
	})
}

func TestUsersSetRole(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	store := storeOf(t, vars)
	mustRun(t, vars, "violet-harbour-42\n", "users", "create", "--email", "rita@example.com", "--password-stdin")
	if r := runCmd(t, vars, "violet-harbour-42\n", "users", "create", "--email", "x@example.com", "--role", "root", "--password-stdin"); r.code != 2 || !strings.Contains(r.stderr, `unknown role "root"`) {
		t.Fatalf("create with an unknown role: exit %d: %s", r.code, r.stderr)
	}
	u, _ := store.GetUserByEmail(t.Context(), "rita@example.com")
	if err := store.CreateClient(t.Context(), storage.Client{ID: "app", Name: "app", Type: storage.ClientConfidential}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []storage.Token{
		{Kind: storage.KindAccessToken, Signature: "send", RequestID: "r1", ClientID: "app", Subject: u.ID, Scopes: []string{"openid", "im:messages.send"}, Active: true, Session: []byte("{}")},
		{Kind: storage.KindAccessToken, Signature: "read", RequestID: "r2", ClientID: "app", Subject: u.ID, Scopes: []string{"openid", "im:messages.read"}, Active: true, Session: []byte("{}")},
	} {
		if err := store.CreateToken(t.Context(), tok); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("lowering a role revokes the tokens it no longer allows", func(t *testing.T) {
		r := mustRun(t, vars, "", "users", "set-role", "--email", "rita@example.com", "--role", "guest")
		if !strings.Contains(r.stdout, "is now guest; 1 tokens") {
			t.Fatalf("printed %q", r.stdout)
		}
		got, _ := store.GetUser(t.Context(), u.ID)
		send, _ := store.GetToken(t.Context(), storage.KindAccessToken, "send")
		read, _ := store.GetToken(t.Context(), storage.KindAccessToken, "read")
		if got.Role != "guest" || send.Active || !read.Active {
			t.Fatalf("role %q, send active %v, read active %v", got.Role, send.Active, read.Active)
		}
	})
	t.Run("an unknown role is a usage error", func(t *testing.T) {
		if r := runCmd(t, vars, "", "users", "set-role", "--email", "rita@example.com", "--role", "root"); r.code != 2 {
			t.Fatalf("exit %d", r.code)
		}
	})
}

func TestGrants(t *testing.T) {
	t.Parallel()
	vars := migratedVars(t)
	store := storeOf(t, vars)
	mustRun(t, vars, "violet-harbour-42\n", "users", "create", "--email", "gina@example.com", "--password-stdin")
	u, _ := store.GetUserByEmail(t.Context(), "gina@example.com")
	if err := store.CreateClient(t.Context(), storage.Client{ID: "chat", Name: "Chat", Type: storage.ClientConfidential}); err != nil {
		t.Fatal(err)
	}
	if err := store.SaveConsent(t.Context(), storage.Consent{UserID: u.ID, ClientID: "chat", Scopes: []string{"openid", "im:messages.read"}, GrantedAt: time.Now().UTC().Truncate(time.Second)}); err != nil {
		t.Fatal(err)
	}
	if err := store.CreateToken(t.Context(), storage.Token{Kind: storage.KindRefreshToken, Signature: "rt", RequestID: "r", ClientID: "chat", Subject: u.ID, Active: true, Session: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	t.Run("list by user and by app", func(t *testing.T) {
		for _, args := range [][]string{{"--user", "gina@example.com"}, {"--app", "chat"}} {
			r := mustRun(t, vars, "", append([]string{"grants", "list"}, args...)...)
			if !strings.Contains(r.stdout, "chat") || !strings.Contains(r.stdout, "im:messages.read") {
				t.Fatalf("grants list %v printed %q", args, r.stdout)
			}
		}
		if r := runCmd(t, vars, "", "grants", "list"); r.code != 2 {
			t.Fatalf("list without a filter: exit %d", r.code)
		}
	})
	t.Run("revoke withdraws the grant and stops its tokens", func(t *testing.T) {
		r := mustRun(t, vars, "", "grants", "revoke", "--user", "gina@example.com", "--app", "chat")
		if !strings.Contains(r.stdout, "1 tokens stopped working") {
			t.Fatalf("printed %q", r.stdout)
		}
		if tok, _ := store.GetToken(t.Context(), storage.KindRefreshToken, "rt"); tok.Active {
			t.Fatal("the grant's refresh token is still active")
		}
		if r := runCmd(t, vars, "", "grants", "revoke", "--user", "gina@example.com", "--app", "chat"); r.code != 1 {
			t.Fatalf("revoking again: exit %d", r.code)
		}
	})
}

// rotatedKeys reads what keys rotate printed: the kid of each new key by
// its algorithm.
func rotatedKeys(t *testing.T, out string) map[string]string {
	t.Helper()
	keys := map[string]string{}
	for line := range strings.Lines(out) {
		var kid, alg string
		if _, err := fmt.Sscanf(line, "new signing key %s (%5s) is current", &kid, &alg); err != nil {
			t.Fatalf("keys rotate printed %q: %v", line, err)
		}
		keys[alg] = kid
	}
	return keys
}
