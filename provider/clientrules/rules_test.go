package clientrules

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestParseReuseWindow(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "default", " ": "default", "0s": "0s", "10s": "10s", "1m": "1m0s", "61s": "must be between", "-1s": "must be between", "soon": "not a duration"} {
		w, msg := ParseReuseWindow(in)
		got := msg
		switch {
		case msg == "" && w == nil:
			got = "default"
		case msg == "":
			got = w.String()
		}
		if !strings.HasPrefix(got, want) {
			t.Errorf("ParseReuseWindow(%q) = %v, %q; want %s", in, w, msg, want)
		}
	}
}

// FuzzRedirectURIProblem: a redirect URI passes only when it is an
// absolute URL without a fragment and without a scheme that runs code or
// reads files; a confidential client's, or any back-channel logout URI,
// only when it is https (http on a loopback host or in dev mode) with a
// host and no user information. What passes for a confidential client
// passes for a public one, and what passes outside dev mode passes in it.
// A refusal quotes the URI.
func FuzzRedirectURIProblem(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string, public, dev bool) {
		problem := RedirectURIProblem(raw, public, dev)
		if problem != "" {
			if !strings.Contains(problem, "not a URL") && !strings.HasSuffix(problem, ": "+strconv.Quote(raw)) {
				t.Fatalf("RedirectURIProblem(%q) = %q: does not quote the URI", raw, problem)
			}
			return
		}
		u, err := url.Parse(raw)
		switch {
		case err != nil:
			t.Fatalf("%q passed but does not parse: %v", raw, err)
		case u.Scheme == "" || strings.Contains(raw, "#"):
			t.Fatalf("%q passed without a scheme or with a fragment", raw)
		case u.Scheme == "javascript" || u.Scheme == "data" || u.Scheme == "vbscript" || u.Scheme == "file":
			t.Fatalf("%q passed with scheme %s", raw, u.Scheme)
		case (!public || u.Scheme == "http" || u.Scheme == "https") && (u.Host == "" || u.User != nil || u.Opaque != ""):
			t.Fatalf("%q passed without a host or with user information", raw)
		case !public && u.Scheme != "https" && u.Scheme != "http":
			t.Fatalf("%q passed for a confidential client with scheme %s", raw, u.Scheme)
		case u.Scheme == "http" && !dev && !IsLoopback(u.Hostname()):
			t.Fatalf("%q passed with http on a host that is not loopback", raw)
		}
		if p := RedirectURIProblem(raw, true, dev); p != "" {
			t.Fatalf("%q passes for a confidential client but not for a public one: %s", raw, p)
		}
		if p := RedirectURIProblem(raw, public, true); p != "" {
			t.Fatalf("%q passes outside dev mode but not in it: %s", raw, p)
		}
		if p := BackchannelLogoutURIProblem(raw, dev); (p == "") != (RedirectURIProblem(raw, false, dev) == "") {
			t.Fatalf("%q: back-channel logout URI problem %q differs from a confidential redirect URI's", raw, p)
		}
	})
}
