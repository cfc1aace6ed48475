package web

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/tokenim/tokenim-auth/provider/i18n"
	"golang.org/x/text/language"
)

// Locale is a language the pages are written in, as a BCP 47 tag; it is
// also the value of the page's lang attribute.
type Locale = i18n.Locale

// The locales every page is written in.
const (
	English = i18n.English
	Chinese = i18n.Chinese
)

// locales lists the supported locales in the matcher's order: English,
// the first, is the default.
func locales() []Locale { return i18n.Locales() }

// chooser matches wanted languages against locales(), index for index.
// The Renderer builds one at start: building a matcher costs far more than
// a match, and a language.Matcher is read-only after construction.
type chooser struct {
	m language.Matcher
}

func newChooser() chooser {
	return chooser{language.NewMatcher([]language.Tag{language.English, language.SimplifiedChinese})}
}

// maxTags bounds how many language tags of one parameter or header are
// looked at; real browsers send a handful.
const maxTags = 16

// choose picks a page's locale: from the ui_locales parameter of the
// authorization request first (OpenID Connect Core 1.0 section 3.1.2.1:
// space-separated BCP 47 tags in order of preference), then from the
// language the browser chose with the pages' switcher (cookie, the
// language cookie's value), then from the Accept-Language header (RFC
// 9110 section 12.5.4, by q-value), else English. This is the one place
// the order is decided: every page's locale, and the mail sent from a
// page (Renderer.Locale), comes from here.
//
// Within each list the first tag with any match wins, so a reader's order
// of preference is kept. Every Chinese tag matches Chinese: zh, zh-CN,
// zh-Hans and zh-SG exactly, and Traditional Chinese (zh-TW, zh-HK,
// zh-Hant) with low confidence — Simplified is still easier for those
// readers than English. Tags that do not parse are skipped.
func (c chooser) choose(uiLocales, cookie, acceptLanguage string) Locale {
	if loc, ok := c.match(uiLocaleTags(uiLocales)); ok {
		return loc
	}
	if loc, ok := chosenLocale(cookie); ok {
		return loc
	}
	if loc, ok := c.match(acceptLanguageTags(acceptLanguage)); ok {
		return loc
	}
	return English
}

// match returns the locale of the first tag the matcher can serve at all.
func (c chooser) match(tags []language.Tag) (Locale, bool) {
	for _, t := range tags {
		if _, i, conf := c.m.Match(t); conf != language.No {
			return locales()[i], true
		}
	}
	return "", false
}

func uiLocaleTags(s string) []language.Tag {
	var tags []language.Tag
	for i, f := range strings.Fields(s) {
		if i == maxTags {
			break
		}
		if t, err := language.Parse(f); err == nil {
			tags = append(tags, t)
		}
	}
	return tags
}

// acceptLanguageTags returns the header's tags from most to least wanted,
// leaving out "*", tags with q=0 and entries that do not parse. Unlike
// language.ParseAcceptLanguage it keeps the good entries of a header with
// one bad entry.
func acceptLanguageTags(h string) []language.Tag {
	type weighted struct {
		tag language.Tag
		q   float64
	}
	var ws []weighted
	for i, part := range strings.Split(h, ",") {
		if i == maxTags {
			break
		}
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		if name == "" || name == "*" {
			continue
		}
		q, ok := weight(params)
		if !ok || q == 0 {
			continue
		}
		t, err := language.Parse(name)
		if err != nil {
			continue
		}
		ws = append(ws, weighted{t, q})
	}
	// Stable: equal weights keep the header's order.
	slices.SortStableFunc(ws, func(a, b weighted) int { return cmp.Compare(b.q, a.q) })
	tags := make([]language.Tag, len(ws))
	for i, w := range ws {
		tags[i] = w.tag
	}
	return tags
}

// weight reads the q parameter of one Accept-Language entry (RFC 9110
// section 12.4.2): 1 when absent, not ok when malformed or out of range.
func weight(params string) (float64, bool) {
	for p := range strings.SplitSeq(params, ";") {
		k, v, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || !(q >= 0 && q <= 1) {
			return 0, false
		}
		return q, true
	}
	return 1, true
}

// chosenLocale reads the language cookie's value: exactly one of the
// locales' tags, as the switcher sets it; anything else is no choice.
func chosenLocale(v string) (Locale, bool) {
	for _, loc := range locales() {
		if v == string(loc) {
			return loc, true
		}
	}
	return "", false
}

// ownName is a locale's name in its own language, as the switcher shows
// it to a reader who may not read the page's language: the same in every
// page, so it is not a message of the catalogue.
func ownName(loc Locale) string {
	switch loc {
	case Chinese:
		return "简体中文"
	default:
		return "English"
	}
}
