package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// demoData is what dev mode generated and prints once.
type demoData struct {
	issuerFromListen bool
	// user, developer and admin are the demo accounts: a member, who signs
	// in to apps; a developer, who registers apps in the portal; an
	// administrator, who runs the console.
	user, developer, admin demoAccount
	webSecret              string
	gatewaySecret          string
	botSecret              string
	verifier               string
}

// demoAccount is a demo user and how to sign in as it.
type demoAccount struct {
	email, password, role string
	// totp is the second factor enrolled for the account when its role
	// requires one (enrol), zero otherwise.
	totp mfa.Enrolment
}

// Demo identities created in dev mode.
const (
	demoEmail          = "demo@tokenim.dev"
	demoDeveloperEmail = "developer@tokenim.dev"
	demoAdminEmail     = "admin@tokenim.dev"
	demoWebID          = "demo-web"
	demoNativeID       = "demo-native"
	demoGatewayID      = "demo-gateway"
	demoBotID          = "demo-bot"
	demoWebRedirect    = "http://127.0.0.1:5555/callback"
)

// applyDev turns c into a zero-setup demo: what the file and environment
// did not set gets a dev default (in-memory store, a generated system
// secret, an http issuer on the listen address), and demo users (a member,
// a developer and an administrator) and demo clients with fresh secrets
// are added.
func applyDev(c *config.Config) *demoData {
	d := &demoData{
		user:          demoAccount{email: demoEmail, password: secret.Random(12), role: config.RoleMember},
		developer:     demoAccount{email: demoDeveloperEmail, password: secret.Random(12), role: config.RoleDeveloper},
		admin:         demoAccount{email: demoAdminEmail, password: secret.Random(12), role: config.RoleAdmin},
		webSecret:     secret.NewClientSecret(),
		gatewaySecret: secret.NewClientSecret(),
		botSecret:     secret.NewClientSecret(),
		verifier:      oauth2.GenerateVerifier(),
	}
	c.Dev = true
	if c.Database.URL == "" {
		c.Database.URL = "memory"
	}
	if c.Secrets.System == "" {
		c.Secrets.System = secret.Random(32)
	}
	if c.Issuer == "" {
		c.Issuer = "http://" + c.Listen
		d.issuerFromListen = true
	}
	c.Log.Format = "text"
	// Mail goes to the dev outbox (/dev/outbox), so anyone may register.
	c.Accounts.Registration = true
	all := make([]string, 0, len(c.Scopes))
	var im []string
	for _, s := range c.Scopes {
		if s.Name == config.ScopeAdmin {
			continue
		}
		all = append(all, s.Name)
		if len(s.Name) > 3 && s.Name[:3] == "im:" {
			im = append(im, s.Name)
		}
	}
	c.Clients = append(c.Clients,
		config.Client{ID: demoWebID, Name: "TokenIM Web (demo)", Type: config.ClientConfidential, Secret: d.webSecret,
			RedirectURIs: []string{demoWebRedirect}, PostLogoutRedirectURIs: []string{"http://127.0.0.1:5555/"}, Scopes: all},
		config.Client{ID: demoNativeID, Name: "TokenIM Desktop (demo)", Type: config.ClientPublic,
			RedirectURIs: []string{"http://127.0.0.1/callback", "im.tokenim.desktop:/oauth2/callback"}, Scopes: all,
			GrantTypes: []string{config.GrantAuthorizationCode, config.GrantRefreshToken, config.GrantDeviceCode}},
		config.Client{ID: demoGatewayID, Name: "IM message gateway (demo)", Type: config.ClientResourceServer, Secret: d.gatewaySecret},
		config.Client{ID: demoBotID, Name: "Notification bot (demo)", Type: config.ClientConfidential, Secret: d.botSecret,
			GrantTypes: []string{config.GrantClientCredentials}, Scopes: im},
	)
	c.Users = append(c.Users,
		config.User{Email: d.user.email, Name: "Demo User", Password: d.user.password, Role: d.user.role},
		config.User{Email: d.developer.email, Name: "Demo Developer", Password: d.developer.password, Role: d.developer.role},
		config.User{Email: d.admin.email, Name: "Demo Admin", Password: d.admin.password, Role: d.admin.role},
	)
	return d
}

// enrol gives each demo account whose role requires a second factor
// (accounts.mfa_required_roles: the administrator, by default) a fresh
// TOTP secret, enabled at once, so that the console is one sign-in away.
// It runs after bootstrap created the accounts.
func (d *demoData) enrol(ctx context.Context, cfg config.Config, store storage.Users) error {
	ring, err := newKeyring(cfg)
	if err != nil {
		return err
	}
	sealer, err := ring.Sealer(secret.PurposeTOTP)
	if err != nil {
		return err
	}
	for _, a := range []*demoAccount{&d.user, &d.developer, &d.admin} {
		if !slices.Contains(cfg.Accounts.MFARequiredRoles, a.role) {
			continue
		}
		if a.totp, err = mfa.NewEnrolment(cfg.Accounts.MFAIssuer, a.email); err != nil {
			return fmt.Errorf("dev: enrol %s: %w", a.email, err)
		}
		u, err := store.GetUserByEmail(ctx, a.email)
		if err != nil {
			return fmt.Errorf("dev: enrol %s: %w", a.email, err)
		}
		_, err = store.UpdateUser(ctx, u.ID, func(u storage.User) (storage.User, error) {
			u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.RecoveryCodes = mfa.SealSecret(sealer, u.ID, a.totp.Secret), true, 0, nil
			return u, nil
		})
		if err != nil {
			return fmt.Errorf("dev: enrol %s: %w", a.email, err)
		}
	}
	return nil
}

// devCmd holds the dev-mode helpers.
func devCmd(e env) *cobra.Command {
	var secret string
	totp := &cobra.Command{
		Use:   "totp --secret SECRET",
		Short: "Print the current code of a TOTP secret",
		Long: `Totp prints the current code of a TOTP secret, as an authenticator app would
show it: the second factor of the demo administrator that serve --dev prints,
without a phone. A code changes every 30 seconds and is good for one sign-in.
The secret is an argument, so it shows in the shell's history: use it for
serve --dev's demo secret, not for a real one.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return devTOTP(e, secret) },
	}
	totp.Flags().StringVar(&secret, "secret", "", "base32 TOTP `SECRET`, as serve --dev prints it")
	return group("dev", "Dev-mode helpers", "Dev holds helpers for serve --dev's demo.", totp)
}

// devTOTP prints the current code of a TOTP secret.
func devTOTP(e env, key string) error {
	if key == "" {
		return usagef("--secret is required")
	}
	code, err := mfa.Code(key, time.Now())
	if err != nil {
		return usagef("--secret: not a base32 TOTP secret")
	}
	fmt.Fprintln(e.stdout, code)
	return nil
}

// print shows how to use the demo. Secrets appear here once and nowhere
// else: they are not logged.
func (d *demoData) print(w io.Writer, c config.Config) {
	fmt.Fprintf(w, `
TokenIM Auth is running in dev mode (in-memory store: nothing survives a restart).

  issuer     %[1]s
  discovery  %[1]s/.well-known/openid-configuration
  portal     %[1]s/apps (developer portal: sign in as the demo developer)
  console    %[1]s/admin (admin console: sign in as the demo admin)
  accounts   %[1]s/register (new account), %[1]s/account (security)
  mail       %[1]s/dev/outbox (activation and reset links land here)

`, c.Issuer)
	for _, a := range []struct {
		label   string
		account demoAccount
	}{{"demo user", d.user}, {"demo developer", d.developer}, {"demo admin", d.admin}} {
		fmt.Fprintf(w, "  %-16s %s / %s\n", a.label, a.account.email, a.account.password)
		if a.account.totp.Secret != "" {
			// The role requires a second factor: the code to type after
			// the password, and the secret for an authenticator app.
			fmt.Fprintf(w, `                   code   go run ./cmd/tokenim-auth dev totp --secret %[1]s
                          (a new code every 30 s; each is good for one sign-in)
                   TOTP   %[2]s
`, a.account.totp.Secret, a.account.totp.URL)
		}
	}
	fmt.Fprintf(w, `  %-16[2]s confidential web app, secret %[3]s
                   redirect URI %[4]s
  %-16[5]s public native app (PKCE, no secret)
  %-16[6]s resource server (introspection), secret %[7]s
  %-16[8]s bot (client credentials), secret %[9]s

Sign in as the demo user through the web app: open

  %[10]s

then exchange the code from the address the browser lands on:

  curl -s -u %[2]s:%[3]s -d grant_type=authorization_code -d code=CODE \
    -d redirect_uri=%[4]s -d code_verifier=%[11]s %[1]s/oauth2/token

Try it:
  curl -s -u %[8]s:%[9]s -d grant_type=client_credentials %[1]s/oauth2/token
  curl -s -u %[6]s:%[7]s -d token=ACCESS_TOKEN %[1]s/oauth2/introspect

`, c.Issuer, demoWebID, d.webSecret, demoWebRedirect,
		demoNativeID, demoGatewayID, d.gatewaySecret, demoBotID, d.botSecret, d.authorizeURL(c.Issuer), d.verifier)
}

// authorizeURL is a ready-to-open authorization request of the demo web
// app, with PKCE.
func (d *demoData) authorizeURL(issuer string) string {
	q := url.Values{
		"client_id":             {demoWebID},
		"response_type":         {"code"},
		"redirect_uri":          {demoWebRedirect},
		"scope":                 {"openid profile email offline_access im:messages.read"},
		"state":                 {secret.Random(12)},
		"nonce":                 {secret.Random(12)},
		"code_challenge":        {oauth2.S256ChallengeFromVerifier(d.verifier)},
		"code_challenge_method": {"S256"},
	}
	return issuer + "/oauth2/auth?" + q.Encode()
}
