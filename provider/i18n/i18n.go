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
	// ENOne, for a text taking one count, is the English for a count of
	// one where EN says the plural: "Try again in %s second." beside
	// "Try again in %s seconds." (LookupFor picks it). Chinese does not
	// mark number: "请在 %s 秒后重试。" says one second as well as thirty.
	ENOne string
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

// LookupFor is Lookup for a text about to be filled with args: the
// English singular (Text.ENOne) when the text has one and its one
// argument is 1, so that a page never says "1 seconds". This is the one
// plural rule of the catalogue; English and Chinese need no other.
func (c Catalogue) LookupFor(loc Locale, key string, args ...any) (s string, ok bool) {
	if t := c[key]; loc != Chinese && t.ENOne != "" && len(args) == 1 && fmt.Sprint(args[0]) == "1" {
		return t.ENOne, true
	}
	return c.Lookup(loc, key)
}

// Translator is the template function t for one locale: {{t "key"}} or,
// for a text with verbs, {{t "key" .Arg}}. Every text goes through
// fmt.Sprintf, so a literal percent sign is %%. An unknown key is an
// error, not a panic: callers check their templates against the catalogue
// at start.
func (c Catalogue) Translator(loc Locale) func(key string, args ...any) (string, error) {
	return func(key string, args ...any) (string, error) {
		s, ok := c.LookupFor(loc, key, args...)
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
