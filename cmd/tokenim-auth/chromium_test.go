package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"
)

// tabTimeout bounds each subtest's tab, so that a page that never loads or
// an element that never appears fails the test instead of blocking CI.
const tabTimeout = 30 * time.Second

// browsers bounds the Chromium processes the package's tests run at once:
// each is several processes rendering pages, and the package runs four
// tests per CPU, so more browsers at once on two cores leave each too
// little time to load a page within tabTimeout. A test holds its place
// from its browser's start to its end.
var browsers = make(chan struct{}, 2)

// TestChromiumPages drives the sign-in, consent and sign-out pages in a real
// headless Chromium: keyboard and mouse input, the Content-Security-Policy,
// the language and the focus order, which the HTTP-level browser of the other
// end-to-end tests cannot see.
func TestChromiumPages(t *testing.T) {
	t.Parallel()
	browser := startChromium(t)
	p := startProvider(t, "memory")
	a := newApp(t, p)
	// start begins an authorization that shows the consent page even when
	// an earlier subtest remembered the user's consent.
	start := func(t *testing.T) authorization {
		return a.start(t, oauth2.SetAuthURLParam("prompt", "consent"))
	}

	// confirmSignOut checks the tab shows the sign-out page naming the
	// web app, confirms it, and checks the browser goes back to the app
	// with state, signed out: a new authorization asks for the password.
	confirmSignOut := func(t *testing.T, b *tab, state string) {
		t.Helper()
		b.wantPath("/oauth2/logout")
		if text := b.visibleText("main"); !strings.Contains(text, "TokenIM Chat Web asked to sign you out") {
			t.Fatalf("the sign-out page does not name the app:\n%s", text)
		}
		bye := b.clickAndLeave(`//form//button[normalize-space()="Sign out"]`, webBye)
		if bye.String() != webBye+"?state="+state {
			t.Fatalf("after signing out the browser went to %s, want %s?state=%s", bye, webBye, state)
		}
		b.do(chromedp.Navigate(start(t).url))
		b.wantPath("/login")
	}

	for _, tc := range []struct {
		name string
		// lang is the tab's Accept-Language.
		lang string
		run  func(t *testing.T, b *tab)
	}{
		{"a user signs in and consents with keyboard and mouse, and the app's code is good", "en", func(t *testing.T, b *tab) {
			z := start(t)
			b.do(chromedp.Navigate(z.url))
			b.wantPath("/login")
			for label, id := range map[string]string{"Email": "email", "Password": "password"} {
				if got := b.fieldLabelled(label); got != id {
					t.Fatalf("the label %q is for the field %q, want %q", label, got, id)
				}
			}
			b.do(
				chromedp.SendKeys(chromedp.ID("email"), annEmail),
				chromedp.SendKeys(chromedp.ID("password"), annPassword),
			)
			b.clickAndLoad(`//form//button[normalize-space()="Sign in"]`)
			b.wantPath("/consent")

			heading := b.visibleText("h1")
			if !strings.Contains(heading, "TokenIM Chat Web") {
				t.Fatalf("consent heading %q does not name the app", heading)
			}
			want := []string{
				"Sign you in with your account",
				"See your name and basic profile",
				"See your email address",
				"Stay signed in while you are not using the app",
				"Read your messages",
			}
			if got := b.visibleTexts("ul.scopes li"); !slices.Equal(got, want) {
				t.Fatalf("visible scope descriptions %q, want %q", got, want)
			}

			cb := b.clickAndLeave(`//button[normalize-space()="Allow"]`, webCallback)
			q := cb.Query()
			if q.Get("code") == "" || q.Get("state") != z.state || q.Get("iss") != p.issuer {
				t.Fatalf("callback %s: want a code, state %q and iss %q", cb, z.state, p.issuer)
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
			if id.Nonce != z.nonce {
				t.Fatalf("ID token nonce %q, want %q", id.Nonce, z.nonce)
			}
		}},

		{"the sign-in and consent pages load their style sheet with no Content-Security-Policy violation", "en", func(t *testing.T, b *tab) {
			// Pin the colour scheme: the style sheet has a dark one.
			if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}},
			}); err != nil {
				t.Fatal(err)
			}
			b.do(chromedp.Navigate(start(t).url))
			b.wantPath("/login")
			b.wantStyled()
			b.signIn(annEmail, annPassword)
			b.wantPath("/consent")
			b.wantStyled()
			if msgs := b.consoleErrors(); len(msgs) > 0 {
				t.Fatalf("the pages reported errors:\n%s", strings.Join(msgs, "\n"))
			}

			// The check above sees violations: an inline style, which the
			// policy forbids, is reported.
			b.do(chromedp.Evaluate[chromedp.Void](`document.head.insertAdjacentHTML("beforeend", "<style>body { color: red }</style>")`))
			deadline := time.Now().Add(5 * time.Second)
			for !strings.Contains(strings.Join(b.consoleErrors(), "\n"), "Content Security Policy violation: style-src") {
				if time.Now().After(deadline) {
					t.Fatalf("an inline style was not reported as a CSP violation; reported:\n%s", strings.Join(b.consoleErrors(), "\n"))
				}
				time.Sleep(20 * time.Millisecond)
			}
		}},

		{"with Accept-Language zh-CN the sign-in page is in Chinese", "zh-CN", func(t *testing.T, b *tab) {
			b.do(chromedp.Navigate(start(t).url))
			b.wantPath("/login")
			if lang := evaluate[string](b, `document.documentElement.lang`); lang != "zh-CN" {
				t.Fatalf(`<html lang=%q>, want "zh-CN"`, lang)
			}
			if h := b.visibleText("h1"); !strings.Contains(h, "登录") {
				t.Fatalf("heading %q is not Chinese", h)
			}
			if s := b.visibleText("form button[type=submit]"); s != "登录" {
				t.Fatalf("submit button %q, want 登录", s)
			}
			if got := b.fieldLabelled("邮箱"); got != "email" {
				t.Fatalf("the label 邮箱 is for %q, want the email field", got)
			}
		}},

		{"a wrong password shows the error as an alert and keeps the typed email", "en", func(t *testing.T, b *tab) {
			b.do(chromedp.Navigate(start(t).url))
			b.wantPath("/login")
			resp := b.signIn(annEmail, "wrong-horse-battery")
			b.wantPath("/login")
			if resp.Status < 400 {
				t.Errorf("a failed sign-in answered %d, want a 4xx", resp.Status)
			}
			if alert := b.visibleText(`[role="alert"]`); alert != "Incorrect email or password." {
				t.Fatalf("alert %q", alert)
			}
			if email := b.value("email"); email != annEmail {
				t.Fatalf("email field %q after the failed attempt, want %q", email, annEmail)
			}
			if pw := b.value("password"); pw != "" {
				t.Fatal("the password field was filled in again")
			}
			if d := evaluate[string](b, `document.getElementById("email").getAttribute("aria-describedby") ?? ""`); d != "login-error" {
				t.Fatalf(`email field aria-describedby=%q, want "login-error"`, d)
			}
		}},

		{"Tab moves from the skip link and the language switcher to email to password to the sign-in button, and Enter signs in", "en", func(t *testing.T, b *tab) {
			b.do(chromedp.Navigate(start(t).url))
			b.wantPath("/login")
			for _, want := range []string{"a", "a", "input#email", "input#password", "button[type=submit]"} {
				b.do(chromedp.KeyEvent("\t"))
				if got := b.focused(); got != want {
					t.Fatalf("after Tab the focus is on %s, want %s", got, want)
				}
			}
			// Back to the fields with Shift+Tab, type, and press Enter.
			b.do(
				chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift)),
				chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift)),
			)
			if got := b.focused(); got != "input#email" {
				t.Fatalf("after two Shift+Tab the focus is on %s, want the email field", got)
			}
			b.do(chromedp.KeyEvent(annEmail), chromedp.KeyEvent("\t"), chromedp.KeyEvent(annPassword))
			b.load(chromedp.KeyEvent("\r"))
			b.wantPath("/consent")
		}},

		{"signing out returns to the app's post-logout URI with its state", "en", func(t *testing.T, b *tab) {
			b.do(chromedp.Navigate(start(t).url))
			b.signIn(annEmail, annPassword)
			b.wantPath("/consent")

			b.do(chromedp.Navigate(p.issuer + "/oauth2/logout?" + url.Values{
				"post_logout_redirect_uri": {webBye}, "client_id": {"chat-web"}, "state": {"xyz"},
			}.Encode()))
			confirmSignOut(t, b, "xyz")
		}},

		{"an app's sign-out form posted from its own site asks, signs out and returns", "en", func(t *testing.T, b *tab) {
			b.do(chromedp.Navigate(start(t).url))
			b.signIn(annEmail, annPassword)
			b.wantPath("/consent")

			// The app's page is on another site (app.test, not 127.0.0.1):
			// the browser leaves the Lax session cookie off its POST.
			app := appPage(t, `<form method="post" action="`+p.issuer+`/oauth2/logout">
<input type="hidden" name="client_id" value="chat-web">
<input type="hidden" name="post_logout_redirect_uri" value="`+webBye+`">
<input type="hidden" name="state" value="by-post">
<button type="submit">Leave the app</button></form>`)
			b.do(chromedp.Navigate(app))
			b.clickAndLoad(`//form//button[normalize-space()="Leave the app"]`)
			confirmSignOut(t, b, "by-post")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newTab(t, browser, tc.lang)) })
	}
}

// startChromium starts one headless Chromium for the test and returns its
// context. The binary is /usr/bin/chromium or $TOKENIM_CHROMIUM; when it is
// missing the test is skipped, unless CI=true, where it fails. With -short
// the test is skipped.
func startChromium(t *testing.T) context.Context {
	t.Helper()
	// Resolve no host name but app.test, an app's site on 127.0.0.1:
	// nothing leaves 127.0.0.1.
	return startChromiumResolving(t, "MAP app.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
}

// startChromiumResolving is startChromium with the browser's host
// resolution given as Chromium's --host-resolver-rules.
func startChromiumResolving(t *testing.T, rules string) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: needs Chromium")
	}
	path := cmp.Or(os.Getenv("TOKENIM_CHROMIUM"), "/usr/bin/chromium")
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium not found at %s: %v (CI=true: Chromium must be installed; set TOKENIM_CHROMIUM to its path)", path, err)
		}
		t.Skipf("chromium not found at %s: %v (install it, or set TOKENIM_CHROMIUM; set CI=true to make this fatal)", path, err)
	}
	select {
	case browsers <- struct{}{}:
	case <-t.Context().Done():
		t.Fatal("waited for another test's browser to close until the test ended")
	}
	t.Cleanup(func() { <-browsers })
	var output syncBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("host-resolver-rules", rules),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.CombinedOutput(&output),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		if t.Failed() {
			t.Logf("chromium output:\n%s", output.String())
		}
	})
	// The first Run starts the browser and ties it to ctx, so it cannot
	// have a timeout of its own: stop the browser if it takes too long.
	watchdog := time.AfterFunc(tabTimeout, cancel)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() {
		err = fmt.Errorf("chromium did not start within %s: %w", tabTimeout, err)
	}
	if err != nil {
		t.Fatalf("start chromium %s: %v\n%s", path, err, output.String())
	}
	return ctx
}

// tab is one browser tab in a browser context of its own, so that no cookie
// passes from one subtest to another.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu sync.Mutex
	// console holds what the pages reported: console calls, log entries,
	// uncaught exceptions and Content-Security-Policy violations.
	console []consoleEntry
}

type consoleEntry struct {
	level, text string
	// url is the resource a log entry is about, if any.
	url string
}

// violationReporter runs in every page before the page's own content and
// writes each Content-Security-Policy violation to the console. It is
// injected through the DevTools protocol, so the policy does not apply
// to it.
const violationReporter = `document.addEventListener("securitypolicyviolation", e =>
	console.error("Content Security Policy violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " in " + e.documentURI));`

func newTab(t *testing.T, browser context.Context, lang string) *tab {
	t.Helper()
	return newTabWithin(t, browser, lang, tabTimeout)
}

// newTabWithin is newTab for a tab a whole sequence of subtests shares,
// bounded by budget instead of tabTimeout.
func newTabWithin(t *testing.T, browser context.Context, lang string, budget time.Duration) *tab {
	t.Helper()
	b := &tab{t: t}
	ctx, cancelTimeout := context.WithTimeout(browser, budget)
	ctx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(b.record))
	t.Cleanup(func() {
		cancel()
		cancelTimeout()
	})
	b.ctx = ctx
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": lang},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: violationReporter}); err != nil {
		t.Fatal(err)
	}
	return b
}

// record keeps what the page reports. It runs in the tab's event loop.
func (b *tab) record(ev any) {
	var e consoleEntry
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			} else {
				parts = append(parts, a.Description)
			}
		}
		e = consoleEntry{level: string(ev.Type), text: strings.Join(parts, " ")}
	case *log.EventEntryAdded:
		e = consoleEntry{level: string(ev.Entry.Level), text: fmt.Sprintf("%s (%s, %s)", ev.Entry.Text, ev.Entry.Source, ev.Entry.URL), url: ev.Entry.URL}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil {
			text += " " + d.Exception.Description
		}
		e = consoleEntry{level: "exception", text: fmt.Sprintf("%s (%s:%d)", text, d.URL, d.LineNumber+1)}
	default:
		return
	}
	b.mu.Lock()
	b.console = append(b.console, e)
	b.mu.Unlock()
}

// consoleErrors returns the errors, warnings and exceptions the pages
// reported, and anything about the Content-Security-Policy. The browser's
// own request for /favicon.ico, which the provider does not serve, is not
// counted.
func (b *tab) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, e := range b.console {
		if u, err := url.Parse(e.url); err == nil && u.Path == "/favicon.ico" {
			continue
		}
		switch {
		case e.level == "error", e.level == "warning", e.level == "exception",
			strings.Contains(e.text, "Content Security Policy"), strings.Contains(e.text, "Content-Security-Policy"):
			out = append(out, e.level+": "+e.text)
		}
	}
	return out
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func evaluate[T any](b *tab, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// load runs an action that navigates, such as a click on a submit
// button, and waits for the new page; it returns the page's response.
func (b *tab) load(trigger chromedp.Action[chromedp.Void]) *network.Response {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, trigger)
	if err != nil {
		b.t.Fatal(err)
	}
	if resp == nil {
		b.t.Fatal("the action loaded no page")
	}
	return resp
}

// clickAndLoad clicks the element the XPath finds, with the mouse, and
// waits for the page it leads to.
func (b *tab) clickAndLoad(xpath string) *network.Response {
	b.t.Helper()
	return b.load(chromedp.Click(chromedp.Search(xpath), chromedp.NodeVisible))
}

// clickAndLeave clicks the element the XPath finds and returns the URL,
// starting with prefix, the browser is then sent to. Nothing listens
// there (an app's redirect URI on port 9, which Chromium also refuses as
// an unsafe port), so the browser shows its error page: the URL is read
// from the request, and clickAndLeave returns once the error page has
// loaded, so that the next navigation cannot race with it.
func (b *tab) clickAndLeave(xpath, prefix string) *url.URL {
	b.t.Helper()
	requests := chromedp.Events(b.ctx, network.RequestWillBeSent)
	navigations := chromedp.Events(b.ctx, cdppage.FrameNavigated)
	loads := chromedp.Events(b.ctx, cdppage.LoadEventFired)
	b.do(chromedp.Click(chromedp.Search(xpath), chromedp.NodeVisible))
	req := next(b, requests, func(ev network.EventRequestWillBeSent) bool {
		return ev.Type == network.ResourceTypeDocument && strings.HasPrefix(ev.Request.URL, prefix)
	})
	next(b, navigations, func(ev cdppage.EventFrameNavigated) bool {
		return ev.Frame.ParentID == "" && (ev.Frame.UnreachableURL == req.Request.URL || ev.Frame.URL == req.Request.URL)
	})
	next(b, loads, nil)
	u, err := url.Parse(req.Request.URL)
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// next returns the first event from events that match accepts (nil
// accepts any).
func next[E any](b *tab, events iter.Seq2[E, error], match func(E) bool) E {
	b.t.Helper()
	for ev, err := range events {
		if err != nil {
			b.t.Fatalf("waiting for %T: %v (now at %s)", ev, err, b.location())
		}
		if match == nil || match(ev) {
			return ev
		}
	}
	var zero E
	b.t.Fatalf("no %T", zero)
	return zero
}

// signIn fills the sign-in form with the keyboard and clicks its button.
func (b *tab) signIn(email, password string) *network.Response {
	b.t.Helper()
	b.do(
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	return b.clickAndLoad(`//form//button[@type="submit"]`)
}

// location returns the tab's URL, for checks and failure messages; it
// works after the tab's deadline has passed.
func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(unknown: " + err.Error() + ")"
	}
	return loc
}

// wantPath checks that the tab shows the provider's page at path.
func (b *tab) wantPath(path string) {
	b.t.Helper()
	loc := b.location()
	if u, err := url.Parse(loc); err != nil || u.Path != path {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 2*time.Second)
		defer cancel()
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		b.t.Fatalf("the browser is at %s, want %s; the page reads:\n%s", loc, path, text)
	}
}

// fieldLabelled returns the id of the field the label with this text is
// for, as the browser associates them; "" when there is no such label.
func (b *tab) fieldLabelled(text string) string {
	b.t.Helper()
	return evaluate[string](b, fmt.Sprintf(`(() => {
		const l = [...document.querySelectorAll("label[for]")].find(l => l.textContent.trim() === %q);
		return l && l.control && l.control.id === l.htmlFor ? l.control.id : "";
	})()`, text))
}

// visibleText returns the rendered text of the first element the CSS
// selector matches; the test fails if it is missing or not visible.
func (b *tab) visibleText(css string) string {
	b.t.Helper()
	texts := b.visibleTexts(css)
	if len(texts) == 0 {
		b.t.Fatalf("no visible %s on %s", css, b.location())
	}
	return texts[0]
}

// visibleTexts returns the rendered text of each visible element the CSS
// selector matches.
func (b *tab) visibleTexts(css string) []string {
	b.t.Helper()
	return evaluate[[]string](b, fmt.Sprintf(`[...document.querySelectorAll(%q)]
		.filter(e => e.checkVisibility({opacityProperty: true, visibilityProperty: true}) && e.getBoundingClientRect().height > 0)
		.map(e => e.innerText.trim())`, css))
}

func (b *tab) value(id string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.ID(id)))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// focused names the focused element as tag#id, or tag[type=…] without an id.
func (b *tab) focused() string {
	b.t.Helper()
	return evaluate[string](b, `(() => {
		const e = document.activeElement;
		if (!e) return "nothing";
		const tag = e.tagName.toLowerCase();
		return e.id ? tag + "#" + e.id : tag + (e.type ? "[type=" + e.type + "]" : "");
	})()`)
}

// wantStyled checks that the page's style sheet loaded and applies: its
// rules are readable and the primary button has the brand colour, not the
// browser's default.
func (b *tab) wantStyled() {
	b.t.Helper()
	type styled struct {
		Sheets     int    `json:"sheets"`
		Rules      int    `json:"rules"`
		Background string `json:"background"`
	}
	got := evaluate[styled](b, `({
		sheets: document.styleSheets.length,
		rules: [...document.styleSheets].reduce((n, s) => { try { return n + s.cssRules.length } catch { return n } }, 0),
		background: getComputedStyle(document.querySelector("button.primary")).backgroundColor,
	})`)
	// --primary in the light scheme, #0b5cad.
	if got.Sheets == 0 || got.Rules == 0 || got.Background != "rgb(11, 92, 173)" {
		b.t.Fatalf("on %s the style sheet did not apply: %+v", b.location(), got)
	}
}

// appPage serves body as an app's page on another site than the
// provider's (app.test, which the browser maps to 127.0.0.1) and returns
// its URL.
func appPage(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><title>App</title>"+body)
	}))
	t.Cleanup(srv.Close)
	return strings.Replace(srv.URL, "127.0.0.1", "app.test", 1)
}
