package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"
)

// TestChromiumAccountPages drives the account pages in a real headless
// Chromium: registration and activation, setting up two-step verification
// on the account page (the QR code under the page's Content-Security-
// Policy), the second sign-in step, the pages in Chinese and the focus
// order of the registration form.
//
// The subtests run in order on one provider: the second sign-in step and
// the Chinese second-step page are subtests of the set-up, which turns
// two-step verification on for Ann.
func TestChromiumAccountPages(t *testing.T) {
	t.Parallel()
	browser := startChromium(t)
	p, mb := accountsProvider(t, "memory")
	a := newApp(t, p)
	// start begins an authorization that shows the consent page even when
	// an earlier subtest remembered the user's consent.
	start := func(t *testing.T) authorization {
		return a.start(t, oauth2.SetAuthURLParam("prompt", "consent"))
	}

	const (
		danaEmail    = "dana.browser@example.com"
		danaName     = "Dana Browser"
		danaPassword = "violet-harbour-42"
	)
	// toMFA signs Ann in through an app and stops at the second step.
	toMFA := func(t *testing.T, b *tab) authorization {
		t.Helper()
		z := start(t)
		b.do(chromedp.Navigate(z.url))
		b.wantPath("/login")
		b.signIn(annEmail, annPassword)
		b.wantPath("/login/mfa")
		return z
	}

	// secondStep signs Ann in through an app with a code of the next
	// time step of her TOTP secret, looking at the second step's forms
	// on the way.
	secondStep := func(t *testing.T, b *tab, secret string) {
		t.Helper()
		z := toMFA(t, b)
		if h := b.visibleText("h1"); h != "Two-step verification" {
			t.Fatalf("heading %q", h)
		}
		if got := b.fieldLabelled("Verification code"); got != "code" {
			t.Fatalf(`the label "Verification code" is for %q, want the code field`, got)
		}

		b.clickAndLoad(`//a[normalize-space()="Use a recovery code instead"]`)
		b.wantPath("/login/mfa")
		if got := b.fieldLabelled("Recovery code"); got != "recovery_code" {
			t.Fatalf(`after "Use a recovery code instead" the label "Recovery code" is for %q, want the recovery code field`, got)
		}
		if evaluate[bool](b, `document.getElementById("code") !== null`) {
			t.Fatal("the recovery-code form still has the app-code field")
		}
		b.clickAndLoad(`//a[normalize-space()="Use your authenticator app instead"]`)
		b.wantPath("/login/mfa")
		if got := b.fieldLabelled("Verification code"); got != "code" {
			t.Fatalf(`back on the app-code form the label "Verification code" is for %q`, got)
		}

		// The current step was spent turning two-step verification on.
		code, err := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.SendKeys(chromedp.ID("code"), code))
		b.clickAndLoad(`//form//button[normalize-space()="Verify"]`)
		b.wantPath("/consent")

		cb := b.clickAndLeave(`//button[normalize-space()="Allow"]`, webCallback)
		q := cb.Query()
		if q.Get("code") == "" || q.Get("state") != z.state {
			t.Fatalf("callback %s: want a code and state %q", cb, z.state)
		}
		tok, err := a.conf.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(z.verifier))
		if err != nil {
			t.Fatalf("exchanging the code the browser brought back: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		id, err := a.verifier.Verify(t.Context(), raw)
		if err != nil {
			t.Fatal(err)
		}
		var claims struct {
			AMR []string `json:"amr"`
			ACR string   `json:"acr"`
		}
		if err := id.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		if strings.Join(claims.AMR, " ") != "pwd otp mfa" || claims.ACR != "2" {
			t.Fatalf("amr %v acr %q, want [pwd otp mfa] and 2", claims.AMR, claims.ACR)
		}
		b.wantNoConsoleErrors()
	}

	for _, tc := range []struct {
		name string
		// lang is the tab's Accept-Language.
		lang string
		run  func(t *testing.T, b *tab)
	}{
		{"a visitor registers, activates the account from the mail and signs in to an app", "en", func(t *testing.T, b *tab) {
			b.do(chromedp.Navigate(p.issuer + "/register"))
			b.wantPath("/register")
			if lang := b.lang(); lang != "en" {
				t.Fatalf(`<html lang=%q>, want "en"`, lang)
			}
			if h := b.visibleText("h1"); h != "Create your TokenIM account" {
				t.Fatalf("heading %q", h)
			}
			b.fillLabelled("Email", danaEmail)
			b.fillLabelled("Display name", danaName)
			b.fillLabelled("Password", danaPassword)
			resp := b.clickAndLoad(`//form//button[normalize-space()="Create account"]`)
			if resp.Status != 200 {
				t.Fatalf("registering answered %d", resp.Status)
			}
			if h := b.visibleText("h1"); h != "Check your email" {
				t.Fatalf("after registering the heading is %q, want the check-your-email page", h)
			}
			if text := b.visibleText("main"); !strings.Contains(text, danaEmail) {
				t.Fatalf("the check-your-email page does not name %s:\n%s", danaEmail, text)
			}

			to, subject, text := mb.next(t)
			if !strings.Contains(to, danaEmail) || subject == "" {
				t.Fatalf("activation mail to %q with subject %q", to, subject)
			}
			b.do(chromedp.Navigate(link(t, text, p.issuer+"/activate?")))
			b.wantPath("/activate")
			if h := b.visibleText("h1"); h != "Activate your account" {
				t.Fatalf("the activation link opens %q, want the page with the button", h)
			}
			b.clickAndLoad(`//form//button[normalize-space()="Activate account"]`)
			b.wantPath("/activate")
			if text := b.visibleText("main"); !strings.Contains(text, "Your account is active.") {
				t.Fatalf("the activation page does not say the account is active:\n%s", text)
			}
			b.wantNoConsoleErrors()

			b.do(chromedp.Navigate(start(t).url))
			b.wantPath("/login")
			b.signIn(danaEmail, danaPassword)
			b.wantPath("/consent")
			if h := b.visibleText("h1"); !strings.Contains(h, "TokenIM Chat Web") {
				t.Fatalf("consent heading %q does not name the app", h)
			}
			b.wantNoConsoleErrors()
		}},

		{"Ann sets up two-step verification from the QR code page and sees ten recovery codes once, then signs in with it", "en", func(t *testing.T, b *tab) {
			b.do(chromedp.Navigate(p.issuer + "/login?next=/account"))
			b.wantPath("/login")
			b.signIn(annEmail, annPassword)
			b.wantPath("/account")
			b.do(chromedp.Navigate(p.issuer + "/account"))
			b.wantPath("/account")
			if text := b.visibleText("main"); !strings.Contains(text, annEmail) {
				t.Fatalf("the account page does not show %s:\n%s", annEmail, text)
			}

			b.clickAndLoad(`//form//button[normalize-space()="Set up two-step verification"]`)
			b.wantPath("/account/mfa/enrol")
			img := b.qrImage()
			if !strings.HasPrefix(img.Src, "data:image/png;base64,") {
				t.Fatalf("QR code src %.60q…, want a data:image/png;base64 URI", img.Src)
			}
			if !img.Complete || img.NaturalWidth == 0 || img.NaturalWidth != img.NaturalHeight || !img.Shown {
				t.Fatalf("the QR code did not render: %+v", img)
			}
			if img.Alt == "" {
				t.Fatal("the QR code has no alt text")
			}
			grouped := b.visibleText("p.secret code")
			secretText := strings.ReplaceAll(grouped, " ", "")
			if !regexp.MustCompile(`^[A-Z2-7]{16,}$`).MatchString(secretText) {
				t.Fatalf("the secret shown as text is %q, want base32", grouped)
			}

			code, err := totp.GenerateCode(secretText, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			b.fillLabelled("6-digit code from the app", code)
			b.clickAndLoad(`//form//button[normalize-space()="Turn on"]`)
			b.wantPath("/account/mfa/confirm")
			if s := b.visibleText(`[role="status"]`); s != "Two-step verification is on." {
				t.Fatalf("status %q after turning two-step verification on", s)
			}
			codes := b.visibleTexts("ul.codes li")
			format := regexp.MustCompile(`^[0-9A-Z]{5}-[0-9A-Z]{5}$`)
			if len(codes) != 10 {
				t.Fatalf("%d recovery codes shown, want 10: %q", len(codes), codes)
			}
			for _, c := range codes {
				if !format.MatchString(c) {
					t.Fatalf("recovery code %q is not XXXXX-XXXXX", c)
				}
			}
			if u := slices.Compact(slices.Sorted(slices.Values(codes))); len(u) != len(codes) {
				t.Fatalf("recovery codes repeat: %q", codes)
			}

			b.do(chromedp.Navigate(p.issuer + "/account"))
			b.wantPath("/account")
			if n := len(b.visibleTexts("ul.codes li")); n != 0 {
				t.Fatalf("the account page shows %d recovery codes again", n)
			}
			text := b.visibleText("main")
			for _, c := range codes {
				if strings.Contains(text, c) {
					t.Fatalf("recovery code %s is shown a second time", c)
				}
			}
			if !strings.Contains(text, "Two-step verification is on.") {
				t.Fatalf("the account page does not say two-step verification is on:\n%s", text)
			}
			b.wantNoConsoleErrors()

			// With two-step verification on:
			t.Run("the second sign-in step takes a code of the next time step and offers a recovery code instead", func(t *testing.T) {
				secondStep(t, newTab(t, browser, "en"), secretText)
			})
			t.Run("with Accept-Language zh-CN the second-step page is in Chinese", func(t *testing.T) {
				b := newTab(t, browser, "zh-CN")
				toMFA(t, b)
				b.wantChinese("两步验证", map[string]string{"验证码": "code"})
				if got := b.visibleTexts("p.links a"); !slices.Equal(got, []string{"改用恢复码"}) {
					t.Fatalf("recovery link %q, want 改用恢复码", got)
				}
				b.wantNoConsoleErrors()
			})
		}},

		{"with Accept-Language zh-CN the registration and forgotten-password pages are in Chinese", "zh-CN", func(t *testing.T, b *tab) {
			for _, pg := range []struct {
				path, heading string
				labels        map[string]string
			}{
				{"/register", "创建", map[string]string{"邮箱": "email", "昵称": "name", "密码": "password"}},
				{"/password/forgot", "重置密码", map[string]string{"邮箱": "email"}},
			} {
				b.do(chromedp.Navigate(p.issuer + pg.path))
				b.wantPath(pg.path)
				b.wantChinese(pg.heading, pg.labels)
			}
			b.wantNoConsoleErrors()
		}},

		{"on the registration page Tab moves from the skip link and the language switcher to email to name to password to the button", "en", func(t *testing.T, b *tab) {
			b.do(chromedp.Navigate(p.issuer + "/register"))
			b.wantPath("/register")
			for _, want := range []string{"a", "a", "input#email", "input#name", "input#password", "button[type=submit]"} {
				b.do(chromedp.KeyEvent("\t"))
				if got := b.focused(); got != want {
					t.Fatalf("after Tab the focus is on %s, want %s", got, want)
				}
			}
		}},
	} {
		// Each case is a sequence of pages (registering, activating and
		// signing in hash passwords twice): its tab's bound is theirs
		// together, with room for a loaded CI machine (the whole suite
		// under the race detector on two cores).
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newTabWithin(t, browser, tc.lang, 3*tabTimeout)) })
	}
}

// lang returns the page's <html lang>.
func (b *tab) lang() string {
	b.t.Helper()
	return evaluate[string](b, `document.documentElement.lang`)
}

// fillLabelled types text into the field the label with this text is
// for; the test fails if no label names a field.
func (b *tab) fillLabelled(label, text string) {
	b.t.Helper()
	id := b.fieldLabelled(label)
	if id == "" {
		b.t.Fatalf("no field labelled %q on %s", label, b.location())
	}
	b.do(chromedp.SendKeys(chromedp.ID(id), text))
}

// wantNoConsoleErrors checks that no page of the tab so far reported an
// error, an exception or a Content-Security-Policy violation.
func (b *tab) wantNoConsoleErrors() {
	b.t.Helper()
	if msgs := b.consoleErrors(); len(msgs) > 0 {
		b.t.Fatalf("the pages reported errors (now at %s):\n%s", b.location(), strings.Join(msgs, "\n"))
	}
}

// wantChinese checks that the page is marked and written in Simplified
// Chinese: <html lang="zh-CN">, a Chinese heading containing heading, and
// each label, in Chinese, naming its field.
func (b *tab) wantChinese(heading string, labels map[string]string) {
	b.t.Helper()
	if lang := b.lang(); lang != "zh-CN" {
		b.t.Fatalf(`%s: <html lang=%q>, want "zh-CN"`, b.location(), lang)
	}
	h := b.visibleText("h1")
	if !strings.Contains(h, heading) || strings.ContainsFunc(strings.ReplaceAll(h, "TokenIM", ""), func(r rune) bool { return r < unicode.MaxASCII && unicode.IsLetter(r) }) {
		b.t.Fatalf("%s: heading %q, want a Chinese heading with %q", b.location(), h, heading)
	}
	for label, id := range labels {
		if got := b.fieldLabelled(label); got != id {
			b.t.Fatalf("%s: the label %q is for %q, want %q", b.location(), label, got, id)
		}
	}
}

// renderedImage is what the browser made of an <img>.
type renderedImage struct {
	Src           string `json:"src"`
	Alt           string `json:"alt"`
	Complete      bool   `json:"complete"`
	NaturalWidth  int    `json:"naturalWidth"`
	NaturalHeight int    `json:"naturalHeight"`
	// Shown is whether the image takes up room on the page.
	Shown bool `json:"shown"`
}

// qrImage waits for the enrolment page's QR code image to load, or fail
// to, and returns what the browser made of it. An image the page's
// Content-Security-Policy blocks has no natural size.
func (b *tab) qrImage() renderedImage {
	b.t.Helper()
	img, err := chromedp.Run(b.ctx, chromedp.Evaluate[*renderedImage](`(async () => {
		const img = document.querySelector("p.qr img");
		if (!img) return null;
		try { await img.decode(); } catch {}
		const r = img.getBoundingClientRect();
		return {
			src: img.getAttribute("src") ?? "", alt: img.alt, complete: img.complete,
			naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
			shown: r.width > 0 && r.height > 0 && img.checkVisibility(),
		};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatal(err)
	}
	if img == nil {
		b.t.Fatalf("no QR code image on %s", b.location())
	}
	return *img
}
