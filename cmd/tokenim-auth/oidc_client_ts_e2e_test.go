package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tokenim/tokenim-auth/storage/postgres/pgtest"
)

// spaDir holds the single-page app of TestOIDCClientTSInChromium: its page,
// its script and the npm packages it is built on, pinned by its lockfile.
const spaDir = "testdata/oidc-client-ts"

// spaResult is what the app's window.spa.run returns: the signed-in user,
// ok for a call with no user, or the library's error.
type spaResult struct {
	User  *spaUser `json:"user"`
	OK    bool     `json:"ok"`
	Error string   `json:"error"`
}

type spaUser struct {
	Sub          string `json:"sub"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Scope        string `json:"scope"`
	TokenType    string `json:"tokenType"`
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
	IDToken      string `json:"idToken"`
	Expired      bool   `json:"expired"`
}

// TestOIDCClientTSInChromium signs a user in to a single-page app built on
// oidc-client-ts, unchanged and at its defaults, in headless Chromium: the
// app is served from another origin than the provider's, so every call it
// makes to the token, userinfo and revocation endpoints is a cross-origin
// fetch that works only with the provider's CORS answers. It then refreshes
// the tokens, revokes them and signs the user out.
func TestOIDCClientTSInChromium(t *testing.T) {
	t.Parallel()
	browser := startChromium(t)
	dir := npmInstall(t, spaDir)
	p := startProvider(t, pgtest.MigratedURL(t))

	// The app's own site: another port of 127.0.0.1 is another origin.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := "http://" + ln.Addr().String()
	created := mustRun(t, p.vars, "", "clients", "create", "--config", p.config, "--output", "json",
		"--name", "TokenIM Chat Browser", "--type", "public",
		"--redirect-uri", origin+"/callback", "--post-logout-redirect-uri", origin+"/bye",
		"--grant-type", "authorization_code", "--grant-type", "refresh_token",
		"--scope", "openid", "--scope", "profile", "--scope", "email", "--scope", "offline_access", "--scope", "im:messages.read")
	var app struct {
		ID string `json:"client_id"`
	}
	if err := json.Unmarshal([]byte(created.stdout), &app); err != nil || app.ID == "" {
		t.Fatalf("clients create printed %q: %v", created.stdout, err)
	}
	settings, err := json.Marshal(map[string]any{
		"authority":                p.issuer,
		"client_id":                app.ID,
		"redirect_uri":             origin + "/callback",
		"post_logout_redirect_uri": origin + "/bye",
		"scope":                    "openid profile email offline_access im:messages.read",
		// The library's documented switch to read the userinfo endpoint
		// after the sign-in.
		"loadUserInfo": true,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(dir, "app.html"))
	}
	for _, path := range []string{"GET /{$}", "GET /callback", "GET /bye"} {
		mux.HandleFunc(path, page)
	}
	mux.HandleFunc("GET /app.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(dir, "app.js"))
	})
	mux.HandleFunc("GET /oidc-client-ts.min.js", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, filepath.Join(dir, "node_modules/oidc-client-ts/dist/browser/oidc-client-ts.min.js"))
	})
	mux.HandleFunc("GET /settings.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(settings)
	})
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	b := newTab(t, browser, "en")
	run := func(t *testing.T, call string) spaResult {
		t.Helper()
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[spaResult](call, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v (at %s)", call, err, b.location())
		}
		if got.Error != "" {
			t.Fatalf("%s: the library failed: %s (at %s; the page reported: %q)", call, got.Error, b.location(), b.consoleErrors())
		}
		return got
	}

	// Sign-in: the library sends the browser to the authorization
	// endpoint; the user signs in and consents; back at the app, the
	// library exchanges the code (with PKCE) and reads userinfo.
	b.do(chromedp.Navigate(origin + "/"))
	b.load(chromedp.Evaluate[chromedp.Void](`spa.ready.then(m => { m.signinRedirect(); })`, chromedp.EvalAwaitPromise))
	b.wantPath("/login")
	b.signIn(annEmail, annPassword)
	b.wantPath("/consent")
	b.clickAndLoad(`//button[normalize-space()="Allow"]`)
	if loc := b.location(); !strings.HasPrefix(loc, origin+"/callback?") {
		t.Fatalf("after consent the browser is at %s, want the app's callback", loc)
	}
	signedIn := run(t, `spa.run("signinCallback")`).User
	if signedIn == nil {
		t.Fatal("signinCallback returned no user")
	}
	if signedIn.Sub == "" || signedIn.Email != annEmail || signedIn.Name != "Ann Lee" || !strings.EqualFold(signedIn.TokenType, "Bearer") ||
		signedIn.AccessToken == "" || signedIn.RefreshToken == "" || signedIn.IDToken == "" || signedIn.Expired {
		t.Fatalf("signed-in user %+v: want Ann's subject, email and name, a bearer access token, a refresh token and an ID token", signedIn)
	}
	for _, s := range []string{"openid", "profile", "email", "offline_access", "im:messages.read"} {
		if !strings.Contains(" "+signedIn.Scope+" ", " "+s+" ") {
			t.Fatalf("granted scope %q lacks %s", signedIn.Scope, s)
		}
	}
	if got := evaluate[int](b, `performance.getEntriesByType("resource").filter(e => new URL(e.name).pathname === "/userinfo").length`); got == 0 {
		t.Fatal("the library did not read the userinfo endpoint")
	}
	if active := introspect(t, p, signedIn.AccessToken); active["active"] != true || active["client_id"] != app.ID {
		t.Fatalf("introspection of the app's access token: %v", active)
	}

	// Refresh: signinSilent uses the refresh token (a cross-origin POST to
	// the token endpoint) and gets a new pair; the old refresh token has
	// rotated.
	refreshed := run(t, `spa.run("signinSilent")`).User
	if refreshed == nil || refreshed.AccessToken == "" || refreshed.AccessToken == signedIn.AccessToken ||
		refreshed.RefreshToken == "" || refreshed.RefreshToken == signedIn.RefreshToken || refreshed.Sub != signedIn.Sub {
		t.Fatalf("after signinSilent the user is %+v: want new access and refresh tokens for the same subject", refreshed)
	}
	if active := introspect(t, p, refreshed.AccessToken); active["active"] != true {
		t.Fatalf("the refreshed access token is not active: %v", active)
	}

	// Revocation: revokeTokens posts both tokens to the revocation
	// endpoint, cross-origin.
	run(t, `spa.run("revokeTokens")`)
	if active := introspect(t, p, refreshed.AccessToken); active["active"] != false {
		t.Fatalf("the access token is active after revokeTokens: %v", active)
	}
	if active := introspect(t, p, refreshed.RefreshToken); active["active"] != false {
		t.Fatalf("the refresh token is active after revokeTokens: %v", active)
	}

	// Sign-out: the library sends the browser to the logout endpoint with
	// the ID token as a hint; the user confirms and comes back to the app,
	// which completes the sign-out.
	b.load(chromedp.Evaluate[chromedp.Void](`spa.ready.then(m => { m.signoutRedirect(); })`, chromedp.EvalAwaitPromise))
	b.wantPath("/oauth2/logout")
	if text := b.visibleText("main"); !strings.Contains(text, "TokenIM Chat Browser") {
		t.Fatalf("the sign-out page does not name the app:\n%s", text)
	}
	b.clickAndLoad(`//form//button[normalize-space()="Sign out"]`)
	bye, err := url.Parse(b.location())
	// The library sends no state unless the app gives it data to keep.
	if err != nil || bye.Scheme+"://"+bye.Host+bye.Path != origin+"/bye" {
		t.Fatalf("after signing out the browser is at %s, want %s/bye", b.location(), origin)
	}
	run(t, `spa.run("signoutCallback")`)
	if got := run(t, `spa.run("getUser")`); got.User != nil {
		t.Fatalf("the app still has a user after signing out: %+v", got.User)
	}

	// Signed out at the provider too: a new sign-in asks for the password.
	b.load(chromedp.Evaluate[chromedp.Void](`spa.ready.then(m => { m.signinRedirect(); })`, chromedp.EvalAwaitPromise))
	b.wantPath("/login")

	if msgs := b.consoleErrors(); len(msgs) > 0 {
		t.Fatalf("the pages reported errors (a refused cross-origin request shows here):\n%s", strings.Join(msgs, "\n"))
	}
}
