package main

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// TestChromiumLayout drives what every page shares in a real headless
// Chromium on a phone's width (390 px): the header wraps rather than
// scrolling sideways, the language switcher changes the page's language
// and comes back to it, and the skip link takes the keyboard past the
// header to the page.
func TestChromiumLayout(t *testing.T) {
	t.Parallel()
	browser := startChromium(t)
	p := startProvider(t, "memory")
	a := newApp(t, p)
	b := newTab(t, browser, "en")
	if _, err := chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true,
	}); err != nil {
		t.Fatal(err)
	}
	// noSideways checks that the page is no wider than the screen.
	noSideways := func(t *testing.T) {
		t.Helper()
		if w := evaluate[int](b, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 0 {
			t.Errorf("the page at %s scrolls %d px sideways at 390 px", b.location(), w)
		}
	}

	b.do(chromedp.Navigate(a.start(t, oauth2.SetAuthURLParam("prompt", "consent")).url))
	b.wantPath("/login")
	noSideways(t)
	b.signIn(annEmail, annPassword)
	b.wantPath("/consent")
	consent := b.location()

	t.Run("signed in, the header shows who with the account and sign-out links, and wraps", func(t *testing.T) {
		b.t = t
		if who := b.visibleText("header .who"); who != "Signed in as "+annEmail {
			t.Errorf("the header says %q", who)
		}
		for href, text := range map[string]string{"/account": "Account", "/oauth2/logout": "Sign out"} {
			if got := b.visibleText(`header a[href="` + href + `"]`); got != text {
				t.Errorf("the header's link to %s reads %q, want %q", href, got, text)
			}
		}
		noSideways(t)
	})
	t.Run("the switcher changes the page's language and comes back to it", func(t *testing.T) {
		b.t = t
		b.clickAndLoad(`//header//a[normalize-space()="简体中文"]`)
		if b.location() != consent {
			t.Fatalf("after switching the browser is at %s, want back at %s", b.location(), consent)
		}
		if lang := b.lang(); lang != "zh-CN" {
			t.Fatalf("after switching the page is in %q", lang)
		}
		if cur := b.visibleText(`header [aria-current="true"]`); cur != "简体中文" {
			t.Errorf("the switcher shows %q as the current language", cur)
		}
		noSideways(t)
		// Remembered: the next page is in Chinese too, though the browser asks for English.
		b.do(chromedp.Navigate(p.issuer + "/account"))
		if lang := b.lang(); lang != "zh-CN" {
			t.Errorf("the next page is in %q", lang)
		}
		noSideways(t)
	})
	t.Run("the skip link takes the keyboard past the header to the page", func(t *testing.T) {
		b.t = t
		b.do(chromedp.Navigate(p.issuer + "/account"))
		b.do(chromedp.KeyEvent("\t"))
		if got := strings.TrimSpace(evaluate[string](b, `document.activeElement.textContent`)); got != "跳到正文" {
			t.Fatalf("the first Tab focuses %q, want the skip link", got)
		}
		b.do(chromedp.KeyEvent("\r"), chromedp.KeyEvent("\t"))
		if in := evaluate[bool](b, `document.activeElement.closest("main") !== null && document.activeElement.tagName !== "MAIN"`); !in {
			t.Fatalf("after the skip link, Tab focuses %s, not a control of the page", b.focused())
		}
		b.wantNoConsoleErrors()
	})
}
