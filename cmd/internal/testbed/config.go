package testbed

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
)

// Who the nodes know, from the configuration file.
const (
	// BotID is a confidential client with the client credentials grant
	// and the scope im:messages.send.
	BotID = "loadtest-bot"
	// GatewayID is a resource server: it may introspect tokens.
	GatewayID = "im-gateway"
	// WebID is a first-party web app (authorization code, no consent
	// page) returning to WebReturn.
	WebID     = "loadtest-web"
	WebReturn = "http://127.0.0.1:9/cb"
	// UserEmail is the one user, whose password is Secrets.Password.
	UserEmail = "load@example.com"
)

// Secrets are the nodes' and their clients' secrets, made afresh for each
// run.
type Secrets struct {
	System, Bot, Gateway, Web, Password string
}

// NewSecrets makes random secrets.
func NewSecrets() Secrets {
	return Secrets{System: rand.Text() + rand.Text(), Bot: rand.Text() + rand.Text(), Gateway: rand.Text() + rand.Text(), Web: rand.Text() + rand.Text(), Password: rand.Text()}
}

// ProviderConfig is the nodes' configuration file: rate limits and the
// janitor off, quiet logs, the profiler on the metrics listener (whose
// address each node gets from TOKENIM_METRICS_LISTEN), the bot, the IM
// gateway, the web app and the user. The database, Redis and the system
// secret come from each node's environment.
func ProviderConfig(issuer string, s Secrets) string {
	return fmt.Sprintf(`issuer: %[1]s
log:
  level: warn
rate_limit:
  enabled: false
janitor:
  enabled: false
metrics:
  listen: 127.0.0.1:0
  pprof: true
clients:
  - id: %[2]s
    name: Load test bot
    type: confidential
    secret: %[3]q
    grant_types: [client_credentials]
    scopes: [im:messages.send]
  - id: %[4]s
    name: IM gateway
    type: resource_server
    secret: %[5]q
  - id: %[6]s
    name: Load test web app
    type: confidential
    secret: %[7]q
    redirect_uris: [%[8]q]
    scopes: [openid, profile, email, im:messages.read]
    skip_consent: true
users:
  - email: %[9]s
    name: Load Tester
    password: %[10]q
`, issuer, BotID, s.Bot, GatewayID, s.Gateway, WebID, s.Web, WebReturn, UserEmail, s.Password)
}

// BasicAuth is an HTTP Basic Authorization header value (RFC 6749
// §2.3.1: the client ID and secret form-encoded first).
func BasicAuth(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}
