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
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// clients administers OAuth clients.
func clients(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return usagef("missing subcommand: create, list or delete")
	}
	switch args[0] {
	case "create":
		return clientsCreate(ctx, args[1:], e)
	case "list":
		return clientsList(ctx, args[1:], e)
	case "delete":
		return clientsDelete(ctx, args[1:], e)
	}
	return usagef("unknown subcommand %q: want create, list or delete", args[0])
}

func clientsCreate(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("clients create", e)
	name := fs.String("name", "", "display `name` shown on the consent page (required)")
	typ := fs.String("type", "", "client type: confidential, public or resource_server (required)")
	id := fs.String("id", "", "client ID (default: generated)")
	output := fs.String("output", "text", "output format: text or json")
	authMethod := fs.String("token-endpoint-auth-method", "", "client_secret_basic (default), client_secret_post, private_key_jwt or none (public)")
	jwksURI := fs.String("jwks-uri", "", "where a private_key_jwt client publishes its keys")
	skipConsent := fs.Bool("skip-consent", false, "first-party client: users are not asked to consent")
	var redirects, logouts, scopes, grants stringList
	fs.Var(&redirects, "redirect-uri", "exact redirect `URI` (repeatable)")
	fs.Var(&logouts, "post-logout-redirect-uri", "where logout may return (`URI`, repeatable)")
	fs.Var(&scopes, "scope", "a `scope` the client may obtain (repeatable)")
	fs.Var(&grants, "grant-type", "a grant the client may use (repeatable; default from --type)")
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
	ring, err := secret.NewKeyring(cfg.Secrets.System)
	if err != nil {
		return usageError{fmt.Errorf("secrets.system: %w", err)}
	}
	rec := clientFromConfig(want, secret.NewHasher(ring), time.Now().UTC().Truncate(time.Second))
	if len(rec.Secrets) > 0 {
		rec.Secrets[0].ID = "s1"
	}
	if err := store.CreateClient(ctx, rec); err != nil {
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
	fmt.Fprintln(tw, "CLIENT ID\tNAME\tTYPE\tGRANTS\tSCOPES\tSECRETS")
	for _, c := range list {
		var prefixes []string
		for _, s := range c.Secrets {
			prefixes = append(prefixes, s.Prefix+"…")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, c.Type, strings.Join(c.GrantTypes, ","), strings.Join(c.Scopes, " "), strings.Join(prefixes, " "))
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
		ClientID                string      `json:"client_id"`
		Name                    string      `json:"name"`
		Type                    string      `json:"type"`
		RedirectURIs            []string    `json:"redirect_uris"`
		PostLogoutRedirectURIs  []string    `json:"post_logout_redirect_uris"`
		GrantTypes              []string    `json:"grant_types"`
		Scopes                  []string    `json:"scopes"`
		TokenEndpointAuthMethod string      `json:"token_endpoint_auth_method"`
		Secrets                 []secretOut `json:"secrets"`
		CreatedAt               time.Time   `json:"created_at"`
	}
	out := []clientOut{}
	for _, c := range list {
		co := clientOut{ClientID: c.ID, Name: c.Name, Type: string(c.Type), RedirectURIs: nonNil(c.RedirectURIs), PostLogoutRedirectURIs: nonNil(c.PostLogoutRedirectURIs),
			GrantTypes: nonNil(c.GrantTypes), Scopes: nonNil(c.Scopes), TokenEndpointAuthMethod: c.TokenEndpointAuthMethod, Secrets: []secretOut{}, CreatedAt: c.CreatedAt}
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
	_, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	id := fs.Arg(0)
	if err := store.DeleteClient(ctx, id); err != nil {
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
