package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

const (
	rootEmail    = "root@example.com"
	rootPassword = "granite-lantern-teapot"
	// rootPasswordHash is rootPassword at argon2id's floor cost, as
	// annPasswordHash is annPassword's: two nodes starting together would
	// otherwise each hash it at the production cost while bootstrapping
	// the account.
	rootPasswordHash = "$argon2id$v=19$m=8,t=1,p=1$4PTMsB4QgEaipvrFwRDr/w$43ZQTW5/AueYPA15kQCu1f9KYxLcAHuNV/3B795q0qQ"
	// rootUser adds Root, an administrator, to the configuration's users:
	// its list is the configuration's last key. The admin role needs a
	// second factor by default.
	rootUser = `
  - email: ` + rootEmail + `
    name: Root Admin
    password_hash: '` + rootPasswordHash + `'
    role: admin
`
)

// enrolRoot turns on Root's two-step verification, as the role requires,
// with a cookie-keeping client, and returns the TOTP secret. The step of
// the current time is spent: the next sign-in uses the next one. Before
// that, the console turns Root away.
func enrolRoot(t *testing.T, p running) string {
	t.Helper()
	b := newBrowser(t, p.issuer)
	pg := signIn(t, b, b.get(p.issuer+"/login?next=/account"), rootEmail, rootPassword)
	if refused := b.get(p.issuer + "/admin/records"); refused.status != http.StatusForbidden || !strings.Contains(refused.body, "two-step verification") {
		t.Fatalf("a password-only admin session got %d from the console", refused.status)
	}
	enrol := b.submitTo(pg, "/account/mfa/enrol", nil)
	m := regexp.MustCompile(`<p class="secret"><code>([A-Z2-7 ]+)</code>`).FindStringSubmatch(enrol.body)
	if m == nil {
		t.Fatalf("no TOTP secret on the enrolment page:\n%s", enrol.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, _ := totp.GenerateCode(secret, time.Now())
	if done := b.submitTo(enrol, "/account/mfa/confirm", map[string]string{"code": code}); done.status != http.StatusOK {
		t.Fatalf("confirm two-step verification: %d", done.status)
	}
	return secret
}

// nextCode is a TOTP code of the next time step.
func nextCode(t *testing.T, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// rootConsole signs Root in with the password and a TOTP code of the
// next step, and returns the signed-in browser.
func rootConsole(t *testing.T, p running, secret string) *browser {
	t.Helper()
	b := newBrowser(t, p.issuer)
	mfa := signIn(t, b, b.get(p.issuer+"/login?next=/account"), rootEmail, rootPassword)
	if home := b.submit(mfa, map[string]string{"code": nextCode(t, secret)}); home.url.Path != "/account" {
		t.Fatalf("after the second step: %d %s", home.status, home.url)
	}
	return b
}

// changeApp makes a change to an app in the console, through its
// confirmation page, and checks the notice it ends on.
func changeApp(t *testing.T, b *browser, p running, clientID, action, notice string) {
	t.Helper()
	path := "/admin/apps/" + clientID + "/" + action
	confirm := b.get(p.issuer + path)
	if confirm.status != http.StatusOK || !strings.Contains(confirm.body, `action="`+path+`"`) {
		t.Fatalf("confirmation page: %d\n%s", confirm.status, confirm.body)
	}
	done := b.submitTo(confirm, path, nil)
	if done.url.Path != "/admin/apps/"+clientID || !strings.Contains(done.body, notice) {
		t.Fatalf("after %s: %d %s\n%s", action, done.status, done.url, done.body)
	}
}

// opsCredentials gets tokens for the ops service from tokenURL.
func opsCredentials(tokenURL string) clientcredentials.Config {
	return clientcredentials.Config{ClientID: "ops", ClientSecret: gatewaySecret, TokenURL: tokenURL, Scopes: []string{"admin"}, AuthStyle: oauth2.AuthStyleInHeader}
}

// TestConsoleDisablesAnApp: an app an administrator disables in the
// console can no longer get tokens, and its tokens stop being active;
// enabled again, it works again.
func TestConsoleDisablesAnApp(t *testing.T) {
	t.Parallel()
	eachStoreConfig(t, rootUser, func(t *testing.T, p running) {
		b := rootConsole(t, p, enrolRoot(t, p))
		cc := opsCredentials(p.issuer + "/oauth2/token")
		before, err := cc.Token(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		t.Run("disabled, the app gets no token and its token is not active", func(t *testing.T) {
			changeApp(t, b, p, "ops", "disable", "The app was disabled")
			if _, err := cc.Token(t.Context()); err == nil || !strings.Contains(err.Error(), "invalid_client") {
				t.Fatalf("a disabled app got a token: %v", err)
			}
			if active, _ := introspect(t, p, before.AccessToken)["active"].(bool); active {
				t.Fatal("a disabled app's token is still active")
			}
		})
		t.Run("enabled again, it gets tokens and its token is active again", func(t *testing.T) {
			changeApp(t, b, p, "ops", "enable", "The app was enabled")
			if _, err := cc.Token(t.Context()); err != nil {
				t.Fatal(err)
			}
			if active, _ := introspect(t, p, before.AccessToken)["active"].(bool); !active {
				t.Fatal("the app's unexpired token did not come back")
			}
		})
		t.Run("both changes are in the records, by Root", func(t *testing.T) {
			pg := b.get(p.issuer + "/admin/records?app=ops&action=app.changed")
			if n := strings.Count(pg.body, "<code>app.changed</code>"); n != 2 || !strings.Contains(pg.body, rootEmail) {
				t.Fatalf("%d app.changed records:\n%s", n, pg.body)
			}
		})
	})
}

// TestConsoleDisablesAnAppOnEveryNode: with Redis caching clients, an app
// disabled through one node is refused at once by another that had it
// cached.
func TestConsoleDisablesAnAppOnEveryNode(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 2, rootUser)
	first, second := c.nodes[0], c.nodes[1]
	b := rootConsole(t, first, enrolRoot(t, first))
	cc := opsCredentials(second.issuer + "/oauth2/token")
	tok, err := cc.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !c.introspectAt(t, 1, tok.AccessToken) {
		t.Fatal("the token is not active on the second node")
	}
	changeApp(t, b, first, "ops", "disable", "The app was disabled")
	if _, err := cc.Token(t.Context()); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Fatalf("the second node gave a disabled app a token: %v", err)
	}
	if c.introspectAt(t, 1, tok.AccessToken) {
		t.Fatal("the second node still finds the disabled app's token active")
	}
}
