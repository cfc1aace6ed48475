package i18n_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/i18n"
)

// FuzzInWords: any duration, negative or huge, is said as a whole number
// of minutes, hours or days that reads back as the duration rounded down
// to the minute (at least one minute): never more time than there is,
// never less than a minute short; Chinese says the same number.
func FuzzInWords(f *testing.F) {
	units := []struct {
		en, zh string
		d      time.Duration
	}{{"days", "天", 24 * time.Hour}, {"hours", "小时", time.Hour}, {"hour", "小时", time.Hour}, {"minutes", "分钟", time.Minute}, {"minute", "分钟", time.Minute}}
	f.Fuzz(func(t *testing.T, ns int64) {
		d := time.Duration(ns)
		en, zh := i18n.InWords(i18n.English, d), i18n.InWords(i18n.Chinese, d)
		want := max(d/time.Minute, 1) * time.Minute
		var n int64
		var unit string
		if _, err := fmt.Sscanf(en, "%d %s", &n, &unit); err != nil {
			t.Fatalf("InWords(%v) = %q: not a number and a unit", d, en)
		}
		for _, u := range units {
			if u.en != unit {
				continue
			}
			if said := time.Duration(n) * u.d; said != want || n < 1 || (n == 1) != (unit == "hour" || unit == "minute") {
				t.Fatalf("InWords(%v) = %q, which says %v; want %v", d, en, said, want)
			}
			if zhWant := fmt.Sprintf("%d %s", n, u.zh); zh != zhWant {
				t.Fatalf("InWords(zh-CN, %v) = %q, want %q", d, zh, zhWant)
			}
			return
		}
		t.Fatalf("InWords(%v) = %q: unknown unit %q", d, en, unit)
	})
}
