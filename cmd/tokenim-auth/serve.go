package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider"
	"github.com/tokenim/tokenim-auth/provider/account"
	"github.com/tokenim/tokenim-auth/provider/admin"
	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/backchannel"
	"github.com/tokenim/tokenim-auth/provider/chooser"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/provider/cors"
	"github.com/tokenim/tokenim-auth/provider/device"
	"github.com/tokenim/tokenim-auth/provider/devicecode"
	"github.com/tokenim/tokenim-auth/provider/keys"
	"github.com/tokenim/tokenim-auth/provider/login"
	"github.com/tokenim/tokenim-auth/provider/mail"
	"github.com/tokenim/tokenim-auth/provider/oauth"
	"github.com/tokenim/tokenim-auth/provider/passkey"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/portal"
	"github.com/tokenim/tokenim-auth/provider/resources"
	"github.com/tokenim/tokenim-auth/provider/revocations"
	"github.com/tokenim/tokenim-auth/provider/scim"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/throttle"
	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/provider/webhooks"
	"github.com/tokenim/tokenim-auth/storage"
	"github.com/tokenim/tokenim-auth/templates"
)

// serveCmd runs the provider.
func serveCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the provider (--dev for a zero-setup demo on an in-memory store)",
		Long: `Serve runs the provider until it is interrupted (SIGINT, SIGTERM), then shuts
down gracefully. With --dev it needs nothing else: it keeps everything in
memory, generates a system secret, creates a demo user and demo apps, and
prints the issuer URL, their credentials and a ready-to-open authorize URL.`,
		Example: `  tokenim-auth serve --dev
  tokenim-auth serve --config /etc/tokenim-auth/config.yaml --listen 0.0.0.0:8080`,
		Args: noArgs,
	}
	var f serveFlags
	configFlag(cmd, &f.config)
	cmd.Flags().BoolVar(&f.dev, "dev", false, "zero-setup demo: in-memory store, generated secret, demo users (member, developer, admin) and clients")
	cmd.Flags().StringVar(&f.listen, "listen", "", "address to listen on, `HOST:PORT` (overrides listen)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return serve(cmd.Context(), e, f) }
	return cmd
}

// serveFlags are serve's flags.
type serveFlags struct {
	config string
	dev    bool
	listen string
}

// serve runs the provider until ctx is cancelled (SIGINT, SIGTERM), then
// shuts down gracefully.
func serve(ctx context.Context, e env, f serveFlags) error {
	var demo *demoData
	cfg, err := loadConfig(f.config, e, func(c *config.Config) error {
		if f.listen != "" {
			c.Listen = f.listen
		}
		if f.dev {
			demo = applyDev(c)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if cfg, err = withUpstreamSecrets(cfg, e.lookup); err != nil {
		return usageError{err}
	}
	logger := newLogger(cfg, e.stderr)
	debug.SetGCPercent(cfg.Server.GCPercent)

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	defer ln.Close()
	mln, err := listenMetrics(cfg)
	if err != nil {
		return err
	}
	if mln != nil {
		defer mln.Close()
	}
	if demo != nil && demo.issuerFromListen {
		cfg.Issuer = "http://" + ln.Addr().String()
	}

	app, err := build(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer app.store.Close()
	if demo != nil {
		if err := demo.enrol(ctx, cfg, app.store); err != nil {
			return err
		}
	}

	srv := newServer(cfg, app.handler, logger)
	srv.RegisterOnShutdown(app.revocations.Close)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	msrv := serveMetrics(cfg, app.telemetry, mln, logger, errc)
	stopJanitor, err := startJanitor(ctx, cfg, app.store, logger)
	if err != nil {
		return err
	}
	defer stopJanitor()                                // before the store closes
	defer startSealer(ctx, app.audit.sealer, logger)() // before the store closes
	// The back-channel logout sender stops before the sealer, which seals
	// its last records; a delivery cut short is taken again by a node
	// once its lease ends.
	defer background(ctx, app.logouts.Run)()
	defer background(ctx, app.webhooks.Run)()
	logger.InfoContext(ctx, "serving", "issuer", cfg.Issuer, "listen", ln.Addr().String(), "store", storeKind(cfg))
	if demo != nil {
		demo.print(e.stdout, cfg)
	}
	if e.opened != nil {
		e.opened(app.store)
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
	// Metrics stay up while requests drain, then stop; the spans of the
	// last requests are flushed after that.
	if msrv != nil {
		if err := msrv.Shutdown(shutdownCtx); err != nil {
			return fmt.Errorf("graceful shutdown of metrics: %w", err)
		}
	}
	if err := app.telemetry.shutdown(shutdownCtx); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// background runs run in a goroutine until stop is called; stop cancels
// its context and waits for it to return. The context does not end with
// ctx: serve stops each loop itself, in order, at shutdown.
func background(ctx context.Context, run func(ctx context.Context)) (stop func()) {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(runCtx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// newServer is an HTTP server with the configured timeouts.
func newServer(cfg config.Config, h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: cfg.Server.ReadHeaderTimeout,
		ReadTimeout:       cfg.Server.ReadTimeout,
		WriteTimeout:      cfg.Server.WriteTimeout,
		IdleTimeout:       cfg.Server.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

func storeKind(cfg config.Config) string {
	if cfg.Database.URL == "memory" {
		return "memory"
	}
	return "postgres"
}

// app is the assembled provider.
type app struct {
	store     storage.LockingStore
	keys      *keys.Manager
	handler   http.Handler
	outbox    *mail.Outbox
	telemetry *telemetry
	audit     auditParts
	// revocations is the revocation stream, whose open streams end when
	// the server shuts down.
	revocations *revocations.Handler
	// logouts sends the back-channel logout notifications.
	logouts *backchannel.Sender
	// webhooks sends the webhook messages.
	webhooks *webhooks.Sender
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
	tel, err := newTelemetry(ctx, cfg, store, logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	c, err := withCache(ctx, cfg, store, tel.cacheObserver(), logger)
	if err != nil {
		_ = tel.shutdown(ctx)
		store.Close()
		return nil, err
	}
	a, err := assemble(ctx, cfg, c, tel, logger)
	if err != nil {
		_ = tel.shutdown(ctx)
		c.Close()
		return nil, err
	}
	return a, nil
}

func assemble(ctx context.Context, cfg config.Config, c cached, tel *telemetry, logger *slog.Logger) (*app, error) {
	store := c.LockingStore
	ring, err := newKeyring(cfg)
	if err != nil {
		return nil, err
	}
	km, err := newKeyManager(cfg, store, ring, logger)
	if err != nil {
		return nil, err
	}
	if err := checkKeys(ctx, km); err != nil {
		return nil, err
	}
	if n := ring.Previous(); n > 0 {
		logger.WarnContext(ctx, "system secret rotation under way: values sealed or hashed under secrets.system_previous are still accepted; "+
			"once every node runs with the new secret, run tokenim-auth secrets reseal, then secrets status to learn when the previous secrets can go",
			"previous_secrets", n)
	}
	if c.cache != nil {
		c.cache.OnKeysChanged(km.Invalidate)
	}
	records, err := newAudit(cfg, store, logger)
	if err != nil {
		return nil, err
	}
	hasher := secret.NewHasher(ring)
	if err := bootstrap(ctx, cfg, store, hasher, time.Now().UTC().Truncate(time.Second), logger); err != nil {
		return nil, err
	}
	secure := strings.HasPrefix(cfg.Issuer, "https://")
	// The pages show who is signed in, and the sessions answer a forged
	// form with a page: each is used by the other only once requests come.
	var pages *web.Renderer
	sessions, err := session.New(session.Config{
		Store:    store,
		Issuer:   cfg.Issuer,
		Secure:   secure,
		Lifespan: cfg.Lifespans.LoginSession,
		OnForgery: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			logger.WarnContext(r.Context(), "form refused by CSRF check", "path", r.URL.Path, "reason", session.ForgeryReason(r))
			_ = pages.Error(w, r, http.StatusForbidden, web.ErrorPage{Title: "error.title", Message: "error.csrf", RequestID: w.Header().Get("X-Request-Id")})
		}),
		Logger: logger,
	})
	if err != nil {
		return nil, err
	}
	if pages, err = newPages(cfg, web.Config{SignedIn: signedIn(sessions, logger), SecureCookies: secure, Logger: logger}); err != nil {
		return nil, err
	}
	deviceCodes, err := devicecode.NewKeyed(ring.Derive(secret.PurposeDeviceCodes))
	if err != nil {
		return nil, err
	}
	// The origins browser apps call from, known across every client: the
	// parts that change clients tell it (Watch), and so does every node
	// through Redis.
	origins := cors.New(cors.Config{Clients: store, Issuer: cfg.Issuer, Logger: logger})
	if c.cache != nil {
		c.cache.OnClientsChanged(origins.Invalidate)
	}
	proofs, err := dpopVerifier(cfg.DPoP, store, ring)
	if err != nil {
		return nil, err
	}
	// Validated with the configuration: NewRegistry's checks are the same.
	registry, err := resources.NewRegistry(cfg.ResourceList())
	if err != nil {
		return nil, err
	}
	op, err := oauth.New(oauth.Config{
		DPoP:                        proofs,
		Resources:                   newResourceDirectory(registry, store, logger),
		Exchange:                    newExchangeDirectory(exchangePolicies(cfg), store, logger),
		DPoPRequired:                cfg.DPoP.RequiredFor,
		DeviceCodes:                 deviceCodes,
		DeviceCodeLifespan:          cfg.Lifespans.DeviceCode,
		DevicePollInterval:          cfg.Device.PollInterval,
		Issuer:                      cfg.Issuer,
		RegistrationEndpoint:        registrationEndpoint(cfg),
		AuthorizeCodeLifespan:       cfg.Lifespans.AuthorizeCode,
		AccessTokenLifespan:         cfg.Lifespans.AccessToken,
		RefreshTokenLifespan:        cfg.Lifespans.RefreshToken,
		IDTokenLifespan:             cfg.Lifespans.IDToken,
		FlowLifespan:                cfg.Lifespans.Flow,
		PARLifespan:                 cfg.Lifespans.PAR,
		MaxAssertionLifespan:        cfg.Lifespans.ClientAssertion,
		RefreshReuseWindow:          cfg.Lifespans.RefreshReuseWindow,
		BrowserRefreshTokenLifespan: cfg.Lifespans.BrowserRefreshToken,
		CORS:                        origins,
		Scopes:                      scopeNames(cfg),
		AssertionAlgs:               config.ClientAssertionAlgs(),
		MFARoles:                    cfg.Accounts.MFARequiredRoles,
		RoleScopes:                  roleScopes(cfg),
		TokenKey:                    ring.Derive(secret.PurposeTokens),
		PreviousTokenKeys:           ring.DerivePrevious(secret.PurposeTokens),
		Hasher:                      hasher,
		Keys:                        km,
		Store:                       store,
		Sessions:                    sessions,
		Pages:                       pages,
		Observer:                    tel.oauthObserver(),
		Audit:                       records.recorder,
		Logger:                      logger,
	})
	if err != nil {
		return nil, err
	}
	acc, err := newAccounts(cfg, store, ring, logger)
	if err != nil {
		return nil, err
	}
	names, err := conversationNames(cfg, logger)
	if err != nil {
		return nil, err
	}
	// Every password hashed or checked for a request goes through this one
	// pool: at most a hash per core runs at once, a short queue waits,
	// and past that the request is refused with 503 rather than taking
	// another 19 MiB.
	passwords := password.NewPool(runtime.GOMAXPROCS(0), 2*runtime.GOMAXPROCS(0))
	// The console's connectors' secrets are sealed with this one.
	upstreamSecrets, err := ring.Sealer(secret.PurposeUpstreams)
	if err != nil {
		return nil, err
	}
	upstreams, err := loginUpstreams(ctx, cfg, store, func(c storage.Connector) (config.Upstream, error) {
		return config.OpenConnector(c, upstreamSecrets)
	}, logger)
	if err != nil {
		return nil, err
	}
	upstreamState, err := ring.Sealer(secret.PurposeUpstreamState)
	if err != nil {
		return nil, err
	}
	signIn := login.New(login.Config{
		Store: store, Sessions: sessions, Pages: pages, Keys: km,
		Accounts: acc.accounts, IPs: acc.ips, Registrations: acc.registrations, Sealer: acc.sealer, RecoveryHasher: acc.recovery, Links: acc.links,
		Mail: acc.mailer, Composer: acc.composer, Registration: cfg.Accounts.Registration, MFARoles: cfg.Accounts.MFARequiredRoles,
		Issuer: cfg.Issuer, ActivationLink: cfg.Accounts.ActivationLink, ResetLink: cfg.Accounts.ResetLink,
		Passwords: password.NewPolicy(), Hasher: passwords, Observer: tel.loginObserver(), Audit: records.recorder, Logger: logger,
		Passkeys:  acc.loginPasskeys(),
		Upstreams: upstreams, UpstreamSealer: upstreamState, UpstreamObserver: tel.upstreamObserver(),
	})
	parts := []provider.Mounter{
		op,
		signIn,
		consent.New(consent.Config{Store: store, Sessions: sessions, Pages: pages, Lifespan: cfg.Lifespans.Consent, RoleScopes: roleScopes(cfg), Names: names, Audit: records.recorder, Logger: logger}),
		chooser.New(chooser.Config{Store: store, Sessions: sessions, Pages: pages, Logger: logger}),
		device.New(device.Config{
			Issuer: cfg.Issuer, Store: store, Sessions: sessions, Pages: pages, Codes: deviceCodes, Throttle: acc.accounts,
			RoleScopes: roleScopes(cfg), MFARoles: cfg.Accounts.MFARequiredRoles, ConsentLifespan: cfg.Lifespans.Consent,
			Audit: records.recorder, Logger: logger,
		}),
		account.New(account.Config{
			Store: store, Sessions: sessions, Pages: pages, Sealer: acc.sealer, RecoveryHasher: acc.recovery, Developers: developerRoles(),
			Throttle: acc.accounts, Hasher: passwords, Passwords: password.NewPolicy(), Issuer: cfg.Accounts.MFAIssuer, Audit: records.recorder, Logger: logger,
			Passkeys: acc.accountPasskeys(), Upstreams: signIn,
		}),
		pages,
	}
	stream := revocations.New(revocations.Config{Store: store, Authenticate: resourceServers(op), Logger: logger})
	parts = append(parts, stream)
	scimTokens := newSCIMTokens(store, ring, records.recorder)
	scimPart, err := newSCIM(cfg, store, scimTokens, records.recorder, logger)
	if err != nil {
		return nil, err
	}
	parts = append(parts, scimPart)
	hooks, err := newWebhooks(cfg, store, ring, records.recorder, logger)
	if err != nil {
		return nil, err
	}
	dcr, registrationTokens := newRegistration(cfg, origins.Watch(store), ring, hasher, records.recorder, logger)
	if dcr != nil {
		parts = append(parts, dcr)
	}
	parts = append(parts, newAdminAPI(cfg, origins.Watch(store), hasher, op, records.recorder, sessions, pages, acc, passwords, scimTokens, registrationTokens,
		&upstreamSecrets, hooks.service, logger)...)
	parts = append(parts, portal.New(portal.Config{
		Store: origins.Watch(store), Sessions: sessions, Pages: pages, Hasher: hasher,
		APIKeys: apikey.Policy{Lifetime: cfg.APIKeys.Lifetime, Grace: cfg.APIKeys.Grace}, KeyWarn: cfg.APIKeys.Warn,
		Scopes: appScopes(cfg), Roles: developerRoles(),
		Dev: cfg.Dev, DPoPOff: !cfg.DPoP.Enabled,
		Audit:  records.recorder,
		Logger: logger,
	}))
	if acc.outbox != nil {
		parts = append(parts, acc.outbox)
	}
	deps := provider.Deps{Parts: parts, Ready: store, Signing: km, Instrument: tel.instrument(), Logger: logger,
		Limits: rateLimits(cfg, c.rdb, pages, tel.rateLimitObserver(), logger),
		Pages:  pages, Issuer: cfg.Issuer, HSTS: hsts(cfg.Server.HSTS),
		Sessions: sessions}
	if c.cache != nil {
		// As the readiness check judges Redis: through the circuit
		// breaker, and down while a revocation waits to reach it.
		if err := tel.watchStore("redis", c.cache.Degraded); err != nil {
			return nil, err
		}
		deps.Degraded = c.cache
		c.cache.Start(ctx)
	}
	h := provider.New(deps)
	logouts := backchannel.New(backchannel.Config{Store: store, Signer: op, Audit: records.recorder, Observer: tel.backchannelObserver(), Logger: logger})
	return &app{store: store, keys: km, handler: h, outbox: acc.outbox, telemetry: tel, audit: records, revocations: stream, logouts: logouts,
		webhooks: hooks.sender}, nil
}

// hsts is the Strict-Transport-Security policy configured, nil when off.
func hsts(h config.HSTS) *provider.HSTS {
	if !h.Enabled {
		return nil
	}
	return &provider.HSTS{MaxAge: h.MaxAge, IncludeSubdomains: h.IncludeSubdomains, Preload: h.Preload}
}

// accounts are the parts sign-in, registration and the account page share.
type accounts struct {
	accounts, ips *throttle.Throttle
	// registrations counts the accounts created per client IP.
	registrations *throttle.Throttle
	sealer        secret.Sealer
	recovery      secret.Hasher
	links         secret.Hasher
	mailer        login.Mailer
	composer      *mail.Composer
	// outbox is the dev-mode mailer, nil otherwise.
	outbox *mail.Outbox
	// passkeys runs the WebAuthn ceremonies; nil when passkeys are off.
	passkeys *passkey.Ceremonies
}

// loginPasskeys and accountPasskeys are a's passkey ceremonies as the
// sign-in and account pages take them: nil (not a nil pointer) when
// passkeys are off.
func (a accounts) loginPasskeys() login.Passkeys {
	if a.passkeys == nil {
		return nil
	}
	return a.passkeys
}

func (a accounts) accountPasskeys() account.Passkeys {
	if a.passkeys == nil {
		return nil
	}
	return a.passkeys
}

func newAccounts(cfg config.Config, store storage.Store, ring secret.Keyring, logger *slog.Logger) (accounts, error) {
	limit := throttlePolicy
	a := accounts{
		accounts:      throttle.New(store, limit(cfg.Throttle.Account), nil),
		ips:           throttle.New(store, limit(cfg.Throttle.IP), nil),
		registrations: throttle.New(store, limit(cfg.Throttle.Registration), nil),
		recovery:      secret.NewHasherFor(ring, secret.PurposeRecoveryCodes),
		links:         secret.NewHasherFor(ring, secret.PurposeOneTimeLinks),
	}
	var err error
	if a.sealer, err = ring.Sealer(secret.PurposeTOTP); err != nil {
		return a, err
	}
	if rpID, origins, ok := cfg.RelyingParty(); ok {
		sealer, err := ring.Sealer(secret.PurposePasskeys)
		if err != nil {
			return a, err
		}
		a.passkeys, err = passkey.New(passkey.Config{RPID: rpID, Origins: origins, RPName: cfg.Accounts.MFAIssuer, Store: store, Sealer: sealer})
		if err != nil {
			return a, usageError{fmt.Errorf("accounts.passkeys: %w", err)}
		}
		logger.Info("passkeys on", "rp_id", rpID, "origins", strings.Join(origins, " "))
	} else {
		logger.Info("passkeys off: browsers offer them only on a host name over https (or http://localhost); set issuer, or accounts.passkeys", "issuer", cfg.Issuer)
	}
	if a.composer, err = mail.NewComposer(); err != nil {
		return a, fmt.Errorf("load mail templates: %w", err)
	}
	switch {
	case cfg.Mail.SMTP.Host != "":
		smtp, err := mail.NewSMTP(mail.SMTPConfig{
			Host: cfg.Mail.SMTP.Host, Port: cfg.Mail.SMTP.Port, Username: cfg.Mail.SMTP.Username,
			Password: cfg.Mail.SMTP.Password, From: cfg.Mail.From, Security: cfg.Mail.SMTP.Security,
		})
		if err != nil {
			return a, usageError{err}
		}
		a.mailer = smtp
	case cfg.Dev:
		a.outbox = mail.NewOutbox(logger, cfg.Issuer)
		a.mailer = a.outbox
	}
	return a, nil
}

// newPages parses the page templates (wc with templates.FS()) and gives
// them the scope catalogue's descriptions.
func newPages(cfg config.Config, wc web.Config) (*web.Renderer, error) {
	wc.FS = templates.FS()
	pages, err := web.New(wc)
	if err != nil {
		return nil, fmt.Errorf("load page templates: %w", err)
	}
	descriptions := map[string]map[web.Locale]string{}
	for _, s := range cfg.Scopes {
		descriptions[s.Name] = map[web.Locale]string{web.English: s.Description["en"], web.Chinese: s.Description["zh-CN"]}
	}
	pages.SetScopes(descriptions)
	return pages, nil
}

// signedIn is the pages' web.Config.SignedIn: the email address of the
// account signed in to the browser, from its session. A session that
// cannot be loaded shows no signed-in bar rather than failing the page,
// and is logged: the page's own handler decides what it means for the
// page.
func signedIn(sessions session.Current, logger *slog.Logger) func(*http.Request) (string, bool) {
	return func(r *http.Request) (string, bool) {
		s, ok, err := sessions.Current(r.Context(), r)
		if err != nil {
			logger.WarnContext(r.Context(), "pages: load the session for the signed-in bar", "err", err)
			return "", false
		}
		if !ok {
			return "", false
		}
		return s.User.Email, true
	}
}

// appScopes are the scopes a developer's app may ask for: the catalogue
// without admin, which only an administrator gives a service.
func appScopes(cfg config.Config) []string {
	var out []string
	for _, s := range cfg.Scopes {
		if s.Name != config.ScopeAdmin {
			out = append(out, s.Name)
		}
	}
	return out
}

// developerRoles may register apps in the portal.
func developerRoles() []string { return []string{config.RoleDeveloper, config.RoleAdmin} }

// roleScopes maps each configured role to the scopes its users may grant.
func roleScopes(cfg config.Config) map[string][]string {
	m := make(map[string][]string, len(cfg.Roles))
	for _, r := range cfg.Roles {
		m[r.Name] = r.Scopes
	}
	return m
}

func scopeNames(cfg config.Config) []string {
	names := make([]string, 0, len(cfg.Scopes))
	for _, s := range cfg.Scopes {
		names = append(names, s.Name)
	}
	return names
}

// checkKeys makes sure a signing key exists and that secrets.system, or
// one of secrets.system_previous, opens every stored one: with another
// secret than the store was set up with, the node could sign nothing and
// every client secret would be refused, so it does not start.
func checkKeys(ctx context.Context, km *keys.Manager) error {
	if err := km.Ensure(ctx); err != nil {
		return err
	}
	if err := km.Check(ctx); err != nil {
		return wrongSecret(err)
	}
	return nil
}

// wrongSecret names the setting at fault when a stored signing key opens
// under no configured system secret: exit 2.
func wrongSecret(err error) error {
	if !errors.Is(err, keys.ErrWrongSecret) {
		return err
	}
	return usageError{fmt.Errorf("secrets.system is not the system secret this store was set up with, nor is any of secrets.system_previous: "+
		"start every node with that secret (to change it, rotate it: the new one as secrets.system, the old one in secrets.system_previous): %w", err)}
}

func newKeyManager(cfg config.Config, store storage.Keys, ring secret.Keyring, logger *slog.Logger) (*keys.Manager, error) {
	km, err := keys.New(keys.Config{
		Store:            store,
		SealKey:          ring.Derive(secret.PurposeSigningKeys),
		PreviousSealKeys: ring.DerivePrevious(secret.PurposeSigningKeys),
		Algorithm:        cfg.Keys.Algorithm,
		CacheFor:         cfg.Keys.Refresh,
		Logger:           logger,
	})
	if err != nil {
		return nil, usageError{fmt.Errorf("keys.algorithm: %w", err)}
	}
	return km, nil
}

// newAdminAPI builds the JSON admin API over the store, checking tokens
// with the provider, and the admin console (/admin) sharing its actions,
// for signed-in administrators.
func newAdminAPI(cfg config.Config, store storage.Store, hasher secret.Hasher, op *oauth.Provider, records *audit.Recorder,
	sessions *session.Manager, pages *web.Renderer, acc accounts, passwords *password.Pool, scimTokens *scim.Tokens, registrationTokens admin.RegistrationTokens,
	upstreamSecrets *secret.Sealer, hooks *webhooks.Service, logger *slog.Logger) []provider.Mounter {
	roles := make([]admin.Role, 0, len(cfg.Roles))
	for _, r := range cfg.Roles {
		roles = append(roles, admin.Role{Name: r.Name, Scopes: r.Scopes})
	}
	workspaces, invitations := newWorkspaces(cfg, store, records, sessions, pages, acc, logger)
	installs, installPage := newInstalls(store, records, sessions, pages, logger)
	api := admin.New(admin.Config{
		Store: store, Authenticate: op.Bearer, Roles: roles, Hasher: hasher, Workspaces: workspaces, SCIMTokens: scimTokens, Installs: installs,
		APIKeys: apikey.Policy{Lifetime: cfg.APIKeys.Lifetime, Grace: cfg.APIKeys.Grace}, KeyWarn: cfg.APIKeys.Warn,
		Scopes: scopeNames(cfg), AdminScope: config.ScopeAdmin, Audit: records, Logger: logger,
		Dev: cfg.Dev, DPoPOff: !cfg.DPoP.Enabled, Passwords: password.NewPolicy(), PasswordHasher: passwords,
		Mail: acc.mailer, Composer: acc.composer, Links: acc.links, Issuer: cfg.Issuer,
		InvitationLink: cfg.Accounts.ActivationLink, ResetLink: cfg.Accounts.ResetLink,
		Connectors: cfg, UpstreamSealer: upstreamSecrets, Webhooks: hooks, RegistrationTokens: registrationTokens, Resources: cfg.ResourceList(),
		Exchange: exchangePolicies(cfg),
	})
	console := admin.NewConsole(api, admin.ConsoleConfig{
		Store: store, Sessions: sessions, Pages: pages, AdminRole: config.RoleAdmin, MFARoles: cfg.Accounts.MFARequiredRoles,
		Invitations: acc.accounts,
	})
	return []provider.Mounter{api, console, invitations, installPage}
}

// resourceServers authenticates the subscribers of the revocation stream.
func resourceServers(op *oauth.Provider) revocations.Authenticate {
	return func(ctx context.Context, r *http.Request) (string, error) {
		id, err := op.ResourceServer(ctx, r)
		if errors.Is(err, oauth.ErrNotResourceServer) {
			return id, fmt.Errorf("%w: %s", revocations.ErrForbidden, id)
		}
		return id, err
	}
}
