package reqctx

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClipUserAgent(t *testing.T) {
	short := "Mozilla/5.0 (Windows NT 10.0)"
	if got := ClipUserAgent(short); got != short {
		t.Fatalf("a short user agent changed: %q", got)
	}
	// 511 bytes, then a two-byte rune across the limit.
	long := strings.Repeat("a", MaxUserAgent-1) + "é" + strings.Repeat("b", 100)
	got := ClipUserAgent(long)
	if len(got) != MaxUserAgent-1 || !utf8.ValidString(got) {
		t.Fatalf("clipped to %d bytes (valid UTF-8: %t), want %d on a rune boundary", len(got), utf8.ValidString(got), MaxUserAgent-1)
	}
	for _, bad := range []string{"\x90", "Mozilla\xff\xfe/5.0", "curl\x00/8", strings.Repeat("\xe4", 600)} {
		if got := ClipUserAgent(bad); !utf8.ValidString(got) || strings.Contains(got, "\x00") || len(got) > MaxUserAgent {
			t.Errorf("ClipUserAgent(%.20q) = %.20q: not valid UTF-8 without NUL within %d bytes", bad, got, MaxUserAgent)
		}
	}
	if ua := UserAgent(With(t.Context(), "req", "203.0.113.9", long)); ua != got {
		t.Fatalf("the context carries %d bytes, want the clipped %d", len(ua), len(got))
	}
}
