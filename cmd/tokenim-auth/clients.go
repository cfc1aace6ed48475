package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// clients administers OAuth clients.
func clients(ctx context.Context, args []string, e env) error {
	return dispatch(ctx, args, e,
		subcommand{"create", clientsCreate}, subcommand{"list", clientsList},
		subcommand{"delete", clientsDelete}, subcommand{"secrets", clientSecrets})
}

func clientsCreate(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("clients create", e)
	name := fs.String("name", "", "display `name` shown on the consent page (required)")
	typ := fs.String("type", "", "client type: confidential, public or resource_server (required)")
	id := fs.String("id", "", "client ID (default: generated)")
	output := fs.String("output", "text", "output format: text or json")
	authMethod := fs.String("token-endpoint-auth-method", "", "client_secret_basic (default), client_secret_post, private_key_jwt or none (public)")
	jwksURI := fs.String("jwks-uri", "", "where a private_key_jwt client publishes its keys")
	signingAlg := fs.String("token-endpoint-auth-signing-alg", "", "algorithm of a private_key_jwt client's assertions: "+strings.Join(config.ClientAssertionAlgs(), ", ")+" (default RS256)")
	idTokenAlg := fs.String("id-token-signed-response-alg", "", "algorithm of the client's ID tokens: "+strings.Join(config.SigningAlgs(), ", ")+" (default RS256)")
	skipConsent := fs.Bool("skip-consent", false, "first-party client: users are not asked to consent")
	requirePAR := fs.Bool("require-par", false, "the client must push its authorization requests to /oauth2/par first (RFC 9126)")
	atFormat := fs.String("access-token-format", "", "opaque (default) or jwt: signed JWT access tokens (RFC 9068)")
	logoutURI := fs.String("backchannel-logout-uri", "", "where the client takes logout tokens (OpenID Connect Back-Channel Logout 1.0)")
	logoutSession := fs.Bool("backchannel-logout-session-required", false, "the client needs the sid claim in every logout token")
	var reuseWindow optionalDuration
	fs.Var(&reuseWindow, "refresh-token-reuse-window", "how long after a refresh token is rotated presenting it again still gets a new pair, like 10s; 0s turns it off, at most 1m (default: lifespans.refresh_reuse_window)")
	expires := fs.String("expires", "", "lifetime of the secret, like 2160h, or never (default: api_keys.lifetime)")
	var redirects, logouts, scopes, grants, origins stringList
	fs.Var(&redirects, "redirect-uri", "exact redirect `URI` (repeatable)")
	fs.Var(&logouts, "post-logout-redirect-uri", "where logout may return (`URI`, repeatable)")
	fs.Var(&scopes, "scope", "a `scope` the client may obtain (repeatable)")
	fs.Var(&grants, "grant-type", "a grant the client may use (repeatable; default from --type)")
	fs.Var(&origins, "allowed-origin", "a web `origin` (https://host[:port]) a browser may call the token endpoint from; a public client with one is a browser app (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	cfg, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	if *id == "" {
		*id = "app-" + strings.ToLower(secret.Random(9))
	}
	want := config.Client{
		ID: *id, Name: *name, Type: *typ, RedirectURIs: redirects, PostLogoutRedirectURIs: logouts,
		Scopes: scopes, GrantTypes: grants, TokenEndpointAuthMethod: *authMethod, JWKSURI: *jwksURI, SkipConsent: *skipConsent,
		TokenEndpointAuthSigningAlg: *signingAlg, RequirePushedAuthorizationRequests: *requirePAR, IDTokenSignedResponseAlg: *idTokenAlg,
		AccessTokenFormat: *atFormat, BackchannelLogoutURI: *logoutURI, BackchannelLogoutSessionRequired: *logoutSession,
		RefreshTokenReuseWindow: reuseWindow.d, AllowedOrigins: origins,
	}
	needsSecret := *typ != config.ClientPublic && want.EffectiveAuthMethod() != config.AuthPrivateKeyJWT
	if needsSecret {
		want.Secret = secret.NewClientSecret()
	}
	// The client is checked by the same rules as a configured one.
	check := cfg
	check.Clients = []config.Client{want}
	check.Users = nil
	if err := check.Validate(); err != nil {
		return usageError{errors.New(strings.ReplaceAll(err.Error(), "clients[0].", "client "))}
	}
	ring, err := newKeyring(cfg)
	if err != nil {
		return err
	}
	lifetime, err := secretLifetime(*expires, cfg.APIKeys.Lifetime)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Second)
	rec := clientFromConfig(want, secret.NewHasher(ring), now)
	if len(rec.Secrets) > 0 {
		rec.Secrets[0].ID = "s1"
		if lifetime > 0 {
			rec.Secrets[0].ExpiresAt = now.Add(lifetime)
		}
	}
	err = recorded(ctx, cfg, store, func(ctx context.Context, r *audit.Recorder) error {
		if err := store.CreateClient(ctx, rec); err != nil {
			return err
		}
		e := cliEvent(audit.AppCreated)
		e.ClientID, e.Scopes, e.Detail = rec.ID, rec.Scopes, map[string]string{"name": rec.Name, "type": string(rec.Type)}
		if err := r.Record(ctx, e); err != nil {
			return err
		}
		for _, sec := range rec.Secrets {
			e := apikey.Event(audit.SecretCreated, rec.ID, sec)
			e.ActorType = audit.ActorCLI
			if err := r.Record(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, storage.ErrAlreadyExists) {
			return usagef("a client with ID %q already exists", *id)
		}
		return err
	}
	if *output == "json" {
		return json.NewEncoder(e.stdout).Encode(struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret,omitempty"`
		}{rec.ID, want.Secret})
	}
	fmt.Fprintf(e.stdout, "client_id:     %s\n", rec.ID)
	if want.Secret != "" {
		fmt.Fprintf(e.stdout, "client_secret: %s\n\nThe secret is shown only now: store it safely. TokenIM Auth keeps only a keyed hash of it.\n", want.Secret)
	}
	return nil
}

func clientsList(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("clients list", e)
	output := fs.String("output", "text", "output format: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	_, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	list, err := store.ListClients(ctx)
	if err != nil {
		return err
	}
	if *output == "json" {
		return writeClientsJSON(e.stdout, list)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT ID\tNAME\tTYPE\tGRANTS\tSCOPES\tPAR\tTOKENS\tSECRETS")
	for _, c := range list {
		var prefixes []string
		for _, s := range c.Secrets {
			prefixes = append(prefixes, s.Prefix+"…")
		}
		par := "-"
		if c.RequirePAR {
			par = "required"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, c.Type, strings.Join(c.GrantTypes, ","), strings.Join(c.Scopes, " "), par, string(c.TokenFormat()), strings.Join(prefixes, " "))
	}
	return tw.Flush()
}

// writeClientsJSON lists clients without secret hashes.
func writeClientsJSON(w io.Writer, list []storage.Client) error {
	type secretOut struct {
		ID        string     `json:"id"`
		Prefix    string     `json:"prefix"`
		CreatedAt time.Time  `json:"created_at"`
		ExpiresAt *time.Time `json:"expires_at,omitempty"`
	}
	type clientOut struct {
		ClientID                string   `json:"client_id"`
		Name                    string   `json:"name"`
		Type                    string   `json:"type"`
		RedirectURIs            []string `json:"redirect_uris"`
		PostLogoutRedirectURIs  []string `json:"post_logout_redirect_uris"`
		GrantTypes              []string `json:"grant_types"`
		Scopes                  []string `json:"scopes"`
		TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
		IDTokenAlg              string   `json:"id_token_signed_response_alg"`
		RequirePAR              bool     `json:"require_pushed_authorization_requests"`
		AccessTokenFormat       string   `json:"access_token_format"`
		BackchannelLogoutURI    string   `json:"backchannel_logout_uri"`
		LogoutSessionRequired   bool     `json:"backchannel_logout_session_required"`
		// RefreshReuseWindow is the client's own window ("10s"), empty
		// when it takes the provider's.
		RefreshReuseWindow string      `json:"refresh_token_reuse_window,omitempty"`
		AllowedOrigins     []string    `json:"allowed_origins"`
		Secrets            []secretOut `json:"secrets"`
		CreatedAt          time.Time   `json:"created_at"`
	}
	out := []clientOut{}
	for _, c := range list {
		co := clientOut{ClientID: c.ID, Name: c.Name, Type: string(c.Type), RedirectURIs: nonNil(c.RedirectURIs), PostLogoutRedirectURIs: nonNil(c.PostLogoutRedirectURIs),
			GrantTypes: nonNil(c.GrantTypes), Scopes: nonNil(c.Scopes), TokenEndpointAuthMethod: c.TokenEndpointAuthMethod, IDTokenAlg: c.IDTokenAlg(), RequirePAR: c.RequirePAR, AccessTokenFormat: string(c.TokenFormat()),
			BackchannelLogoutURI: c.BackchannelLogoutURI, LogoutSessionRequired: c.BackchannelLogoutSessionRequired, Secrets: []secretOut{}, CreatedAt: c.CreatedAt,
			AllowedOrigins: nonNil(c.AllowedOrigins)}
		co.RefreshReuseWindow = c.ReuseWindowText()
		for _, s := range c.Secrets {
			so := secretOut{ID: s.ID, Prefix: s.Prefix, CreatedAt: s.CreatedAt}
			if !s.ExpiresAt.IsZero() {
				exp := s.ExpiresAt
				so.ExpiresAt = &exp
			}
			co.Secrets = append(co.Secrets, so)
		}
		out = append(out, co)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func clientsDelete(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("clients delete", e)
	if err := parseArgs(fs, args, 1); err != nil {
		return usagef("usage: tokenim-auth clients delete [--config FILE] CLIENT_ID: %v", err)
	}
	cfg, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	id := fs.Arg(0)
	err = recorded(ctx, cfg, store, func(ctx context.Context, r *audit.Recorder) error {
		if err := store.DeleteClient(ctx, id); err != nil {
			return err
		}
		e := cliEvent(audit.AppDeleted)
		e.ClientID = id
		return r.Record(ctx, e)
	})
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no client with ID %q", id)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "deleted client %s and every token, consent and pending sign-in issued to it\n", id)
	return nil
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// secretLifetime reads an --expires flag: a duration, or "never" (0);
// empty is the configured default.
func secretLifetime(flag string, def time.Duration) (time.Duration, error) {
	switch flag {
	case "":
		return def, nil
	case "never":
		return 0, nil
	}
	d, err := time.ParseDuration(flag)
	if err != nil || d < time.Hour {
		return 0, usagef("--expires: want a duration of at least 1h (like 2160h) or never, not %q", flag)
	}
	return d, nil
}

// clientSecrets administers a client's secrets (API keys).
func clientSecrets(ctx context.Context, args []string, e env) error {
	return dispatch(ctx, args, e,
		subcommand{"rotate", secretsRotate}, subcommand{"revoke", secretsRevoke}, subcommand{"list", secretsList})
}

// secretsRotate gives a client a new secret; the old one keeps working for
// the grace period.
func secretsRotate(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("clients secrets rotate", e)
	grace := fs.Duration("grace", 0, "how long the old secret keeps working (default: api_keys.grace)")
	expires := fs.String("expires", "", "lifetime of the new secret, like 2160h, or never (default: api_keys.lifetime)")
	output := fs.String("output", "text", "output format: text or json")
	if err := parseArgs(fs, args, 1); err != nil {
		return usagef("usage: tokenim-auth clients secrets rotate [flags] CLIENT_ID: %v", err)
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	cfg, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	lifetime, err := secretLifetime(*expires, cfg.APIKeys.Lifetime)
	if err != nil {
		return err
	}
	p := apikey.Policy{Lifetime: lifetime, Grace: cfg.APIKeys.Grace}
	if *grace > 0 {
		p.Grace = *grace
	}
	ring, err := newKeyring(cfg)
	if err != nil {
		return err
	}
	var plain string
	var rec storage.ClientSecret
	err = recorded(ctx, cfg, store, func(ctx context.Context, r *audit.Recorder) error {
		var err error
		if plain, rec, err = apikey.Rotate(ctx, store, secret.NewHasher(ring), fs.Arg(0), p, time.Now()); err != nil {
			return err
		}
		e := apikey.Event(audit.SecretRotated, fs.Arg(0), rec)
		e.ActorType = audit.ActorCLI
		return r.Record(ctx, e)
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("no client with ID %q", fs.Arg(0))
	case errors.Is(err, apikey.ErrTooManyLive), errors.Is(err, apikey.ErrNoSecrets):
		return usageError{err}
	case err != nil:
		return err
	}
	if *output == "json" {
		return json.NewEncoder(e.stdout).Encode(struct {
			ClientID     string     `json:"client_id"`
			SecretID     string     `json:"secret_id"`
			ClientSecret string     `json:"client_secret"`
			ExpiresAt    *time.Time `json:"expires_at,omitempty"`
		}{fs.Arg(0), rec.ID, plain, optionalTime(rec.ExpiresAt)})
	}
	fmt.Fprintf(e.stdout, "client_id:     %s\nsecret_id:     %s\nclient_secret: %s\n", fs.Arg(0), rec.ID, plain)
	if !rec.ExpiresAt.IsZero() {
		fmt.Fprintf(e.stdout, "expires:       %s\n", rec.ExpiresAt.Format(time.RFC3339))
	}
	fmt.Fprintf(e.stdout, "\nThe previous secret keeps working for %s. The new secret is shown only now: store it safely.\n", p.Grace)
	return nil
}

// secretsRevoke removes a secret at once, for a leaked key.
func secretsRevoke(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("clients secrets revoke", e)
	if err := parseArgs(fs, args, 2); err != nil {
		return usagef("usage: tokenim-auth clients secrets revoke [--config FILE] CLIENT_ID SECRET_ID: %v", err)
	}
	cfg, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	err = recorded(ctx, cfg, store, func(ctx context.Context, r *audit.Recorder) error {
		if err := apikey.Revoke(ctx, store, fs.Arg(0), fs.Arg(1), time.Now()); err != nil {
			return err
		}
		e := cliEvent(audit.SecretRevoked)
		e.ClientID, e.Detail = fs.Arg(0), map[string]string{"secret_id": fs.Arg(1)}
		return r.Record(ctx, e)
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("no client %q with secret %q", fs.Arg(0), fs.Arg(1))
	case errors.Is(err, apikey.ErrLastSecret):
		return usageError{err}
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "revoked secret %s of client %s; it no longer authenticates\n", fs.Arg(1), fs.Arg(0))
	return nil
}

// secretsList shows a client's secrets: prefix, state, dates. Never the
// secret or its hash.
func secretsList(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("clients secrets list", e)
	output := fs.String("output", "text", "output format: text or json")
	if err := parseArgs(fs, args, 1); err != nil {
		return usagef("usage: tokenim-auth clients secrets list [flags] CLIENT_ID: %v", err)
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	cfg, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	c, err := store.GetClient(ctx, fs.Arg(0))
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no client with ID %q", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	type secretOut struct {
		ID         string     `json:"id"`
		Prefix     string     `json:"prefix"`
		State      string     `json:"state"`
		CreatedAt  time.Time  `json:"created_at"`
		ExpiresAt  *time.Time `json:"expires_at,omitempty"`
		LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	}
	now := time.Now()
	out := []secretOut{}
	for _, s := range c.Secrets {
		out = append(out, secretOut{s.ID, s.Prefix + "…", apikey.State(s, now, cfg.APIKeys.Warn), s.CreatedAt, optionalTime(s.ExpiresAt), optionalTime(s.LastUsedAt)})
	}
	if *output == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SECRET ID\tPREFIX\tSTATE\tCREATED\tEXPIRES\tLAST USED")
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Format("2006-01-02 15:04")
	}
	for _, s := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Prefix, s.State, day(&s.CreatedAt), day(s.ExpiresAt), day(s.LastUsedAt))
	}
	return tw.Flush()
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// optionalDuration is a duration flag that may be left unset: d is nil
// until the flag is given.
type optionalDuration struct{ d *time.Duration }

func (o *optionalDuration) String() string {
	if o == nil || o.d == nil {
		return ""
	}
	return o.d.String()
}

func (o *optionalDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("not a duration like 10s: %q", s)
	}
	o.d = &d
	return nil
}
