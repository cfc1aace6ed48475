package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/storage"
)

// grantsCmd lists and revokes what users granted apps (consents).
func grantsCmd(e env) *cobra.Command {
	list := &cobra.Command{
		Use:   "list",
		Short: "List the grants of one user or one app",
		Example: `  tokenim-auth grants list --user ann@example.com
  tokenim-auth grants list --app tokenim-web --output json`,
		Args: noArgs,
	}
	var lf grantFlags
	configFlag(list, &lf.config)
	list.Flags().StringVar(&lf.email, "user", "", "the user's email")
	list.Flags().StringVar(&lf.app, "app", "", "the app's client ID")
	outputFlag(list, &lf.output)
	list.RunE = func(cmd *cobra.Command, _ []string) error { return grantsList(cmd.Context(), e, lf) }

	revoke := &cobra.Command{
		Use:   "revoke",
		Short: "Withdraw a user's grant to an app and revoke its tokens",
		Args:  noArgs,
	}
	var rf grantFlags
	configFlag(revoke, &rf.config)
	revoke.Flags().StringVar(&rf.email, "user", "", "the user's email (required)")
	revoke.Flags().StringVar(&rf.app, "app", "", "the app's client ID (required)")
	revoke.RunE = func(cmd *cobra.Command, _ []string) error { return grantsRevoke(cmd.Context(), e, rf) }

	return group("grants", "List or revoke what users granted apps",
		"Grants lists and withdraws what users granted apps (their consents).", list, revoke)
}

// grantFlags are the flags of grants list and grants revoke.
type grantFlags struct {
	config, email, app, output string
}

// grantsList lists the grants of one user (--user EMAIL) or one app
// (--app CLIENT_ID).
func grantsList(ctx context.Context, e env, f grantFlags) error {
	if (f.email == "") == (f.app == "") {
		return usagef("give exactly one of --user EMAIL or --app CLIENT_ID")
	}
	if err := checkOutput(f.output); err != nil {
		return err
	}
	_, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	var list []storage.Consent
	if f.email != "" {
		u, err := store.GetUserByEmail(ctx, f.email)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no account with email %q", f.email)
		}
		if err != nil {
			return err
		}
		list, err = store.ListConsents(ctx, u.ID)
		if err != nil {
			return err
		}
	} else if list, err = store.ListClientConsents(ctx, f.app); err != nil {
		return err
	}
	type grantOut struct {
		UserID    string    `json:"user_id"`
		ClientID  string    `json:"client_id"`
		Scopes    []string  `json:"scopes"`
		GrantedAt time.Time `json:"granted_at"`
	}
	out := []grantOut{}
	for _, c := range list {
		out = append(out, grantOut{c.UserID, c.ClientID, nonNil(c.Scopes), c.GrantedAt})
	}
	if f.output == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER ID\tAPP\tSCOPES\tGRANTED")
	for _, g := range out {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g.UserID, g.ClientID, strings.Join(g.Scopes, " "), g.GrantedAt.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// grantsRevoke withdraws a user's grant to an app and revokes every token
// and refresh token of that app for the user at once.
func grantsRevoke(ctx context.Context, e env, f grantFlags) error {
	if f.email == "" || f.app == "" {
		return usagef("--user and --app are required")
	}
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.GetUserByEmail(ctx, f.email)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no account with email %q", f.email)
	}
	if err != nil {
		return err
	}
	if _, err := store.GetConsent(ctx, u.ID, f.app); errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%s has not granted %s anything", f.email, f.app)
	} else if err != nil {
		return err
	}
	parts, err := newAudit(cfg, store, nil)
	if err != nil {
		return err
	}
	n, err := consent.Withdraw(ctx, store, parts.recorder, u.ID, f.app, audit.Event{ActorType: audit.ActorCLI})
	if err != nil {
		return err
	}
	if _, err := parts.sealer.SealAll(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "revoked what %s granted %s; %d tokens stopped working\n", u.Email, f.app, n)
	return nil
}
