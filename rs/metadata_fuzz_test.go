package rs

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzMetadataLocation: a resource identifier metadataLocation accepts is
// an https (or loopback http) URL without query or fragment that a
// quoted-string carries unchanged, and so is its metadata URL, which has
// the resource's scheme and host and the well-known suffix followed by the
// resource's path (RFC 9728 section 3.1).
func FuzzMetadataLocation(f *testing.F) {
	for _, s := range []string{
		"https://im.example.com", "https://im.example.com/", "https://im.example.com/api/v1/",
		"http://127.0.0.1:8090", "http://[::1]/x", "https://im.example.com/a%20b", "https://im.example.com/a%2Fb",
		"http://im.example.com", "https://im.example.com/a?b", "https://im.example.com/#", `https://x/"`, "https://x/é",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, resource string) {
		loc, err := metadataLocation(resource)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "resource: ") {
				t.Fatalf("metadataLocation(%q): error %q does not name the field", resource, err)
			}
			return
		}
		u, err := url.Parse(resource)
		if err != nil {
			t.Fatalf("metadataLocation accepted %q, which does not parse: %v", resource, err)
		}
		if u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname())) || u.RawQuery != "" || u.Fragment != "" || strings.ContainsAny(resource, "?#") {
			t.Fatalf("metadataLocation accepted %q", resource)
		}
		md := loc.String()
		for _, s := range []string{resource, md} {
			if quote(s) != `"`+s+`"` {
				t.Fatalf("a quoted-string changes %q into %s", s, quote(s))
			}
		}
		path := u.EscapedPath()
		if path == "/" {
			path = ""
		}
		if want := u.Scheme + "://" + u.Host + MetadataWellKnown + path; md != want {
			t.Fatalf("metadata URL of %q: %q, want %q", resource, md, want)
		}
	})
}
