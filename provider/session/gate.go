package session

import (
	"context"
	"net/http"
	"net/url"
)

// Current tells who is signed in to a browser (Manager does).
type Current interface {
	Current(ctx context.Context, r *http.Request) (Signed, bool, error)
}

// Page is a page handler for a browser someone is signed in on.
type Page func(w http.ResponseWriter, r *http.Request, s Signed)

// Gate keeps pages to signed-in browsers: any other is sent to sign in,
// and back to the page after.
type Gate struct {
	Sessions Current
	// Next is where sign-in returns to: one of the provider's own paths
	// ("/account"), put in the address as it is; empty for the address
	// of the request itself, path and query, escaped.
	Next string
	// Fail answers a request whose session could not be loaded.
	Fail func(w http.ResponseWriter, r *http.Request, err error)
}

// Require returns a handler that runs page for a signed-in browser and
// sends any other to /login?next=… with 303 See Other.
func (g Gate) Require(page Page) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok, err := g.Sessions.Current(r.Context(), r)
		if err != nil {
			g.Fail(w, r, err)
			return
		}
		if !ok {
			next := g.Next
			if next == "" {
				next = url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, "/login?next="+next, http.StatusSeeOther)
			return
		}
		page(w, r, s)
	}
}
