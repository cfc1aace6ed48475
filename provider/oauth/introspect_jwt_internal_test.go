package oauth

import (
	"strings"
	"testing"
)

// FuzzAcceptsIntrospectionJWT: any Accept header is read without a
// panic, and asks for a signed answer only when it names the media type.
func FuzzAcceptsIntrospectionJWT(f *testing.F) {
	for _, s := range []string{"application/token-introspection+jwt", "application/json", "*/*",
		"application/token-introspection+jwt;q=0", "application/json;q=0.9, application/token-introspection+jwt;q=0.1", ";;,", "a/b; q=x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, accept string) {
		if acceptsIntrospectionJWT([]string{accept}) && !strings.Contains(strings.ToLower(accept), introspectionJWTMedia) {
			t.Fatalf("%q asks for a signed answer without naming %s", accept, introspectionJWTMedia)
		}
	})
}
