package devicecode

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalize: whatever a person types on the verification page,
// Normalize either refuses it with ErrMalformed or returns a canonical
// code (UserCodeLength characters of Alphabet) that normalizes to itself
// and survives Format, as shown on the device, unchanged.
func FuzzNormalize(f *testing.F) {
	f.Fuzz(func(t *testing.T, input string) {
		code, err := Normalize(input)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || code != "" {
				t.Fatalf("Normalize(%q) = %q, %v; want \"\" and ErrMalformed", input, code, err)
			}
		} else {
			if len(code) != UserCodeLength || strings.Trim(code, Alphabet) != "" {
				t.Fatalf("Normalize(%q) = %q: not %d characters of %s", input, code, UserCodeLength, Alphabet)
			}
			if again, err := Normalize(code); err != nil || again != code {
				t.Fatalf("Normalize(%q) = %q, %v; want it unchanged", code, again, err)
			}
			// Only separators and case may differ from what was typed:
			// every other character typed is one of the code's.
			kept := strings.Map(func(r rune) rune {
				if r == '-' || r == ' ' || r == '\t' {
					return -1
				}
				return r
			}, input)
			if utf8.RuneCountInString(kept) != UserCodeLength {
				t.Fatalf("Normalize(%q) = %q from %d characters, want %d", input, code, utf8.RuneCountInString(kept), UserCodeLength)
			}
		}

		// The round trip, for the canonical code the input makes when it
		// is read as one: only letters of Alphabet, cut or padded.
		canon := []byte(strings.Repeat(Alphabet[:1], UserCodeLength))
		for i := range min(len(input), UserCodeLength) {
			canon[i] = Alphabet[int(input[i])%len(Alphabet)]
		}
		shown := Format(string(canon))
		for _, typed := range []string{shown, strings.ToLower(shown), " " + strings.ReplaceAll(shown, "-", " - ") + "\t", string(canon)} {
			if got, err := Normalize(typed); err != nil || got != string(canon) {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", typed, got, err, canon)
			}
		}
		if !strings.Contains(VerificationURI("https://id.example", string(canon)), "user_code="+shown) {
			t.Fatalf("VerificationURI lacks the formatted code %s", shown)
		}
	})
}
