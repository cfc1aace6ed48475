package main

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// TestChromiumAdminConsole drives the admin console in a real headless
// Chromium against serve on Postgres: an administrator signs in with a
// TOTP code, revokes Ann's grant to the web app through its confirmation
// step, finds the record of it with the filter, and exports the records
// as CSV with the browser's session.
func TestChromiumAdminConsole(t *testing.T) {
	t.Parallel()
	browser := startChromium(t)
	p := startProviderConfig(t, pgtest.MigratedURL(t), rootUser)
	// Ann authorises the web app: the grant to revoke.
	newApp(t, p).login(t, newBrowser(t, p.issuer, webCallback), p)
	secret := enrolRoot(t, p)

	// One tab for the sign-in and the five subtests after it: a budget
	// of one tab per step.
	b := newTabWithin(t, browser, "en", 6*tabTimeout)
	b.do(chromedp.Navigate(p.issuer + "/login?next=/account"))
	b.signIn(rootEmail, rootPassword)
	b.wantPath("/login/mfa")
	b.do(chromedp.SendKeys(chromedp.ID("code"), nextCode(t, secret)))
	b.clickAndLoad(`//form//button[normalize-space()="Verify"]`)
	b.wantPath("/account")

	t.Run("the console opens on the records, its skip link first in the focus order", func(t *testing.T) {
		b.t = t
		b.do(chromedp.Navigate(p.issuer + "/admin"))
		b.wantPath("/admin/records")
		if h := b.visibleText("h1"); h != "Authorization records" {
			t.Fatalf("heading %q", h)
		}
		b.do(chromedp.KeyEvent("\t"))
		if got := evaluate[string](b, `document.activeElement.textContent.trim()`); got != "Skip to content" {
			t.Fatalf("the first Tab focuses %q, want the skip link", got)
		}
		if w := evaluate[string](b, `getComputedStyle(document.querySelector("main")).maxWidth`); w != "1216px" {
			t.Errorf("the console's card may be %s wide, want 76rem for its tables: its style sheet did not apply", w)
		}
		b.wantNoConsoleErrors()
	})

	t.Run("with Accept-Language zh-CN the console is in Chinese", func(t *testing.T) {
		b.t = t
		if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "zh-CN"}}); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Navigate(p.issuer + "/admin/records"))
		b.wantChinese("授权记录", map[string]string{"用户（邮箱或 ID）": "f-user", "操作": "f-action"})
		if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "en"}}); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Navigate(p.issuer + "/admin/records"))
	})

	t.Run("revoking Ann's grant asks for confirmation, then revokes it", func(t *testing.T) {
		b.t = t
		b.clickAndLoad(`//nav//a[normalize-space()="Users"]`)
		b.wantPath("/admin/users")
		b.fillLabelled("Email or user ID", "ann")
		b.clickAndLoad(`//form//button[normalize-space()="Search"]`)
		b.clickAndLoad(`//table//a[normalize-space()="` + annEmail + `"]`)
		if h := b.visibleText("h1"); h != annEmail {
			t.Fatalf("user page heading %q", h)
		}
		if apps := b.visibleText("#grants + table"); !strings.Contains(apps, "TokenIM Chat Web") {
			t.Fatalf("Ann's grants do not show the web app:\n%s", apps)
		}
		b.clickAndLoad(`//table//a[normalize-space()="Revoke…"]`)
		if h := b.visibleText("h1"); !strings.Contains(h, annEmail) || !strings.Contains(h, "TokenIM Chat Web") {
			t.Fatalf("confirmation heading %q does not name Ann and the app", h)
		}
		b.clickAndLoad(`//form//button[normalize-space()="Revoke authorisation"]`)
		if s := b.visibleText(`[role="status"]`); !strings.Contains(s, "authorisation was revoked") {
			t.Fatalf("status %q after revoking", s)
		}
		if n := len(b.visibleTexts("#grants + table")); n != 0 {
			t.Fatalf("Ann still has grants listed")
		}
		b.wantNoConsoleErrors()
	})

	t.Run("the filter finds the revocation, by Root, concerning Ann", func(t *testing.T) {
		b.t = t
		b.clickAndLoad(`//nav//a[normalize-space()="Authorization records"]`)
		b.fillLabelled("User (email or ID)", annEmail)
		b.do(chromedp.SetValue(chromedp.ID("f-action"), "consent.withdrawn"))
		b.clickAndLoad(`//form//button[normalize-space()="Apply filter"]`)
		rows := b.visibleTexts("table.records tbody tr")
		if len(rows) != 1 || !strings.Contains(rows[0], "consent.withdrawn") || !strings.Contains(rows[0], "openid") {
			t.Fatalf("filtered records: %q", rows)
		}
		if by := b.visibleText("table.records tbody tr td:nth-child(4)"); !strings.HasPrefix(by, "User") {
			t.Fatalf("the record's actor is %q, want the administrator", by)
		}
		b.wantNoConsoleErrors()
	})

	t.Run("the CSV export, fetched with the browser's session, holds the filtered records and is recorded", func(t *testing.T) {
		b.t = t
		form := url.Values{"format": {"csv"}}
		for _, name := range []string{"csrf_token", "user", "action"} {
			form.Set(name, evaluate[string](b, `document.querySelector("form.admin-export input[name=`+name+`]").value`))
		}
		cookies, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{p.issuer}})
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, p.issuer+"/admin/records/export", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// As the browser would send the export form: from this site.
		req.Header.Set("Origin", p.issuer)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		for _, c := range cookies.Cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("export answered %d, %v:\n%s", resp.StatusCode, resp.Header, body)
		}
		rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
		if err != nil {
			t.Fatalf("the export is not CSV: %v\n%s", err, body)
		}
		if len(rows) != 2 || rows[0][2] != "action" || rows[1][2] != "consent.withdrawn" {
			t.Fatalf("export rows: %q", rows)
		}
		b.do(chromedp.Navigate(p.issuer + "/admin/records?action=audit.exported"))
		if rows := b.visibleTexts("table.records tbody tr"); len(rows) != 1 {
			t.Fatalf("the export is not recorded once: %q", rows)
		}
	})
}
