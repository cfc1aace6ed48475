package params_test

import (
	"net/url"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/params"
)

func TestRepeated(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, query, want string
	}{
		{"each parameter once", "grant_type=client_credentials&scope=a+b", ""},
		{"a repeated grant type", "grant_type=client_credentials&grant_type=password", "grant_type"},
		{"a parameter repeated empty", "scope=a&scope=", "scope"},
		{"the first repeated name, whatever the order", "state=1&redirect_uri=a&state=2&redirect_uri=b", "redirect_uri"},
		{"audience may repeat (RFC 8693)", "audience=a&audience=b", ""},
		{"resource may repeat (RFC 8707)", "resource=https://a.example&resource=https://b.example", ""},
		{"nothing at all", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form, err := url.ParseQuery(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			if got := params.Repeated(form); got != tc.want {
				t.Fatalf("Repeated(%q) = %q, want %q", tc.query, got, tc.want)
			}
		})
	}
}
