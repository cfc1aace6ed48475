package web

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// FuzzPageURLs: the addresses pages link to carry any ID, filter, flow or
// return address as one path segment or as query values that read back
// unchanged, and never lead off the provider.
func FuzzPageURLs(f *testing.F) {
	base, err := url.Parse("https://id.example/admin/records")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, flow, next string, recovery bool) {
		for prefix, link := range map[string]string{"/admin/users/": AdminUserURL(id), "/admin/apps/": AdminAppURL(id), "/apps/": appURL(id)} {
			u, err := url.Parse(link)
			if err != nil || u.Path != prefix+id || !strings.HasPrefix(u.EscapedPath(), prefix) || strings.Contains(u.EscapedPath()[len(prefix):], "/") ||
				u.RawQuery != "" || base.ResolveReference(u).Host != base.Host {
				t.Fatalf("link %q for ID %q: %v", link, id, err)
			}
		}
		if u, err := url.Parse(AdminScopeURL(id)); err != nil || u.Path != "/admin/scopes" || u.Query().Get("scope") != id || len(u.Query()) != 1 {
			t.Fatalf("scope link %q for %q: %v", AdminScopeURL(id), id, err)
		}
		q := url.Values{}
		for k, v := range map[string]string{"user": id, "from": flow, "before": next} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if u, err := url.Parse(AdminRecordsURL(q)); err != nil || u.Path != "/admin/records" || !reflect.DeepEqual(u.Query(), q) {
			t.Fatalf("records link %q for %v: %v", AdminRecordsURL(q), q, err)
		}
		u, err := url.Parse(mfaURL(flow, next, recovery))
		if err != nil || u.Path != "/login/mfa" || u.Query().Get("flow") != flow || u.Query().Get("next") != next || (u.Query().Get("recovery") == "1") != recovery {
			t.Fatalf("second-step link %q for flow %q, next %q, recovery %v: %v", mfaURL(flow, next, recovery), flow, next, recovery, err)
		}
	})
}
