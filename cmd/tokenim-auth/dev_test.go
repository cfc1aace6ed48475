package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// demoCredentials finds "label  email / password" in the dev banner.
func demoCredentials(t *testing.T, banner, label string) (email, password string) {
	t.Helper()
	for _, line := range strings.Split(banner, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), label+" "); ok {
			if f := strings.Fields(rest); len(f) == 3 && f[1] == "/" {
				return f[0], f[2]
			}
		}
	}
	t.Fatalf("no credentials of the %s in:\n%s", label, banner)
	return "", ""
}

// TestServeDevOpensPortalAndConsole: with nothing but the banner of
// serve --dev, a newcomer signs in to the developer portal as the demo
// developer, and to the admin console as the demo admin with the
// password and a code of the printed TOTP secret.
func TestServeDevOpensPortalAndConsole(t *testing.T) {
	t.Parallel()
	base, out, logs := startServe(t, nil, "--dev", "--listen", "127.0.0.1:0")
	banner := out.String()
	for _, want := range []string{"portal     " + base + "/apps", "console    " + base + "/admin"} {
		if !strings.Contains(banner, want) {
			t.Fatalf("banner lacks %q:\n%s", want, banner)
		}
	}

	t.Run("the demo developer gets the portal", func(t *testing.T) {
		email, password := demoCredentials(t, banner, "demo developer")
		b := newBrowser(t, base)
		pg := signIn(t, b, b.get(base+"/apps"), email, password)
		if pg.status != http.StatusOK || pg.url.Path != "/apps" {
			t.Fatalf("after signing in: %d %s\n%s", pg.status, pg.url, pg.body)
		}
		if pg = b.get(base + "/admin"); pg.status != http.StatusForbidden {
			t.Fatalf("the demo developer got %d from the console", pg.status)
		}
	})

	t.Run("the demo user, a member, gets neither", func(t *testing.T) {
		email, password := demoCredentials(t, banner, "demo user")
		b := newBrowser(t, base)
		if pg := signIn(t, b, b.get(base+"/apps"), email, password); pg.status != http.StatusForbidden {
			t.Fatalf("the demo user got %d from the portal", pg.status)
		}
		if pg := b.get(base + "/admin"); pg.status != http.StatusForbidden {
			t.Fatalf("the demo user got %d from the console", pg.status)
		}
	})

	// adminSecret is the demo admin's TOTP secret, read off the otpauth
	// URI the banner prints for the admin's email.
	adminSecret := func(t *testing.T) string {
		t.Helper()
		email, _ := demoCredentials(t, banner, "demo admin")
		uri := regexp.MustCompile(`TOTP +(otpauth://\S+)`).FindStringSubmatch(banner)
		if uri == nil {
			t.Fatalf("banner lacks the admin's otpauth URI:\n%s", banner)
		}
		key, err := otp.NewKeyFromURL(uri[1])
		if err != nil || key.AccountName() != email {
			t.Fatalf("otpauth URI %s: account %q, %v; want %s", uri[1], key.AccountName(), err, email)
		}
		return key.Secret()
	}
	t.Run("the demo admin gets the console with the printed second factor", func(t *testing.T) {
		email, password := demoCredentials(t, banner, "demo admin")
		secret := adminSecret(t)
		b := newBrowser(t, base)
		step := signIn(t, b, b.get(base+"/admin"), email, password)
		if step.url.Path != "/login/mfa" {
			t.Fatalf("the password alone led to %d %s, not the second step", step.status, step.url)
		}
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		pg := b.submit(step, map[string]string{"code": code})
		if pg.status != http.StatusOK || !strings.HasPrefix(pg.url.Path, "/admin") {
			t.Fatalf("after the second step: %d %s\n%s", pg.status, pg.url, pg.body)
		}
		if pg = b.get(base + "/admin/users"); pg.status != http.StatusOK || !strings.Contains(pg.body, email) {
			t.Fatalf("console users page: %d\n%s", pg.status, pg.body)
		}
	})

	t.Run("the printed command prints a current code of the secret", func(t *testing.T) {
		secret := adminSecret(t)
		cmd := regexp.MustCompile(`code +go run \./cmd/tokenim-auth (dev totp --secret \S+)`).FindStringSubmatch(banner)
		if cmd == nil || !strings.HasSuffix(cmd[1], " "+secret) {
			t.Fatalf("banner lacks the dev totp command for the printed secret:\n%s", banner)
		}
		r := runCmd(t, nil, "", strings.Fields(cmd[1])...)
		if code := strings.TrimSpace(r.stdout); r.code != 0 || !totp.Validate(code, secret) {
			t.Fatalf("dev totp: exit %d, stdout %q, stderr %q: not a current code", r.code, r.stdout, r.stderr)
		}
	})

	t.Run("the passwords and the TOTP secret never reach the log", func(t *testing.T) {
		l := logs.String()
		for _, label := range []string{"demo user", "demo developer", "demo admin"} {
			if _, password := demoCredentials(t, banner, label); strings.Contains(l, password) {
				t.Fatalf("the password of the %s is in the log", label)
			}
		}
		if strings.Contains(l, adminSecret(t)) {
			t.Fatal("the admin's TOTP secret is in the log")
		}
	})
}

// TestServeDevHonoursTheRolesThatNeedASecondFactor: when the
// configuration requires no second factor of administrators, the demo
// admin gets none, and the console opens with the password alone.
func TestServeDevHonoursTheRolesThatNeedASecondFactor(t *testing.T) {
	t.Parallel()
	base, out, _ := startServe(t, map[string]string{"TOKENIM_ACCOUNTS_MFA_REQUIRED_ROLES": ""}, "--dev", "--listen", "127.0.0.1:0")
	banner := out.String()
	if strings.Contains(banner, "otpauth://") {
		t.Fatalf("banner gives a TOTP secret no role needs:\n%s", banner)
	}
	email, password := demoCredentials(t, banner, "demo admin")
	b := newBrowser(t, base)
	if pg := signIn(t, b, b.get(base+"/admin"), email, password); pg.status != http.StatusOK || !strings.HasPrefix(pg.url.Path, "/admin") {
		t.Fatalf("after signing in: %d %s", pg.status, pg.url)
	}
}

func TestDevTOTP(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXP"
	t.Run("prints a current code of the secret", func(t *testing.T) {
		t.Parallel()
		r := runCmd(t, nil, "", "dev", "totp", "--secret", secret)
		if code := strings.TrimSpace(r.stdout); r.code != 0 || !totp.Validate(code, secret) {
			t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
		}
	})
	for _, tc := range []struct {
		name   string
		args   []string
		stderr string
	}{
		{"a secret that is not base32 exits 2", []string{"dev", "totp", "--secret", "not base32!"}, "not a base32 TOTP secret"},
		{"no secret exits 2", []string{"dev", "totp"}, "--secret is required"},
		{"no subcommand exits 2 naming totp", []string{"dev"}, "missing subcommand; usage: tokenim-auth dev totp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCmd(t, nil, "", tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stderr %q; want exit 2 mentioning %q", r.code, r.stderr, tc.stderr)
			}
		})
	}
}
