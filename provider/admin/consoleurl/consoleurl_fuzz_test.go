package consoleurl_test

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/admin/consoleurl"
)

// FuzzURLs: any ID is one path segment, any scope or filter reads back
// unchanged from the query, and no address leads off the provider.
func FuzzURLs(f *testing.F) {
	base, err := url.Parse("https://id.example/admin/records")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range [][3]string{{"u-1", "2026-12-01", "r-9"}, {"a/b?c#d", "%2F..", "../../x"}, {"//evil.example", "", " "}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, id, from, before string) {
		for prefix, link := range map[string]string{"/admin/users/": consoleurl.User(id), "/admin/apps/": consoleurl.App(id)} {
			u, err := url.Parse(link)
			if err != nil || u.Path != prefix+id || !strings.HasPrefix(u.EscapedPath(), prefix) || strings.Contains(u.EscapedPath()[len(prefix):], "/") ||
				u.RawQuery != "" || base.ResolveReference(u).Host != base.Host {
				t.Fatalf("link %q for ID %q: %v", link, id, err)
			}
		}
		if u, err := url.Parse(consoleurl.Scope(id)); err != nil || u.Path != "/admin/scopes" || u.Query().Get("scope") != id || len(u.Query()) != 1 {
			t.Fatalf("scope link %q for %q: %v", consoleurl.Scope(id), id, err)
		}
		q := url.Values{}
		for k, v := range map[string]string{"user": id, "from": from, "before": before} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if u, err := url.Parse(consoleurl.Records(q)); err != nil || u.Path != "/admin/records" || !reflect.DeepEqual(u.Query(), q) ||
			base.ResolveReference(u).Host != base.Host {
			t.Fatalf("records link %q for %v: %v", consoleurl.Records(q), q, err)
		}
	})
}
