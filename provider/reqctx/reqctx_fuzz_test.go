package reqctx

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzClipUserAgent checks that whatever a client sends as its user agent,
// what the provider keeps is valid UTF-8 with no NUL and at most
// MaxUserAgent bytes, and that a valid short one is kept unchanged.
func FuzzClipUserAgent(f *testing.F) {
	for _, s := range []string{"", "Mozilla/5.0 (X11; Linux x86_64)", "\x90", "a\x00b", strings.Repeat("é", 300), strings.Repeat("a", MaxUserAgent-1) + "\xe4\xb8\xad"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ua string) {
		got := ClipUserAgent(ua)
		if !utf8.ValidString(got) || strings.Contains(got, "\x00") || len(got) > MaxUserAgent {
			t.Fatalf("ClipUserAgent(%q) = %q: valid UTF-8 %t, NUL %t, %d bytes", ua, got, utf8.ValidString(got), strings.Contains(got, "\x00"), len(got))
		}
		if utf8.ValidString(ua) && !strings.Contains(ua, "\x00") && len(ua) <= MaxUserAgent && got != ua {
			t.Fatalf("the valid user agent %q became %q", ua, got)
		}
	})
}
