package relyingparty_test

import (
	"slices"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/relyingparty"
)

func TestRelyingParty(t *testing.T) {
	t.Parallel()
	rp, origins, ok := relyingparty.FromIssuer("https://id.example.com:8443/base")
	if !ok || rp != "id.example.com" || !slices.Equal(origins, []string{"https://id.example.com:8443"}) {
		t.Fatalf("FromIssuer: %q %q %v", rp, origins, ok)
	}
	for _, issuer := range []string{"http://127.0.0.1:8080", "http://[::1]:8080", "http://auth.dev.example.com", "not a URL", ""} {
		if _, _, ok := relyingparty.FromIssuer(issuer); ok {
			t.Errorf("FromIssuer(%q): passkeys offered where browsers refuse them", issuer)
		}
	}
	if _, _, ok := relyingparty.FromIssuer("http://localhost:8080"); !ok {
		t.Error("FromIssuer(http://localhost:8080): no passkeys on localhost")
	}
	for _, c := range []struct {
		rpID    string
		origins []string
		ok      bool
	}{
		{"example.com", []string{"https://id.example.com", "https://example.com"}, true},
		{"localhost", []string{"http://localhost:8080"}, true},
		{"127.0.0.1", []string{"http://127.0.0.1:4444"}, false},
		{"::1", []string{"http://[::1]:4444"}, false},
		{"example.com", []string{"http://id.example.com"}, false},
		{"example.com", []string{"https://example.org"}, false},
		{"example.com", []string{"https://badexample.com"}, false},
		{"example.com", []string{"https://id.example.com/path"}, false},
		{"example.com", nil, false},
		{"", []string{"https://example.com"}, false},
		{"https://example.com", []string{"https://example.com"}, false},
	} {
		if err := relyingparty.Check(c.rpID, c.origins); (err == nil) != c.ok {
			t.Errorf("Check(%q, %q) = %v, want ok %v", c.rpID, c.origins, err, c.ok)
		}
	}
}
