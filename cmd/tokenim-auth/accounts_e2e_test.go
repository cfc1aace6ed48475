package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// accountsProvider starts a provider with registration on, mail to a real
// SMTP server in the test, and a tight throttle.
func accountsProvider(t *testing.T, dbURL string) (running, *mailbox) {
	t.Helper()
	mb := newMailbox(t)
	host, port, _ := strings.Cut(mb.addr, ":")
	p := startProviderWith(t, dbURL, `
accounts:
  registration: true
throttle:
  account: {free: 3, base: 30s, max: 5m, forget_after: 1h}
  registration: {free: 3, base: 1m, max: 1h, forget_after: 24h}
mail:
  smtp: {host: `+host+`, port: `+port+`, security: none}
`)
	return p, mb
}

// eachAccountsStore runs fn against an accountsProvider on the memory
// store and on Postgres, in parallel.
func eachAccountsStore(t *testing.T, fn func(t *testing.T, p running, mb *mailbox)) {
	t.Run("memory", func(t *testing.T) { t.Parallel(); p, mb := accountsProvider(t, "memory"); fn(t, p, mb) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); p, mb := accountsProvider(t, pgtest.MigratedURL(t)); fn(t, p, mb) })
}

func TestRegistrationAndActivation(t *testing.T) {
	t.Parallel()
	eachAccountsStore(t, func(t *testing.T, p running, mb *mailbox) {
		a := newApp(t, p)
		b := newBrowser(t, p.issuer, webCallback)
		z := a.start(t)
		loginPage := b.get(z.url)
		reg := b.get(p.issuer + "/register?flow=" + loginPage.url.Query().Get("flow"))
		if reg.status != http.StatusOK {
			t.Fatalf("registration page: %d", reg.status)
		}
		done := b.submit(reg, map[string]string{"email": "dana@example.com", "name": "Dana", "password": "violet-harbour-42"})
		if done.status != http.StatusOK || !strings.Contains(done.body, "dana@example.com") {
			t.Fatalf("after registering: %d\n%s", done.status, done.body)
		}
		to, subject, text := mb.next(t)
		if !strings.Contains(to, "dana@example.com") || subject == "" {
			t.Fatalf("activation mail to %q subject %q", to, subject)
		}
		activation := link(t, text, p.issuer+"/activate?")

		t.Run("a pending account cannot sign in and is offered a new link", func(t *testing.T) {
			pg := signIn(t, b, b.get(z.url), "dana@example.com", "violet-harbour-42")
			if pg.status != http.StatusForbidden || !strings.Contains(pg.body, `action="/activate/resend"`) {
				t.Fatalf("got %d, want 403 with a resend form", pg.status)
			}
		})
		t.Run("registering the same email again is answered as a new one, and its owner told by mail", func(t *testing.T) {
			pg := b.submit(b.get(p.issuer+"/register"), map[string]string{"email": "DANA@example.com", "name": "D", "password": "violet-harbour-43"})
			if pg.status != http.StatusOK || !strings.Contains(pg.body, "We sent an activation link to DANA@example.com") {
				t.Fatalf("got %d, want the check-your-email page:\n%s", pg.status, pg.body)
			}
			to, _, text := mb.next(t)
			if !strings.Contains(to, "dana@example.com") || !strings.Contains(text, "Someone tried to create a new TokenIM account") {
				t.Fatalf("mail to %q:\n%s", to, text)
			}
			link(t, text, p.issuer+"/password/reset?")
		})
		t.Run("a common password is refused at registration", func(t *testing.T) {
			pg := b.submit(b.get(p.issuer+"/register"), map[string]string{"email": "erin@example.com", "name": "E", "password": "password123"})
			if pg.status != http.StatusBadRequest {
				t.Fatalf("got %d, want 400", pg.status)
			}
			mb.none(t)
		})
		t.Run("the link from the mail activates the account with a press, once", func(t *testing.T) {
			opened := b.get(activation)
			if opened.status != http.StatusOK || !strings.Contains(opened.body, `action="/activate"`) {
				t.Fatalf("activation page: %d\n%s", opened.status, opened.body)
			}
			if pg := b.submit(opened, nil); pg.status != http.StatusOK || !strings.Contains(pg.body, "Your account is active.") {
				t.Fatalf("activation: %d\n%s", pg.status, pg.body)
			}
			if again := b.get(activation); again.status != http.StatusBadRequest {
				t.Fatalf("second use of the link: %d, want 400", again.status)
			}
		})
		t.Run("the activated account signs in through the app", func(t *testing.T) {
			pg := signIn(t, b, b.get(a.start(t).url), "dana@example.com", "violet-harbour-42")
			if !strings.Contains(pg.url.Path, "/consent") {
				t.Fatalf("after signing in: %d %s", pg.status, pg.url)
			}
		})
		t.Run("an address that created its free accounts must wait", func(t *testing.T) {
			// Dana's and the second with her address were the first two of
			// three free registrations.
			if pg := b.submit(b.get(p.issuer+"/register"), map[string]string{"email": "frank@example.com", "name": "Frank", "password": "amber-lantern-77"}); pg.status != http.StatusOK {
				t.Fatalf("the second registration: %d", pg.status)
			}
			mb.next(t)
			pg := b.submit(b.get(p.issuer+"/register"), map[string]string{"email": "gina@example.com", "name": "Gina", "password": "amber-lantern-78"})
			if pg.status != http.StatusTooManyRequests || !strings.Contains(pg.body, "Too many accounts were created from your network") {
				t.Fatalf("the third registration: %d\n%s", pg.status, pg.body)
			}
			other := newBrowser(t, p.issuer, webCallback)
			if pg := signIn(t, other, other.get(a.start(t).url), "gina@example.com", "amber-lantern-78"); pg.status != http.StatusUnauthorized {
				t.Fatalf("the refused registration left an account: %d %s", pg.status, pg.url)
			}
		})
	})
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	eachAccountsStore(t, func(t *testing.T, p running, mb *mailbox) {
		a := newApp(t, p)
		other := newBrowser(t, p.issuer, webCallback)
		a.loginOn(t, other, p) // signed in elsewhere
		b := newBrowser(t, p.issuer, webCallback)

		t.Run("the answer does not tell whether the email exists", func(t *testing.T) {
			known := b.submit(b.get(p.issuer+"/password/forgot"), map[string]string{"email": annEmail})
			unknown := b.submit(b.get(p.issuer+"/password/forgot"), map[string]string{"email": "nobody@example.com"})
			norm := func(s string) string {
				return regexp.MustCompile(`value="[^"]*"|[a-z]+@example\.com`).ReplaceAllString(s, "")
			}
			if known.status != unknown.status || norm(known.body) != norm(unknown.body) {
				t.Fatalf("known %d and unknown %d emails get different answers", known.status, unknown.status)
			}
		})
		_, _, text := mb.next(t)
		reset := link(t, text, p.issuer+"/password/reset?")
		mb.none(t) // nothing was sent for the unknown address

		t.Run("opening the link does not use it; setting a password does", func(t *testing.T) {
			form := b.get(reset)
			if form.status != http.StatusOK {
				t.Fatalf("reset page: %d", form.status)
			}
			if pg := b.submit(form, map[string]string{"password": "new-secret-pass-1", "confirm": "typo"}); pg.status != http.StatusBadRequest {
				t.Fatalf("mismatched passwords: %d", pg.status)
			}
			if pg := b.submit(b.get(reset), map[string]string{"password": "new-secret-pass-1", "confirm": "new-secret-pass-1"}); pg.status != http.StatusOK {
				t.Fatalf("reset: %d\n%s", pg.status, pg.body)
			}
			if pg := b.submit(form, map[string]string{"password": "new-secret-pass-2", "confirm": "new-secret-pass-2"}); pg.status != http.StatusBadRequest {
				t.Fatalf("a used link worked again: %d", pg.status)
			}
			if pg := b.get(reset); pg.status != http.StatusBadRequest || strings.Contains(pg.body, `name="password"`) {
				t.Fatalf("a used link opens %d, want 400 without the form", pg.status)
			}
		})
		t.Run("the old password is refused and the new one works", func(t *testing.T) {
			fresh := newBrowser(t, p.issuer, webCallback)
			if pg := signIn(t, fresh, fresh.get(a.start(t).url), annEmail, annPassword); pg.status != http.StatusUnauthorized {
				t.Fatalf("old password: %d", pg.status)
			}
			pg := signIn(t, fresh, fresh.get(a.start(t).url), annEmail, "new-secret-pass-1")
			if pg.status != http.StatusSeeOther && !strings.Contains(pg.url.Path, "/consent") {
				t.Fatalf("new password: %d %s", pg.status, pg.url)
			}
		})
		t.Run("the other browser was signed out", func(t *testing.T) {
			pg := other.get(a.start(t).url)
			if !strings.Contains(pg.url.Path, "/login") {
				t.Fatalf("the other browser is still signed in: %s", pg.url)
			}
		})
	})
}

func TestBruteForce(t *testing.T) {
	t.Parallel()
	eachAccountsStore(t, func(t *testing.T, p running, _ *mailbox) {
		a := newApp(t, p)
		attempt := func(b *browser, email, pw string) page {
			return signIn(t, b, b.get(a.start(t).url), email, pw)
		}
		known, unknown := newBrowser(t, p.issuer, webCallback), newBrowser(t, p.issuer, webCallback)
		var knownStatuses, unknownStatuses []int
		for range 5 {
			knownStatuses = append(knownStatuses, attempt(known, annEmail, "wrong-guess-1").status)
			unknownStatuses = append(unknownStatuses, attempt(unknown, "ghost@example.com", "wrong-guess-1").status)
		}
		t.Run("past the free failures attempts are refused with a wait", func(t *testing.T) {
			want := []int{401, 401, 401, 429, 429}
			for i := range want {
				if knownStatuses[i] != want[i] {
					t.Fatalf("statuses %v, want %v", knownStatuses, want)
				}
			}
			pg := attempt(known, annEmail, "wrong-guess-2")
			if !regexp.MustCompile(`\d+`).MatchString(pg.body) || pg.status != http.StatusTooManyRequests {
				t.Fatalf("throttled answer: %d", pg.status)
			}
		})
		t.Run("the right password is refused during the wait", func(t *testing.T) {
			if pg := attempt(known, annEmail, annPassword); pg.status != http.StatusTooManyRequests {
				t.Fatalf("right password during the wait: %d", pg.status)
			}
		})
		t.Run("known and unknown emails are indistinguishable", func(t *testing.T) {
			for i := range knownStatuses {
				if knownStatuses[i] != unknownStatuses[i] {
					t.Fatalf("known %v, unknown %v", knownStatuses, unknownStatuses)
				}
			}
		})
	})
}

func TestTwoFactorSignIn(t *testing.T) {
	t.Parallel()
	eachAccountsStore(t, func(t *testing.T, p running, _ *mailbox) {
		a := newApp(t, p)
		b := newBrowser(t, p.issuer, webCallback)
		a.loginOn(t, b, p)

		// Enrol from the account page, with a code computed from the
		// secret shown on it, as an authenticator app would (what the
		// enrolment pages show is provider/account's own tests).
		acct := b.get(p.issuer + "/account")
		if acct.status != http.StatusOK {
			t.Fatalf("account page: %d", acct.status)
		}
		enrol := b.submitTo(acct, "/account/mfa/enrol", nil)
		m := regexp.MustCompile(`<p class="secret"><code>([A-Z2-7 ]+)</code>`).FindStringSubmatch(enrol.body)
		if m == nil || !strings.Contains(enrol.body, `src="data:image/png;base64,`) {
			t.Fatalf("no secret or QR code on the enrolment page:\n%s", enrol.body)
		}
		secret := strings.ReplaceAll(m[1], " ", "")
		code, _ := totp.GenerateCode(secret, time.Now())
		done := b.submitTo(enrol, "/account/mfa/confirm", map[string]string{"code": code})
		codes := regexp.MustCompile(`<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})</code></li>`).FindAllStringSubmatch(done.body, -1)
		if done.status != http.StatusOK || len(codes) != 10 {
			t.Fatalf("confirm: %d with %d recovery codes", done.status, len(codes))
		}

		// A code of the next time step: the current one was used to enrol.
		next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
		t.Run("sign-in asks for the code after the password, and the ID token says so", func(t *testing.T) {
			fresh := newBrowser(t, p.issuer, webCallback)
			z := a.start(t)
			pg := signIn(t, fresh, fresh.get(z.url), annEmail, annPassword)
			if !strings.Contains(pg.url.Path, "/login/mfa") {
				t.Fatalf("after the password: %s", pg.url)
			}
			pg = fresh.submit(pg, map[string]string{"code": next})
			cb := callback(t, complete(t, fresh, pg), p.issuer)
			tok, err := a.conf.Exchange(t.Context(), cb.Get("code"), oauth2.VerifierOption(z.verifier))
			if err != nil {
				t.Fatal(err)
			}
			id, err := a.verifier.Verify(t.Context(), tok.Extra("id_token").(string))
			if err != nil {
				t.Fatal(err)
			}
			var claims struct {
				AMR []string `json:"amr"`
				ACR string   `json:"acr"`
			}
			_ = id.Claims(&claims)
			if strings.Join(claims.AMR, " ") != "pwd otp mfa" || claims.ACR != "2" {
				t.Fatalf("amr %v acr %q, want [pwd otp mfa] and 2", claims.AMR, claims.ACR)
			}
		})
		t.Run("a code already used is refused", func(t *testing.T) {
			fresh := newBrowser(t, p.issuer, webCallback)
			pg := signIn(t, fresh, fresh.get(a.start(t).url), annEmail, annPassword)
			if pg = fresh.submit(pg, map[string]string{"code": next}); pg.status != http.StatusUnauthorized {
				t.Fatalf("replayed code: %d", pg.status)
			}
		})
		t.Run("a recovery code works once", func(t *testing.T) {
			use := func() page {
				fresh := newBrowser(t, p.issuer, webCallback)
				pg := signIn(t, fresh, fresh.get(a.start(t).url), annEmail, annPassword)
				return fresh.submit(fresh.get(p.issuer+"/login/mfa?recovery=1&flow="+pg.url.Query().Get("flow")), map[string]string{"recovery_code": strings.ToLower(codes[1][1])})
			}
			if pg := use(); pg.status == http.StatusUnauthorized {
				t.Fatalf("first use of a recovery code refused")
			}
			if pg := use(); pg.status != http.StatusUnauthorized {
				t.Fatalf("second use of a recovery code: %d", pg.status)
			}
		})
		t.Run("an app asking for a second factor gets one", func(t *testing.T) {
			// b signed in with a password only before enrolling.
			z := a.start(t, oauth2.SetAuthURLParam("acr_values", "2"))
			pg := b.get(z.url)
			if !strings.Contains(pg.url.Path, "/login") {
				t.Fatalf("acr_values=2 on a password-only session: %s", pg.url)
			}
		})
	})
}

// startProviderWith is startProvider with more configuration appended.
func startProviderWith(t *testing.T, dbURL, extra string) running {
	t.Helper()
	return startProviderConfig(t, dbURL, extra)
}

func TestRoleRequiresTwoFactor(t *testing.T) {
	t.Parallel()
	// Every member must use a second factor here; Ann is a member.
	p := startProviderWith(t, "memory", `
accounts:
  mfa_required_roles: [member]
`)
	a := newApp(t, p)
	b := newBrowser(t, p.issuer, webCallback)
	z := a.start(t)
	pg := signIn(t, b, b.get(z.url), annEmail, annPassword)
	t.Run("a user of the role without a second factor is sent to set one up", func(t *testing.T) {
		if pg.url.Path != "/account" || !strings.Contains(pg.body, `role="alert"`) || !strings.Contains(pg.body, `action="/account/mfa/enrol"`) {
			t.Fatalf("after the password: %d %s", pg.status, pg.url)
		}
	})
	enrol := b.submitTo(pg, "/account/mfa/enrol", nil)
	secret := strings.ReplaceAll(regexp.MustCompile(`<p class="secret"><code>([A-Z2-7 ]+)</code>`).FindStringSubmatch(enrol.body)[1], " ", "")
	code, _ := totp.GenerateCode(secret, time.Now())
	if done := b.submitTo(enrol, "/account/mfa/confirm", map[string]string{"code": code}); done.status != http.StatusOK {
		t.Fatalf("confirm: %d", done.status)
	}
	t.Run("once set up, the app's sign-in asks for the code", func(t *testing.T) {
		z := a.start(t)
		pg := b.get(z.url)
		if !strings.Contains(pg.url.Path, "/login") {
			t.Fatalf("a password-only session authorized the app: %s", pg.url)
		}
		pg = signIn(t, b, pg, annEmail, annPassword)
		if !strings.Contains(pg.url.Path, "/login/mfa") {
			t.Fatalf("after the password: %s", pg.url)
		}
		next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
		cb := callback(t, complete(t, b, b.submit(pg, map[string]string{"code": next})), p.issuer)
		if cb.Get("code") == "" {
			t.Fatalf("callback %v", cb)
		}
	})
}
