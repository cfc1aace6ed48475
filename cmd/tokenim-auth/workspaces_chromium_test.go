package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/authzdetails"
	"github.com/tokenim/tokenim-auth/storage"
)

// workspacesIn is a language's run of TestChromiumWorkspaces: who does
// what, and what the pages say, as provider/web's catalogue has it.
type workspacesIn struct {
	// tag is the tab's Accept-Language and the <html lang> it gets.
	tag string
	// pick is the workspace Ann chooses; invitee the account that
	// accepts an invitation.
	pick, pickHandle, invitee string
	chooseHeading             string
	// details are the consent page's lines for the two conversations;
	// allow its button.
	details []string
	allow   string
	// nav is the console's navigation for a workspace admin; workspaces
	// its link to the workspace list, members the heading of a
	// workspace's members.
	nav        []string
	workspaces string
	members    string
	// joinHeading, signInToJoin, join and joined are the invitation
	// page's heading, its link to sign in, its button and its result.
	joinHeading, signInToJoin, join, joined string
	// installHeading is the installation page's heading for the app
	// Standup bot, scopes its three permissions in words (messages.read,
	// messages.send, calls.read); request its button for a member who
	// asks; pending, installed and denied its statuses, reason its line
	// for the reason given (why).
	installHeading              string
	scopes                      []string
	request, pending, installed string
	denied, why, reason         string
	// approve, deny, confirmApprove and confirmDeny are the console's
	// buttons on a request and on its confirmation; approvedNotice and
	// deniedNotice what it says after.
	approve, deny, confirmApprove, confirmDeny string
	approvedNotice, deniedNotice               string
}

// TestChromiumWorkspaces drives the workspace pages in a real headless
// Chromium, in English and in Simplified Chinese: Ann, a member of two
// workspaces, picks one on the chooser with the keyboard and grants an
// app one of two conversations it asked for, which the IM platform's
// lookup names; Dee, the owner of one workspace but no platform
// administrator, sees that workspace alone in the console; an invitee
// opens an invitation link signed out, signs in and joins.
func TestChromiumWorkspaces(t *testing.T) {
	t.Parallel()
	browser := startChromium(t)
	const (
		deeEmail = "dev@example.com"
		ivyEmail = "ivy@example.com"
		yanEmail = "yan@example.com"
	)
	// The invitees, and the IM platform's callback naming conv:launch.
	extra := `
  - email: ` + ivyEmail + `
    name: Ivy Invitee
    password_hash: '` + annPasswordHash + `'
  - email: ` + yanEmail + `
    name: Yan Invitee
    password_hash: '` + annPasswordHash + `'
authorization_details:
  lookup:
    url: ` + imNames(t) + `
`
	opened := make(chan storage.Store, 1)
	p := startProviderEnv(t, "memory", extra, func(e *env) { e.opened = func(s storage.Store) { opened <- s } })
	store := <-opened
	ctx := t.Context()
	userID := func(email string) string {
		t.Helper()
		u, err := store.GetUserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	ann, dee := userID(annEmail), userID(deeEmail)
	// Acme's members install the apps its admins approved beforehand,
	// and ask for any other.
	acmePolicy := storage.WorkspacePolicy{Installs: storage.InstallsApproved}
	for _, ws := range []storage.Workspace{{ID: "w-acme", Handle: "acme", Name: "Acme", Policy: acmePolicy}, {ID: "w-beta", Handle: "beta", Name: "Beta"}} {
		if err := store.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	// Ann is a member of both; Dee owns Acme and is a member of Beta,
	// which the console still keeps from her.
	for _, m := range []storage.Member{
		{WorkspaceID: "w-acme", UserID: ann, Role: storage.WorkspaceMember},
		{WorkspaceID: "w-beta", UserID: ann, Role: storage.WorkspaceMember},
		{WorkspaceID: "w-acme", UserID: dee, Role: storage.WorkspaceOwner},
		{WorkspaceID: "w-beta", UserID: dee, Role: storage.WorkspaceMember},
	} {
		if err := store.AddMember(ctx, m); err != nil {
			t.Fatal(err)
		}
	}

	app := newAppFor(t, p, "chat-web", oidc.ScopeOpenID, "im:messages.read")
	asked := `[{"type":"im_conversation","actions":["messages.read","messages.send"],"locations":["conv:launch"]},` +
		`{"type":"im_conversation","actions":["messages.read"],"locations":["conv:ops"]}]`
	launch := authzdetails.List{{Type: "im_conversation", Actions: []string{"messages.read", "messages.send"}, Locations: []string{"conv:launch"}}}
	ops := adminClient{t: t, base: p.issuer, token: serviceToken(t, p, "ops", gatewaySecret, "admin")}

	// The console asks a workspace admin for a second factor, as it does
	// a platform administrator: Dee turns on TOTP and signs in with it
	// (signInWithTOTP), and the console's tab takes that session.
	hb := newBrowser(t, p.issuer)
	signIn(t, hb, hb.get(p.issuer+"/login?next=/account"), deeEmail, annPassword)
	deeHTTP := signInWithTOTP(t, p, hb, hb.get(p.issuer+"/account"), deeEmail, annPassword)
	// The console's tab serves every language's subtests in turn: its
	// bound is theirs together, with room for a loaded CI machine (the
	// whole suite, under the race detector, on two cores).
	console := newTabWithin(t, browser, "en", 8*tabTimeout)
	console.takeSession(deeHTTP, p.issuer)
	// beta is the page of a workspace Dee does not administer: its 404
	// stays in the console tab's log.
	const beta = "/admin/workspaces/w-beta"

	for _, lang := range []workspacesIn{
		{
			tag: "en", pick: "Beta", pickHandle: "beta", chooseHeading: "Choose a workspace",
			details: []string{"Read messages in #launch-team", "Send messages in #launch-team", "Read messages in conv:ops"}, allow: "Allow",
			nav: []string{"Authorization records", "Workspaces", "Your account"}, workspaces: "Workspaces", members: "Members",
			joinHeading: "Join Acme", signInToJoin: "Sign in to join", join: "Join the workspace", joined: "You joined the workspace.", invitee: ivyEmail,
			installHeading: "Install Standup bot in Acme", scopes: []string{"Read your messages", "Send messages on your behalf", "See your call history"},
			request: "Ask an admin to install", pending: "Your request waits for an admin's approval.", installed: "The app is installed in this workspace.",
			denied: "An admin denied the installation.", why: "We use another bot for polls", reason: "Reason: We use another bot for polls",
			approve: "Approve…", deny: "Deny…", confirmApprove: "Approve", confirmDeny: "Deny",
			approvedNotice: "The app is installed.", deniedNotice: "The request was denied.",
		},
		{
			tag: "zh-CN", pick: "Acme", pickHandle: "acme", chooseHeading: "选择工作区",
			details: []string{"查看 #launch-team 中的消息", "在 #launch-team 中发送消息", "查看 conv:ops 中的消息"}, allow: "允许",
			nav: []string{"授权记录", "工作区", "我的账号"}, workspaces: "工作区", members: "成员",
			joinHeading: "加入 Acme", signInToJoin: "登录后加入", join: "加入工作区", joined: "您已加入该工作区。", invitee: yanEmail,
			installHeading: "在 Acme 中安装 Standup bot", scopes: []string{"查看您的消息", "以您的身份发送消息", "查看您的通话记录"},
			request: "申请管理员安装", pending: "您的申请正在等待管理员批准。", installed: "该应用已安装到此工作区。",
			denied: "管理员拒绝了安装申请。", why: "我们用另一个投票机器人", reason: "原因：我们用另一个投票机器人",
			approve: "批准…", deny: "拒绝…", confirmApprove: "批准", confirmDeny: "拒绝",
			approvedNotice: "应用已安装。", deniedNotice: "申请已拒绝。",
		},
	} {
		t.Run(lang.tag, func(t *testing.T) {
			// Ann's tab: the chooser, then the consent page of the same
			// authorization.
			b := newTabWithin(t, browser, lang.tag, tabTimeout)
			z := app.start(t, oauth2.SetAuthURLParam("prompt", "consent"), oauth2.SetAuthURLParam("authorization_details", asked))

			t.Run("the chooser lists both workspaces and takes the choice from the keyboard", func(t *testing.T) {
				b.t = t
				b.do(chromedp.Navigate(z.url))
				b.wantPath("/login")
				b.signIn(annEmail, annPassword)
				b.wantPath("/choose-workspace")
				b.wantLang(lang.tag)
				if h := b.visibleText("h1"); h != lang.chooseHeading {
					t.Fatalf("chooser heading %q, want %q", h, lang.chooseHeading)
				}
				choices := b.visibleTexts("form ul.scopes li button")
				if !slices.Contains(choices, "Acme") || !slices.Contains(choices, "Beta") {
					t.Fatalf("the chooser offers %q, want Acme and Beta", choices)
				}
				b.wantStyled()
				b.do(chromedp.Focus(chromedp.Search(`//form//li/button[normalize-space()="`+lang.pick+`"]`), chromedp.NodeVisible))
				if got := evaluate[string](b, `document.activeElement.textContent.trim()`); got != lang.pick {
					t.Fatalf("the focus is on %q, want the button of %s", got, lang.pick)
				}
				b.load(chromedp.KeyEvent("\r"))
				b.wantPath("/consent")
				b.wantNoConsoleErrors()
			})

			t.Run("the consent page names the conversations; the token has the ticked one, for the chosen workspace", func(t *testing.T) {
				b.t = t
				b.wantLang(lang.tag)
				labels := strings.Join(b.visibleTexts("fieldset.details label"), "\n")
				for _, line := range lang.details {
					if !strings.Contains(labels, line) {
						t.Fatalf("the conversations read:\n%s\nwant a line %q", labels, line)
					}
				}
				b.wantStyled()
				// Untick conv:ops through its label.
				b.do(chromedp.Click(chromedp.Search(`//fieldset//label[contains(., "conv:ops")]`), chromedp.NodeVisible))
				if got := evaluate[[]bool](b, `[...document.querySelectorAll("fieldset.details input[type=checkbox]")].map(c => c.checked)`); !slices.Equal(got, []bool{true, false}) {
					t.Fatalf("the conversations' boxes are %v after unticking conv:ops, want [true false]", got)
				}
				cb := b.clickAndLeave(`//form//button[normalize-space()="`+lang.allow+`"]`, webCallback)
				q := cb.Query()
				if q.Get("code") == "" || q.Get("state") != z.state || q.Get("iss") != p.issuer {
					t.Fatalf("callback %s: want a code, state %q and iss %q", cb, z.state, p.issuer)
				}
				tok, err := app.conf.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(z.verifier))
				if err != nil {
					t.Fatalf("exchanging the code the browser brought back: %v", err)
				}
				if got := detailsIn(t, tok.Extra("authorization_details")); !sameDetails(got, launch) {
					t.Fatalf("token response authorization_details %v, want %v", got, launch)
				}
				raw, _ := tok.Extra("id_token").(string)
				id, err := app.verifier.Verify(t.Context(), raw)
				if err != nil {
					t.Fatal(err)
				}
				var claims struct {
					OrgHandle string `json:"org_handle"`
				}
				if err := id.Claims(&claims); err != nil || claims.OrgHandle != lang.pickHandle {
					t.Fatalf("the ID token names org_handle %q (%v), want %q", claims.OrgHandle, err, lang.pickHandle)
				}
				in := introspect(t, p, tok.AccessToken)
				if in["org_handle"] != lang.pickHandle || !sameDetails(detailsIn(t, in["authorization_details"]), launch) {
					t.Fatalf("introspection %v, want org_handle %q and conv:launch only", in, lang.pickHandle)
				}
				b.wantNoConsoleErrors()
			})

			t.Run("a workspace owner's console shows that workspace and its members, and no other", func(t *testing.T) {
				c := console
				c.t = t
				c.language(lang.tag)
				c.do(chromedp.Navigate(p.issuer + "/admin"))
				c.wantPath("/admin/records")
				c.wantLang(lang.tag)
				if nav := c.visibleTexts("nav.admin-nav a"); !slices.Equal(nav, lang.nav) {
					t.Fatalf("the console's navigation offers %q, want %q (no users, no apps)", nav, lang.nav)
				}
				c.clickAndLoad(`//nav//a[normalize-space()="` + lang.workspaces + `"]`)
				c.wantPath("/admin/workspaces")
				if names := c.visibleTexts("table.list tbody td:first-child"); !slices.Equal(names, []string{"Acme"}) {
					t.Fatalf("the workspaces listed are %q, want Acme alone", names)
				}
				c.clickAndLoad(`//table//a[normalize-space()="Acme"]`)
				c.wantPath("/admin/workspaces/w-acme")
				if h := c.visibleText("h1"); h != "Acme" {
					t.Fatalf("workspace page heading %q", h)
				}
				if h := c.visibleText("h2#members"); h != lang.members {
					t.Fatalf("members heading %q, want %q", h, lang.members)
				}
				members := c.visibleText("h2#members + table")
				for _, email := range []string{annEmail, deeEmail} {
					if !strings.Contains(members, email) {
						t.Fatalf("Acme's members do not show %s:\n%s", email, members)
					}
				}
				c.wantConsoleStyled()

				if resp := c.load(chromedp.Navigate(p.issuer + beta)); resp.Status != http.StatusNotFound {
					t.Fatalf("Beta's page answered %d, want 404", resp.Status)
				}
				c.wantLang(lang.tag)
				if text := c.visibleText("main"); strings.Contains(text, "Beta") || strings.Contains(text, "beta") {
					t.Fatalf("the refusal shows Beta:\n%s", text)
				}
				c.wantNoConsoleErrorsBut(beta)
			})

			t.Run("an invitation opened signed out offers sign-in; signed in, Join makes a member", func(t *testing.T) {
				code, sent := ops.call("POST", "/admin/api/v1/workspaces/w-acme/invitations", `{"email":"`+lang.invitee+`","role":"member"}`)
				link, _ := sent["link"].(string)
				if code != http.StatusCreated || link == "" {
					t.Fatalf("invite %s: %d %v", lang.invitee, code, sent)
				}
				u, err := url.Parse(link)
				if err != nil {
					t.Fatal(err)
				}
				b := newTabWithin(t, browser, lang.tag, tabTimeout)
				b.do(chromedp.Navigate(link))
				b.wantPath(u.Path)
				b.wantLang(lang.tag)
				if h := b.visibleText("h1"); h != lang.joinHeading {
					t.Fatalf("invitation heading %q, want %q", h, lang.joinHeading)
				}
				b.clickAndLoad(`//main//a[normalize-space()="` + lang.signInToJoin + `"]`)
				b.wantPath("/login")
				// Signed in, the browser is back on the invitation.
				b.signIn(lang.invitee, annPassword)
				b.wantPath(u.Path)
				b.wantStyled()
				b.clickAndLoad(`//form//button[normalize-space()="` + lang.join + `"]`)
				if text := b.visibleText("main"); !strings.Contains(text, lang.joined) {
					t.Fatalf("after joining the page reads:\n%s\nwant %q", text, lang.joined)
				}
				if m, err := store.GetMember(t.Context(), "w-acme", userID(lang.invitee)); err != nil || m.Role != storage.WorkspaceMember {
					t.Fatalf("%s in Acme: %+v, %v; want a member", lang.invitee, m, err)
				}
				b.wantNoConsoleErrors()
			})

			t.Run("a member asks to install an app in words; the owner approves it narrowed, or denies it with a reason the member reads", func(t *testing.T) {
				ops := ops
				ops.t = t
				register := func(name string) string {
					t.Helper()
					code, app := ops.call("POST", "/admin/api/v1/apps", `{"name":"`+name+`","type":"confidential","grant_types":["client_credentials"],"scopes":["im:messages.read","im:messages.send","im:calls.read"]}`)
					id, _ := app["client_id"].(string)
					if code != http.StatusCreated || id == "" {
						t.Fatalf("register %s: %d %v", name, code, app)
					}
					return id
				}
				standup, poll := register("Standup bot"), register("Poll bot")
				installPath := func(clientID string) string { return "/workspaces/acme/apps/" + clientID + "/install" }
				boxes := func(m *tab) []bool {
					return evaluate[[]bool](m, `[...document.querySelectorAll("main form fieldset input[type=checkbox]")].map(c => c.checked)`)
				}

				// Ann, signed out in a tab of her own, opens the page,
				// signs in and is back on it. Her tab lives through both
				// requests and their answers, a dozen page loads: a
				// budget of three tabs'.
				m := newTabWithin(t, browser, lang.tag, 3*tabTimeout)
				m.do(chromedp.Navigate(p.issuer + installPath(standup)))
				m.wantPath("/login")
				m.signIn(annEmail, annPassword)
				m.wantPath(installPath(standup))
				m.wantLang(lang.tag)
				if h := m.visibleText("h1"); h != lang.installHeading {
					t.Fatalf("installation page heading %q, want %q", h, lang.installHeading)
				}
				if got := m.visibleTexts("main form fieldset label"); !slices.Equal(got, lang.scopes) {
					t.Fatalf("the permissions read %q, want %q", got, lang.scopes)
				}
				m.wantStyled()
				// Untick the call history through its label, and ask with
				// the keyboard.
				m.do(chromedp.Click(chromedp.Search(`//main//fieldset//label[normalize-space()="`+lang.scopes[2]+`"]`), chromedp.NodeVisible))
				if got := boxes(m); !slices.Equal(got, []bool{true, true, false}) {
					t.Fatalf("the boxes are %v after unticking the call history, want [true true false]", got)
				}
				m.do(chromedp.Focus(chromedp.Search(`//main//form//button[normalize-space()="`+lang.request+`"]`), chromedp.NodeVisible))
				m.load(chromedp.KeyEvent("\r"))
				m.wantPath(installPath(standup))
				if got := m.visibleText(`main p[role="status"]`); got != lang.pending {
					t.Fatalf("after asking the page says %q, want %q", got, lang.pending)
				}
				if got := m.visibleTexts("main ul.scopes li"); !slices.Equal(got, lang.scopes[:2]) {
					t.Fatalf("waiting for approval: %q, want %q", got, lang.scopes[:2])
				}

				// Dee, Acme's owner, approves it without sending messages.
				c := console
				c.t = t
				c.language(lang.tag)
				apps := "/admin/workspaces/w-acme/apps"
				c.do(chromedp.Navigate(p.issuer + apps))
				c.wantPath(apps)
				c.wantLang(lang.tag)
				request := `//section[contains(@class, "install-request")][.//code[normalize-space()="` + standup + `"]]`
				if got := c.visibleText(`section.install-request h3`); !strings.Contains(got, "Standup bot") || !strings.Contains(got, standup) {
					t.Fatalf("the request waiting reads %q, want Standup bot %s", got, standup)
				}
				c.wantConsoleStyled()
				c.do(chromedp.Click(chromedp.Search(request+`//label[contains(., "im:messages.send")]`), chromedp.NodeVisible))
				c.clickAndLoad(request + `//button[normalize-space()="` + lang.approve + `"]`)
				if items := c.visibleTexts("main ul.items li"); !slices.Equal(items, []string{"im:messages.read"}) {
					t.Fatalf("the approval to confirm lists %q, want im:messages.read alone", items)
				}
				c.clickAndLoad(`//form//button[normalize-space()="` + lang.confirmApprove + `"]`)
				c.wantPath(apps)
				if got := c.visibleText(`main p[role="status"]`); got != lang.approvedNotice {
					t.Fatalf("after approving the console says %q, want %q", got, lang.approvedNotice)
				}
				c.wantNoConsoleErrorsBut(beta)

				// Ann reopens the page: installed, reading messages only.
				m.do(chromedp.Navigate(p.issuer + installPath(standup)))
				if got := m.visibleText(`main p[role="status"]`); got != lang.installed {
					t.Fatalf("reopened, the page says %q, want %q", got, lang.installed)
				}
				if got := boxes(m); !slices.Equal(got, []bool{true, false, false}) {
					t.Fatalf("installed, the boxes are %v, want messages.read alone [true false false]", got)
				}
				if in, err := store.GetWorkspaceInstallation(t.Context(), "w-acme", standup); err != nil || in.Status != storage.InstallActive || !slices.Equal(in.Scopes, []string{"im:messages.read"}) {
					t.Fatalf("the installation: %+v, %v; want active with im:messages.read", in, err)
				}

				// Ann asks for Poll bot with a click; Dee denies it with a
				// reason typed in; Ann reads it.
				m.do(chromedp.Navigate(p.issuer + installPath(poll)))
				m.wantPath(installPath(poll))
				m.clickAndLoad(`//main//form//button[normalize-space()="` + lang.request + `"]`)
				if got := m.visibleText(`main p[role="status"]`); got != lang.pending {
					t.Fatalf("after asking for Poll bot the page says %q, want %q", got, lang.pending)
				}
				c.do(chromedp.Navigate(p.issuer + apps))
				request = `//section[contains(@class, "install-request")][.//code[normalize-space()="` + poll + `"]]`
				c.do(chromedp.SendKeys(chromedp.Search(request+`//textarea`), lang.why, chromedp.NodeVisible))
				c.clickAndLoad(request + `//button[normalize-space()="` + lang.deny + `"]`)
				c.clickAndLoad(`//form//button[normalize-space()="` + lang.confirmDeny + `"]`)
				c.wantPath(apps)
				if got := c.visibleText(`main p[role="status"]`); got != lang.deniedNotice {
					t.Fatalf("after denying the console says %q, want %q", got, lang.deniedNotice)
				}
				if denied := c.visibleText("h2#denied + table"); !strings.Contains(denied, lang.why) {
					t.Fatalf("the denied requests do not show the reason %q:\n%s", lang.why, denied)
				}
				c.wantNoConsoleErrorsBut(beta)
				m.do(chromedp.Navigate(p.issuer + installPath(poll)))
				if got := m.visibleText(`main p[role="status"]`); got != lang.denied {
					t.Fatalf("reopened, the page says %q, want %q", got, lang.denied)
				}
				if text := m.visibleText("main"); !strings.Contains(text, lang.reason) {
					t.Fatalf("the denied page does not give the reason %q:\n%s", lang.reason, text)
				}
				m.wantNoConsoleErrors()
			})
		})
	}
}

// takeSession gives the tab the cookies the HTTP browser holds for the
// issuer: the tab is signed in as that browser is.
func (b *tab) takeSession(from *browser, issuer string) {
	b.t.Helper()
	u, err := url.Parse(issuer)
	if err != nil {
		b.t.Fatal(err)
	}
	var cookies []*network.CookieParam
	for _, c := range from.client.Jar.Cookies(u) {
		cookies = append(cookies, &network.CookieParam{Name: c.Name, Value: c.Value, URL: issuer, HTTPOnly: true, SameSite: network.CookieSameSiteLax})
	}
	if len(cookies) == 0 {
		b.t.Fatal("the HTTP browser holds no cookie to hand over")
	}
	if _, err := chromedp.Call(b.ctx, network.SetCookies, network.SetCookiesParams{Cookies: cookies}); err != nil {
		b.t.Fatal(err)
	}
}

// wantLang checks the page's <html lang>.
func (b *tab) wantLang(want string) {
	b.t.Helper()
	if got := b.lang(); got != want {
		b.t.Fatalf(`%s: <html lang=%q>, want %q`, b.location(), got, want)
	}
}

// wantConsoleStyled checks that the console's style sheet applies: its
// card is 76rem wide for its tables (a console page may have no primary
// button for wantStyled to look at).
func (b *tab) wantConsoleStyled() {
	b.t.Helper()
	if w := evaluate[string](b, `getComputedStyle(document.querySelector("main")).maxWidth`); w != "1216px" {
		b.t.Fatalf("on %s the console's card may be %s wide, want 76rem: its style sheet did not apply", b.location(), w)
	}
}
