package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/consent"
	"github.com/tokenim/tokenim-auth/storage"
)

// grants lists and revokes what users granted apps (consents).
func grants(ctx context.Context, args []string, e env) error {
	return dispatch(ctx, args, e, subcommand{"list", grantsList}, subcommand{"revoke", grantsRevoke})
}

// grantsList lists the grants of one user (--user EMAIL) or one app
// (--app CLIENT_ID).
func grantsList(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("grants list", e)
	email := fs.String("user", "", "the user's email")
	app := fs.String("app", "", "the app's client ID")
	output := fs.String("output", "text", "output format: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*email == "") == (*app == "") {
		return usagef("give exactly one of --user EMAIL or --app CLIENT_ID")
	}
	if err := checkOutput(*output); err != nil {
		return err
	}
	_, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	var list []storage.Consent
	if *email != "" {
		u, err := store.GetUserByEmail(ctx, *email)
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no account with email %q", *email)
		}
		if err != nil {
			return err
		}
		list, err = store.ListConsents(ctx, u.ID)
		if err != nil {
			return err
		}
	} else if list, err = store.ListClientConsents(ctx, *app); err != nil {
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
	if *output == "json" {
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
func grantsRevoke(ctx context.Context, args []string, e env) error {
	fs, path := newFlags("grants revoke", e)
	email := fs.String("user", "", "the user's email (required)")
	app := fs.String("app", "", "the app's client ID (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || *app == "" {
		return usagef("--user and --app are required")
	}
	cfg, store, err := adminStore(ctx, *path, e)
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.GetUserByEmail(ctx, *email)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no account with email %q", *email)
	}
	if err != nil {
		return err
	}
	if _, err := store.GetConsent(ctx, u.ID, *app); errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%s has not granted %s anything", *email, *app)
	} else if err != nil {
		return err
	}
	parts, err := newAudit(cfg, store, nil)
	if err != nil {
		return err
	}
	n, err := consent.Withdraw(ctx, store, parts.recorder, u.ID, *app, audit.Event{ActorType: audit.ActorCLI})
	if err != nil {
		return err
	}
	if _, err := parts.sealer.SealAll(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "revoked what %s granted %s; %d tokens stopped working\n", u.Email, *app, n)
	return nil
}
