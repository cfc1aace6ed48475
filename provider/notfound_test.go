package provider_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/provider/web/webtest"
)

// browser is a browser signed in or not.
type browser struct{ signedIn bool }

func (b browser) Current(context.Context, *http.Request) (session.Signed, bool, error) {
	return session.Signed{}, b.signedIn, nil
}

// thing is a part serving GET /thing only.
type thing struct{}

func (thing) Mount(mux provider.Mux) {
	mux.HandleFunc("GET /thing", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "thing") })
}

// send makes a request to h without following redirects.
func send(t *testing.T, h http.Handler, method, path string, header ...string) (*http.Response, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestUnknownAddresses(t *testing.T) {
	t.Parallel()
	pages := webtest.Pages(t)
	h := provider.New(provider.Deps{Ready: pinger{}, Parts: []provider.Mounter{thing{}, pages}, Pages: pages})

	for _, tc := range []struct{ lang, title, text string }{
		{"en", "Page not found", "This page does not exist."},
		{"zh-CN", "页面不存在", "您访问的页面不存在"},
	} {
		t.Run("an unknown page is a 404 page in the site's style, in "+tc.lang, func(t *testing.T) {
			resp, body := send(t, h, http.MethodGet, "/no-such-page/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
				"Accept", "text/html,application/xhtml+xml,*/*;q=0.8", "Accept-Language", tc.lang)
			if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if !strings.Contains(body, tc.title) || !strings.Contains(body, tc.text) || !strings.Contains(body, `<link rel="stylesheet" href="/static/style.css?v=`) {
				t.Fatalf("not the site's 404 page:\n%s", body)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'; style-src 'self';") {
				t.Fatalf("Content-Security-Policy %q is not the pages'", csp)
			}
			if strings.Contains(body, "no-such-page") || strings.Contains(body, "alert") {
				t.Fatalf("the page repeats the address asked for:\n%s", body)
			}
			if id := resp.Header.Get("X-Request-Id"); id == "" || !strings.Contains(body, id) {
				t.Fatalf("the page lacks its reference %q", id)
			}
		})
	}

	for _, tc := range []struct{ name, path, accept string }{
		{"a protocol address", "/oauth2/nope", "text/html"},
		{"a discovery address", "/.well-known/nope", ""},
		{"an admin API address", "/admin/api/v1/nope", ""},
		{"a page address asked for as JSON", "/nope", "application/json"},
		{"a page address refusing HTML", "/nope", "text/html;q=0, application/json"},
	} {
		t.Run(tc.name+" is a JSON 404", func(t *testing.T) {
			resp, body := send(t, h, http.MethodGet, tc.path, "Accept", tc.accept)
			var e map[string]string
			if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
				json.Unmarshal([]byte(body), &e) != nil || e["error"] != "not_found" || e["error_description"] == "" {
				t.Fatalf("status %d, Content-Type %q, body %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}

	t.Run("a route asked for with another method is still 405, naming the methods it takes", func(t *testing.T) {
		resp, _ := send(t, h, http.MethodPost, "/thing")
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Fatalf("status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
	t.Run("a known route is served", func(t *testing.T) {
		if resp, body := send(t, h, http.MethodGet, "/thing"); resp.StatusCode != http.StatusOK || body != "thing" {
			t.Fatalf("status %d, body %q", resp.StatusCode, body)
		}
	})
}

func TestHome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		sessions provider.Sessions
		want     string
	}{
		{"a signed-in browser goes to its account", browser{signedIn: true}, "/account"},
		{"any other browser goes to sign in", browser{}, "/login"},
		{"without sessions every browser goes to the account page, which asks for a sign-in", nil, "/account"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := provider.New(provider.Deps{Ready: pinger{}, Sessions: tc.sessions})
			if resp, _ := send(t, h, http.MethodGet, "/"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc.want {
				t.Fatalf("got %d to %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), tc.want)
			}
		})
	}
	t.Run("a post to / is 405", func(t *testing.T) {
		resp, _ := send(t, provider.New(provider.Deps{Ready: pinger{}}), http.MethodPost, "/")
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Fatalf("status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
}
