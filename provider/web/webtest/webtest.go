// Package webtest hands the page packages' tests the provider's real page
// renderer (web.New over templates.FS()), parsed once per test binary
// rather than once per test: parsing every page in both languages is most
// of what a small handler test costs under the race detector. The
// renderer is safe for concurrent use and a test has no way to change it
// but SetScopes, which tests of page handlers must not call on it (give
// such a test a renderer of its own).
package webtest

import (
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
