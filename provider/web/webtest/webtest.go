// Package webtest is what the page packages' tests share: the provider's
// real page renderer (web.New over templates.FS()), parsed once per test
// binary rather than once per test (parsing every page in both languages
// is most of what a small handler test costs under the race detector),
// requests as a browser sends them, and the check of a page's status and
// text. The
// renderer is safe for concurrent use and a test has no way to change it
// but SetScopes, which tests of page handlers must not call on it (give
// such a test a renderer of its own).
package webtest

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/web"
	"github.com/tokenim/tokenim-auth/templates"
)

// shared is the one renderer of the test binary. A package-level value is
// the point here: it is built once, never changed, and exists only in
// test binaries.
var shared = sync.OnceValues(func() (*web.Renderer, error) {
	return web.New(web.Config{FS: templates.FS()})
})

// Pages returns the shared renderer; a renderer that cannot be built
// fails the test.
func Pages(t testing.TB) *web.Renderer {
	t.Helper()
	r, err := shared()
	if err != nil {
		t.Fatalf("webtest: pages: %v", err)
	}
	return r
}

// Get is a GET of path, as a browser sends it, under t's context.
func Get(t testing.TB, path string) *http.Request {
	return httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
}

// Post is a form posted to path, as a browser sends it, under t's
// context.
func Post(t testing.TB, path string, form url.Values) *http.Request {
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// Serve has h answer req, with header's name and value pairs set on it
// first, and returns the answer.
func Serve(h http.Handler, req *http.Request, header ...string) *httptest.ResponseRecorder {
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// WantPage fails t unless w has status and its body says each text:
// markup as given, or text as a page writes it (HTML-escaped).
func WantPage(t testing.TB, w *httptest.ResponseRecorder, status int, texts ...string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d:\n%s", w.Code, status, w.Body)
	}
	for _, text := range texts {
		if body := w.Body.String(); !strings.Contains(body, text) && !strings.Contains(body, html.EscapeString(text)) {
			t.Fatalf("the page does not say %q:\n%s", text, w.Body)
		}
	}
}
