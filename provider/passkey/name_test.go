package passkey

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, raw, want string
		err             error
	}{
		{"a plain name is kept", "Work laptop", "Work laptop", nil},
		{"spaces around it are trimmed", "  Work laptop\t\n", "Work laptop", nil},
		{"spaces inside are kept", "Ann's  phone", "Ann's  phone", nil},
		{"Chinese is text like any other", " 工作电脑 ", "工作电脑", nil},
		{"an emoji is one character", "🔑 YubiKey", "🔑 YubiKey", nil},
		{"one character is enough", "A", "A", nil},
		{"64 characters are allowed", strings.Repeat("钥", 64), strings.Repeat("钥", 64), nil},
		{"64 characters with spaces around are allowed", "  " + strings.Repeat("k", 64) + "  ", strings.Repeat("k", 64), nil},
		{"an empty name is refused", "", "", ErrNameEmpty},
		{"only spaces are refused as empty", " \t\u3000 ", "", ErrNameEmpty},
		{"65 characters are too long", strings.Repeat("钥", 65), "", ErrNameTooLong},
		{"a huge name is too long", strings.Repeat("x", 1<<20), "", ErrNameTooLong},
		{"invalid UTF-8 is refused", "Work\xfflaptop", "", ErrNameInvalid},
		{"a cut multi-byte character is refused", "工作\xe7\x94", "", ErrNameInvalid},
		{"a line break inside is refused", "Work\nlaptop", "", ErrNameInvalid},
		{"a NUL is refused", "Work\x00laptop", "", ErrNameInvalid},
		{"an escape is refused", "\x1b[31mred", "", ErrNameInvalid},
		{"a C1 control is refused", "Work\u0085laptop", "", ErrNameInvalid},
		{"a right-to-left override is refused", "Work\u202elaptop", "", ErrNameInvalid},
		{"a bidirectional isolate is refused", "\u2066Work laptop", "", ErrNameInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Name(tc.raw)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("Name(%.40q) = %q, %v; want %q, %v", tc.raw, got, err, tc.want, tc.err)
			}
		})
	}
}

// FuzzName checks that whatever Name accepts is trimmed, valid UTF-8 of 1
// to 64 characters with no control character, that it accepts its own
// output unchanged, and that it refuses with one of its three errors.
func FuzzName(f *testing.F) {
	for _, s := range []string{"Work laptop", " 工作电脑 ", "", " ", "a\nb", "\xff", "\u202e", strings.Repeat("k", 65)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, err := Name(raw)
		if err != nil {
			if !errors.Is(err, ErrNameEmpty) && !errors.Is(err, ErrNameTooLong) && !errors.Is(err, ErrNameInvalid) {
				t.Fatalf("Name(%q): unexpected error %v", raw, err)
			}
			if name != "" {
				t.Fatalf("Name(%q) refused with %v but returned %q", raw, err, name)
			}
			return
		}
		n := utf8.RuneCountInString(name)
		if !utf8.ValidString(name) || n < 1 || n > MaxNameLength || name != strings.TrimSpace(name) {
			t.Fatalf("Name(%q) = %q: not a clean name", raw, name)
		}
		if strings.ContainsFunc(name, unicode.IsControl) {
			t.Fatalf("Name(%q) = %q holds a control character", raw, name)
		}
		if !strings.Contains(raw, name) {
			t.Fatalf("Name(%q) = %q is not part of what was given", raw, name)
		}
		if again, err := Name(name); err != nil || again != name {
			t.Fatalf("Name(%q) = %q, %v; a clean name must be kept as it is", name, again, err)
		}
	})
}
