package edge

import (
	"strings"
	"unicode/utf8"
)

// Text reports whether s is text every part of the provider can hold:
// valid UTF-8 with no NUL.
func Text(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// EscapedText reports whether the percent-decoded form of s — a raw query
// or an application/x-www-form-urlencoded body — is Text. Its keys and
// values are then Text too: '&' and '=' are ASCII, so they never split a
// multi-byte sequence. A '%' not followed by two hex digits is taken as
// it is (url.ParseQuery refuses the pair; the handler answers that).
func EscapedText(s string) bool {
	i := strings.IndexByte(s, '%')
	if i < 0 {
		return Text(s)
	}
	if strings.IndexByte(s[:i], 0) >= 0 {
		return false
	}
	var stack [512]byte
	buf := append(stack[:0], s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		}
		if c == 0 {
			return false
		}
		buf = append(buf, c)
	}
	return utf8.Valid(buf)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}
