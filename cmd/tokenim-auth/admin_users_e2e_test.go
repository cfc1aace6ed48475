package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestAdminAPICreatesAndInvitesUsers: an account the admin API creates
// without a password is pending until its holder follows the mailed
// invitation and chooses one; then they sign in with it. A reset link the
// API has mailed works like the one "forgot password" mails.
func TestAdminAPICreatesAndInvitesUsers(t *testing.T) {
	t.Parallel()
	eachAccountsStore(t, func(t *testing.T, p running, mb *mailbox) {
		ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}
		a := newApp(t, p)
		const email, chosen = "bo@example.com", "bo-chose-this-pass"

		code, body := ops.call("POST", "/admin/api/v1/users", `{"email":"`+email+`","name":"Bo","role":"member"}`)
		if code != http.StatusCreated || body["status"] != "pending" {
			t.Fatalf("create: %d %v", code, body)
		}
		_, subject, text := mb.next(t)
		if !strings.Contains(subject, "account is ready") {
			t.Fatalf("the mail is %q, want the invitation", subject)
		}
		invitation := link(t, text, p.issuer+"/password/reset?")

		b := newBrowser(t, p.issuer, webCallback)
		if pg := signIn(t, b, b.get(a.start(t).url), email, chosen); pg.status != http.StatusUnauthorized {
			t.Fatalf("an invited account signed in before choosing a password: %d %s", pg.status, pg.url)
		}
		if pg := b.submit(b.get(invitation), map[string]string{"password": chosen, "confirm": chosen}); pg.status != http.StatusOK {
			t.Fatalf("choosing the password: %d\n%s", pg.status, pg.body)
		}
		fresh := newBrowser(t, p.issuer, webCallback)
		if pg := signIn(t, fresh, fresh.get(a.start(t).url), email, chosen); pg.status != http.StatusSeeOther && !strings.Contains(pg.url.Path, "/consent") {
			t.Fatalf("signing in with the chosen password: %d %s\n%s", pg.status, pg.url, pg.body)
		}

		id, _ := body["id"].(string)
		if code, body := ops.call("POST", "/admin/api/v1/users/"+id+"/password-reset", ""); code != http.StatusAccepted {
			t.Fatalf("password reset: %d %v", code, body)
		}
		_, subject, text = mb.next(t)
		if !strings.Contains(subject, "Reset your TokenIM password") {
			t.Fatalf("the mail is %q, want the reset", subject)
		}
		reset := link(t, text, p.issuer+"/password/reset?")
		if pg := b.submit(b.get(reset), map[string]string{"password": "bo-new-pass-2", "confirm": "bo-new-pass-2"}); pg.status != http.StatusOK {
			t.Fatalf("resetting the password: %d\n%s", pg.status, pg.body)
		}
	})
}
