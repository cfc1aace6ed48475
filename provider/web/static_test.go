package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/tokenim/tokenim-auth/templates"
)

func TestStatic(t *testing.T) {
	r := newTestRenderer(t)
	mux := http.NewServeMux()
	r.Mount(mux)
	css, err := fs.ReadFile(templates.FS(), "static/style.css")
	if err != nil {
		t.Fatal(err)
	}

	// The URL the pages link to.
	page := renderPage(t, r, pageCases()[0], English)
	doc, err := html.Parse(page.Body)
	if err != nil {
		t.Fatal(err)
	}
	var links []*html.Node
	for _, l := range elements(doc)["link"] {
		if attr(l, "rel") == "stylesheet" {
			links = append(links, l)
		}
	}
	if len(links) != 1 {
		t.Fatalf("want one stylesheet link, have %d", len(links))
	}
	linked := attr(links[0], "href")
	etag := `"` + strings.TrimPrefix(linked, "/static/style.css?v=") + `"`

	tests := []struct {
		name        string
		method      string
		target      string
		header      map[string]string
		status      int
		contentType string
		cache       string
		body        string
	}{
		{"the linked style sheet is served as CSS for a year", "GET", linked, nil,
			http.StatusOK, "text/css; charset=utf-8", "public, max-age=31536000, immutable", string(css)},
		{"the style sheet without its version must be revalidated", "GET", "/static/style.css", nil,
			http.StatusOK, "text/css; charset=utf-8", "no-cache", string(css)},
		{"a stale version must be revalidated", "GET", "/static/style.css?v=0000000000000000", nil,
			http.StatusOK, "text/css; charset=utf-8", "no-cache", string(css)},
		{"a matching ETag is not modified", "GET", "/static/style.css", map[string]string{"If-None-Match": etag},
			http.StatusNotModified, "", "no-cache", ""},
		{"HEAD answers without a body", "HEAD", linked, nil,
			http.StatusOK, "text/css; charset=utf-8", "public, max-age=31536000, immutable", ""},
		{"an unknown file is not found", "GET", "/static/app.js", nil, http.StatusNotFound, "", "", ""},
		{"the directory is not listed", "GET", "/static/", nil, http.StatusNotFound, "", "", ""},
		{"templates are not served", "GET", "/static/login.html", nil, http.StatusNotFound, "", "", ""},
		{"POST is not allowed", "POST", "/static/style.css", nil, http.StatusMethodNotAllowed, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), tc.method, tc.target, nil)
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			if tc.contentType != "" && w.Header().Get("Content-Type") != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", w.Header().Get("Content-Type"), tc.contentType)
			}
			if tc.cache != "" && w.Header().Get("Cache-Control") != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", w.Header().Get("Cache-Control"), tc.cache)
			}
			if tc.status == http.StatusOK && w.Body.String() != tc.body {
				t.Errorf("body differs from static/style.css (%d bytes, want %d)", w.Body.Len(), len(tc.body))
			}
		})
	}
}
