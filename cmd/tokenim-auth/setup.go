package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/install"
	"github.com/tokenim/tokenim-auth/provider/scim"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/storage/memory"
	"github.com/tokenim/tokenim-auth/storage/postgres"
)

// loadConfig reads the configuration, lets adjust apply flags, and
// validates the result. Any problem is a usage error naming the field.
func loadConfig(path string, e env, adjust func(*config.Config) error) (config.Config, error) {
	cfg, err := config.Load(path, e.lookup)
	if err != nil {
		return cfg, usageError{err}
	}
	if adjust != nil {
		if err := adjust(&cfg); err != nil {
			return cfg, usageError{err}
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{fmt.Errorf("invalid configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))}
	}
	return cfg, nil
}

// newLogger builds the process logger: JSON or text on w, at the
// configured level, adding request_id and client_ip from contexts and
// writing durations as Go spells them ("10m0s").
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: provider.LogDurationsAsText}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.Log.Format == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(provider.NewLogHandler(h))
}

// migrateMode says what openStore does about pending migrations.
type migrateMode int

const (
	// migrateApply applies pending migrations.
	migrateApply migrateMode = iota
	// migrateCheck refuses an out-of-date schema.
	migrateCheck
)

// openStore opens the configured store. A Postgres store is migrated or
// checked as mode says.
func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger, mode migrateMode) (storage.LockingStore, error) {
	if cfg.Database.URL == "memory" {
		return memory.New(), nil
	}
	pg, err := openPostgres(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	if mode == migrateApply {
		err = pg.Migrate(ctx)
	} else {
		err = pg.CheckSchema(ctx)
	}
	if err != nil {
		pg.Close()
		return nil, err
	}
	return pg, nil
}

// openPostgres opens the configured Postgres database.
func openPostgres(ctx context.Context, cfg config.Config, logger *slog.Logger) (*postgres.Store, error) {
	return postgres.Open(ctx, postgres.Config{
		URL:          cfg.Database.URL,
		MaxConns:     cfg.Database.MaxConns,
		QueryTimeout: cfg.Database.QueryTimeout,
		Logger:       logger,
	})
}

// adminStore loads the configuration at path and opens the store an
// administrative command works on. That makes no sense on the in-memory
// store, whose records die with the process; on Postgres the schema must
// be up to date.
func adminStore(ctx context.Context, path string, e env) (config.Config, storage.LockingStore, error) {
	cfg, err := loadConfig(path, e, nil)
	if err != nil {
		return cfg, nil, err
	}
	if cfg.Database.URL == "memory" {
		return cfg, nil, usagef("database.url is \"memory\": this command needs the Postgres database the provider runs on (set --config or TOKENIM_DATABASE_URL)")
	}
	logger := newLogger(cfg, e.stderr)
	store, err := openStore(ctx, cfg, logger, migrateCheck)
	if err != nil {
		return cfg, nil, err
	}
	// Through the cache, so that what a command revokes or changes is
	// seen at once by every node.
	c, err := withCache(ctx, cfg, store, nil, logger)
	if err != nil {
		store.Close()
		return cfg, nil, err
	}
	return cfg, c.LockingStore, nil
}

// newSCIMTokens builds the workspaces' SCIM token service, hashing under
// the system secret's SCIM key: the SCIM endpoints check tokens with it,
// the admin API and console make, list and revoke them.
func newSCIMTokens(store storage.Store, ring secret.Keyring, records *audit.Recorder) *scim.Tokens {
	return scim.NewTokens(scim.TokensConfig{Store: store, Hasher: secret.NewHasherFor(ring, scim.Purpose), Audit: records})
}

// newSCIM builds the SCIM provisioning endpoints (/scim/v2): the
// workspaces' tokens checked under the system secret's SCIM key, failed
// authentications throttled per client IP as sign-ins are.
func newSCIM(cfg config.Config, store storage.Store, tokens *scim.Tokens, records *audit.Recorder, logger *slog.Logger) (*scim.Handler, error) {
	members := scim.NewStore(store, records, workspace.TokenRevoker{Tokens: store}, nil)
	return scim.New(scim.Config{
		Members:  members,
		Groups:   members,
		Tokens:   tokens,
		Throttle: throttle.New(store, throttlePolicy(cfg.Throttle.IP), nil),
		BaseURL:  strings.TrimRight(cfg.Issuer, "/") + "/scim/v2",
		Logger:   logger,
	})
}

// throttlePolicy is the throttle policy a configured limit states.
func throttlePolicy(l config.Limit) throttle.Policy {
	return throttle.Policy{Free: l.Free, Base: l.Base, Max: l.Max, ForgetAfter: l.ForgetAfter}
}

// newWorkspaces builds the workspace service the admin API, the console
// and the invitation page share, and the invitation page.
func newWorkspaces(cfg config.Config, store storage.Store, records *audit.Recorder, sessions *session.Manager, pages *web.Renderer,
	acc accounts, logger *slog.Logger) (*workspace.Service, *workspace.Page) {
	svc := workspace.New(workspace.Config{
		Store: store, Roles: workspaceRoles(cfg), Audit: records, Revoker: workspace.TokenRevoker{Tokens: store}, Links: acc.links,
		// Invitations are mailed when a mail server is configured; the
		// inviter gets the link either way.
		Mail: acc.mailer, Composer: acc.composer, Issuer: cfg.Issuer, Logger: logger,
	})
	page := workspace.NewPage(workspace.PageConfig{Service: svc, Sessions: sessions, Pages: pages, IPs: acc.ips, Logger: logger})
	return svc, page
}

// conversationNames is the consent page's lookup of conversation names
// (authorization_details.lookup), or nil when no URL is configured: the
// page then shows the IDs.
func conversationNames(cfg config.Config, logger *slog.Logger) (consent.Names, error) {
	l := cfg.AuthorizationDetails.Lookup
	if l.URL == "" {
		return nil, nil
	}
	names, err := consent.NewLookup(consent.LookupConfig{URL: l.URL, Timeout: l.Timeout, CacheTTL: l.CacheTTL, CacheSize: l.CacheSize, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("authorization_details.lookup: %w", err)
	}
	return names, nil
}

// newInstalls builds the service deciding on apps installed into
// workspaces and its installation page; uninstalling revokes the
// installation's tokens as removing a member does.
func newInstalls(store storage.Store, records *audit.Recorder, sessions *session.Manager, pages *web.Renderer, logger *slog.Logger) (*install.Service, *install.Page) {
	svc := install.New(install.Config{Store: store, Revoker: workspace.TokenRevoker{Tokens: store}, Audit: records, Logger: logger})
	return svc, install.NewPage(install.PageConfig{Service: svc, Sessions: sessions, Pages: pages, Logger: logger})
}
