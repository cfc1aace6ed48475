package i18n_test

import (
	"testing"

	"github.com/tokenim/tokenim-auth/provider/i18n"
)

func TestCatalogue(t *testing.T) {
	c := i18n.Catalogue{
		"hello": {EN: "Hello", ZH: "你好"},
		"wait":  {EN: "Try again in %s seconds.", ZH: "请在 %s 秒后重试。", ENOne: "Try again in %s second."},
		"pct":   {EN: "100%% sure", ZH: "百分之百"},
		"keys":  {EN: "%d keys expire soon", ZH: "%d 个密钥即将过期", ENOne: "%d key expires soon"},
		"en":    {EN: "Only English"},
	}
	for _, tc := range []struct {
		name string
		loc  i18n.Locale
		key  string
		args []any
		want string
		err  bool
	}{
		{"English text", i18n.English, "hello", nil, "Hello", false},
		{"Chinese text", i18n.Chinese, "hello", nil, "你好", false},
		{"a text with an argument", i18n.Chinese, "wait", []any{"30"}, "请在 30 秒后重试。", false},
		{"a count of one is singular in English", i18n.English, "wait", []any{"1"}, "Try again in 1 second.", false},
		{"a count of one as a number is singular too", i18n.English, "keys", []any{1}, "1 key expires soon", false},
		{"other counts are plural in English", i18n.English, "wait", []any{"11"}, "Try again in 11 seconds.", false},
		{"a count of zero is plural in English", i18n.English, "wait", []any{"0"}, "Try again in 0 seconds.", false},
		{"Chinese does not mark number", i18n.Chinese, "wait", []any{"1"}, "请在 1 秒后重试。", false},
		{"a literal percent sign", i18n.English, "pct", nil, "100% sure", false},
		{"an unknown key is an error", i18n.English, "nope", nil, "", true},
		{"a missing language is an error", i18n.Chinese, "en", nil, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Translator(tc.loc)(tc.key, tc.args...)
			if (err != nil) != tc.err || got != tc.want {
				t.Fatalf("got %q, %v; want %q (error %v)", got, err, tc.want, tc.err)
			}
		})
	}
	if n := i18n.Verbs("a %s b %% c %d"); n != 2 {
		t.Fatalf("Verbs = %d, want 2", n)
	}
}
