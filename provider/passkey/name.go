package passkey

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxNameLength is the longest name a passkey may have, in characters.
const MaxNameLength = 64

// The ways a passkey's name can be refused.
var (
	// ErrNameEmpty is a name with nothing but spaces.
	ErrNameEmpty = errors.New("passkey: the name is empty")
	// ErrNameTooLong is a name of more than MaxNameLength characters.
	ErrNameTooLong = errors.New("passkey: the name is longer than 64 characters")
	// ErrNameInvalid is a name that is not UTF-8 text, or holds a control
	// character (a line break, a tab, a bidirectional override).
	ErrNameInvalid = errors.New("passkey: the name holds a character that is not allowed")
)

// Name is the rule for what a user calls a passkey ("Work laptop"),
// wherever it is named: raw trimmed of surrounding spaces, 1 to
// MaxNameLength characters of valid UTF-8 with no control characters. It
// returns the clean name, or ErrNameEmpty, ErrNameTooLong or
// ErrNameInvalid.
func Name(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", ErrNameInvalid
	}
	name := strings.TrimSpace(raw)
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return "", ErrNameEmpty
	case n > MaxNameLength:
		return "", ErrNameTooLong
	}
	// Bidirectional controls are format characters, not Cc, but they
	// reorder what follows them on the page: a name could make the row it
	// is shown in read as something else.
	if strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) {
		return "", ErrNameInvalid
	}
	return name, nil
}
