package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/upstream/ldap/ldaptest"
)

// TestLDAPSignIn runs serve with an LDAP connector in upstreams: (its
// bind password from the environment) in front of a real slapd on
// loopback, and a second one whose directory is gone. The web app signs
// a directory user in through the sign-in page's button and the
// directory's own page: a wrong password and a disabled account are
// refused alike, the right password makes an account just in time with
// the role the user's directory group maps to, and the app's ID token
// says amr fed. Another browser gets there by typing the user's work
// email (home-realm discovery). A directory that cannot be reached
// answers a page naming it.
func TestLDAPSignIn(t *testing.T) {
	t.Parallel()
	dir := ldaptest.Start(t)
	ann, dave := dir.User("ann"), dir.User("dave")
	addr, issuer := freeIssuer(t)
	// No one listens there: connections are refused.
	closed, _ := freeIssuer(t)
	path := writeProviderConfig(t, issuer, fmt.Sprintf(`
upstreams:
  - id: corp-ldap
    kind: ldap
    name: Corp Directory
    name_zh: 公司目录
    url: %[1]s
    bind_dn: %[2]s
    bind_password_env: CORP_LDAP_PASSWORD
    user_search:
      base_dn: %[3]s
      filter: '(&(objectClass=inetOrgPerson)(|(uid=%%s)(mail=%%s)))'
    group_search:
      base_dn: %[4]s
      filter: '(member=%%s)'
    email_verified: true
    jit: true
    default_role: guest
    domains: [%[5]s]
    role_mapping:
      - claim: groups
        value: chat-admins
        role: developer
  - id: old-ldap
    kind: ldap
    name: Old Directory
    url: ldap://%[6]s
    bind_dn: %[2]s
    bind_password_env: CORP_LDAP_PASSWORD
    user_search:
      base_dn: %[3]s
      filter: '(uid=%%s)'
    jit: true
`, dir.URL, ldaptest.ReaderDN, ldaptest.UserBase, ldaptest.GroupBase, ldaptest.MailDomain, closed))
	vars := map[string]string{"TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh", "CORP_LDAP_PASSWORD": ldaptest.ReaderPassword}
	base, _, logs, stop := launchServeEnv(t, vars, nil, "--config", path, "--listen", addr)
	t.Cleanup(stop)
	p := running{issuer: base}
	app := newApp(t, p)
	const directory = "/login/directory/corp-ldap"

	// The sign-in page offers both directories; Corp Directory's button
	// leads to its own page.
	b := newBrowser(t, p.issuer, webCallback)
	z := app.start(t)
	login := b.get(z.url)
	for _, want := range []string{"Sign in with Corp Directory", "Sign in with Old Directory", "Use single sign-on"} {
		if login.status != http.StatusOK || !strings.Contains(login.body, want) {
			t.Fatalf("sign-in page %d without %q:\n%s", login.status, want, login.body)
		}
	}
	page := b.submitTo(login, "/login/upstream/corp-ldap", nil)
	if page.status != http.StatusOK || page.url.Path != directory || !strings.Contains(page.body, "Enter the user name and password of your Corp Directory account") {
		t.Fatalf("Corp Directory's button: %d %s:\n%s", page.status, page.url, page.body)
	}

	// A wrong password, and the right password of a disabled account, get
	// the same answer: nothing tells the account exists.
	for _, try := range []struct{ username, password string }{{ann.UID, "wrong-password"}, {dave.UID, dave.Password}} {
		page = b.submitTo(page, directory, map[string]string{"username": try.username, "password": try.password})
		if page.status != http.StatusUnauthorized || !strings.Contains(page.body, "Wrong user name or password") {
			t.Fatalf("%s with %s: %d:\n%s", try.username, try.password, page.status, page.body)
		}
	}

	// The right password: consent, then the app's tokens for an account
	// made from the directory's entry.
	consent := b.submitTo(page, directory, map[string]string{"username": ann.UID, "password": ann.Password})
	cb := callback(t, consentTo(t, b, consent, "allow"), p.issuer)
	if cb.Get("state") != z.state {
		t.Fatalf("state %q, want %q", cb.Get("state"), z.state)
	}
	wantUpstreamSignIn(t, app, cb.Get("code"), z.verifier, ann.Email)
	// The account's role is the one ann's chat-admins group maps to,
	// its email verified as the connector says.
	wantAccount(t, p, ann.Email, "developer")

	// Home-realm discovery: another browser types ann's email and asks
	// for single sign-on; the directory's page has the name filled.
	b2 := newBrowser(t, p.issuer, webCallback)
	z = app.start(t, oauth2.SetAuthURLParam("prompt", "consent"))
	page = b2.submitTo(b2.get(z.url), "/login", map[string]string{"email": ann.Email, "sso": "1"})
	if page.status != http.StatusOK || page.url.Path != directory || !strings.Contains(page.body, `name="username" value="`+ann.Email+`"`) {
		t.Fatalf("single sign-on for %s: %d %s:\n%s", ann.Email, page.status, page.url, page.body)
	}
	consent = b2.submitTo(page, directory, map[string]string{"username": ann.Email, "password": ann.Password})
	cb = callback(t, consentTo(t, b2, consent, "allow"), p.issuer)
	wantUpstreamSignIn(t, app, cb.Get("code"), z.verifier, ann.Email)

	// A directory that cannot be reached: its page answers one naming it.
	b3 := newBrowser(t, p.issuer, webCallback)
	page = b3.submitTo(b3.get(app.start(t).url), "/login/upstream/old-ldap", nil)
	page = b3.submitTo(page, "/login/directory/old-ldap", map[string]string{"username": ann.UID, "password": ann.Password})
	if page.status != http.StatusServiceUnavailable || !strings.Contains(page.body, "Old Directory could not be reached") {
		t.Fatalf("with the directory gone: %d:\n%s", page.status, page.body)
	}
	// Corp Directory goes down too, its pooled connections with it.
	dir.Stop()
	page = b3.submitTo(b3.get(app.start(t).url), "/login/upstream/corp-ldap", nil)
	page = b3.submitTo(page, directory, map[string]string{"username": ann.UID, "password": ann.Password})
	if page.status != http.StatusServiceUnavailable || !strings.Contains(page.body, "Corp Directory could not be reached") {
		t.Fatalf("with the directory stopped: %d:\n%s", page.status, page.body)
	}

	for _, secret := range []string{ann.Password, dave.Password, "wrong-password", ldaptest.ReaderPassword} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("serve's log holds the password %q", secret)
		}
	}
}

// wantAccount checks, through the admin API, that the account of email
// exists with role and its email verified.
func wantAccount(t *testing.T, p running, email, role string) {
	t.Helper()
	ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
	code, body := ops.call("GET", "/admin/api/v1/users", "")
	raw, _ := json.Marshal(body["users"])
	var users []struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Role          string `json:"role"`
	}
	if err := json.Unmarshal(raw, &users); code != http.StatusOK || err != nil {
		t.Fatalf("users: %d %s (%v)", code, raw, err)
	}
	for _, u := range users {
		if u.Email == email {
			if u.Role != role || !u.EmailVerified {
				t.Fatalf("account of %s: role %q, email verified %v; want role %q, verified", email, u.Role, u.EmailVerified, role)
			}
			return
		}
	}
	t.Fatalf("no account of %s among %s", email, raw)
}
