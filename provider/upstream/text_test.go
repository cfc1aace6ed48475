package upstream_test

import (
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/upstream"
)

// TestTextAndClip: a value is kept only when clean and short enough; what
// an upstream said reaches a message or a log line short, without control
// characters or bytes that are not UTF-8.
func TestTextAndClip(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Ann Lee": "Ann Lee", "张三": "张三", "a\x00b": "", "\xff": "", "line\nbreak": "",
		strings.Repeat("x", upstream.MaxText): strings.Repeat("x", upstream.MaxText), strings.Repeat("x", upstream.MaxText+1): "",
	} {
		if got := upstream.Text(in); got != want {
			t.Errorf("Text(%.20q) = %.20q, want %.20q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"invalid_grant":                  "invalid_grant",
		"bad\r\nX-Injected: yes\x1b[31m": "badX-Injected: yes[31m",
		"\xffok":                         "ok",
		strings.Repeat("é", 150):         strings.Repeat("é", 100) + "…",
	} {
		if got := upstream.Clip(in); got != want {
			t.Errorf("Clip(%.30q) = %.30q, want %.30q", in, got, want)
		}
	}
}
