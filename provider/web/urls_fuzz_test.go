package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzPageURLs: the addresses pages link to carry any ID, flow or return
// address as one path segment or as query values that read back
// unchanged, and never lead off the provider (the console's addresses:
// provider/admin/consoleurl's FuzzURLs).
func FuzzPageURLs(f *testing.F) {
	base, err := url.Parse("https://id.example/admin/records")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, id, flow, next string, recovery bool) {
		for prefix, link := range map[string]string{"/apps/": appURL(id)} {
			u, err := url.Parse(link)
			if err != nil || u.Path != prefix+id || !strings.HasPrefix(u.EscapedPath(), prefix) || strings.Contains(u.EscapedPath()[len(prefix):], "/") ||
				u.RawQuery != "" || base.ResolveReference(u).Host != base.Host {
				t.Fatalf("link %q for ID %q: %v", link, id, err)
			}
		}
		u, err := url.Parse(mfaURL(flow, next, recovery))
		if err != nil || u.Path != "/login/mfa" || u.Query().Get("flow") != flow || u.Query().Get("next") != next || (u.Query().Get("recovery") == "1") != recovery {
			t.Fatalf("second-step link %q for flow %q, next %q, recovery %v: %v", mfaURL(flow, next, recovery), flow, next, recovery, err)
		}
	})
}
