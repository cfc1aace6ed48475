package main

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	crewjam "github.com/crewjam/saml"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/config"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc/oidctest"
)

// TestChromiumUpstreams drives sign-in through upstream connectors in a
// real headless Chromium: the sign-in page with two connectors in both
// languages, a click through an OpenID Provider, an email routed to its
// connector (home-realm discovery), and a SAML IdP on another site
// posting its answer back, which Chromium sends without the SameSite=Lax
// state cookie: the provider's own page posts it again, under its
// Content-Security-Policy.
func TestChromiumUpstreams(t *testing.T) {
	t.Parallel()
	// The IdP's sign-in page is at idp.test, another site than the
	// provider's 127.0.0.1 (ports do not make sites).
	browser := startChromiumResolving(t, "MAP app.test 127.0.0.1, MAP idp.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
	addr, issuer := freeIssuer(t)
	cfg := config.Config{Issuer: issuer}
	op := oidctest.Start(t, oidctest.Options{
		ClientID: "tokenim", ClientSecret: "corp-s3cret", RedirectURI: cfg.RedirectURL("corp"),
		User: oidctest.User{Subject: "corp-7", Email: "bo@corp.example", EmailVerified: true, Name: "Bo Corp"},
	})
	idp := startSAMLIdP(t, crewjam.Session{
		ID: "s1", CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour), Index: "1",
		NameID: "carol-9", NameIDFormat: string(crewjam.PersistentNameIDFormat),
		UserName: "carol", UserEmail: "carol@partner.example", UserCommonName: "Carol Partner",
	}, "")
	idpURL, _ := url.Parse(idp.srv.URL)
	idp.idp.SSOURL.Host = "idp.test:" + idpURL.Port()
	path := writeProviderConfig(t, issuer, fmt.Sprintf(`
upstreams:
  - id: corp
    kind: oidc
    name: Corp SSO
    name_zh: 公司单点登录
    issuer: %s
    client_id: tokenim
    client_secret_env: CORP_SSO_SECRET
    domains: [corp.example]
    jit: true
  - id: partner
    kind: saml
    name: Partner SAML
    name_zh: 合作方 SAML
    metadata_url: %s/metadata
    entity_id: %s/saml
    email_verified: true
    jit: true
`, op.Issuer, idp.srv.URL, issuer))
	vars := map[string]string{"TOKENIM_DATABASE_URL": "memory", "TOKENIM_SECRETS_SYSTEM": "e2e-system-secret-0123456789abcdefgh", "CORP_SSO_SECRET": "corp-s3cret"}
	base, _, _, stop := launchServeEnv(t, vars, nil, "--config", path, "--listen", addr)
	t.Cleanup(stop)
	p := running{issuer: base}
	meta := newBrowser(t, p.issuer).get(p.issuer + "/login/upstream/saml/partner/metadata")
	idp.trust(t, []byte(meta.body))
	a := newApp(t, p)

	// allow grants the consent page and checks the app's tokens name
	// email, signed in through an upstream.
	allow := func(t *testing.T, b *tab, z authorization, email string) {
		t.Helper()
		b.wantPath("/consent")
		cb := b.clickAndLeave(`//button[normalize-space()="Allow"]`, webCallback)
		wantUpstreamSignIn(t, a, cb.Query().Get("code"), z.verifier, email)
		b.wantNoConsoleErrors()
	}

	t.Run("two connectors on the sign-in page, in English and Chinese", func(t *testing.T) {
		t.Parallel()
		for lang, want := range map[string][]string{
			"en":    {"Sign in with Corp SSO", "Sign in with Partner SAML"},
			"zh-CN": {"使用 公司单点登录 登录", "使用 合作方 SAML 登录"},
		} {
			b := newTab(t, browser, lang)
			b.do(chromedp.Navigate(a.start(t).url))
			b.wantPath("/login")
			if got := b.visibleTexts(".upstreams button"); !slices.Equal(got, want) {
				t.Fatalf("%s: upstream buttons %q, want %q", lang, got, want)
			}
			if got := b.visibleTexts(`button[name="sso"]`); len(got) != 1 {
				t.Fatalf("%s: single sign-on buttons %q, want one", lang, got)
			}
			b.wantNoConsoleErrors()
		}
	})
	t.Run("a click through the OpenID Provider, then an email routed to it", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, browser, "en")
		z := a.start(t, oauth2.SetAuthURLParam("prompt", "consent"))
		b.do(chromedp.Navigate(z.url))
		b.wantPath("/login")
		b.clickAndLoad(`//button[normalize-space()="Sign in with Corp SSO"]`)
		allow(t, b, z, "bo@corp.example")

		// Another browser: typing the work email and "Use single
		// sign-on" goes to Corp SSO, whatever else the page offers.
		b2 := newTab(t, browser, "en")
		z = a.start(t, oauth2.SetAuthURLParam("prompt", "consent"))
		b2.do(chromedp.Navigate(z.url))
		b2.wantPath("/login")
		b2.do(chromedp.SendKeys(chromedp.ID("email"), "bo@corp.example"))
		b2.clickAndLoad(`//button[normalize-space()="Use single sign-on"]`)
		allow(t, b2, z, "bo@corp.example")
	})
	t.Run("a SAML IdP on another site posts its answer back", func(t *testing.T) {
		t.Parallel()
		b := newTab(t, browser, "en")
		z := a.start(t, oauth2.SetAuthURLParam("prompt", "consent"))
		b.do(chromedp.Navigate(z.url))
		b.wantPath("/login")
		// The IdP's page posts itself to the provider, whose page posts
		// again; the browser lands on the consent page.
		requests := chromedp.Events(b.ctx, network.RequestWillBeSent)
		b.do(
			chromedp.Click(chromedp.Search(`//button[normalize-space()="Sign in with Partner SAML"]`), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.Search(`//button[normalize-space()="Allow"]`)),
		)
		// Two posts reached the callback: the IdP's, which came without
		// the state cookie, and the provider's own page's (its Origin
		// "null" under the pages' no-referrer policy).
		var posts []string
		for ev, err := range requests {
			if err != nil {
				t.Fatal(err)
			}
			if ev.Type == network.ResourceTypeDocument && ev.Request.Method == "POST" && ev.Request.URL == cfg.RedirectURL("partner") {
				if posts = append(posts, ev.Request.Headers["Origin"].(string)); len(posts) == 2 {
					break
				}
			}
		}
		if want := []string{"http://idp.test:" + idpURL.Port(), "null"}; !slices.Equal(posts, want) {
			t.Fatalf("posts to the callback from %q, want %q", posts, want)
		}
		allow(t, b, z, "carol@partner.example")
	})
}
