package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/apikey"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// clientsCmd administers OAuth clients.
func clientsCmd(e env) *cobra.Command {
	return group("clients", "Create, list or delete OAuth clients, and rotate their secrets",
		"Clients administers the OAuth clients (apps) and their secrets.",
		clientsCreateCmd(e), clientsListCmd(e), clientsDeleteCmd(e), clientSecretsCmd(e), registrationTokensCmd(e))
}

func clientsCreateCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Register a client and print its ID and secret",
		Long: `Create registers an OAuth client, checked by the same rules as a client of the
configuration file, and prints its ID and, for a confidential client or a
resource server, its secret: shown only then, since only a keyed hash of it
is kept.`,
		Example: `  tokenim-auth clients create --name "My app" --type confidential --redirect-uri https://app.example/cb --scope openid --scope profile
  tokenim-auth clients create --name "Desktop" --type public --redirect-uri http://127.0.0.1/callback
  tokenim-auth clients create --name "Gateway" --type resource_server --output json
  tokenim-auth clients create --name "Acme ops" --type confidential --grant-type client_credentials --scope admin --workspace acme`,
		Args: noArgs,
	}
	var f clientFlags
	fs := cmd.Flags()
	configFlag(cmd, &f.config)
	fs.StringVar(&f.name, "name", "", "display `name` shown on the consent page (required)")
	choiceFlag(cmd, &f.typ, "type", "", "client `type`: confidential, public or resource_server (required)",
		config.ClientConfidential, config.ClientPublic, config.ClientResourceServer)
	fs.StringVar(&f.id, "id", "", "client `ID` (default: generated)")
	outputFlag(cmd, &f.output)
	choiceFlag(cmd, &f.authMethod, "token-endpoint-auth-method", "", "how the client authenticates: client_secret_basic (default), client_secret_post, private_key_jwt or none (public)",
		config.AuthClientSecretBasic, config.AuthClientSecretPost, config.AuthPrivateKeyJWT, config.AuthNone)
	fs.StringVar(&f.jwksURI, "jwks-uri", "", "where the client publishes its keys (`URI`): for private_key_jwt, or to have its introspection answers encrypted")
	choiceFlag(cmd, &f.signingAlg, "token-endpoint-auth-signing-alg", "", "`algorithm` of a private_key_jwt client's assertions: "+strings.Join(config.ClientAssertionAlgs(), ", ")+" (default RS256)",
		config.ClientAssertionAlgs()...)
	choiceFlag(cmd, &f.idTokenAlg, "id-token-signed-response-alg", "", "`algorithm` of the client's ID tokens: "+strings.Join(config.SigningAlgs(), ", ")+" (default RS256)",
		config.SigningAlgs()...)
	choiceFlag(cmd, &f.introspectionAlg, "introspection-signed-response-alg", "", "`algorithm` of the client's signed introspection answers (RFC 9701): "+strings.Join(config.SigningAlgs(), ", ")+" (default RS256)",
		config.SigningAlgs()...)
	choiceFlag(cmd, &f.introspectionEncAlg, "introspection-encrypted-response-alg", "", "encrypt the client's signed introspection answers to a key of --jwks-uri with this `algorithm`: "+strings.Join(storage.IntrospectionEncryptionAlgs(), ", "),
		storage.IntrospectionEncryptionAlgs()...)
	choiceFlag(cmd, &f.introspectionEnc, "introspection-encrypted-response-enc", "", "their content encryption `algorithm`: "+strings.Join(storage.IntrospectionEncryptionEncs(), ", ")+" (default A128CBC-HS256)",
		storage.IntrospectionEncryptionEncs()...)
	fs.BoolVar(&f.skipConsent, "skip-consent", false, "first-party client: users are not asked to consent")
	fs.BoolVar(&f.requirePAR, "require-par", false, "the client must push its authorization requests to /oauth2/par first (RFC 9126)")
	choiceFlag(cmd, &f.atFormat, "access-token-format", "", "opaque (default) or jwt: signed JWT access tokens (RFC 9068)",
		config.AccessTokenOpaque, config.AccessTokenJWT)
	fs.StringVar(&f.logoutURI, "backchannel-logout-uri", "", "where the client takes logout tokens (`URI`; OpenID Connect Back-Channel Logout 1.0)")
	fs.BoolVar(&f.logoutSession, "backchannel-logout-session-required", false, "the client needs the sid claim in every logout token")
	fs.Var(&f.reuseWindow, "refresh-token-reuse-window", "how long after a refresh token is rotated presenting it again still gets a new pair, like 10s; 0s turns it off, at most 1m (default: lifespans.refresh_reuse_window)")
	fs.StringVar(&f.expires, "expires", "", "`lifetime` of the secret, like 2160h, or never (default: api_keys.lifetime)")
	fs.StringArrayVar(&f.redirects, "redirect-uri", nil, "exact redirect `URI` (repeatable)")
	fs.StringArrayVar(&f.logouts, "post-logout-redirect-uri", nil, "where logout may return (`URI`, repeatable)")
	fs.StringArrayVar(&f.scopes, "scope", nil, "a `scope` the client may obtain (repeatable)")
	fs.StringArrayVar(&f.grants, "grant-type", nil, "a `grant` type the client may use (repeatable; default from --type)")
	fs.StringVar(&f.workspace, "workspace", "", "bind this admin client (--scope admin) to the workspace with this `handle`: it manages that workspace only")
	fs.StringArrayVar(&f.origins, "allowed-origin", nil, "a web `origin` (https://host[:port]) a browser may call the token endpoint from; a public client with one is a browser app (repeatable)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return clientsCreate(cmd.Context(), e, f) }
	return cmd
}

// clientFlags are the flags of clients create.
type clientFlags struct {
	config, name, typ, id, output, authMethod, jwksURI, signingAlg, idTokenAlg string
	atFormat, logoutURI, expires, workspace                                    string
	introspectionAlg, introspectionEncAlg, introspectionEnc                    string
	skipConsent, requirePAR, logoutSession                                     bool
	reuseWindow                                                                optionalDuration
	redirects, logouts, scopes, grants, origins                                []string
}

func clientsCreate(ctx context.Context, e env, f clientFlags) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	if f.id == "" {
		f.id = "app-" + strings.ToLower(secret.Random(9))
	}
	want := config.Client{
		ID: f.id, Name: f.name, Type: f.typ, RedirectURIs: f.redirects, PostLogoutRedirectURIs: f.logouts,
		Scopes: f.scopes, GrantTypes: f.grants, TokenEndpointAuthMethod: f.authMethod, JWKSURI: f.jwksURI, SkipConsent: f.skipConsent,
		TokenEndpointAuthSigningAlg: f.signingAlg, RequirePushedAuthorizationRequests: f.requirePAR, IDTokenSignedResponseAlg: f.idTokenAlg,
		AccessTokenFormat: f.atFormat, BackchannelLogoutURI: f.logoutURI, BackchannelLogoutSessionRequired: f.logoutSession,
		RefreshTokenReuseWindow: f.reuseWindow.d, AllowedOrigins: f.origins,
		IntrospectionSignedResponseAlg: f.introspectionAlg, IntrospectionEncryptedResponseAlg: f.introspectionEncAlg,
		IntrospectionEncryptedResponseEnc: f.introspectionEnc,
	}
	if want.NeedsSecret() {
		want.Secret = secret.NewClientSecret()
	}
	// The client is checked by the same rules as a configured one, each
	// problem naming the field ("client redirect_uris[0]: ...").
	if err := cfg.CheckClient(want); err != nil {
		return usageError{errors.New("client " + strings.ReplaceAll(err.Error(), "\n", "\nclient "))}
	}
	ring, err := newKeyring(cfg)
	if err != nil {
		return err
	}
	lifetime, err := secretLifetime(f.expires, cfg.APIKeys.Lifetime)
	if err != nil {
		return err
	}
	var bound storage.Workspace
	if f.workspace != "" {
		if !slices.Contains(want.Scopes, config.ScopeAdmin) {
			return usagef("--workspace binds an admin client: add --scope %s", config.ScopeAdmin)
		}
		if bound, err = workspaceByHandle(ctx, store, f.workspace); err != nil {
			return err
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	rec := clientFromConfig(want, secret.NewHasher(ring), now)
	rec.WorkspaceID = bound.ID
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
		if rec.WorkspaceID != "" {
			e.WorkspaceID, e.Detail["workspace"] = rec.WorkspaceID, bound.Handle
		}
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
			return usagef("a client with ID %q already exists", f.id)
		}
		return err
	}
	if f.output == "json" {
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

func clientsListCmd(e env) *cobra.Command {
	cmd := &cobra.Command{Use: "list", Short: "List the clients, without their secrets", Args: noArgs}
	var f clientFlags
	configFlag(cmd, &f.config)
	outputFlag(cmd, &f.output)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return clientsList(cmd.Context(), e, f) }
	return cmd
}

func clientsList(ctx context.Context, e env, f clientFlags) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	_, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	list, err := store.ListClients(ctx)
	if err != nil {
		return err
	}
	if f.output == "json" {
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
		DPoPBound               bool     `json:"dpop_bound_access_tokens"`
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
			GrantTypes: nonNil(c.GrantTypes), Scopes: nonNil(c.Scopes), TokenEndpointAuthMethod: c.TokenEndpointAuthMethod, IDTokenAlg: c.IDTokenAlg(), RequirePAR: c.RequirePAR, DPoPBound: c.DPoPBoundAccessTokens, AccessTokenFormat: string(c.TokenFormat()),
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

func clientsDeleteCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete CLIENT_ID",
		Short: "Delete a client and every token, consent and pending sign-in issued to it",
		Args:  exactArgs(1),
	}
	var path string
	configFlag(cmd, &path)
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return clientsDelete(cmd.Context(), e, path, args[0]) }
	return cmd
}

func clientsDelete(ctx context.Context, e env, path, id string) error {
	cfg, store, err := adminStore(ctx, path, e)
	if err != nil {
		return err
	}
	defer store.Close()
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

// clientSecretsCmd administers a client's secrets (API keys).
func clientSecretsCmd(e env) *cobra.Command {
	rotate := &cobra.Command{
		Use:   "rotate CLIENT_ID",
		Short: "Give a client a new secret; the previous one keeps working for a grace period",
		Args:  exactArgs(1),
	}
	var rf secretFlags
	configFlag(rotate, &rf.config)
	rotate.Flags().DurationVar(&rf.grace, "grace", 0, "how long the old secret keeps working (default: api_keys.grace)")
	rotate.Flags().StringVar(&rf.expires, "expires", "", "lifetime of the new secret, like 2160h, or never (default: api_keys.lifetime)")
	outputFlag(rotate, &rf.output)
	rotate.RunE = func(cmd *cobra.Command, args []string) error { return secretsRotate(cmd.Context(), e, rf, args[0]) }

	revoke := &cobra.Command{
		Use:   "revoke CLIENT_ID SECRET_ID",
		Short: "Revoke one of a client's secrets at once, for a leaked key",
		Args:  exactArgs(2),
	}
	var vf secretFlags
	configFlag(revoke, &vf.config)
	revoke.RunE = func(cmd *cobra.Command, args []string) error {
		return secretsRevoke(cmd.Context(), e, vf, args[0], args[1])
	}

	list := &cobra.Command{
		Use:   "list CLIENT_ID",
		Short: "List a client's secrets: prefix, state and dates",
		Args:  exactArgs(1),
	}
	var lf secretFlags
	configFlag(list, &lf.config)
	outputFlag(list, &lf.output)
	list.RunE = func(cmd *cobra.Command, args []string) error { return secretsList(cmd.Context(), e, lf, args[0]) }

	return group("secrets", "Rotate, revoke or list a client's secrets",
		"Secrets administers a client's secrets (its API keys).", rotate, revoke, list)
}

// secretFlags are the flags of the clients secrets commands.
type secretFlags struct {
	config, expires, output string
	grace                   time.Duration
}

// secretsRotate gives a client a new secret; the old one keeps working for
// the grace period.
func secretsRotate(ctx context.Context, e env, f secretFlags, id string) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	lifetime, err := secretLifetime(f.expires, cfg.APIKeys.Lifetime)
	if err != nil {
		return err
	}
	p := apikey.Policy{Lifetime: lifetime, Grace: cfg.APIKeys.Grace}
	if f.grace > 0 {
		p.Grace = f.grace
	}
	ring, err := newKeyring(cfg)
	if err != nil {
		return err
	}
	var plain string
	var rec storage.ClientSecret
	err = recorded(ctx, cfg, store, func(ctx context.Context, r *audit.Recorder) error {
		var err error
		if plain, rec, err = apikey.Rotate(ctx, store, secret.NewHasher(ring), id, p, time.Now()); err != nil {
			return err
		}
		e := apikey.Event(audit.SecretRotated, id, rec)
		e.ActorType = audit.ActorCLI
		return r.Record(ctx, e)
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("no client with ID %q", id)
	case errors.Is(err, apikey.ErrTooManyLive), errors.Is(err, apikey.ErrNoSecrets):
		return usageError{err}
	case err != nil:
		return err
	}
	if f.output == "json" {
		return json.NewEncoder(e.stdout).Encode(struct {
			ClientID     string     `json:"client_id"`
			SecretID     string     `json:"secret_id"`
			ClientSecret string     `json:"client_secret"`
			ExpiresAt    *time.Time `json:"expires_at,omitempty"`
		}{id, rec.ID, plain, optionalTime(rec.ExpiresAt)})
	}
	fmt.Fprintf(e.stdout, "client_id:     %s\nsecret_id:     %s\nclient_secret: %s\n", id, rec.ID, plain)
	if !rec.ExpiresAt.IsZero() {
		fmt.Fprintf(e.stdout, "expires:       %s\n", rec.ExpiresAt.Format(time.RFC3339))
	}
	fmt.Fprintf(e.stdout, "\nThe previous secret keeps working for %s. The new secret is shown only now: store it safely.\n", p.Grace)
	return nil
}

// secretsRevoke removes a secret at once, for a leaked key.
func secretsRevoke(ctx context.Context, e env, f secretFlags, id, secretID string) error {
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	err = recorded(ctx, cfg, store, func(ctx context.Context, r *audit.Recorder) error {
		if err := apikey.Revoke(ctx, store, id, secretID, time.Now()); err != nil {
			return err
		}
		e := cliEvent(audit.SecretRevoked)
		e.ClientID, e.Detail = id, map[string]string{"secret_id": secretID}
		return r.Record(ctx, e)
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("no client %q with secret %q", id, secretID)
	case errors.Is(err, apikey.ErrLastSecret):
		return usageError{err}
	case err != nil:
		return err
	}
	fmt.Fprintf(e.stdout, "revoked secret %s of client %s; it no longer authenticates\n", secretID, id)
	return nil
}

// secretsList shows a client's secrets: prefix, state, dates. Never the
// secret or its hash.
func secretsList(ctx context.Context, e env, f secretFlags, id string) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	c, err := store.GetClient(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no client with ID %q", id)
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
	if f.output == "json" {
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

func (o *optionalDuration) Type() string { return "duration" }

func (o *optionalDuration) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("not a duration like 10s: %q", s)
	}
	o.d = &d
	return nil
}
