package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider"
	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// serve runs the provider until ctx is cancelled (SIGINT, SIGTERM), then
// shuts down gracefully.
func serve(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("serve", e)
	dev := fs.Bool("dev", false, "zero-setup demo: in-memory store, generated secret, demo user and clients")
	listen := fs.String("listen", "", "address to listen on, `HOST:PORT` (overrides listen)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var demo *demoData
	cfg, err := loadConfig(*path, e, func(c *config.Config) error {
		if *listen != "" {
			c.Listen = *listen
		}
		if *dev {
			demo = applyDev(c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	logger := newLogger(cfg, e.stderr)

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	defer ln.Close()
	if demo != nil && demo.issuerFromListen {
		cfg.Issuer = "http://" + ln.Addr().String()
	}

	app, err := build(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer app.store.Close()

	srv := &http.Server{
		Handler:           app.handler,
		ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout,
		ReadTimeout:       cfg.Server.ReadTimeout,
		WriteTimeout:      cfg.Server.WriteTimeout,
		IdleTimeout:       cfg.Server.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.InfoContext(ctx, "serving", "issuer", cfg.Issuer, "listen", ln.Addr().String(), "store", storeKind(cfg))
	if demo != nil {
		demo.print(e.stdout, cfg)
	}
	if e.ready != nil {
		e.ready(ln.Addr().String())
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down", "timeout", cfg.Server.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

func storeKind(cfg config.Config) string {
	if cfg.Database.URL == "memory" {
		return "memory"
	}
	return "postgres"
}

// app is the assembled provider.
type app struct {
	store   storage.Store
	keys    *keys.Manager
	handler http.Handler
}

// build opens the store, makes sure a signing key exists, applies the
// bootstrap records and assembles the HTTP handler.
func build(ctx context.Context, cfg config.Config, logger *slog.Logger) (*app, error) {
	mode := migrateApply
	if !cfg.Database.Migrate {
		mode = migrateCheck
	}
	store, err := openStore(ctx, cfg, logger, mode)
	if err != nil {
		return nil, err
	}
	a, err := assemble(ctx, cfg, store, logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	return a, nil
}

func assemble(ctx context.Context, cfg config.Config, store storage.Store, logger *slog.Logger) (*app, error) {
	ring, err := secret.NewKeyring(cfg.Secrets.System)
	if err != nil {
		return nil, usageError{fmt.Errorf("secrets.system: %w", err)}
	}
	km, err := newKeyManager(cfg, store, ring, logger)
	if err != nil {
		return nil, err
	}
	if err := km.Ensure(ctx); err != nil {
		return nil, err
	}
	hasher := secret.NewHasher(ring)
	if err := bootstrap(ctx, cfg, store, hasher, time.Now().UTC().Truncate(time.Second), logger); err != nil {
		return nil, err
	}
	op, err := oauth.New(oauth.Config{
		Issuer:                cfg.Issuer,
		AuthorizeCodeLifespan: cfg.Lifespans.AuthorizeCode,
		AccessTokenLifespan:   cfg.Lifespans.AccessToken,
		RefreshTokenLifespan:  cfg.Lifespans.RefreshToken,
		IDTokenLifespan:       cfg.Lifespans.IDToken,
		TokenKey:              ring.Derive(secret.PurposeTokens),
		Hasher:                hasher,
		Keys:                  km,
		Store:                 store,
		Logger:                logger,
	})
	if err != nil {
		return nil, err
	}
	h := provider.New(provider.Deps{Parts: []provider.Mounter{op}, Ready: store, Logger: logger})
	return &app{store: store, keys: km, handler: h}, nil
}

func newKeyManager(cfg config.Config, store storage.Keys, ring secret.Keyring, logger *slog.Logger) (*keys.Manager, error) {
	km, err := keys.New(keys.Config{
		Store:     store,
		SealKey:   ring.Derive(secret.PurposeSigningKeys),
		Algorithm: cfg.Keys.Algorithm,
		Logger:    logger,
	})
	if err != nil {
		return nil, usageError{fmt.Errorf("keys.algorithm: %w", err)}
	}
	return km, nil
}
