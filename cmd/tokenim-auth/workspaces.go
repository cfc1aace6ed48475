package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/workspace"
	"github.com/tokenim/tokenim-auth/storage"
)

// workspaceByHandle returns the workspace a --workspace flag names, by
// handle, or says there is none.
func workspaceByHandle(ctx context.Context, store interface {
	GetWorkspaceByHandle(ctx context.Context, handle string) (storage.Workspace, error)
}, handle string) (storage.Workspace, error) {
	w, err := store.GetWorkspaceByHandle(ctx, handle)
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) {
		return w, fmt.Errorf("no workspace with handle %q", handle)
	}
	return w, err
}

// workspaceRoles are the workspace roles besides owner: the configured
// roles' names (workspace.Roles), for the service serve and the command
// line build alike.
func workspaceRoles(cfg config.Config) workspace.Roles {
	roles := make(workspace.Roles, 0, len(cfg.Roles))
	for _, r := range cfg.Roles {
		roles = append(roles, r.Name)
	}
	return roles
}

func workspacesCmd(e env) *cobra.Command {
	return group("workspaces", "List, create or show workspaces",
		`Workspaces administers the platform's workspaces (organizations) from the
command line; their admins manage members, invitations, policies and apps in
the console or through the admin API.`,
		workspacesListCmd(e), workspacesCreateCmd(e), workspacesShowCmd(e))
}

// workspacesFlags are the flags of the workspaces commands.
type workspacesFlags struct {
	config, handle, name, owner, output string
}

func workspacesListCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the workspaces with their members' count",
		Long:    "List shows every workspace by handle, with its name, ID and how many active members it has.",
		Example: "  tokenim-auth workspaces list\n  tokenim-auth workspaces list --output json",
		Args:    noArgs,
	}
	var f workspacesFlags
	configFlag(cmd, &f.config)
	outputFlag(cmd, &f.output)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return workspacesList(cmd.Context(), e, f) }
	return cmd
}

func workspacesCreateCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a workspace, with its first owner",
		Long: `Create makes a workspace with the handle and name given and, with --owner,
makes that account its first owner, who then manages it in the console.
The change is an authorization record (workspace.created).`,
		Example: "  tokenim-auth workspaces create --handle acme --name \"Acme Corp\" --owner ann@acme.example",
		Args:    noArgs,
	}
	var f workspacesFlags
	configFlag(cmd, &f.config)
	cmd.Flags().StringVar(&f.handle, "handle", "", "the workspace's short unique `handle` (required)")
	cmd.Flags().StringVar(&f.name, "name", "", "the workspace's `name` (required)")
	cmd.Flags().StringVar(&f.owner, "owner", "", "the `email` of the account that becomes its first owner")
	_ = cmd.MarkFlagRequired("handle")
	_ = cmd.MarkFlagRequired("name")
	outputFlag(cmd, &f.output)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error { return workspacesCreate(cmd.Context(), e, f) }
	return cmd
}

func workspacesShowCmd(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "show HANDLE",
		Short:   "Show a workspace, its policy and its members",
		Long:    "Show prints a workspace's name, ID and policy, and its members with their roles.",
		Example: "  tokenim-auth workspaces show acme",
		Args:    exactArgs(1),
	}
	var f workspacesFlags
	configFlag(cmd, &f.config)
	outputFlag(cmd, &f.output)
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return workspacesShow(cmd.Context(), e, f, args[0]) }
	return cmd
}

func workspacesList(ctx context.Context, e env, f workspacesFlags) error {
	_, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	type row struct {
		Handle  string `json:"handle"`
		Name    string `json:"name"`
		ID      string `json:"id"`
		Members int    `json:"members"`
	}
	rows := []row{}
	for after := ""; ; {
		page, err := store.ListWorkspaces(ctx, storage.Page{After: after, Limit: storage.DefaultPageLimit})
		if err != nil {
			return err
		}
		for _, w := range page {
			n, err := store.CountMembers(ctx, w.ID, "")
			if err != nil {
				return err
			}
			rows = append(rows, row{w.Handle, w.Name, w.ID, n})
		}
		if len(page) < storage.DefaultPageLimit {
			break
		}
		after = page[len(page)-1].Handle
	}
	if f.output == "json" {
		return json.NewEncoder(e.stdout).Encode(rows)
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "HANDLE\tNAME\tID\tMEMBERS")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\n", r.Handle, r.Name, r.ID, r.Members)
	}
	return w.Flush()
}

func workspacesCreate(ctx context.Context, e env, f workspacesFlags) error {
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	owner := ""
	if f.owner != "" {
		u, err := store.GetUserByEmail(ctx, f.owner)
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) {
			return usageError{fmt.Errorf("--owner: no account with email %q", f.owner)}
		}
		if err != nil {
			return err
		}
		owner = u.ID
	}
	parts, err := newAudit(cfg, store, nil)
	if err != nil {
		return err
	}
	svc := workspace.New(workspace.Config{Store: store, Roles: workspaceRoles(cfg), Audit: parts.recorder,
		Revoker: workspace.TokenRevoker{Tokens: store}, Issuer: cfg.Issuer})
	w, err := svc.Create(ctx, audit.Actor{Type: audit.ActorCLI}, workspace.Settings{Handle: f.handle, Name: f.name}, owner)
	var field *workspace.FieldError
	switch {
	case errors.As(err, &field):
		return usageError{fmt.Errorf("--%s: %s", field.Field, field.Problem)}
	case errors.Is(err, storage.ErrAlreadyExists):
		return usageError{fmt.Errorf("--handle: the handle %q is taken", strings.ToLower(f.handle))}
	case err != nil:
		return err
	}
	if _, err := parts.sealer.SealAll(ctx); err != nil {
		return err
	}
	if f.output == "json" {
		return json.NewEncoder(e.stdout).Encode(struct {
			ID     string `json:"id"`
			Handle string `json:"handle"`
			Name   string `json:"name"`
		}{w.ID, w.Handle, w.Name})
	}
	fmt.Fprintf(e.stdout, "created workspace %s (%s), ID %s\n", w.Handle, w.Name, w.ID)
	return nil
}

func workspacesShow(ctx context.Context, e env, f workspacesFlags, handle string) error {
	_, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	w, err := workspaceByHandle(ctx, store, handle)
	if err != nil {
		return err
	}
	type member struct {
		UserID    string `json:"user_id"`
		Email     string `json:"email"`
		Role      string `json:"role"`
		Suspended bool   `json:"suspended,omitempty"`
		JoinedAt  string `json:"joined_at,omitempty"`
	}
	members := []member{}
	for after := ""; ; {
		page, err := store.ListMembers(ctx, w.ID, storage.Page{After: after, Limit: storage.DefaultPageLimit})
		if err != nil {
			return err
		}
		for _, m := range page {
			email := ""
			if u, err := store.GetUser(ctx, m.UserID); err == nil {
				email = u.Email
			}
			members = append(members, member{m.UserID, email, m.Role, m.Suspended, when(m.JoinedAt)})
		}
		if len(page) < storage.DefaultPageLimit {
			break
		}
		after = page[len(page)-1].UserID
	}
	p := w.Policy
	if f.output == "json" {
		return json.NewEncoder(e.stdout).Encode(struct {
			ID      string                  `json:"id"`
			Handle  string                  `json:"handle"`
			Name    string                  `json:"name"`
			Policy  storage.WorkspacePolicy `json:"policy"`
			Members []member                `json:"members"`
		}{w.ID, w.Handle, w.Name, p, members})
	}
	methods := "any"
	if len(p.SignInMethods) > 0 {
		methods = strings.Join(p.SignInMethods, ", ")
	}
	lifetime := "the provider's"
	if p.SessionLifetime > 0 {
		lifetime = p.SessionLifetime.String()
	}
	fmt.Fprintf(e.stdout, "workspace %s (%s), ID %s\n", w.Handle, w.Name, w.ID)
	fmt.Fprintf(e.stdout, "two-step verification required: %t\nsign-in methods: %s\nsession lifetime: %s\napps installed by: %s\n",
		p.RequireMFA, methods, lifetime, dash(p.Installs))
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEMBER\tEMAIL\tROLE\tSUSPENDED\tJOINED")
	for _, m := range members {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%t\t%s\n", m.UserID, dash(m.Email), m.Role, m.Suspended, dash(m.JoinedAt))
	}
	return tw.Flush()
}
