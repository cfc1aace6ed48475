package mail

import (
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode"

	"github.com/tokenim/tokenim-auth/provider/i18n"
	nethtml "golang.org/x/net/html"
)

func TestComposerMails(t *testing.T) {
	c := newTestComposer(t)
	const to = "ann@example.com"
	type mailFunc func(loc Locale, name, link string, expires time.Duration) (Message, error)
	activation := func(loc Locale, name, link string, expires time.Duration) (Message, error) {
		return c.Activation(loc, to, Activation{Name: name, Link: link, Expires: expires})
	}
	reset := func(loc Locale, name, link string, expires time.Duration) (Message, error) {
		return c.PasswordReset(loc, to, PasswordReset{Name: name, Link: link, Expires: expires})
	}
	invitation := func(loc Locale, name, link string, expires time.Duration) (Message, error) {
		return c.Invitation(loc, to, Invitation{Name: name, Link: link, Expires: expires})
	}
	for _, tc := range []struct {
		name    string
		mail    mailFunc
		loc     Locale
		expires time.Duration
		// want are phrases of both bodies: the name, the expiry in words
		// and what the mail must say.
		want []string
	}{
		{
			"english activation", activation, English, 48 * time.Hour,
			[]string{"Hi Ann,", "2 days", "confirm your email address to activate your TokenIM account", "If you did not create a TokenIM account, you can ignore this message."},
		},
		{
			"chinese activation", activation, Chinese, 24 * time.Hour,
			[]string{"Ann，您好！", "24 小时内有效", "以激活您的 TokenIM 账号", "如果您没有注册过 TokenIM 账号，请忽略此邮件。"},
		},
		{
			"english password reset", reset, English, 30 * time.Minute,
			[]string{"Hi Ann,", "30 minutes", "Someone asked to reset the password of your TokenIM account.", "signed out of TokenIM on your other devices", "If it wasn't you, ignore this message; your password stays the same."},
		},
		{
			"chinese password reset", reset, Chinese, time.Hour,
			[]string{"Ann，您好！", "1 小时内有效", "重置您 TokenIM 账号密码", "其他设备上的 TokenIM 登录将自动退出", "如果这不是您本人的操作，请忽略此邮件，您的密码不会改变。"},
		},
		{
			"english invitation", invitation, English, 72 * time.Hour,
			[]string{"Hi Ann,", "3 days", "An administrator created a TokenIM account for you", "Choose a password to start using it.", "it cannot be used until a password is chosen"},
		},
		{
			"chinese invitation", invitation, Chinese, 24 * time.Hour,
			[]string{"Ann，您好！", "24 小时内有效", "管理员已使用此邮箱地址为您创建了 TokenIM 账号", "在设置密码之前，该账号无法使用"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.mail(tc.loc, "Ann", testLink, tc.expires)
			if err != nil {
				t.Fatal(err)
			}
			if m.To != to || m.Subject == "" || m.Text == "" || m.HTML == "" {
				t.Fatalf("incomplete message: %+v", m)
			}
			checkLinks(t, m.Text, m.HTML, testLink)
			doc := parseHTML(t, m.HTML)
			visible := visibleText(doc)
			for _, want := range tc.want {
				if !strings.Contains(m.Text, want) {
					t.Errorf("text body does not say %q:\n%s", want, m.Text)
				}
				if !strings.Contains(visible, want) {
					t.Errorf("HTML body does not say %q:\n%s", want, visible)
				}
			}

			hasHan := func(s string) bool {
				return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
			}
			for part, s := range map[string]string{"subject": m.Subject, "text": m.Text, "html": visible} {
				if got, want := hasHan(s), tc.loc == Chinese; got != want {
					t.Errorf("%s has Chinese characters: %v, want %v: %q", part, got, want, s)
				}
				if tc.loc == Chinese && strings.ContainsAny(strings.ReplaceAll(s, testLink, ""), ",;!?") {
					t.Errorf("Chinese %s has ASCII punctuation where full-width belongs: %q", part, s)
				}
			}

			if lang := attr(find(doc, "html"), "lang"); lang != string(tc.loc) {
				t.Errorf("html lang %q, want %q", lang, tc.loc)
			}
			if title := visibleText(find(doc, "title")); title != m.Subject {
				t.Errorf("HTML title %q, want the subject %q", title, m.Subject)
			}
			// Mail clients block or strip all of these; the layout must not
			// depend on them.
			for _, tag := range []string{"script", "img", "link", "style", "iframe", "object", "embed", "form"} {
				if find(doc, tag) != nil {
					t.Errorf("HTML body has a <%s> element", tag)
				}
			}
			if strings.Contains(m.HTML, "src=") {
				t.Errorf("HTML body loads something")
			}
		})
	}
}

func TestComposerGreetsWithoutAName(t *testing.T) {
	c := newTestComposer(t)
	for _, tc := range []struct {
		loc  Locale
		want string
	}{{English, "Hi,\n"}, {Chinese, "您好！\n"}} {
		t.Run(string(tc.loc), func(t *testing.T) {
			m, err := c.Activation(tc.loc, "ann@example.com", Activation{Link: testLink, Expires: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(m.Text, tc.want) {
				t.Errorf("text body starts %q, want %q", m.Text[:min(len(m.Text), 20)], tc.want)
			}
		})
	}
}

func TestComposerCleansTheName(t *testing.T) {
	c := newTestComposer(t)
	for _, tc := range []struct {
		name, in, want string
	}{
		{"markup is escaped in HTML and kept as text", "<b>Ann</b> & co", "<b>Ann</b> & co"},
		{"a name cannot add lines", "Ann\r\n\r\nYour account is locked, call +1 555 0100", "Ann Your account is locked, call +1 555 0100"},
		{"bidirectional overrides are removed", "Ann\u202emoc.live", "Annmoc.live"},
		{"a long name is cut", strings.Repeat("名", 100), strings.Repeat("名", maxNameRunes) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := c.PasswordReset(English, "ann@example.com", PasswordReset{Name: tc.in, Link: testLink, Expires: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			greeting := "Hi " + tc.want + ",\n"
			if !strings.HasPrefix(m.Text, greeting) {
				t.Errorf("text body starts %q, want %q", m.Text[:min(len(m.Text), len(greeting)+10)], greeting)
			}
			// The parser unescapes what the template escaped: markup in
			// the name comes back as text, not as elements.
			p := find(find(parseHTML(t, m.HTML), "body"), "p")
			if got := visibleText(p); got != "Hi "+tc.want+"," || p.FirstChild != p.LastChild {
				t.Errorf("HTML body greets with %q (%d nodes), want the text %q", got, len(slices.Collect(p.ChildNodes())), "Hi "+tc.want+",")
			}
		})
	}
}

func TestComposerRefusesBadInput(t *testing.T) {
	c := newTestComposer(t)
	good := Activation{Name: "Ann", Link: testLink, Expires: time.Hour}
	for _, tc := range []struct {
		name   string
		loc    Locale
		to     string
		change func(*Activation)
		want   string
	}{
		{"an unknown locale", "fr", "ann@example.com", nil, `unknown locale "fr"`},
		{"a locale in the wrong case", "zh-cn", "ann@example.com", nil, "unknown locale"},
		{"no recipient", English, "", nil, "recipient"},
		{"a recipient that is no address", English, "ann", nil, "recipient"},
		{"no link", English, "ann@example.com", func(a *Activation) { a.Link = "" }, "link is not"},
		{"a relative link", English, "ann@example.com", func(a *Activation) { a.Link = "/activate?token=x" }, "link is not"},
		{"a script link", English, "ann@example.com", func(a *Activation) { a.Link = "javascript:alert(1)//https://x" }, "link is not"},
		{"no expiry", English, "ann@example.com", func(a *Activation) { a.Expires = 0 }, "expiry 0s is not positive"},
		{"an expiry in the past", English, "ann@example.com", func(a *Activation) { a.Expires = -time.Minute }, "is not positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := good
			if tc.change != nil {
				tc.change(&a)
			}
			_, err := c.Activation(tc.loc, tc.to, a)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Activation returned %v, want an error about %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "mail: activation mail: ") {
				t.Errorf("error %q does not say what was being done", err)
			}
			if a.Link != "" && strings.Contains(err.Error(), a.Link) {
				t.Errorf("error %q quotes the link", err)
			}
		})
	}
}

func TestNewComposerRefusesBrokenTemplates(t *testing.T) {
	files := templateMapFS(t)
	for _, tc := range []struct {
		name   string
		change func(fstest.MapFS, i18n.Catalogue)
		want   string
	}{
		{"a message missing in Chinese", func(_ fstest.MapFS, c i18n.Catalogue) { c["reset.signout"] = i18n.Text{EN: "Signed out."} }, `no zh-CN text for message "reset.signout"`},
		{"a message missing altogether", func(_ fstest.MapFS, c i18n.Catalogue) { delete(c, "signature") }, `no en text for message "signature"`},
		{"a text with a verb the template does not fill", func(_ fstest.MapFS, c i18n.Catalogue) {
			c["footer"] = i18n.Text{EN: "Sent to %s.", ZH: "发送至 %s。"}
		}, "wrong number of arguments"},
		{"a text without the verb the template fills", func(_ fstest.MapFS, c i18n.Catalogue) { c["link.expires"] = i18n.Text{EN: "Soon.", ZH: "很快。"} }, "wrong number of arguments"},
		{"a mail's template missing", func(f fstest.MapFS, _ i18n.Catalogue) { delete(f, "password_reset.html") }, "parse password_reset html"},
		{"a mail without a subject", func(f fstest.MapFS, _ i18n.Catalogue) {
			f["activation.txt"] = &fstest.MapFile{Data: []byte(`{{define "subject"}} {{end}}{{define "intro"}}{{end}}{{define "open"}}{{end}}{{define "notes"}}{{end}}`)}
		}, "empty subject"},
		{"a template file no mail uses", func(f fstest.MapFS, _ i18n.Catalogue) { f["welcome.txt"] = &fstest.MapFile{Data: []byte("hi")} }, "template file welcome.txt is not used by any mail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := maps.Clone(files)
			msgs := messages()
			tc.change(fsys, msgs)
			_, err := newComposer(fsys, msgs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("newComposer returned %v, want an error about %q", err, tc.want)
			}
		})
	}
	t.Run("the embedded templates and catalogue are accepted", func(t *testing.T) {
		if _, err := newComposer(files, messages()); err != nil {
			t.Fatal(err)
		}
	})
}

// templateMapFS copies the embedded mail templates into a MapFS tests may
// change.
func templateMapFS(t *testing.T) fstest.MapFS {
	t.Helper()
	sub, err := fs.Sub(templateFiles, "templates")
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(sub, p)
		files[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func parseHTML(t *testing.T, s string) *nethtml.Node {
	t.Helper()
	doc, err := nethtml.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// find returns the first element with the tag, depth first, or nil.
func find(n *nethtml.Node, tag string) *nethtml.Node {
	if n == nil {
		return nil
	}
	for d := range n.Descendants() {
		if d.Type == nethtml.ElementNode && d.Data == tag {
			return d
		}
	}
	return nil
}

// findAll returns every element with the tag, in document order.
func findAll(n *nethtml.Node, tag string) []*nethtml.Node {
	var out []*nethtml.Node
	for d := range n.Descendants() {
		if d.Type == nethtml.ElementNode && d.Data == tag {
			out = append(out, d)
		}
	}
	return out
}

// attr returns an attribute's value, unescaped, or "" without it.
func attr(n *nethtml.Node, key string) string {
	v, _ := lookupAttr(n, key)
	return v
}

func lookupAttr(n *nethtml.Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// visibleText returns the text a reader sees in n: text nodes outside
// <head>, whitespace runs made one space.
func visibleText(n *nethtml.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*nethtml.Node)
	walk = func(m *nethtml.Node) {
		if m != n && m.Type == nethtml.ElementNode && m.Data == "head" {
			return
		}
		if m.Type == nethtml.TextNode {
			b.WriteString(m.Data)
			b.WriteString(" ")
		}
		for c := m.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func TestComposerAccountExists(t *testing.T) {
	c := newTestComposer(t)
	const signIn = "https://auth.tokenim.example/login"
	for _, tc := range []struct {
		loc  Locale
		want []string
	}{
		{English, []string{"Hi Ann,", "Someone tried to create a new TokenIM account with this email address", "no new one was created",
			"If it was you, sign in to your account instead:", "If you have forgotten your password", "30 minutes",
			"If it wasn't you, ignore this message; your account and your password stay the same."}},
		{Chinese, []string{"Ann，您好！", "有人尝试使用此邮箱地址注册新的 TokenIM 账号", "系统没有创建新账号", "请直接登录您的账号",
			"如果您忘记了密码", "30 分钟内有效", "您的账号和密码都不会改变。"}},
	} {
		t.Run(string(tc.loc), func(t *testing.T) {
			m, err := c.AccountExists(tc.loc, "ann@example.com", AccountExists{Name: "Ann", SignIn: signIn, Reset: testLink, Expires: 30 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if m.To != "ann@example.com" || m.Subject == "" {
				t.Fatalf("message %+v", m)
			}
			visible := visibleText(parseHTML(t, m.HTML))
			for _, want := range tc.want {
				if !strings.Contains(m.Text, want) {
					t.Errorf("text body does not say %q:\n%s", want, m.Text)
				}
				if !strings.Contains(visible, want) {
					t.Errorf("HTML body does not say %q:\n%s", want, visible)
				}
			}
			// The sign-in page and the reset link, and nothing else.
			for _, l := range textLinkPattern.FindAllString(m.Text, -1) {
				if l != signIn && l != testLink {
					t.Errorf("the text body links to %q", l)
				}
			}
			hrefs := map[string]int{}
			for _, a := range findAll(parseHTML(t, m.HTML), "a") {
				hrefs[attr(a, "href")]++
			}
			if len(hrefs) != 2 || hrefs[signIn] != 1 || hrefs[testLink] != 2 {
				t.Errorf("HTML links %v, want the sign-in page once and the reset link as button and as text", hrefs)
			}
			if !strings.Contains(m.Text, signIn) || !strings.Contains(m.Text, testLink) {
				t.Errorf("the text body lacks a link:\n%s", m.Text)
			}
		})
	}
	t.Run("a sign-in link that is not absolute is refused", func(t *testing.T) {
		_, err := c.AccountExists(English, "ann@example.com", AccountExists{SignIn: "/login", Reset: testLink, Expires: time.Hour})
		if err == nil || !strings.HasPrefix(err.Error(), "mail: account exists mail: sign-in link") {
			t.Fatalf("err %v", err)
		}
	})
}

func TestComposerWorkspaceInvitation(t *testing.T) {
	t.Parallel()
	c := newTestComposer(t)
	const link = "https://auth.example.com/invitations/tok"
	for _, tc := range []struct {
		loc  Locale
		want []string
	}{
		{English, []string{"You are invited to join Acme <Corp> on TokenIM", "join the workspace Acme <Corp> on TokenIM as admin", "7 days", "nothing happens unless you join"}},
		{Chinese, []string{"邀请您加入 TokenIM 工作区“Acme <Corp>”", "以 admin 身份加入 TokenIM 工作区“Acme <Corp>”", "7 天内有效", "除非您确认加入"}},
	} {
		t.Run(string(tc.loc), func(t *testing.T) {
			t.Parallel()
			// A name its admins chose: one line, no bidirectional overrides,
			// escaped in HTML.
			m, err := c.WorkspaceInvitation(tc.loc, "bob@example.com", WorkspaceInvitation{Workspace: "Acme\n\u202e<Corp>", Role: "admin", Link: link, Expires: 7 * 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if m.To != "bob@example.com" || !strings.Contains(m.Text, link) || !strings.Contains(m.HTML, link) {
				t.Fatalf("mail %+v lacks its recipient or link", m)
			}
			for _, w := range tc.want {
				if !strings.Contains(m.Subject+"\n"+m.Text, w) {
					t.Errorf("the text lacks %q:\n%s\n%s", w, m.Subject, m.Text)
				}
			}
			if strings.Contains(m.HTML, "<Corp>") || !strings.Contains(m.HTML, "&lt;Corp&gt;") || strings.Contains(m.Subject, "\n") || strings.Contains(m.Text, "\u202e") {
				t.Errorf("the workspace's name is not cleaned and escaped:\n%s\n%s", m.Subject, m.HTML)
			}
		})
	}
	for name, i := range map[string]WorkspaceInvitation{
		"no workspace name": {Role: "admin", Link: link, Expires: time.Hour},
		"a role of words":   {Workspace: "Acme", Role: "admin\nBcc: x", Link: link, Expires: time.Hour},
		"no link":           {Workspace: "Acme", Role: "admin", Expires: time.Hour},
		"a javascript link": {Workspace: "Acme", Role: "admin", Link: "javascript:alert(1)", Expires: time.Hour},
		"no expiry":         {Workspace: "Acme", Role: "admin", Link: link},
	} {
		if _, err := c.WorkspaceInvitation(English, "bob@example.com", i); err == nil {
			t.Errorf("%s: composed", name)
		}
	}
	if _, err := c.WorkspaceInvitation(English, "not an address", WorkspaceInvitation{Workspace: "Acme", Role: "admin", Link: link, Expires: time.Hour}); err == nil {
		t.Error("a bad recipient: composed")
	}
}
