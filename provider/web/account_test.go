package web

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

func TestAccountQRCode(t *testing.T) {
	r := newTestRenderer(t)
	page := AccountPage{
		CSRFToken: testCSRF, Email: "ann@example.com",
		Enrolment: &Enrolment{QRDataURI: testQR, Secret: "JBSWY3DPEHPK3PXP"},
	}
	for _, loc := range locales() {
		t.Run("in "+string(loc)+" the QR image is the data: URI, with alt text in the page's language", func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/account", nil)
			req.Header.Set("Accept-Language", string(loc))
			w := httptest.NewRecorder()
			if err := r.Account(w, req, http.StatusOK, page); err != nil {
				t.Fatal(err)
			}
			doc, err := html.Parse(w.Body)
			if err != nil {
				t.Fatal(err)
			}
			imgs := elements(doc)["img"]
			if len(imgs) != 1 {
				t.Fatalf("want one image, have %d", len(imgs))
			}
			if src := attr(imgs[0], "src"); src != testQR {
				t.Errorf("src = %q, want the data: URI", src)
			}
			want, _ := messages().Lookup(loc, "account.mfa_qr_alt")
			if alt := attr(imgs[0], "alt"); alt != want {
				t.Errorf("alt = %q, want %q", alt, want)
			}
		})
	}

	// template.URL passes html/template's URL filter untouched, so Account
	// checks the URI itself.
	for _, uri := range []template.URL{
		"",
		"https://qr.example.com/code.png",
		"//qr.example.com/code.png",
		"/static/qr.png",
		"javascript:alert(1)",
		"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
		"data:image/svg+xml;base64,PHN2Zy8+",
		" data:image/png;base64,iVBORw0KGgo=",
	} {
		t.Run("a QR code at "+string(uri)+" is refused, with nothing written", func(t *testing.T) {
			p := page
			p.Enrolment = &Enrolment{QRDataURI: uri, Secret: "JBSWY3DPEHPK3PXP"}
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/account", nil)
			w := &spyWriter{}
			if err := r.Account(w, req, http.StatusOK, p); err == nil {
				t.Fatal("want an error")
			}
			if w.touched || len(w.header) != 0 {
				t.Errorf("something was written: touched=%v header=%v", w.touched, w.header)
			}
		})
	}
}

func TestAccountRecoveryCodes(t *testing.T) {
	r := newTestRenderer(t)
	tests := []struct {
		name      string
		page      AccountPage
		wantCodes []string
	}{
		{"codes just created are listed once with the warning",
			AccountPage{CSRFToken: testCSRF, MFAEnabled: true, RecoveryCodes: testRecoveryCodes}, testRecoveryCodes},
		{"with two-step verification on and no new codes, none are shown",
			AccountPage{CSRFToken: testCSRF, MFAEnabled: true}, nil},
		{"an empty list shows nothing",
			AccountPage{CSRFToken: testCSRF, MFAEnabled: true, RecoveryCodes: []string{}}, nil},
		{"during set-up no codes are shown",
			AccountPage{CSRFToken: testCSRF, Enrolment: &Enrolment{QRDataURI: testQR, Secret: "JBSWY3DPEHPK3PXP"}}, nil},
		{"with two-step verification off no codes are shown",
			AccountPage{CSRFToken: testCSRF}, nil},
	}
	warning, _ := messages().Lookup(English, "account.recovery_warning")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/account", nil)
			w := httptest.NewRecorder()
			if err := r.Account(w, req, http.StatusOK, tc.page); err != nil {
				t.Fatal(err)
			}
			body := w.Body.String()
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ul := range elements(doc)["ul"] {
				if attr(ul, "class") != "codes" {
					continue
				}
				for _, li := range elements(ul)["li"] {
					got = append(got, text(li))
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.wantCodes, " ") {
				t.Errorf("codes shown %q, want %q", got, tc.wantCodes)
			}
			if hasWarning := strings.Contains(body, warning); hasWarning != (len(tc.wantCodes) > 0) {
				t.Errorf("warning shown = %v, want %v", hasWarning, len(tc.wantCodes) > 0)
			}
		})
	}
}

func TestCheckEmailKind(t *testing.T) {
	r := newTestRenderer(t)
	t.Run("an unknown kind is an error, with nothing written", func(t *testing.T) {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		w := &spyWriter{}
		if err := r.CheckEmail(w, req, http.StatusOK, CheckEmailPage{Kind: "welcome", Email: "ann@example.com", Expires: time.Hour}); err == nil {
			t.Fatal("want an error")
		}
		if w.touched || len(w.header) != 0 {
			t.Errorf("something was written: touched=%v header=%v", w.touched, w.header)
		}
	})
	t.Run("a missing link lifetime is an error, with nothing written", func(t *testing.T) {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		w := &spyWriter{}
		if err := r.CheckEmail(w, req, http.StatusOK, CheckEmailPage{Kind: CheckEmailReset, Email: "ann@example.com"}); err == nil {
			t.Fatal("want an error")
		}
		if w.touched || len(w.header) != 0 {
			t.Errorf("something was written: touched=%v header=%v", w.touched, w.header)
		}
	})
	t.Run("the page says the link's configured lifetime", func(t *testing.T) {
		for _, tc := range []struct {
			kind, lang string
			expires    time.Duration
			want       string
		}{
			{CheckEmailActivate, "en", 72 * time.Hour, "It expires in 3 days."},
			{CheckEmailReset, "en", 15 * time.Minute, "It expires in 15 minutes."},
			{CheckEmailReset, "zh-CN", 2 * time.Hour, "链接 2 小时内有效。"},
		} {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			req.Header.Set("Accept-Language", tc.lang)
			w := httptest.NewRecorder()
			if err := r.CheckEmail(w, req, http.StatusOK, CheckEmailPage{Kind: tc.kind, Email: "ann@example.com", Expires: tc.expires}); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(w.Body.String(), tc.want) {
				t.Errorf("%s %s for %s: the page does not say %q", tc.lang, tc.kind, tc.expires, tc.want)
			}
		}
	})
}

func TestGroupSecret(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"a 16-character secret is four groups", "JBSWY3DPEHPK3PXP", "JBSW Y3DP EHPK 3PXP"},
		{"a last short group is kept", "JBSWY3DPEH", "JBSW Y3DP EH"},
		{"spaces already there are regrouped", " JB SWY3\tDPE ", "JBSW Y3DP E"},
		{"an empty secret stays empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := groupSecret(tc.in); got != tc.want {
				t.Errorf("groupSecret(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// With two-step verification on, the page says how many recovery codes
// are left and offers a new set, confirmed with an authenticator code; not
// while new codes are on the page, nor with two-step verification off.
func TestAccountOffersNewRecoveryCodes(t *testing.T) {
	r := newTestRenderer(t)
	for _, tc := range []struct {
		name     string
		page     AccountPage
		loc      string
		wantText string // "" when the form must not be there
	}{
		{"several left", AccountPage{CSRFToken: testCSRF, MFAEnabled: true, RecoveryLeft: 7}, "en", "You have 7 unused recovery codes left."},
		{"one left", AccountPage{CSRFToken: testCSRF, MFAEnabled: true, RecoveryLeft: 1}, "en", "You have 1 unused recovery code left."},
		{"none left", AccountPage{CSRFToken: testCSRF, MFAEnabled: true}, "en", "You have 0 unused recovery codes left."},
		{"in Chinese", AccountPage{CSRFToken: testCSRF, MFAEnabled: true, RecoveryLeft: 4}, "zh-CN", "您还有 4 个未使用的恢复码。"},
		{"not while new codes are shown", AccountPage{CSRFToken: testCSRF, MFAEnabled: true, RecoveryCodes: testRecoveryCodes, RecoveryLeft: 10}, "en", ""},
		{"not with two-step verification off", AccountPage{CSRFToken: testCSRF}, "en", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/account", nil)
			req.Header.Set("Accept-Language", tc.loc)
			w := httptest.NewRecorder()
			if err := r.Account(w, req, http.StatusOK, tc.page); err != nil {
				t.Fatal(err)
			}
			body := w.Body.String()
			form := strings.Contains(body, `action="/account/mfa/recovery"`)
			if tc.wantText == "" {
				if form {
					t.Fatalf("the page offers new recovery codes:\n%s", body)
				}
				return
			}
			if !form || !strings.Contains(body, tc.wantText) || !strings.Contains(body, `name="csrf_token" value="`+testCSRF+`"`) {
				t.Fatalf("want the form with its CSRF token and %q:\n%s", tc.wantText, body)
			}
		})
	}
}

// A session's device is shown in words read from its User-Agent, in the
// page's language, with the User-Agent itself as the cell's title; what
// cannot be read is shown as it is, and nothing as "Unknown device".
func TestAccountSessionDeviceInWords(t *testing.T) {
	r := newTestRenderer(t)
	for _, tc := range []struct {
		ua, loc, want string
	}{
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "en", "Chrome on macOS"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "zh-CN", "macOS 上的 Chrome"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "en", "Safari on iOS"},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "en", "Chrome on Android"},
		{"TokenIM-Desktop/3.1 (Windows)", "en", "TokenIM-Desktop"},
		{"", "en", "Unknown device"},
		{"", "zh-CN", "未知设备"},
	} {
		t.Run(tc.loc+" "+tc.want, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/account", nil)
			req.Header.Set("Accept-Language", tc.loc)
			w := httptest.NewRecorder()
			p := AccountPage{CSRFToken: testCSRF, Sessions: []SessionView{{ID: "ses-1", Device: tc.ua, IP: "203.0.113.7", SignedInAt: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)}}}
			if err := r.Account(w, req, http.StatusOK, p); err != nil {
				t.Fatal(err)
			}
			doc, err := html.Parse(strings.NewReader(w.Body.String()))
			if err != nil {
				t.Fatal(err)
			}
			rows := elements(doc)["tr"]
			if len(rows) != 2 {
				t.Fatalf("want a header and one session row, have %d rows", len(rows))
			}
			cell := elements(rows[1])["td"][0]
			if got := strings.TrimSpace(text(cell)); got != tc.want {
				t.Errorf("device %q, want %q", got, tc.want)
			}
			if attr(cell, "title") != tc.ua {
				t.Errorf("title %q, want the User-Agent %q", attr(cell, "title"), tc.ua)
			}
		})
	}
}

// accountHandlerKeys are the keys the account page's handlers put in its
// Notice and Error for passkeys and the password.
func accountHandlerKeys() []string {
	return []string{
		"passkeys.added", "passkeys.renamed", "passkeys.removed", "passkeys.unknown",
		"passkeys.name_empty", "passkeys.name_too_long", "passkeys.name_invalid", "password.changed",
		"links.added", "links.removed", "links.unknown", "links.unknown_provider", "links.already", "links.last_way_in",
	}
}

// testLinks are an account's linked identities: one through a provider
// named in both languages and used since, one through a provider no
// longer configured (no name), never used.
func testLinks() []LinkView {
	return []LinkView{
		{
			Provider: UpstreamButton{ID: "wecom", Name: "WeCom", NameZH: "企业微信"}, Subject: "ann.zhang", Email: "ann@corp.example",
			CreatedAt:  time.Date(2026, 10, 5, 8, 0, 0, 0, time.UTC),
			LastUsedAt: time.Date(2026, 11, 24, 9, 15, 0, 0, time.UTC),
		},
		{Provider: UpstreamButton{ID: "old-sso"}, Subject: "8c1d-42", CreatedAt: time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)},
	}
}

// testLinkable are the providers the account may link.
func testLinkable() []UpstreamButton {
	return []UpstreamButton{{ID: "github", Name: "GitHub"}, {ID: "feishu", Name: "Feishu", NameZH: "飞书"}}
}

// testPasskeys are an account's passkeys: one synced across devices and
// used since, one kept on a security key and never used.
func testPasskeys() []PasskeyView {
	return []PasskeyView{
		{
			Ref: "q7Zx0vLk9mQ", Name: "Ann’s iPhone", Synced: true,
			CreatedAt:  time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC),
			LastUsedAt: time.Date(2026, 11, 24, 22, 5, 0, 0, time.FixedZone("CST", 8*3600)),
		},
		{Ref: "AAECAwQFBgc", Name: "YubiKey 5C", CreatedAt: time.Date(2026, 11, 20, 16, 45, 0, 0, time.UTC)},
	}
}

// accountPageCases are the golden pages of the passkeys and password
// sections and of the passkey removal step.
func accountPageCases() []pageCase {
	return []pageCase{
		{"account_passkeys", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Account(w, req, http.StatusOK, AccountPage{PasskeysOn: true, CSRFToken: testCSRF, Email: "ann@example.com", Passkeys: testPasskeys(), Notice: "passkeys.renamed"})
		}},
		{"account_password", http.StatusBadRequest, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Account(w, req, http.StatusBadRequest, AccountPage{CSRFToken: testCSRF, Email: "ann@example.com", MFAEnabled: true, RecoveryLeft: 10,
				NoCurrentPassword: true, Error: "password.too_short"})
		}},
		{"account_links", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.Account(w, req, http.StatusOK, AccountPage{CSRFToken: testCSRF, Email: "ann@example.com", LinkingOn: true,
				Links: testLinks(), Linkable: testLinkable(), Notice: "links.removed"})
		}},
		{"account_passkey_remove", http.StatusOK, func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
			return r.PasskeyRemove(w, req, http.StatusOK, PasskeyRemovePage{CSRFToken: testCSRF, Passkey: testPasskeys()[0], Last: true, MFAEnabled: true})
		}},
	}
}

// renderAccount renders the account page for a browser asking for loc.
func renderAccount(t *testing.T, r *Renderer, loc Locale, p AccountPage) *html.Node {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/account", nil)
	req.Header.Set("Accept-Language", string(loc))
	w := httptest.NewRecorder()
	if err := r.Account(w, req, http.StatusOK, p); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// Each passkey is listed with its name, when it was added and last used
// ("Never" when it has not been), whether it is synced, a rename form
// posting to its own address and a link to the removal step.
func TestAccountPasskeys(t *testing.T) {
	r := newTestRenderer(t)
	for _, tc := range []struct {
		loc  Locale
		want [][]string // each passkey's name, kind, added, last used
	}{
		{English, [][]string{
			{"Ann’s iPhone", "Synced across your devices", "2026-10-02 09:00 UTC", "2026-11-24 14:05 UTC"},
			{"YubiKey 5C", "Kept on one device", "2026-11-20 16:45 UTC", "Never"},
		}},
		{Chinese, [][]string{
			{"Ann’s iPhone", "在您的多台设备间同步", "2026-10-02 09:00 UTC", "2026-11-24 14:05 UTC"},
			{"YubiKey 5C", "仅保存在一台设备上", "2026-11-20 16:45 UTC", "从未使用"},
		}},
	} {
		t.Run(string(tc.loc), func(t *testing.T) {
			doc := renderAccount(t, r, tc.loc, AccountPage{CSRFToken: testCSRF, Passkeys: testPasskeys()})
			var items []*html.Node
			for _, ul := range elements(doc)["ul"] {
				if attr(ul, "class") == "passkeys" {
					items = elements(ul)["li"]
				}
			}
			if len(items) != len(tc.want) {
				t.Fatalf("%d passkeys listed, want %d", len(items), len(tc.want))
			}
			for i, li := range items {
				els := elements(li)
				dds := els["dd"]
				got := []string{text(els["h3"][0]), text(els["p"][0]), text(dds[0]), text(dds[1])}
				if diff := cmp.Diff(tc.want[i], got); diff != "" {
					t.Errorf("passkey %d (-want +got):\n%s", i, diff)
				}
				ref := testPasskeys()[i].Ref
				forms := els["form"]
				if len(forms) != 1 || attr(forms[0], "action") != "/account/passkeys/"+ref+"/rename" {
					t.Fatalf("passkey %d: want one rename form posting to its address", i)
				}
				in := elements(forms[0])["input"]
				if name := named(in, "name"); name == nil || attr(name, "value") != testPasskeys()[i].Name || attr(name, "maxlength") != "64" {
					t.Errorf("passkey %d: the name field does not hold its name", i)
				}
				if csrf := named(in, "csrf_token"); csrf == nil || attr(csrf, "value") != testCSRF {
					t.Errorf("passkey %d: the rename form has no CSRF token", i)
				}
				if a := els["a"]; len(a) != 1 || attr(a[0], "href") != "/account/passkeys/"+ref+"/remove" {
					t.Errorf("passkey %d: want a link to its removal step", i)
				}
			}
		})
	}
	t.Run("none, the section says what a passkey is", func(t *testing.T) {
		doc := renderAccount(t, r, English, AccountPage{CSRFToken: testCSRF})
		wantText(t, elements(doc), "You have no passkeys yet. A passkey lets you sign in without a password, with your device’s screen lock: your fingerprint, face or PIN.")
	})
	t.Run("passkeys off: no form, a line saying why", func(t *testing.T) {
		doc := renderAccount(t, r, English, AccountPage{CSRFToken: testCSRF})
		for _, f := range elements(doc)["form"] {
			if attr(f, "data-passkey") == "register" {
				t.Fatal("a form adding passkeys where they are off")
			}
		}
		wantText(t, elements(doc), "Passkeys are not available on this server: browsers offer them only on a host name over HTTPS (or http://localhost). Ask your administrator.")
	})
	t.Run("the form the browser's script adds a passkey with is there, hidden until it is", func(t *testing.T) {
		doc := renderAccount(t, r, Chinese, AccountPage{CSRFToken: testCSRF, PasskeysOn: true})
		var add *html.Node
		for _, f := range elements(doc)["form"] {
			if attr(f, "data-passkey") == "register" {
				add = f
			}
		}
		if add == nil || attr(add, "action") != "/account/passkeys" || attr(add, "method") != "post" || !hasAttr(add, "hidden") {
			t.Fatal("no hidden passkey form posting to /account/passkeys")
		}
		els := elements(add)
		if csrf := named(els["input"], "csrf_token"); csrf == nil || attr(csrf, "value") != testCSRF {
			t.Error("the passkey form has no CSRF token")
		}
		if name := named(els["input"], "name"); name == nil || attr(name, "id") != "passkey-name" || !hasAttr(name, "required") {
			t.Error("the passkey form has no name field")
		}
		failed, _ := messages().Lookup(Chinese, "passkeys.failed")
		if p := els["p"]; len(p) != 1 || attr(p[0], "data-failed") != failed || attr(p[0], "role") != "alert" {
			t.Error("the passkey form's error has not the failure text for the script")
		}
	})
}

// The password form asks for the current password, unless the browser
// signed in a moment ago with a second factor.
func TestAccountPasswordForm(t *testing.T) {
	r := newTestRenderer(t)
	for _, fresh := range []bool{false, true} {
		doc := renderAccount(t, r, English, AccountPage{CSRFToken: testCSRF, NoCurrentPassword: fresh})
		var form *html.Node
		for _, f := range elements(doc)["form"] {
			if attr(f, "action") == "/account/password" {
				form = f
			}
		}
		if form == nil {
			t.Fatal("no form posting to /account/password")
		}
		in := elements(form)["input"]
		if current := named(in, "current_password"); (current != nil) == fresh {
			t.Errorf("fresh two-factor sign-in %v: current password asked %v", fresh, current != nil)
		}
		for _, name := range []string{"new_password", "confirm"} {
			if f := named(in, name); f == nil || attr(f, "type") != "password" || attr(f, "autocomplete") != "new-password" {
				t.Errorf("%s field missing or not a new password", name)
			}
		}
	}
}

// Under 600 px the sessions table becomes stacked cards, each cell headed
// by its column's name: every cell carries it, in the page's language.
func TestAccountSessionCellsCarryTheirLabels(t *testing.T) {
	r := newTestRenderer(t)
	for _, tc := range []struct {
		loc  Locale
		want []string
	}{
		{English, []string{"Device", "Address", "Signed in", "Action"}},
		{Chinese, []string{"设备", "IP 地址", "登录时间", "操作"}},
	} {
		doc := renderAccount(t, r, tc.loc, AccountPage{CSRFToken: testCSRF, Sessions: testSessions()})
		rows := elements(doc)["tr"]
		if len(rows) != 3 {
			t.Fatalf("%s: want a header and two session rows, have %d", tc.loc, len(rows))
		}
		var heads []string
		for _, th := range elements(rows[0])["th"] {
			heads = append(heads, text(th))
		}
		if diff := cmp.Diff(tc.want, heads); diff != "" {
			t.Errorf("%s: column heads (-want +got):\n%s", tc.loc, diff)
		}
		for i, row := range rows[1:] {
			var labels []string
			for _, td := range elements(row)["td"] {
				labels = append(labels, attr(td, "data-label"))
			}
			if diff := cmp.Diff(tc.want, labels); diff != "" {
				t.Errorf("%s: row %d's cell labels (-want +got):\n%s", tc.loc, i, diff)
			}
		}
	}
}

// The removal step names the passkey, says what removing it means, and
// when it is the last one that the account keeps its password.
func TestPasskeyRemovePage(t *testing.T) {
	r := newTestRenderer(t)
	for _, tc := range []struct {
		name string
		loc  Locale
		page PasskeyRemovePage
		want []string
		not  string
	}{
		{"one of several", English, PasskeyRemovePage{Passkey: testPasskeys()[1]},
			[]string{"Remove the passkey “YubiKey 5C”?", "Kept on one device", "Never", "You will no longer be able to sign in with it."}, "This is your only passkey"},
		{"the last, two-step verification off", English, PasskeyRemovePage{Passkey: testPasskeys()[1], Last: true},
			[]string{"This is your only passkey. Once it is removed, you will sign in with your password."}, "authenticator"},
		{"the last, two-step verification on, in Chinese", Chinese, PasskeyRemovePage{Passkey: testPasskeys()[0], Last: true, MFAEnabled: true},
			[]string{"移除通行密钥“Ann’s iPhone”？", "在您的多台设备间同步", "这是您唯一的通行密钥。移除后，您需要使用密码和身份验证器应用中的验证码登录。"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.page.CSRFToken = testCSRF
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			req.Header.Set("Accept-Language", string(tc.loc))
			w := httptest.NewRecorder()
			if err := r.PasskeyRemove(w, req, http.StatusOK, tc.page); err != nil {
				t.Fatal(err)
			}
			body := w.Body.String()
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			els := elements(doc)
			page := text(els["body"][0])
			for _, s := range tc.want {
				if !strings.Contains(page, s) {
					t.Errorf("the page does not say %q:\n%s", s, page)
				}
			}
			if tc.not != "" && strings.Contains(page, tc.not) {
				t.Errorf("the page says %q", tc.not)
			}
			forms := wantForms(t, els, "/account/passkeys/"+tc.page.Passkey.Ref+"/remove")
			if len(forms) == 1 && attr(named(elements(forms[0])["input"], "csrf_token"), "value") != testCSRF {
				t.Error("the removal form has no CSRF token")
			}
			wantLinks(t, elements(els["main"][0]), "/account")
		})
	}
}

// linksSection returns the sign-in providers section of doc, or nil.
func linksSection(doc *html.Node) *html.Node {
	for _, sec := range elements(doc)["section"] {
		if attr(sec, "aria-labelledby") == "links-heading" {
			return sec
		}
	}
	return nil
}

// Each linked identity is listed with its provider's name in the page's
// language (its ID when the provider is no longer configured), the email
// it had there, when it was linked and last used, and a form unlinking
// it; each provider that may be linked has a form linking it.
func TestAccountLinks(t *testing.T) {
	r := newTestRenderer(t)
	for _, tc := range []struct {
		loc     Locale
		heading string
		want    [][]string // each link's name, then its dates list
		buttons []string
	}{
		{English, "Sign-in providers", [][]string{
			{"WeCom", "Email there", "ann@corp.example", "Linked", "2026-10-05 08:00 UTC", "Last used", "2026-11-24 09:15 UTC"},
			{"old-sso", "Linked", "2026-11-01 12:00 UTC", "Last used", "Never"},
		}, []string{"Link GitHub", "Link Feishu"}},
		{Chinese, "登录方式", [][]string{
			{"企业微信", "对方平台的邮箱", "ann@corp.example", "关联时间", "2026-10-05 08:00 UTC", "上次使用", "2026-11-24 09:15 UTC"},
			{"old-sso", "关联时间", "2026-11-01 12:00 UTC", "上次使用", "从未使用"},
		}, []string{"关联 GitHub", "关联 飞书"}},
	} {
		t.Run(string(tc.loc), func(t *testing.T) {
			doc := renderAccount(t, r, tc.loc, AccountPage{CSRFToken: testCSRF, LinkingOn: true, Links: testLinks(), Linkable: testLinkable()})
			sec := linksSection(doc)
			if sec == nil {
				t.Fatal("no sign-in providers section")
			}
			els := elements(sec)
			if got := text(els["h2"][0]); got != tc.heading {
				t.Errorf("heading %q, want %q", got, tc.heading)
			}
			items := els["li"]
			if len(items) != len(tc.want) {
				t.Fatalf("%d links listed, want %d", len(items), len(tc.want))
			}
			for i, li := range items {
				le := elements(li)
				got := []string{text(le["h3"][0])}
				for _, n := range all(le["dl"][0]) {
					if n.Data == "dt" || n.Data == "dd" {
						got = append(got, text(n))
					}
				}
				if diff := cmp.Diff(tc.want[i], got); diff != "" {
					t.Errorf("link %d (-want +got):\n%s", i, diff)
				}
				link := testLinks()[i]
				forms := le["form"]
				if len(forms) != 1 || attr(forms[0], "action") != "/account/links/"+link.Provider.ID+"/remove" || attr(forms[0], "method") != "post" {
					t.Fatalf("link %d: want one form posting to its removal", i)
				}
				in := elements(forms[0])["input"]
				if sub := named(in, "subject"); sub == nil || attr(sub, "value") != link.Subject {
					t.Errorf("link %d: the form does not post its subject", i)
				}
				if csrf := named(in, "csrf_token"); csrf == nil || attr(csrf, "value") != testCSRF {
					t.Errorf("link %d: the form has no CSRF token", i)
				}
			}
			var buttons []string
			for _, f := range els["form"][len(items):] {
				buttons = append(buttons, text(elements(f)["button"][0]))
				if csrf := named(elements(f)["input"], "csrf_token"); csrf == nil || attr(csrf, "value") != testCSRF {
					t.Errorf("the form of %s has no CSRF token", attr(f, "action"))
				}
			}
			if diff := cmp.Diff(tc.buttons, buttons); diff != "" {
				t.Errorf("link buttons (-want +got):\n%s", diff)
			}
			wantForms(t, els, "/account/links/wecom/remove", "/account/links/old-sso/remove", "/account/links/github", "/account/links/feishu")
		})
	}
	t.Run("linking on and nothing linked, the section says so", func(t *testing.T) {
		doc := renderAccount(t, r, English, AccountPage{CSRFToken: testCSRF, LinkingOn: true, Linkable: testLinkable()[:1]})
		sec := linksSection(doc)
		if sec == nil {
			t.Fatal("no sign-in providers section")
		}
		wantText(t, elements(sec), "No sign-in provider is linked to your account.")
		wantForms(t, elements(sec), "/account/links/github")
	})
	t.Run("linking off, links are still listed, with nothing to link", func(t *testing.T) {
		doc := renderAccount(t, r, English, AccountPage{CSRFToken: testCSRF, Links: testLinks()[1:], Linkable: testLinkable()})
		sec := linksSection(doc)
		if sec == nil {
			t.Fatal("no sign-in providers section")
		}
		wantForms(t, elements(sec), "/account/links/old-sso/remove")
	})
	t.Run("linking off and nothing linked, no section", func(t *testing.T) {
		if linksSection(renderAccount(t, r, English, AccountPage{CSRFToken: testCSRF})) != nil {
			t.Fatal("a sign-in providers section with linking off and no links")
		}
	})
	t.Run("an ID that is not a path segment is escaped in the addresses", func(t *testing.T) {
		doc := renderAccount(t, r, English, AccountPage{CSRFToken: testCSRF, LinkingOn: true,
			Links: []LinkView{{Provider: UpstreamButton{ID: "a/b c"}, Subject: "s"}}, Linkable: []UpstreamButton{{ID: "x?y", Name: "X"}}})
		wantForms(t, elements(linksSection(doc)), "/account/links/a%2Fb%20c/remove", "/account/links/x%3Fy")
	})
}
