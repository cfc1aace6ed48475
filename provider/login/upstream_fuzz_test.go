package login

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// unreachable is a connector a test must never get to.
type unreachable struct{ t *testing.T }

func (u unreachable) AuthCodeURL(context.Context, string, string, string, ...oauth2.AuthCodeOption) (string, error) {
	u.t.Fatal("AuthCodeURL called")
	return "", nil
}

func (u unreachable) CheckCallback(context.Context, url.Values) (string, error) {
	u.t.Fatal("CheckCallback called")
	return "", nil
}

func (u unreachable) Finish(context.Context, string, string, string) (upstream.Identity, error) {
	u.t.Fatal("Finish called")
	return upstream.Identity{}, nil
}

// FuzzUpstreamCallback: whatever state cookie and query (or posted form)
// a browser brings to a connector's callback, without the cookie its own
// start sealed the connector is never asked, nobody is signed in, and
// the answer is the 400 page (or, for a post without the resent mark,
// the page posting it again), never a server error.
func FuzzUpstreamCallback(f *testing.F) {
	f.Add("corp", "", "", false)
	f.Add("corp", "eyJjIjoiY29ycCJ9", "s", false)
	f.Add("other", "AAAA", "state", true)
	f.Add("corp", "\x00\xff", "\xff", true)
	f.Fuzz(func(t *testing.T, id, cookie, state string, post bool) {
		if !validPathSegment(id) {
			return
		}
		sealer, err := secret.NewSealer(make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, func(cfg *Config) {
			cfg.Upstreams, cfg.UpstreamSealer = UpstreamList{{ID: "corp", Name: "Corp SSO", Connector: unreachable{t}}}, sealer
		})
		answer := url.Values{"state": {state}, "code": {"c"}}
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, UpstreamCallbackPath+url.PathEscape(id)+"?"+answer.Encode(), nil)
		if post {
			answer.Set("tokenim_resent", "1")
			req = httptest.NewRequestWithContext(t.Context(), http.MethodPost, UpstreamCallbackPath+url.PathEscape(id), strings.NewReader(answer.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		req.Header.Set("Cookie", "__Host-tokenim_upstream="+cookie)
		w := h.serve(t, req)
		if w.Code != http.StatusBadRequest && w.Code != http.StatusNotFound {
			t.Fatalf("status %d:\n%s", w.Code, w.Body)
		}
		if h.whoIsSignedIn(t) != "" {
			t.Fatal("signed in")
		}
	})
}

// validPathSegment: id is one non-empty path segment once escaped.
func validPathSegment(id string) bool {
	return id != "" && id != "." && id != ".."
}
