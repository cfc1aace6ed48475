package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/registration"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// registrationTokensCmd administers the initial access tokens of dynamic
// client registration.
func registrationTokensCmd(e env) *cobra.Command {
	return group("registration-token", "Create, list or revoke the initial access tokens of client registration",
		`Registration-token administers the initial access tokens with which a bot or an
integration registers itself as a client at <issuer>/oauth2/register (RFC 7591)
while registration is not open (registration.open). Each expires and is good
for a number of registrations.`,
		registrationTokensCreateCmd(e), registrationTokensListCmd(e), registrationTokensRevokeCmd(e))
}

// registrationTokenFlags are the flags of the registration-token commands.
type registrationTokenFlags struct {
	config, name, expires, output string
	uses                          int
}

func registrationTokensCreateCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Issue an initial access token and print it",
		Long: `Create issues an initial access token and prints it: shown only then, since
only a keyed hash of it is kept. Its holder registers clients with it at
<issuer>/oauth2/register, as many as --uses, until it expires.`,
		Example: `  tokenim-auth clients registration-token create --expires 24h --uses 1
  tokenim-auth clients registration-token create --name "CI bots" --expires 720h --uses 50 --output json`,
		Args: noArgs,
	}
	var f registrationTokenFlags
	configFlag(cmd, &f.config)
	cmd.Flags().StringVar(&f.name, "name", "", "what the token is for (`name`)")
	cmd.Flags().StringVar(&f.expires, "expires", "24h", "`lifetime` of the token, from 1m to 8760h")
	cmd.Flags().IntVar(&f.uses, "uses", 1, "how many registrations the token is good for (1 to 1000)")
	outputFlag(cmd, &f.output)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return registrationTokensCreate(cmd.Context(), e, f) }
	return cmd
}

func registrationTokensListCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the initial access tokens",
		Long:    "List shows the initial access tokens, newest first, revoked, expired and used-up ones too: never the tokens themselves.",
		Example: "  tokenim-auth clients registration-token list",
		Args:    noArgs,
	}
	var f registrationTokenFlags
	configFlag(cmd, &f.config)
	outputFlag(cmd, &f.output)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return registrationTokensList(cmd.Context(), e, f) }
	return cmd
}

func registrationTokensRevokeCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "revoke ID",
		Short:   "Revoke an initial access token at once",
		Long:    "Revoke stops an initial access token from working, at once; the clients it registered stay.",
		Example: "  tokenim-auth clients registration-token revoke Xb3k9QpL2mZa",
		Args:    exactArgs(1),
	}
	var f registrationTokenFlags
	configFlag(cmd, &f.config)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return registrationTokensRevoke(cmd.Context(), e, f, args[0])
	}
	return cmd
}

// newRegistrationTokens is the initial access token service, its tokens
// hashed under the system secret's registration key.
func newRegistrationTokens(store storage.Store, ring secret.Keyring, records *audit.Recorder) *registration.Tokens {
	return registration.NewTokens(registration.TokensConfig{Store: store, Hasher: secret.NewHasherFor(ring, registration.Purpose), Audit: records})
}

// openRegistrationTokens opens the store for a registration-token
// command: the token service, the store to close, and the audit sealer.
func openRegistrationTokens(ctx context.Context, e env, f registrationTokenFlags) (*registration.Tokens, storage.LockingStore, func(context.Context) error, error) {
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return nil, nil, nil, err
	}
	ring, err := newKeyring(cfg)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	parts, err := newAudit(cfg, store, nil)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	seal := func(ctx context.Context) error {
		_, err := parts.sealer.SealAll(ctx)
		return err
	}
	return newRegistrationTokens(store, ring, parts.recorder), store, seal, nil
}

func registrationTokensCreate(ctx context.Context, e env, f registrationTokenFlags) error {
	life, err := time.ParseDuration(f.expires)
	if err != nil {
		return usageError{fmt.Errorf("--expires: not a duration like 24h: %q", f.expires)}
	}
	spec := registration.TokenSpec{Name: f.name, Life: life, Uses: f.uses}
	tokens, store, seal, err := openRegistrationTokens(ctx, e, f)
	if err != nil {
		return err
	}
	defer store.Close()
	plain, rec, err := tokens.Create(ctx, audit.Actor{Type: audit.ActorCLI}, spec)
	if errors.Is(err, registration.ErrTokenSpec) {
		return usageError{errors.New("--expires must be 1m to 8760h, --uses 1 to 1000, --name up to 100 characters")}
	}
	if err != nil {
		return err
	}
	if err := seal(ctx); err != nil {
		return err
	}
	if f.output == "json" {
		return json.NewEncoder(e.stdout).Encode(struct {
			ID        string `json:"id"`
			Token     string `json:"token"`
			ExpiresAt string `json:"expires_at"`
			MaxUses   int    `json:"max_uses"`
		}{rec.ID, plain, when(rec.ExpiresAt), rec.MaxUses})
	}
	fmt.Fprintf(e.stdout, "Initial access token %s, for %d registration(s) until %s (shown only now):\n%s\n", rec.ID, rec.MaxUses, when(rec.ExpiresAt), plain)
	return nil
}

func registrationTokensList(ctx context.Context, e env, f registrationTokenFlags) error {
	tokens, store, _, err := openRegistrationTokens(ctx, e, f)
	if err != nil {
		return err
	}
	defer store.Close()
	list, err := tokens.List(ctx)
	if err != nil {
		return err
	}
	type row struct {
		ID        string `json:"id"`
		Name      string `json:"name"`
		Prefix    string `json:"prefix"`
		CreatedAt string `json:"created_at"`
		ExpiresAt string `json:"expires_at"`
		MaxUses   int    `json:"max_uses"`
		Uses      int    `json:"uses"`
		RevokedAt string `json:"revoked_at,omitempty"`
	}
	rows := []row{}
	for _, t := range list {
		rows = append(rows, row{t.ID, t.Name, t.Prefix, when(t.CreatedAt), when(t.ExpiresAt), t.MaxUses, t.Uses, when(t.RevokedAt)})
	}
	if f.output == "json" {
		return json.NewEncoder(e.stdout).Encode(rows)
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tPREFIX\tCREATED\tEXPIRES\tUSES\tREVOKED")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, dash(r.Name), r.Prefix, r.CreatedAt, r.ExpiresAt,
			strconv.Itoa(r.Uses)+"/"+strconv.Itoa(r.MaxUses), dash(r.RevokedAt))
	}
	return w.Flush()
}

func registrationTokensRevoke(ctx context.Context, e env, f registrationTokenFlags, id string) error {
	tokens, store, seal, err := openRegistrationTokens(ctx, e, f)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := tokens.Revoke(ctx, audit.Actor{Type: audit.ActorCLI}, id); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no initial access token %q", id)
		}
		return err
	}
	if err := seal(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Initial access token %s revoked.\n", id)
	return nil
}
