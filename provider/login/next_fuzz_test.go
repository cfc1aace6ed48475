package login

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext: a return address (next) is kept only as it was sent, and
// only when a browser following it as a redirect stays on the provider,
// on one of its own pages (the account, the portal, the console, the
// device page); it survives a round trip through the page's form (the
// hidden field) and the redirect (Location) unchanged.
func FuzzSafeNext(f *testing.F) {
	base, err := url.Parse("https://id.example/login?flow=f1")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, next string) {
		kept := safeNext(next)
		if kept == "" {
			return
		}
		if kept != next {
			t.Fatalf("safeNext(%q) = %q: changed", next, kept)
		}
		u, err := url.Parse(kept)
		if err != nil {
			t.Fatalf("safeNext kept %q, which does not parse: %v", kept, err)
		}
		to := base.ResolveReference(u)
		if u.Scheme != "" || u.Host != "" || u.User != nil || to.Scheme != base.Scheme || to.Host != base.Host {
			t.Fatalf("safeNext kept %q, which leads to %s", kept, to)
		}
		if !strings.HasPrefix(kept, "/account") && !strings.HasPrefix(kept, "/apps") && !strings.HasPrefix(kept, "/admin") && !strings.HasPrefix(kept, "/device") {
			t.Fatalf("safeNext kept %q, none of the pages one returns to", kept)
		}
		if again := safeNext(url.Values{"next": {kept}}.Get("next")); again != kept {
			t.Fatalf("safeNext(%q) = %q the second time", kept, again)
		}
		w := httptest.NewRecorder()
		http.Redirect(w, httptest.NewRequest(http.MethodPost, "/login", nil), kept, http.StatusSeeOther)
		loc, err := url.Parse(w.Header().Get("Location"))
		if err != nil || base.ResolveReference(loc).Host != base.Host || loc.Host != "" {
			t.Fatalf("redirect to %q sends the browser to %q", kept, w.Header().Get("Location"))
		}
	})
}
