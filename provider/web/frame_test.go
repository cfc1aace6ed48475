package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// header returns the elements of a rendered page's layout header.
func header(t *testing.T, w *httptest.ResponseRecorder) map[string][]*html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(w.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	h := elements(doc)["header"]
	if len(h) != 1 {
		t.Fatalf("%d <header> elements, want 1", len(h))
	}
	return elements(h[0])
}

// switcher is what the header's language switcher offers: the current
// language's name, and the other's link.
func switcher(t *testing.T, els map[string][]*html.Node) (current, other, href string) {
	t.Helper()
	for _, s := range els["span"] {
		if attr(s, "aria-current") == "true" {
			current = text(s)
		}
	}
	for _, a := range els["a"] {
		if strings.HasPrefix(attr(a, "href"), "/lang?") {
			if other != "" {
				t.Fatalf("two language links")
			}
			other, href = text(a), attr(a, "href")
		}
	}
	return current, other, href
}

// posted is a form posted to path, as its handler has read it.
func posted(t *testing.T, path string, form url.Values) *http.Request {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	if err := req.ParseForm(); err != nil {
		t.Fatal(err)
	}
	return req
}

// wantBack checks that an English page's switcher returns to back.
func wantBack(t *testing.T, w *httptest.ResponseRecorder, back string) {
	t.Helper()
	if _, _, href := switcher(t, header(t, w)); href != "/lang?to=zh-CN&back="+url.QueryEscape(back) {
		t.Errorf("switch link %q, want back to %s", href, back)
	}
}

func TestLayoutLanguageSwitcher(t *testing.T) {
	t.Parallel()
	r := newTestRenderer(t)
	render := func(t *testing.T, req *http.Request, loc Locale) *httptest.ResponseRecorder {
		t.Helper()
		req.Header.Set("Accept-Language", string(loc))
		w := httptest.NewRecorder()
		if err := r.Login(w, req, http.StatusOK, LoginPage{CSRFToken: testCSRF, Flow: "flow-8c1d"}); err != nil {
			t.Fatal(err)
		}
		return w
	}
	get := func(t *testing.T, target string) *http.Request {
		return httptest.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	}
	t.Run("each language by its own name, the page's own not a link, the other back to this page", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			loc                  Locale
			current, other, href string
		}{
			{English, "English", "简体中文", "/lang?to=zh-CN&back=%2Flogin%3Fflow%3Dflow-8c1d"},
			{Chinese, "简体中文", "English", "/lang?to=en&back=%2Flogin%3Fflow%3Dflow-8c1d"},
		} {
			els := header(t, render(t, get(t, "/login?flow=flow-8c1d"), tc.loc))
			current, other, href := switcher(t, els)
			if current != tc.current || other != tc.other || href != tc.href {
				t.Errorf("in %s: current %q, link %q to %q; want current %q, link %q to %q", tc.loc, current, other, href, tc.current, tc.other, tc.href)
			}
			for _, a := range els["a"] {
				if strings.HasPrefix(attr(a, "href"), "/lang?") && attr(a, "lang") == "" {
					t.Errorf("the link to %q does not say its own language (lang)", text(a))
				}
			}
			if nav := els["nav"]; len(nav) == 0 || attr(nav[0], "aria-label") == "" {
				t.Errorf("the switcher is not a labelled <nav>")
			}
		}
	})
	t.Run("a refused form returns to the form's page on the same way, without the rest of the form", func(t *testing.T) {
		t.Parallel()
		req := posted(t, "/login", url.Values{"flow": {"flow-8c1d"}, "email": {"ann@example.com"}, "password": {"violet-harbour-42"}, "csrf_token": {testCSRF}})
		w := httptest.NewRecorder()
		if err := r.Login(w, req, http.StatusUnauthorized, LoginPage{CSRFToken: testCSRF, Flow: "flow-8c1d", Error: "login.invalid"}); err != nil {
			t.Fatal(err)
		}
		wantBack(t, w, "/login?flow=flow-8c1d")
	})
	t.Run("a form's result returns to the start page: the form's address may name what is gone", func(t *testing.T) {
		t.Parallel()
		w := httptest.NewRecorder()
		if err := r.Message(w, posted(t, "/apps/chat-web/delete", nil), http.StatusOK, MessagePage{Title: "message.title", Message: "portal.deleted"}); err != nil {
			t.Fatal(err)
		}
		wantBack(t, w, "/")
	})
	t.Run("the new-password page returns to its link, after a refused password too", func(t *testing.T) {
		t.Parallel()
		req := posted(t, "/password/reset", url.Values{"token": {"dG9rZW4"}, "password": {"x"}, "confirm": {"y"}})
		w := httptest.NewRecorder()
		if err := r.Reset(w, req, http.StatusBadRequest, ResetPage{CSRFToken: testCSRF, Token: "dG9rZW4", Error: "password.mismatch"}); err != nil {
			t.Fatal(err)
		}
		wantBack(t, w, "/password/reset?token=dG9rZW4")
	})
	t.Run("a page that does not exist returns to the start page, repeating nothing of its address", func(t *testing.T) {
		t.Parallel()
		w := httptest.NewRecorder()
		p := ErrorPage{Title: "error.not_found_title", Message: "error.not_found"}
		if err := r.Error(w, get(t, "/no-such-page/call-555-0100"), http.StatusNotFound, p); err != nil {
			t.Fatal(err)
		}
		wantBack(t, w, "/")
		if strings.Contains(w.Body.String(), "no-such-page") {
			t.Errorf("the 404 page repeats the address:\n%s", w.Body)
		}
	})
	t.Run("an address too long to carry returns to the page's path", func(t *testing.T) {
		t.Parallel()
		wantBack(t, render(t, get(t, "/login?flow="+strings.Repeat("a", maxBack)), English), "/login")
	})
}

func TestLayoutSignedInBar(t *testing.T) {
	t.Parallel()
	r := newTestRenderer(t)
	signedIn := func(t *testing.T, who string) *http.Request {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/account", nil)
		if who != "" {
			req.AddCookie(&http.Cookie{Name: "test_signed_in", Value: who})
		}
		return req
	}
	bar := func(t *testing.T, w *httptest.ResponseRecorder) (who string, links []string) {
		t.Helper()
		els := header(t, w)
		for _, li := range els["li"] {
			if attr(li, "class") == "who" {
				who = text(li)
			}
		}
		for _, a := range els["a"] {
			if !strings.HasPrefix(attr(a, "href"), "/lang?") {
				links = append(links, attr(a, "href")+" "+text(a))
			}
		}
		return who, links
	}
	message := func(r *Renderer, w http.ResponseWriter, req *http.Request) error {
		return r.Message(w, req, http.StatusOK, MessagePage{Title: "message.title", Message: "reset.done"})
	}

	t.Run("a signed-in browser sees who, the account page and sign-out, in its language", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			loc                   Locale
			who, account, signOut string
		}{
			{English, "Signed in as ann@example.com", "/account Account", "/oauth2/logout Sign out"},
			{Chinese, "已登录：ann@example.com", "/account 账号与安全", "/oauth2/logout 退出登录"},
		} {
			req := signedIn(t, "ann@example.com")
			req.Header.Set("Accept-Language", string(tc.loc))
			w := httptest.NewRecorder()
			if err := message(r, w, req); err != nil {
				t.Fatal(err)
			}
			who, links := bar(t, w)
			if who != tc.who || len(links) != 2 || links[0] != tc.account || links[1] != tc.signOut {
				t.Errorf("in %s: bar %q with %q; want %q with %q, %q", tc.loc, who, links, tc.who, tc.account, tc.signOut)
			}
		}
	})
	t.Run("who is escaped", func(t *testing.T) {
		t.Parallel()
		w := httptest.NewRecorder()
		if err := message(r, w, signedIn(t, `<b>x</b>@example.com`)); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(w.Body.String(), "<b>") {
			t.Errorf("who is not escaped:\n%s", w.Body)
		}
	})
	t.Run("no bar for a browser nobody is signed in to, nor from a renderer told nothing of sessions", func(t *testing.T) {
		t.Parallel()
		plain := newTestRenderer(t)
		plain.signedIn = nil
		for _, tc := range []struct {
			r   *Renderer
			who string
		}{{r, ""}, {plain, "ann@example.com"}} {
			w := httptest.NewRecorder()
			if err := message(tc.r, w, signedIn(t, tc.who)); err != nil {
				t.Fatal(err)
			}
			if who, links := bar(t, w); who != "" || len(links) != 0 {
				t.Errorf("bar %q with %q (signed in as %q, SignedIn set: %v)", who, links, tc.who, tc.r.signedIn != nil)
			}
		}
	})
	t.Run("the sign-out pages show the switcher but no bar", func(t *testing.T) {
		t.Parallel()
		for name, render := range map[string]func(w http.ResponseWriter, req *http.Request) error{
			"logout": func(w http.ResponseWriter, req *http.Request) error {
				return r.Logout(w, req, LogoutPage{CSRFToken: testCSRF})
			},
			"logged_out": func(w http.ResponseWriter, req *http.Request) error { return r.LoggedOut(w, req, LoggedOutPage{}) },
		} {
			w := httptest.NewRecorder()
			if err := render(w, signedIn(t, "ann@example.com")); err != nil {
				t.Fatal(err)
			}
			if who, links := bar(t, w); who != "" || len(links) != 0 {
				t.Errorf("%s: bar %q with %q", name, who, links)
			}
			if current, other, _ := switcher(t, header(t, w)); current == "" || other == "" {
				t.Errorf("%s: no language switcher", name)
			}
		}
	})
	t.Run("the form_post page shows neither, and its form stays the page's first", func(t *testing.T) {
		t.Parallel()
		w := httptest.NewRecorder()
		p := FormPostPage{Action: "https://chat.example.com/cb", Params: url.Values{"code": {"c"}, "state": {"s"}}}
		if err := r.FormPost(w, signedIn(t, "ann@example.com"), p); err != nil {
			t.Fatal(err)
		}
		els := header(t, w)
		if len(els["a"]) != 0 || len(els["nav"]) != 0 {
			t.Errorf("the form_post page's header has links:\n%s", w.Body)
		}
	})
}
