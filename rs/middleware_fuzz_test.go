package rs

import (
	"strings"
	"testing"
)

// FuzzBearer: any Authorization header is read as a b64token of the
// Bearer scheme (RFC 6750 section 2.1; the scheme in any case), as no
// token, or as a malformed Bearer credential; a token sent as
// "Bearer <token>" comes back unchanged exactly when it is a b64token;
// and the quoted-strings of the challenge a refusal sends are well formed
// whatever goes in them.
func FuzzBearer(f *testing.F) {
	f.Fuzz(func(t *testing.T, header, token string) {
		got, ok, malformed := bearer(header)
		scheme, rest, _ := strings.Cut(header, " ")
		isBearer := strings.EqualFold(scheme, "Bearer")
		switch {
		case ok:
			if malformed != "" || !isBearer || got == "" || !isB64Token(got) || strings.TrimLeft(rest, " ") != got {
				t.Fatalf("bearer(%q) = %q, ok, %q: not the b64token after the Bearer scheme", header, got, malformed)
			}
		case malformed != "":
			if !isBearer || got != "" {
				t.Fatalf("bearer(%q) = %q, malformed %q, for a header of scheme %q", header, got, malformed, scheme)
			}
		case isBearer:
			t.Fatalf("bearer(%q) found no token and nothing malformed in a Bearer header", header)
		}

		if !strings.HasPrefix(token, " ") {
			for _, s := range []string{"Bearer", "bearer", "BEARER"} {
				got, ok, malformed := bearer(s + " " + token)
				if ok != isB64Token(token) || (ok && got != token) || ok == (malformed != "") {
					t.Fatalf("bearer(%q) = %q, %v, %q", s+" "+token, got, ok, malformed)
				}
			}
		}

		q := quote(header)
		inner, found := strings.CutPrefix(q, `"`)
		inner, found2 := strings.CutSuffix(inner, `"`)
		if !found || !found2 || strings.ContainsFunc(inner, func(r rune) bool { return r < 0x20 || r > 0x7e || r == '"' || r == '\\' }) {
			t.Fatalf("quote(%q) = %s: not a quoted-string of printable ASCII", header, q)
		}
	})
}
