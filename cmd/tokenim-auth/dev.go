package main

import (
	"fmt"
	"io"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/secret"
)

// demoData is what dev mode generated and prints once.
type demoData struct {
	issuerFromListen bool
	userEmail        string
	userPassword     string
	webSecret        string
	gatewaySecret    string
	botSecret        string
	verifier         string
}

// Demo identities created in dev mode.
const (
	demoEmail       = "demo@tokenim.dev"
	demoWebID       = "demo-web"
	demoNativeID    = "demo-native"
	demoGatewayID   = "demo-gateway"
	demoBotID       = "demo-bot"
	demoWebRedirect = "http://127.0.0.1:5555/callback"
)

// applyDev turns c into a zero-setup demo: what the file and environment
// did not set gets a dev default (in-memory store, a generated system
// secret, an http issuer on the listen address), and a demo user and demo
// clients with fresh secrets are added.
func applyDev(c *config.Config) *demoData {
	d := &demoData{
		userEmail:     demoEmail,
		userPassword:  secret.Random(12),
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
	c.Users = append(c.Users, config.User{Email: d.userEmail, Name: "Demo User", Password: d.userPassword})
	return d
}

// print shows how to use the demo. Secrets appear here once and nowhere
// else: they are not logged.
func (d *demoData) print(w io.Writer, c config.Config) {
	fmt.Fprintf(w, `
TokenIM Auth is running in dev mode (in-memory store: nothing survives a restart).

  issuer     %[1]s
  discovery  %[1]s/.well-known/openid-configuration
  accounts   %[1]s/register (new account), %[1]s/account (security)
  mail       %[1]s/dev/outbox (activation and reset links land here)

  demo user        %[2]s / %[3]s
  %-16[4]s confidential web app, secret %[5]s
                   redirect URI %[6]s
  %-16[7]s public native app (PKCE, no secret)
  %-16[8]s resource server (introspection), secret %[9]s
  %-16[10]s bot (client credentials), secret %[11]s

Sign in as the demo user through the web app: open

  %[12]s

then exchange the code from the address the browser lands on:

  curl -s -u %[4]s:%[5]s -d grant_type=authorization_code -d code=CODE \
    -d redirect_uri=%[6]s -d code_verifier=%[13]s %[1]s/oauth2/token

Try it:
  curl -s -u %[10]s:%[11]s -d grant_type=client_credentials %[1]s/oauth2/token
  curl -s -u %[8]s:%[9]s -d token=ACCESS_TOKEN %[1]s/oauth2/introspect

`, c.Issuer, d.userEmail, d.userPassword, demoWebID, d.webSecret, demoWebRedirect,
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
