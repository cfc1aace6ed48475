package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/tokenim/tokenim-auth/templates"
)

// langMux is the renderer's routes on a mux, as serve mounts them.
func langMux(r *Renderer) *http.ServeMux {
	mux := http.NewServeMux()
	r.Mount(mux)
	return mux
}

func serveLang(t *testing.T, mux http.Handler, query string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/lang?"+query, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, req)
	return w
}

func switchQuery(to, back string) string {
	return "to=" + url.QueryEscape(to) + "&back=" + url.QueryEscape(back)
}

// langCookie returns the language cookie a response sets, or nil.
func langCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if strings.HasSuffix(c.Name, "tokenim_lang") {
			return c
		}
	}
	return nil
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	mux := langMux(newTestRenderer(t))

	t.Run("a switch remembers the language for a year and goes back to the page", func(t *testing.T) {
		t.Parallel()
		w := serveLang(t, mux, switchQuery("zh-CN", "/login?flow=flow-8c1d"))
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?flow=flow-8c1d" {
			t.Fatalf("answered %d to %q, want 303 to /login?flow=flow-8c1d", w.Code, w.Header().Get("Location"))
		}
		c := langCookie(w)
		if c == nil {
			t.Fatal("no language cookie set")
		}
		if c.Name != "tokenim_lang" || c.Value != "zh-CN" || c.Path != "/" || c.MaxAge != 365*24*3600 ||
			!c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
			t.Errorf("cookie %+v, want tokenim_lang=zh-CN; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax (not Secure over http)", c)
		}
		if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
	})
	t.Run("with secure cookies the cookie is Secure and host-only", func(t *testing.T) {
		t.Parallel()
		r, err := New(Config{FS: templates.FS(), Logger: slog.New(slog.NewTextHandler(t.Output(), nil)), SecureCookies: true})
		if err != nil {
			t.Fatal(err)
		}
		c := langCookie(serveLang(t, langMux(r), switchQuery("en", "/account")))
		if c == nil || c.Name != "__Host-tokenim_lang" || !c.Secure || c.Path != "/" || c.Domain != "" || c.Value != "en" {
			t.Errorf("cookie %+v, want __Host-tokenim_lang=en, Secure, Path=/, no Domain", c)
		}
		// And the pages read it under that name.
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		req.Header.Set("Accept-Language", "en")
		req.AddCookie(&http.Cookie{Name: "__Host-tokenim_lang", Value: "zh-CN"})
		if got := r.Locale(req, ""); got != Chinese {
			t.Errorf("Locale with the secure cookie = %q, want zh-CN", got)
		}
	})
	t.Run("the next page is in the language chosen, whatever the browser asks", func(t *testing.T) {
		t.Parallel()
		c := langCookie(serveLang(t, mux, switchQuery("zh-CN", "/")))
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/password/forgot", nil)
		req.Header.Set("Accept-Language", "en-US,en;q=0.9")
		req.AddCookie(c)
		w := httptest.NewRecorder()
		if err := newTestRenderer(t).Forgot(w, req, http.StatusOK, ForgotPage{CSRFToken: testCSRF}); err != nil {
			t.Fatal(err)
		}
		if got := w.Header().Get("Content-Language"); got != "zh-CN" {
			t.Errorf("Content-Language %q, want zh-CN", got)
		}
		if !strings.Contains(w.Body.String(), "重置密码") {
			t.Errorf("the page is not in Chinese:\n%s", w.Body)
		}
	})
	t.Run("a return address on this site is kept", func(t *testing.T) {
		t.Parallel()
		for _, back := range []string{
			"/", "/account", "/login?flow=flow-8c1d&next=%2Faccount", "/password/reset?token=dGVzdA",
			"/admin/records?action=token.issued", "/device?user_code=WDJB-MJHT", "/%E6%B5%8B%E8%AF%95", "/a:b",
		} {
			w := serveLang(t, mux, switchQuery("en", back))
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != back {
				t.Errorf("back %q: answered %d to %q, want 303 to it", back, w.Code, w.Header().Get("Location"))
			}
		}
	})
	t.Run("any other return address goes to the start page: no open redirect", func(t *testing.T) {
		t.Parallel()
		for _, back := range []string{
			"", "https://evil.example/", "http://evil.example", "//evil.example", "//evil.example/login",
			"/\\evil.example", "\\\\evil.example", "/x\\y", "javascript:alert(1)", "evil.example/login",
			" /account", "/\t/evil.example", "/\n/evil.example", "/account\r\nSet-Cookie: a=b",
			"/\x00", "/\xff\xfe", "/" + strings.Repeat("a", maxBack), "https:/evil.example", "/%zz",
		} {
			w := serveLang(t, mux, switchQuery("en", back))
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" {
				t.Errorf("back %q: answered %d to %q, want 303 to /", back, w.Code, w.Header().Get("Location"))
			}
			if c := langCookie(w); c == nil || c.Value != "en" {
				t.Errorf("back %q: the language was not remembered: %v", back, c)
			}
		}
		if w := serveLang(t, mux, "to=en"); w.Header().Get("Location") != "/" {
			t.Errorf("no back: went to %q, want /", w.Header().Get("Location"))
		}
	})
	t.Run("a language the pages are not written in is a 400 page in the reader's language", func(t *testing.T) {
		t.Parallel()
		for _, to := range []string{"", "fr", "zh", "ZH-CN", "en-US", "zh-CN zh", strings.Repeat("x", 5000)} {
			w := serveLang(t, mux, switchQuery(to, "/account"), "Accept-Language", "zh-CN")
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "页面不提供该语言") {
				t.Errorf("to %q: answered %d, want the 400 page in Chinese:\n%s", to, w.Code, w.Body)
			}
			if c := langCookie(w); c != nil {
				t.Errorf("to %q: set the cookie %v", to, c)
			}
			if loc := w.Header().Get("Location"); loc != "" {
				t.Errorf("to %q: redirected to %q", to, loc)
			}
			// The page's own switcher returns to where the switch was to.
			if !strings.Contains(w.Body.String(), `href="/lang?to=en&amp;back=%2Faccount"`) {
				t.Errorf("to %q: the error page's switcher does not return to /account:\n%s", to, w.Body)
			}
		}
		w := serveLang(t, mux, "to=fr", "Accept-Language", "en")
		if !strings.Contains(w.Body.String(), "not written in that language") {
			t.Errorf("the 400 page is not in English:\n%s", w.Body)
		}
	})
}

// A return address that localPath keeps, read by a browser on the
// provider's site, stays on that site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/account", "//evil.example", "/\\evil.example", "/\t/x", "https://x", "/a?b=//c", "/%2F%2Fevil", "/.//evil", "/..//evil"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://auth.tokenim.example/login")
	f.Fuzz(func(t *testing.T, back string) {
		got := localPath(back)
		if got != "/" && got != back {
			t.Fatalf("localPath(%q) = %q: neither the address nor /", back, got)
		}
		if got == "/" {
			return
		}
		if strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\") || strings.ContainsFunc(got, unicode.IsControl) || len(got) > maxBack {
			t.Fatalf("localPath(%q) kept it", back)
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("localPath(%q) kept an address that does not parse: %v", back, err)
		}
		if to := base.ResolveReference(u); to.Host != base.Host || to.Scheme != base.Scheme {
			t.Fatalf("localPath(%q) kept an address leading to %s", back, to)
		}
		// As http.Redirect writes it: the path cleaned, the query kept.
		w := httptest.NewRecorder()
		http.Redirect(w, httptest.NewRequest(http.MethodGet, "/lang", nil), got, http.StatusSeeOther)
		loc := w.Header().Get("Location")
		if strings.HasPrefix(loc, "//") || !strings.HasPrefix(loc, "/") {
			t.Fatalf("localPath(%q) kept an address that redirects to %q", back, loc)
		}
	})
}
