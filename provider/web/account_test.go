package web

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
