package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/mailaddr"
	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/storage"
)

// usersCmd administers user accounts.
func usersCmd(e env) *cobra.Command {
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a user account, its password read from standard input",
		Long: `Create creates an active user account with a verified email. The password is
read from the first line of standard input (--password-stdin), never from an
argument. --role admin makes the first administrator.`,
		Example: `  printf '%s\n' "$PASSWORD" | tokenim-auth users create --email admin@example.com --role admin --password-stdin`,
		Args:    noArgs,
	}
	var cf userFlags
	configFlag(create, &cf.config)
	create.Flags().StringVar(&cf.email, "email", "", "the account's email, its sign-in name (required)")
	create.Flags().StringVar(&cf.name, "name", "", "display name")
	create.Flags().BoolVar(&cf.passwordStdin, "password-stdin", false, "read the password from the first line of standard input (required)")
	outputFlag(create, &cf.output)
	create.Flags().StringVar(&cf.role, "role", config.RoleMember, "the user's role (see roles in the configuration)")
	create.RunE = func(cmd *cobra.Command, _ []string) error { return usersCreate(cmd.Context(), e, cf) }

	list := &cobra.Command{Use: "list", Short: "List the user accounts", Args: noArgs}
	var lf userFlags
	configFlag(list, &lf.config)
	outputFlag(list, &lf.output)
	list.RunE = func(cmd *cobra.Command, _ []string) error { return usersList(cmd.Context(), e, lf) }

	setRole := &cobra.Command{
		Use:   "set-role",
		Short: "Change a user's role, revoking the tokens the new role does not allow",
		Args:  noArgs,
	}
	var sf userFlags
	configFlag(setRole, &sf.config)
	setRole.Flags().StringVar(&sf.email, "email", "", "the account's email (required)")
	setRole.Flags().StringVar(&sf.role, "role", "", "the new role (required)")
	setRole.RunE = func(cmd *cobra.Command, _ []string) error { return usersSetRole(cmd.Context(), e, sf) }

	resetMFA := &cobra.Command{
		Use:   "reset-mfa",
		Short: "Turn off a user's second factor and end their sessions and tokens",
		Args:  noArgs,
	}
	var rf userFlags
	configFlag(resetMFA, &rf.config)
	resetMFA.Flags().StringVar(&rf.email, "email", "", "the account's email (required)")
	resetMFA.RunE = func(cmd *cobra.Command, _ []string) error { return usersResetMFA(cmd.Context(), e, rf) }

	return group("users", "Create, list or change user accounts", "Users administers user accounts.",
		create, list, setRole, resetMFA)
}

// userFlags are the flags of the users commands.
type userFlags struct {
	config, email, name, role, output string
	passwordStdin                     bool
}

func usersCreate(ctx context.Context, e env, f userFlags) error {
	addr := strings.TrimSpace(f.email)
	if !mailaddr.Valid(addr) {
		return usagef("--email: %q is not an email address", f.email)
	}
	if !f.passwordStdin {
		return usagef("--password-stdin is required: pass the password on standard input, never as an argument")
	}
	if err := checkOutput(f.output); err != nil {
		return err
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return usagef("--password-stdin: no password on standard input")
	}
	pw := strings.TrimRight(line, "\r\n")
	if err := password.NewPolicy().Check(pw); err != nil {
		return usagef("--password-stdin: %v", err)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return usagef("--password-stdin: %v", err)
	}
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, ok := cfg.Role(f.role); !ok {
		return usagef("--role: unknown role %q (want one of %s)", f.role, strings.Join(cfg.RoleNames(), ", "))
	}
	now := time.Now().UTC().Truncate(time.Second)
	u := storage.User{ID: uuid.NewString(), Email: addr, EmailVerified: true, Name: f.name, PasswordHash: hash, Status: storage.UserActive, Role: f.role, CreatedAt: now, UpdatedAt: now}
	err = recorded(ctx, cfg, store, func(ctx context.Context, rec *audit.Recorder) error {
		if err := store.CreateUser(ctx, u); err != nil {
			return err
		}
		e := cliEvent(audit.UserCreated)
		e.Subject, e.Detail = u.ID, map[string]string{"email": u.Email, "role": u.Role}
		return rec.Record(ctx, e)
	})
	if err != nil {
		if errors.Is(err, storage.ErrAlreadyExists) {
			return usagef("an account with email %q already exists", addr)
		}
		return err
	}
	if f.output == "json" {
		return json.NewEncoder(e.stdout).Encode(struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		}{u.ID, u.Email})
	}
	fmt.Fprintf(e.stdout, "created user %s (%s)\n", u.Email, u.ID)
	return nil
}

func usersList(ctx context.Context, e env, f userFlags) error {
	if err := checkOutput(f.output); err != nil {
		return err
	}
	_, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	type userOut struct {
		ID        string    `json:"id"`
		Email     string    `json:"email"`
		Name      string    `json:"name"`
		Status    string    `json:"status"`
		Role      string    `json:"role"`
		CreatedAt time.Time `json:"created_at"`
	}
	all := []userOut{}
	err = eachUser(ctx, store, func(u storage.User) error {
		all = append(all, userOut{u.ID, u.Email, u.Name, string(u.Status), u.Role, u.CreatedAt})
		return nil
	})
	if err != nil {
		return err
	}
	if f.output == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSTATUS\tID\tCREATED")
	for _, u := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, u.Role, u.Status, u.ID, u.CreatedAt.Format(time.DateOnly))
	}
	return tw.Flush()
}

// usersResetMFA turns off a user's second factor (a lost phone and lost
// recovery codes): the next sign-in asks for the password only, and the
// user can enrol again. The user's sessions and tokens are ended.
func usersResetMFA(ctx context.Context, e env, f userFlags) error {
	if strings.TrimSpace(f.email) == "" {
		return usagef("--email is required")
	}
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	u, err := store.GetUserByEmail(ctx, strings.TrimSpace(f.email))
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no account with email %q", f.email)
	}
	if err != nil {
		return err
	}
	var sessions, tokens int
	err = recorded(ctx, cfg, store, func(ctx context.Context, rec *audit.Recorder) error {
		if _, err := store.UpdateUser(ctx, u.ID, func(u storage.User) (storage.User, error) {
			u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.RecoveryCodes = nil, false, 0, nil
			u.UpdatedAt = time.Now().UTC().Truncate(time.Second)
			return u, nil
		}); err != nil {
			return err
		}
		var err error
		if sessions, err = store.DeleteUserLoginSessions(ctx, u.ID); err != nil {
			return err
		}
		if tokens, err = store.RevokeSubject(ctx, u.ID, ""); err != nil {
			return err
		}
		e := cliEvent(audit.MFAReset)
		e.Subject, e.Detail = u.ID, map[string]string{"sessions_ended": fmt.Sprint(sessions), "tokens_revoked": fmt.Sprint(tokens)}
		return rec.Record(ctx, e)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "two-step verification is off for %s; %d sessions and %d tokens were ended\n", u.Email, sessions, tokens)
	return nil
}

// usersSetRole changes a user's role. Lowering it revokes at once every
// token that carries a scope the new role does not allow; other tokens
// keep working, and the next token follows the new role.
func usersSetRole(ctx context.Context, e env, f userFlags) error {
	if strings.TrimSpace(f.email) == "" || f.role == "" {
		return usagef("--email and --role are required")
	}
	cfg, store, err := adminStore(ctx, f.config, e)
	if err != nil {
		return err
	}
	defer store.Close()
	r, ok := cfg.Role(f.role)
	if !ok {
		return usagef("--role: unknown role %q (want one of %s)", f.role, strings.Join(cfg.RoleNames(), ", "))
	}
	u, err := store.GetUserByEmail(ctx, strings.TrimSpace(f.email))
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("no account with email %q", f.email)
	}
	if err != nil {
		return err
	}
	var n int
	err = recorded(ctx, cfg, store, func(ctx context.Context, rec *audit.Recorder) error {
		if _, err := store.UpdateUser(ctx, u.ID, func(u storage.User) (storage.User, error) {
			u.Role, u.UpdatedAt = r.Name, time.Now().UTC().Truncate(time.Second)
			return u, nil
		}); err != nil {
			return err
		}
		var err error
		if n, err = store.RevokeSubjectBeyond(ctx, u.ID, r.Scopes); err != nil {
			return err
		}
		e := cliEvent(audit.RoleChanged)
		e.Subject, e.Scopes = u.ID, r.Scopes
		e.Detail = map[string]string{"from": u.Role, "to": r.Name, "tokens_revoked": fmt.Sprint(n)}
		return rec.Record(ctx, e)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s is now %s; %d tokens with scopes the role does not allow were revoked\n", u.Email, r.Name, n)
	return nil
}
