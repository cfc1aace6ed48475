package resources

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"https://im.example.com", "https://im.example.com/api/v1", "http://127.0.0.1:8090"} {
		if err := Check(ok); err != nil {
			t.Errorf("Check(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "/relative", "im.example.com", "https://im.example.com/#frag", "https://im.example.com/#", "https://im example.com",
		"https://im.example.com/\"", "https://im.example.com/é", "https://" + strings.Repeat("a", 600)} {
		if Check(bad) == nil {
			t.Errorf("Check(%q) accepted it", bad)
		}
	}
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	r, err := NewRegistry([]Resource{{URI: "https://im.example.com", Scopes: []string{"im:messages.read"}}, {URI: "https://calls.example.com", Scopes: []string{"im:calls.read"}}})
	if err != nil {
		t.Fatal(err)
	}
	res, ok := r.Get("https://im.example.com")
	if !ok || !res.Accepts([]string{"openid", "im:messages.read"}) || res.Accepts([]string{"im:calls.read"}) {
		t.Fatalf("Get: %+v %v", res, ok)
	}
	if _, ok := r.Get("https://im.example.com/"); ok {
		t.Error("a URI is found by another spelling")
	}
	if _, err := NewRegistry([]Resource{{URI: "https://a.example"}, {URI: "https://a.example"}}); err == nil || !strings.Contains(err.Error(), "resources[1].uri") {
		t.Errorf("a URI registered twice: %v", err)
	}
	if _, err := NewRegistry([]Resource{{URI: "https://a.example#x"}}); err == nil || !strings.Contains(err.Error(), "resources[0].uri") {
		t.Errorf("a fragment: %v", err)
	}
}

// FuzzCheck: an identifier Check accepts is an absolute URI with a host,
// without a fragment, printable ASCII without spaces, quotes or
// backslashes.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"https://im.example.com", "https://x/#", "http://[::1]:1/a?b", "a:b", "//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		if Check(uri) != nil {
			return
		}
		if strings.Contains(uri, "#") || strings.ContainsAny(uri, " \"\\") || !strings.Contains(uri, ":") {
			t.Fatalf("Check accepted %q", uri)
		}
	})
}
