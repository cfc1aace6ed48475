package web

import (
	"strings"
	"testing"
)

// FuzzChooseLocale: whatever ui_locales and Accept-Language hold, a page
// is in English or Chinese; a ui_locales tag the pages can serve decides
// whatever the header says; a ui_locales with none decides nothing, and
// then the switcher's cookie, when it names a locale, beats the header; the
// header's wildcards and refused (q=0) entries change nothing; no more
// than maxTags tags of either are read; q-values are between 0 and 1.
func FuzzChooseLocale(f *testing.F) {
	c := newChooser()
	f.Fuzz(func(t *testing.T, uiLocales, acceptLanguage string) {
		got := c.choose(uiLocales, "", acceptLanguage)
		if got != English && got != Chinese {
			t.Fatalf("choose(%q, %q) = %q", uiLocales, acceptLanguage, got)
		}
		if again := c.choose(uiLocales, "", acceptLanguage); again != got {
			t.Fatalf("choose(%q, %q) gave %q, then %q", uiLocales, acceptLanguage, got, again)
		}
		ui := uiLocaleTags(uiLocales)
		if len(ui) > maxTags {
			t.Fatalf("%d ui_locales tags read, at most %d", len(ui), maxTags)
		}
		al := acceptLanguageTags(acceptLanguage)
		if len(al) > maxTags {
			t.Fatalf("%d Accept-Language tags read, at most %d", len(al), maxTags)
		}
		fromUI, decided := c.match(ui)
		fromHeader := c.choose("", "", acceptLanguage)
		switch {
		case decided && got != fromUI:
			t.Fatalf("ui_locales %q chose %q, the page is %q", uiLocales, fromUI, got)
		case decided:
			if other := c.choose(uiLocales, "", "zh-CN, en"); other != got {
				t.Fatalf("ui_locales %q chose %q, but with another header %q", uiLocales, got, other)
			}
		case got != fromHeader:
			t.Fatalf("ui_locales %q serves nothing, but the page is %q, not the header's %q", uiLocales, got, fromHeader)
		}
		for _, chosen := range locales() {
			want := got
			if !decided {
				want = chosen
			}
			if withCookie := c.choose(uiLocales, string(chosen), acceptLanguage); withCookie != want {
				t.Fatalf("choose(%q, %q, %q) = %q, want %q", uiLocales, chosen, acceptLanguage, withCookie, want)
			}
		}
		if withJunk := c.choose(uiLocales, acceptLanguage, acceptLanguage); acceptLanguage != "en" && acceptLanguage != "zh-CN" && withJunk != got {
			t.Fatalf("a cookie holding %q changed the page from %q to %q", acceptLanguage, got, withJunk)
		}
		if !strings.Contains(acceptLanguage, ",") && len(acceptLanguage) < 1000 {
			// Appending what is not wanted keeps the choice.
			for _, tail := range []string{", *", ", zh;q=0", ", en;q=0", ", xx-!!"} {
				if c.choose(uiLocales, "", acceptLanguage+tail) != got {
					t.Fatalf("choose(%q, %q) = %q changed with %q appended", uiLocales, acceptLanguage, got, tail)
				}
			}
		}
		for p := range strings.SplitSeq(acceptLanguage, ",") {
			_, params, _ := strings.Cut(p, ";")
			if q, ok := weight(params); ok && !(q >= 0 && q <= 1) {
				t.Fatalf("weight(%q) = %v", params, q)
			}
		}
	})
}
