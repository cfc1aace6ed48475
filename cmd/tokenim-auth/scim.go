package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/scim"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// scimTokensCmd administers the workspaces' SCIM tokens.
func scimTokensCmd(e env) *cobra.Command {
	return group("scim-tokens", "Create, list or revoke the SCIM provisioning tokens of a workspace",
		`Scim-tokens administers the bearer tokens a workspace's directory (Microsoft
Entra ID, Okta) presents to the SCIM endpoints, <issuer>/scim/v2: the token
names the workspace.`,
		scimTokensCreateCmd(e), scimTokensListCmd(e), scimTokensRevokeCmd(e))
}

// scimFlags are the flags of the scim-tokens commands.
type scimFlags struct {
	config, workspace, name, expires, output string
}

func workspaceFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().StringVar(p, "workspace", "", "the workspace's `handle` (required)")
	_ = cmd.MarkFlagRequired("workspace")
}

func scimTokensCreateCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Make a SCIM token for a workspace and print it",
		Long: `Create makes a SCIM token for the workspace and prints it: shown only then,
since only a keyed hash of it is kept. Give it, with the tenant URL
<issuer>/scim/v2, to the directory that provisions the workspace.`,
		Example: `  tokenim-auth scim-tokens create --workspace acme --name "Entra ID"
  tokenim-auth scim-tokens create --workspace acme --name Okta --expires 8760h --output json`,
		Args: noArgs,
	}
	var f scimFlags
	configFlag(cmd, &f.config)
	workspaceFlag(cmd, &f.workspace)
	cmd.Flags().StringVar(&f.name, "name", "SCIM provisioning", "what the token is for (`name`)")
	cmd.Flags().StringVar(&f.expires, "expires", "never", "`lifetime` of the token, like 8760h, or never")
	outputFlag(cmd, &f.output)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return scimTokensCreate(cmd.Context(), e, f) }
	return cmd
}

func scimTokensListCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List a workspace's SCIM tokens",
		Long:    "List shows a workspace's SCIM tokens, newest first, revoked ones too: never the tokens themselves.",
		Example: "  tokenim-auth scim-tokens list --workspace acme",
		Args:    noArgs,
	}
	var f scimFlags
	configFlag(cmd, &f.config)
	workspaceFlag(cmd, &f.workspace)
	outputFlag(cmd, &f.output)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return scimTokensList(cmd.Context(), e, f) }
	return cmd
}

func scimTokensRevokeCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "revoke ID",
		Short:   "Revoke a workspace's SCIM token at once",
		Long:    "Revoke stops a SCIM token of the workspace from working, at once (a leaked token).",
		Example: "  tokenim-auth scim-tokens revoke --workspace acme Xb3k9QpL2mZa",
		Args:    exactArgs(1),
	}
	var f scimFlags
	configFlag(cmd, &f.config)
	workspaceFlag(cmd, &f.workspace)
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return scimTokensRevoke(cmd.Context(), e, f, args[0]) }
	return cmd
}

// scimSession is what a scim-tokens command works with: the store, the
// workspace, the token service and the audit sealer.
type scimSession struct {
	store     storage.LockingStore
	workspace storage.Workspace
	tokens    *scim.Tokens
	seal      func(ctx context.Context) error
}

// openSCIM opens the store for a scim-tokens command and finds the
// workspace.
func openSCIM(ctx context.Context, e env, f scimFlags) (scimSession, error) {
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return scimSession{}, err
	}
	w, err := workspaceByHandle(ctx, store, f.workspace)
	if err != nil {
		store.Close()
		return scimSession{}, err
	}
	ring, err := newKeyring(cfg)
	if err != nil {
		store.Close()
		return scimSession{}, err
	}
	parts, err := newAudit(cfg, store, nil)
	if err != nil {
		store.Close()
		return scimSession{}, err
	}
	return scimSession{
		store: store, workspace: w,
		tokens: scim.NewTokens(scim.TokensConfig{Store: store, Hasher: secret.NewHasherFor(ring, scim.Purpose), Audit: parts.recorder}),
		seal: func(ctx context.Context) error {
			_, err := parts.sealer.SealAll(ctx)
			return err
		},
	}, nil
}

var cliActor = scim.Actor{Type: audit.ActorCLI}

func scimTokensCreate(ctx context.Context, e env, f scimFlags) error {
	life, err := secretLifetime(f.expires, 0)
	if err != nil {
		return usageError{fmt.Errorf("--expires: %w", err)}
	}
	s, err := openSCIM(ctx, e, f)
	if err != nil {
		return err
	}
	defer s.store.Close()
	plain, rec, err := s.tokens.Create(ctx, cliActor, s.workspace.ID, f.name, life)
	if err != nil {
		return err
	}
	if err := s.seal(ctx); err != nil {
		return err
	}
	if f.output == "json" {
		return json.NewEncoder(e.stdout).Encode(struct {
			ID        string `json:"id"`
			Workspace string `json:"workspace"`
			Token     string `json:"token"`
			ExpiresAt string `json:"expires_at,omitempty"`
		}{rec.ID, s.workspace.Handle, plain, when(rec.ExpiresAt)})
	}
	fmt.Fprintf(e.stdout, "SCIM token %s for workspace %s (shown only now):\n%s\n", rec.ID, s.workspace.Handle, plain)
	return nil
}

func scimTokensList(ctx context.Context, e env, f scimFlags) error {
	s, err := openSCIM(ctx, e, f)
	if err != nil {
		return err
	}
	defer s.store.Close()
	list, err := s.tokens.List(ctx, s.workspace.ID)
	if err != nil {
		return err
	}
	type row struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Prefix     string `json:"prefix"`
		CreatedAt  string `json:"created_at"`
		ExpiresAt  string `json:"expires_at,omitempty"`
		LastUsedAt string `json:"last_used_at,omitempty"`
		RevokedAt  string `json:"revoked_at,omitempty"`
	}
	rows := []row{}
	for _, t := range list {
		rows = append(rows, row{t.ID, t.Name, t.Prefix, when(t.CreatedAt), when(t.ExpiresAt), when(t.LastUsedAt), when(t.RevokedAt)})
	}
	if f.output == "json" {
		return json.NewEncoder(e.stdout).Encode(rows)
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tPREFIX\tCREATED\tEXPIRES\tLAST USED\tREVOKED")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Prefix, r.CreatedAt, dash(r.ExpiresAt), dash(r.LastUsedAt), dash(r.RevokedAt))
	}
	return w.Flush()
}

func scimTokensRevoke(ctx context.Context, e env, f scimFlags, id string) error {
	s, err := openSCIM(ctx, e, f)
	if err != nil {
		return err
	}
	defer s.store.Close()
	if err := s.tokens.Revoke(ctx, cliActor, s.workspace.ID, id); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("workspace %s has no SCIM token %q", s.workspace.Handle, id)
		}
		return err
	}
	if err := s.seal(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "revoked SCIM token %s of workspace %s\n", id, s.workspace.Handle)
	return nil
}

// when is t in RFC 3339, empty for the zero time.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// dash shows an empty column as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
