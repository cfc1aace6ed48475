package main

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/audit"
)

// TestChromiumPasskeys drives passkeys end to end in a real headless
// Chromium whose tabs each have a virtual authenticator (the DevTools
// WebAuthn domain): a passkey added on the account page, then used to
// sign in to an app without a password (with the button and with the
// email field's autofill), as the second step after a password, to step
// up a password sign-in an app finds too weak, and to open the admin
// console; a copy whose signature counter went back, a passkey used on
// another origin and a removed passkey are refused with the page's
// explanation. The provider's issuer is http://localhost:PORT, a host
// name browsers offer passkeys on over plain http.
//
// The subtests run in order on one provider. Each opens a tab of its own
// (signed out, its authenticator empty) and hands it the credentials the
// user's device holds, as the earlier subtests left them: the signature
// counters go on from tab to tab, as on one device.
func TestChromiumPasskeys(t *testing.T) {
	t.Parallel()
	browser := startChromiumResolving(t, localhostRules)
	p := startLocalhostProvider(t, func(origin string) string {
		return rootUser + `
accounts:
  passkeys:
    rp_id: localhost
    origins: [` + origin + `]
`
	})
	a := newApp(t, p)
	rootSecret := enrolRoot(t, p)
	// phishing relays the provider's pages from another origin: the
	// browser lets its pages use the provider's passkeys (the
	// relying-party ID localhost is the page's host), the provider must
	// not accept what they make. (A subdomain such as app.localhost
	// cannot play it: Chromium allows the relying-party ID localhost on
	// the host localhost only, and refuses the request itself.)
	phishing := relay(t, p)

	// start begins an authorization that shows the consent page even when
	// an earlier subtest remembered the user's consent.
	start := func(t *testing.T, extra ...oauth2.AuthCodeOption) authorization {
		return a.start(t, append([]oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "consent")}, extra...)...)
	}
	// The credentials on Ann's and Root's devices, as the last tab that
	// used them left them.
	var ann, root *webauthn.Credential
	keep := func(b *passkeyTab, c **webauthn.Credential) {
		for _, h := range b.held() {
			if string(h.CredentialID) == string((*c).CredentialID) {
				*c = h
				return
			}
		}
		b.t.Fatal("the authenticator no longer holds the credential")
	}
	// records opens the admin console's records of action in lang as
	// Root, signed in by the passkey the console's sign-in page offers in
	// the email field's autofill, and returns the rows' texts.
	records := func(t *testing.T, lang, action string) []string {
		t.Helper()
		b := newPasskeyTab(t, browser, lang, true)
		b.hold(root)
		path := "/admin/records?" + url.Values{"action": {action}}.Encode()
		b.loadThrough(chromedp.Navigate(p.issuer+path), "/admin/records")
		b.wantPasskeyRequests("conditional")
		if h, want := b.visibleText("h1"), map[string]string{"en": "Authorization records", "zh-CN": "授权记录"}[lang]; h != want {
			t.Fatalf("heading %q on the records page, want %q", h, want)
		}
		rows := b.visibleTexts("table.records tbody tr")
		b.wantNoConsoleErrors()
		keep(b, &root)
		return rows
	}
	// wantRecord checks that the console, in lang, lists one record of
	// action about email, with the outcome's text.
	wantRecord := func(t *testing.T, lang, action, email, outcome string) {
		t.Helper()
		rows := records(t, lang, action)
		n := 0
		for _, r := range rows {
			if strings.Contains(r, action) && strings.Contains(r, email) && strings.Contains(r, outcome) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d %s records about %s (%s), want 1; rows:\n%s", n, action, email, outcome, strings.Join(rows, "\n---\n"))
		}
	}
	// passkeyButton is the sign-in page's "Sign in with a passkey", in
	// the tab's language.
	passkeyButton := func(text string) string {
		return fmt.Sprintf(`//div[@data-passkey="signin"]//button[normalize-space()=%q]`, text)
	}
	// allow consents on the consent page with its button, whose text is
	// allow, and checks what the app then learns: who signed in (email)
	// and how (the ID token's amr, space-separated, and acr).
	allow := func(t *testing.T, b *passkeyTab, z authorization, allow, email, amr, acr string) {
		t.Helper()
		b.wantPath("/consent")
		cb := b.clickAndLeave(fmt.Sprintf(`//button[normalize-space()=%q]`, allow), webCallback)
		in := a.redeem(t, z, cb)
		if got := strings.Join(in.AMR, " "); in.Email != email || got != amr || in.ACR != acr {
			t.Fatalf("the app got %s with amr [%s] and acr %q, want %s with [%s] and %s", in.Email, got, in.ACR, email, amr, acr)
		}
	}

	for _, step := range []struct {
		name string
		lang string
		// autofill is whether the browser offers passkeys in the email
		// field's autofill (noAutofill).
		autofill bool
		run      func(t *testing.T, b *passkeyTab)
	}{
		{"Ann signs in with her password and adds a passkey named Laptop on her account page", "en", false, func(t *testing.T, b *passkeyTab) {
			b.do(chromedp.Navigate(p.issuer + "/login?next=/account"))
			b.signIn(annEmail, annPassword)
			b.wantPath("/account")
			if got := b.visibleTexts("ul.passkeys h3"); len(got) != 0 {
				t.Fatalf("Ann has passkeys %q before adding one", got)
			}
			b.fillLabelled("Name for the new passkey", "Laptop")
			b.clickAndLoad(`//form[@data-passkey="register"]//button[normalize-space()="Add a passkey"]`)
			b.wantPath("/account")
			if s := b.visibleText(`[role="status"]`); s != "Passkey added. You can now sign in with it." {
				t.Fatalf("notice %q after adding a passkey", s)
			}
			if got := b.visibleTexts("ul.passkeys h3"); !slices.Equal(got, []string{"Laptop"}) {
				t.Fatalf("passkeys listed %q, want [Laptop]", got)
			}
			if text := b.visibleText("ul.passkeys li"); !strings.Contains(text, "Kept on one device") || !strings.Contains(text, "Never") {
				t.Fatalf("the new passkey's entry does not say where it is kept and that it was never used:\n%s", text)
			}
			ann = b.only()
			if !ann.IsResidentCredential || ann.RpID != "localhost" || ann.UserName != annEmail {
				t.Fatalf("the authenticator made a credential for %q on %q (discoverable %v), want Ann's on localhost, discoverable", ann.UserName, ann.RpID, ann.IsResidentCredential)
			}
			b.wantNoConsoleErrors()
		}},

		{"Root, an administrator with an authenticator app, adds a passkey on the account page in Chinese", "zh-CN", false, func(t *testing.T, b *passkeyTab) {
			b.do(chromedp.Navigate(p.issuer + "/login?next=/account"))
			b.signIn(rootEmail, rootPassword)
			b.wantPath("/login/mfa")
			b.do(chromedp.SendKeys(chromedp.ID("code"), nextCode(t, rootSecret)))
			b.clickAndLoad(`//form//button[normalize-space()="验证"]`)
			b.wantPath("/account")
			b.wantChinese("账号与安全", map[string]string{"新通行密钥的名称": "passkey-name"})
			b.fillLabelled("新通行密钥的名称", "Security key")
			b.clickAndLoad(`//form[@data-passkey="register"]//button[normalize-space()="添加通行密钥"]`)
			if s := b.visibleText(`[role="status"]`); s != "通行密钥已添加，现在可以用它登录了。" {
				t.Fatalf("notice %q after adding a passkey", s)
			}
			if got := b.visibleTexts("ul.passkeys h3"); !slices.Equal(got, []string{"Security key"}) {
				t.Fatalf("passkeys listed %q, want [Security key]", got)
			}
			root = b.only()
			b.wantNoConsoleErrors()
		}},

		{"the admin console sends Root to sign in, and his passkey opens it; the records show both passkeys added", "en", false, func(t *testing.T, b *passkeyTab) {
			b.do(chromedp.Navigate(p.issuer + "/admin"))
			b.wantPath("/login")
			b.hold(root)
			// The console opens on its records.
			b.loadThrough(chromedp.Click(chromedp.Search(passkeyButton("Sign in with a passkey")), chromedp.NodeVisible), "/admin/records")
			if h := b.visibleText("h1"); h != "Authorization records" {
				t.Fatalf("the console opens on %q", h)
			}
			b.wantNoConsoleErrors()
			keep(b, &root)

			wantRecord(t, "en", audit.PasskeyRegistered, annEmail, "Succeeded")
			wantRecord(t, "en", audit.PasskeyRegistered, rootEmail, "Succeeded")
		}},

		{"signed out, Ann signs in to an app with her passkey without typing her email, in Chinese", "zh-CN", false, func(t *testing.T, b *passkeyTab) {
			z := start(t)
			b.do(chromedp.Navigate(z.url))
			b.wantPath("/login")
			if auto := evaluate[string](b.tab, `document.getElementById("email").autocomplete`); auto != "username webauthn" {
				t.Fatalf(`the email field's autocomplete is %q, want "username webauthn"`, auto)
			}
			b.hold(ann)
			b.clickAndLoad(passkeyButton("使用通行密钥登录"))
			b.wantPath("/consent")
			// The button asked for any passkey: no email was given, the
			// passkey named the account.
			b.wantPasskeyRequests("optional")
			allow(t, b, z, "允许", annEmail, "hwk user pin mfa", "3")
			b.wantNoConsoleErrors()
			keep(b, &ann)
		}},

		{"the sign-in page offers Ann's passkey in the email field's autofill, and taking it signs her in", "en", true, func(t *testing.T, b *passkeyTab) {
			b.hold(ann)
			asserted := chromedp.Events(b.ctx, webauthn.CredentialAsserted)
			z := start(t)
			// The page asks with conditional mediation as it loads; the
			// virtual authenticator takes the offer at once, as a user
			// choosing the passkey under the email field would, and the
			// page goes on to the app without a click.
			b.loadThrough(chromedp.Navigate(z.url), "/consent")
			b.wantPasskeyRequests("conditional")
			ev := next(b.tab, asserted, nil)
			if string(ev.Credential.CredentialID) != string(ann.CredentialID) {
				t.Fatal("the authenticator answered with another credential than Ann's")
			}
			allow(t, b, z, "Allow", annEmail, "hwk user pin mfa", "3")
			b.wantNoConsoleErrors()
			keep(b, &ann)
		}},

		{"Root's second step after his password offers his passkey and the code field, and the passkey signs him in", "en", false, func(t *testing.T, b *passkeyTab) {
			z := start(t)
			b.do(chromedp.Navigate(z.url))
			b.wantPath("/login")
			b.signIn(rootEmail, rootPassword)
			b.wantPath("/login/mfa")
			if lead := b.visibleText("p.lead"); lead != "Use one of your passkeys, or enter the 6-digit code from your authenticator app." {
				t.Fatalf("second step's lead %q", lead)
			}
			if got := b.fieldLabelled("Verification code"); got != "code" {
				t.Fatalf(`the label "Verification code" is for %q, want the code field`, got)
			}
			b.hold(root)
			b.clickAndLoad(`//div[@data-passkey="second"]//button[normalize-space()="Use a passkey"]`)
			allow(t, b, z, "Allow", rootEmail, "pwd hwk user pin mfa", "3")
			b.wantNoConsoleErrors()
			keep(b, &root)
		}},

		{"an app asking for acr_values=2 sends Ann, signed in with her password, to the second step, in Chinese, and her passkey steps her up", "zh-CN", false, func(t *testing.T, b *passkeyTab) {
			z := start(t)
			b.do(chromedp.Navigate(z.url))
			b.wantPath("/login")
			b.signIn(annEmail, annPassword)
			allow(t, b, z, "允许", annEmail, "pwd", "1")

			z = start(t, oauth2.SetAuthURLParam("acr_values", "2"))
			b.do(chromedp.Navigate(z.url))
			b.wantPath("/login/mfa")
			b.wantChinese("两步验证", nil)
			if evaluate[bool](b.tab, `document.getElementById("password") !== null`) {
				t.Fatal("the step-up asks for the password again")
			}
			if lead := b.visibleText("p.lead"); lead != "请使用您的通行密钥确认身份。" {
				t.Fatalf("second step's lead %q", lead)
			}
			b.hold(ann)
			b.clickAndLoad(`//div[@data-passkey="second"]//button[normalize-space()="使用通行密钥"]`)
			allow(t, b, z, "允许", annEmail, "pwd hwk user pin mfa", "3")
			b.wantNoConsoleErrors()
			keep(b, &ann)
		}},

		{"a copy of Ann's passkey whose signature counter went back is refused, in Chinese, and recorded", "zh-CN", false, func(t *testing.T, b *passkeyTab) {
			b.do(chromedp.Navigate(p.issuer + "/login"))
			clone := *ann
			clone.SignCount = 0
			b.hold(&clone)
			b.do(chromedp.Click(chromedp.Search(passkeyButton("使用通行密钥登录")), chromedp.NodeVisible))
			if msg := b.passkeyError(); msg != "该通行密钥已被拒绝：它疑似原密钥的副本。请改用其他方式登录，然后在账号页面检查您的通行密钥。" {
				t.Fatalf("error %q", msg)
			}
			b.wantPath("/login")
			b.wantNoConsoleErrorsBut("/login/passkey")
			b.do(chromedp.Navigate(p.issuer + "/account"))
			b.wantPath("/login")
			wantRecord(t, "zh-CN", audit.PasskeyCloned, annEmail, "失败")
		}},

		{"Ann's passkey used on the provider's sign-in page relayed from another origin is refused", "en", false, func(t *testing.T, b *passkeyTab) {
			b.do(chromedp.Navigate(phishing + "/login"))
			b.hold(ann)
			asserted := chromedp.Events(b.ctx, webauthn.CredentialAsserted)
			b.do(chromedp.Click(chromedp.Search(passkeyButton("Sign in with a passkey")), chromedp.NodeVisible))
			// The browser made the assertion: the relying-party ID
			// localhost is valid on the relaying page. The provider
			// refuses what was made on an origin it does not serve.
			next(b.tab, asserted, nil)
			if msg := b.passkeyError(); msg != "This passkey was used on a page that is not TokenIM's sign-in page, so it was refused. Check the address bar and sign in from TokenIM's own page." {
				t.Fatalf("error %q", msg)
			}
			b.wantNoConsoleErrorsBut("/login/passkey")
			keep(b, &ann)
			b.do(chromedp.Navigate(p.issuer + "/account"))
			b.wantPath("/login")
		}},

		{"Ann removes her passkey after a fresh sign-in, confirming in Chinese; it is recorded, and it no longer signs in", "en", false, func(t *testing.T, b *passkeyTab) {
			b.do(chromedp.Navigate(p.issuer + "/login?next=/account"))
			b.signIn(annEmail, annPassword)
			b.wantPath("/account")
			b.clickAndLoad(`//ul[@class="passkeys"]//a[normalize-space()="Remove"]`)
			if h := b.visibleText("h1"); h != "Remove the passkey “Laptop”?" {
				t.Fatalf("confirmation heading %q", h)
			}
			if w := b.visibleText("p.warning"); w != "This is your only passkey. Once it is removed, you will sign in with your password." {
				t.Fatalf("confirmation warning %q", w)
			}
			// The same step in Chinese, where Ann confirms.
			b.language("zh-CN")
			b.load(chromedp.Reload())
			if lang, h := b.lang(), b.visibleText("h1"); lang != "zh-CN" || h != "移除通行密钥“Laptop”？" {
				t.Fatalf(`<html lang=%q> heading %q, want "zh-CN" and 移除通行密钥“Laptop”？`, lang, h)
			}
			b.clickAndLoad(`//form//button[normalize-space()="移除"]`)
			if s := b.visibleText(`[role="status"]`); s != "通行密钥已移除，无法再用它登录您的账号。" {
				t.Fatalf("notice %q after removing the passkey", s)
			}
			if got := b.visibleTexts("ul.passkeys h3"); len(got) != 0 {
				t.Fatalf("passkeys still listed: %q", got)
			}
			b.wantNoConsoleErrors()
			wantRecord(t, "en", audit.PasskeyRemoved, annEmail, "Succeeded")

			t.Run("signing in with it shows that it is not registered", func(t *testing.T) {
				b := newPasskeyTab(t, browser, "en", false)
				b.do(chromedp.Navigate(p.issuer + "/login"))
				b.hold(ann)
				b.do(chromedp.Click(chromedp.Search(passkeyButton("Sign in with a passkey")), chromedp.NodeVisible))
				if msg := b.passkeyError(); msg != "This passkey is not registered to a TokenIM account (it may have been removed). Sign in another way." {
					t.Fatalf("error %q", msg)
				}
				b.wantPath("/login")
				b.wantNoConsoleErrorsBut("/login/passkey")
			})
		}},
	} {
		if !t.Run(step.name, func(t *testing.T) { step.run(t, newPasskeyTab(t, browser, step.lang, step.autofill)) }) {
			return
		}
	}
}
