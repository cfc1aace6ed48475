package i18n_test

import (
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/i18n"
)

func TestInWords(t *testing.T) {
	for _, tc := range []struct {
		name   string
		d      time.Duration
		en, zh string
	}{
		{"less than a minute says one minute", 45 * time.Second, "1 minute", "1 分钟"},
		{"one minute is singular", time.Minute, "1 minute", "1 分钟"},
		{"seconds are dropped, never rounded up", 59*time.Minute + 59*time.Second, "59 minutes", "59 分钟"},
		{"an hour and a half is said in minutes", 90 * time.Minute, "90 minutes", "90 分钟"},
		{"whole hours are said in hours", time.Hour, "1 hour", "1 小时"},
		{"a day is said in hours", 24 * time.Hour, "24 hours", "24 小时"},
		{"two whole days and more are said in days", 72 * time.Hour, "3 days", "3 天"},
		{"days and hours are said in hours", 49 * time.Hour, "49 hours", "49 小时"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := i18n.InWords(i18n.English, tc.d); got != tc.en {
				t.Errorf("English %s: %q, want %q", tc.d, got, tc.en)
			}
			if got := i18n.InWords(i18n.Chinese, tc.d); got != tc.zh {
				t.Errorf("Chinese %s: %q, want %q", tc.d, got, tc.zh)
			}
		})
	}
}
