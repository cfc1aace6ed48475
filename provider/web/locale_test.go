package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestChoose(t *testing.T) {
	tests := []struct {
		name           string
		uiLocales      string
		acceptLanguage string
		want           Locale
	}{
		{"nothing asked is English", "", "", English},
		{"ui_locales zh-CN is Chinese", "zh-CN", "", Chinese},
		{"ui_locales beats Accept-Language", "zh-CN", "en-US,en;q=0.9", Chinese},
		{"ui_locales en beats a Chinese browser", "en", "zh-CN,zh;q=0.9", English},
		{"ui_locales keeps its order of preference", "en-GB zh-CN", "", English},
		{"ui_locales skips what it cannot serve", "fr-FR de zh-Hans", "en", Chinese},
		{"ui_locales with nothing servable falls back to Accept-Language", "fr ja", "zh-CN", Chinese},
		{"garbage ui_locales falls back to Accept-Language", "!!! 12345 --", "zh", Chinese},
		{"Accept-Language zh-CN is Chinese", "", "zh-CN,zh;q=0.9,en;q=0.8", Chinese},
		{"Accept-Language honours q-values over order", "", "en;q=0.5, zh-CN;q=0.9", Chinese},
		{"equal q-values keep the header's order", "", "en;q=0.8, zh;q=0.8", English},
		{"q=0 means not wanted", "", "zh-CN;q=0, en;q=0.1", English},
		{"a bad entry does not spoil the rest", "", "xx-!!;q=0.9, zh;q=abc, zh-TW;q=0.5", Chinese},
		{"an unsupported language is English", "", "fr-FR,fr;q=0.9", English},
		{"unsupported first, Chinese later is Chinese", "", "ja-JP, de;q=0.9, zh-CN;q=0.8", Chinese},
		{"a wildcard alone is English", "", "*", English},
		{"garbage Accept-Language is English", "", ";;;,,,q=9", English},
		{"zh is Chinese", "zh", "", Chinese},
		{"zh-Hans is Chinese", "zh-Hans", "", Chinese},
		{"zh-SG is Chinese", "zh-SG", "", Chinese},
		{"Traditional zh-TW falls back to Chinese", "zh-TW", "", Chinese},
		{"Traditional zh-HK falls back to Chinese", "", "zh-HK", Chinese},
		{"zh-Hant-TW falls back to Chinese", "", "zh-Hant-TW,zh;q=0.9", Chinese},
		{"Traditional before English is Chinese", "", "zh-TW, en;q=0.8", Chinese},
		{"case does not matter", "ZH-cn", "", Chinese},
		{"en-US is English", "", "en-US", English},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := newChooser().choose(tc.uiLocales, "", tc.acceptLanguage); got != tc.want {
				t.Errorf("choose(%q, %q) = %q, want %q", tc.uiLocales, tc.acceptLanguage, got, tc.want)
			}
		})
	}
}

// TestRendererLocale: a page's language is the app's ui_locales first,
// then the language chosen with the switcher (its cookie), then the
// browser's Accept-Language.
func TestRendererLocale(t *testing.T) {
	r := newTestRenderer(t)
	tests := []struct {
		name           string
		uiLocales      string
		cookie         string
		acceptLanguage string
		want           Locale
	}{
		{"a Chinese browser gets Chinese", "", "", "zh-CN,zh;q=0.9", Chinese},
		{"ui_locales beats the browser, as on the pages", "en", "", "zh-CN", English},
		{"nothing asked is English", "", "", "", English},
		{"the switcher's choice beats the browser's", "", "zh-CN", "en-US,en;q=0.9", Chinese},
		{"the switcher's English beats a Chinese browser", "", "en", "zh-CN", English},
		{"ui_locales beats the switcher's choice", "en", "zh-CN", "zh-CN", English},
		{"ui_locales Chinese beats the switcher's English", "zh-CN", "en", "en", Chinese},
		{"a cookie naming no locale is no choice", "", "fr", "zh-CN", Chinese},
		{"the cookie is read exactly", "", "ZH-cn", "en", English},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			req.Header.Set("Accept-Language", tc.acceptLanguage)
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: "tokenim_lang", Value: tc.cookie})
			}
			if got := r.Locale(req, tc.uiLocales); got != tc.want {
				t.Errorf("Locale = %q, want %q", got, tc.want)
			}
		})
	}
}
