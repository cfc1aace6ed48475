package mailaddr

import (
	"strings"
	"testing"
)

func TestValid(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", MaxLen-65)
	for s, want := range map[string]bool{
		"alice@example.com": true, "Alice.Smith+im@mail.example.com": true, "bob@localhost": true, long: true,
		long + "b": false, "": false, "alice.example.com": false, "@example.com": false, "alice@": false,
		"alice@home@example.com": false, "alice @example.com": false, " alice@example.com": false,
		"alice@example.com ": false, "Alice <alice@example.com>": false, "<alice@example.com>": false,
		"alice@example.com, bob@example.com": false, "a..b@example.com": false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzValid: an address that passes has one @ with something on each
// side, no spaces, and at most MaxLen bytes.
func FuzzValid(f *testing.F) {
	for _, s := range []string{"alice@example.com", "Alice <a@b>", `"a b"@c`, "a@b@c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !Valid(s) {
			return
		}
		at := strings.LastIndex(s, "@")
		if at <= 0 || at == len(s)-1 || len(s) > MaxLen || strings.ContainsAny(s, " \t\r\n") {
			t.Fatalf("Valid(%q) = true", s)
		}
	})
}
