// Package i18n is what the pages (provider/web) and the mails
// (provider/mail) share about languages: the locales everything is written
// in, a catalogue type holding each text in every locale, and durations
// in words.
package i18n

import "fmt"

// Locale is a language, as a BCP 47 tag; it is also the lang attribute of
// a page or a mail.
type Locale string

// The locales every page and mail is written in.
const (
	English Locale = "en"
	Chinese Locale = "zh-CN" // Simplified Chinese
)

// Locales returns every locale, English (the default) first.
func Locales() []Locale { return []Locale{English, Chinese} }

// Text is one string in each language. Texts that take arguments use fmt
// verbs (%s, %d); a literal percent sign in such a text is %%.
type Text struct {
	EN string
	ZH string // Simplified Chinese, zh-CN
}

// Catalogue maps message keys to their texts.
type Catalogue map[string]Text

// Lookup returns a text in a locale; ok is false when the key is unknown
// or has no text in that language.
func (c Catalogue) Lookup(loc Locale, key string) (s string, ok bool) {
	t, found := c[key]
	if !found {
		return "", false
	}
	if loc == Chinese {
		s = t.ZH
	} else {
		s = t.EN
	}
	return s, s != ""
}

// Translator is the template function t for one locale: {{t "key"}} or,
// for a text with verbs, {{t "key" .Arg}}. Every text goes through
// fmt.Sprintf, so a literal percent sign is %%. An unknown key is an
// error, not a panic: callers check their templates against the catalogue
// at start.
func (c Catalogue) Translator(loc Locale) func(key string, args ...any) (string, error) {
	return func(key string, args ...any) (string, error) {
		s, ok := c.Lookup(loc, key)
		if !ok {
			return "", fmt.Errorf("no %s text for message %q", loc, key)
		}
		return fmt.Sprintf(s, args...), nil
	}
}

// Verbs counts the fmt verbs in a text: the arguments it takes.
func Verbs(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			i++
			continue
		}
		n++
	}
	return n
}
