package devicecode

import (
	"errors"
	"strings"
	"testing"
)

func TestNewUserCode(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 2000 {
		c := NewUserCode()
		if len(c) != UserCodeLength || strings.Trim(c, Alphabet) != "" {
			t.Fatalf("user code %q is not %d characters of %s", c, UserCodeLength, Alphabet)
		}
		if seen[c] {
			t.Fatalf("user code %q drawn twice in 2000", c)
		}
		seen[c] = true
		for _, r := range c {
			counts[r]++
		}
	}
	// 16,000 characters over 20 letters: each about 800; every letter
	// must be used, none wildly more than another.
	for _, r := range Alphabet {
		if n := counts[r]; n < 600 || n > 1000 {
			t.Errorf("letter %c drawn %d times in 16000, want about 800", r, n)
		}
	}
}

func TestNormalize(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		err      bool
	}{
		{"BCDF-GHJK", "BCDFGHJK", false},
		{"bcdf ghjk", "BCDFGHJK", false},
		{" bcdfghjk ", "BCDFGHJK", false},
		{"BCDF-GHJ", "", true},
		{"BCDF-GHJKL", "", true},
		{"BCDF-GHJA", "", true}, // A is not in the alphabet
		{"BCDF-GHJ0", "", true},
		{"ＢCDFGHJK", "", true}, // a full-width B
		{"", "", true},
	} {
		got, err := Normalize(tt.in)
		if tt.err {
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Normalize(%q) = %q, %v; want ErrMalformed", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if f := Format("BCDFGHJK"); f != "BCDF-GHJK" {
		t.Errorf("Format = %q, want BCDF-GHJK", f)
	}
}

func TestKeyed(t *testing.T) {
	if _, err := NewKeyed(make([]byte, 16)); err == nil {
		t.Fatal("a 16-byte key was accepted")
	}
	a, _ := NewKeyed([]byte(strings.Repeat("a", 32)))
	b, _ := NewKeyed([]byte(strings.Repeat("b", 32)))
	code := NewDeviceCode()
	if !strings.HasPrefix(code, "tkm_dc_") {
		t.Fatalf("device code %q lacks its prefix", code)
	}
	if again, _ := NewKeyed([]byte(strings.Repeat("a", 32))); a.DeviceCode(code) != again.DeviceCode(code) {
		t.Fatal("the same code signs differently under the same key")
	}
	if a.DeviceCode(code) == b.DeviceCode(code) {
		t.Fatal("two keys sign a code alike")
	}
	if a.DeviceCode("BCDFGHJK") == a.UserCode("BCDFGHJK") {
		t.Fatal("a device code and a user code with the same text sign alike")
	}
	if strings.Contains(a.UserCode("BCDFGHJK"), "BCDFGHJK") {
		t.Fatal("the signature holds the code")
	}
}
