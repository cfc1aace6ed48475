// Package upstream holds what every upstream identity provider
// ("connector") has in common: the identity it vouches for and the
// errors it fails with. Each kind lives in its own package below
// (upstream/oidc, ...), and the sign-in pages reach them through the
// interfaces they declare themselves.
package upstream

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Identity is who an upstream says signed in, mapped from its claims or
// attributes.
type Identity struct {
	// Connector is the configured connector's ID.
	Connector string
	// Subject is the user's stable identifier at the upstream (an ID
	// token's sub; WeChat's unionid; a directory entry's UUID): with
	// Connector it names the identity for good, whatever else changes.
	Subject string
	// Email, and whether the upstream says it verified it; an unverified
	// email never links an existing account by itself.
	Email         string
	EmailVerified bool
	Name          string
	// Username is the upstream's login name (preferred_username, uid),
	// when it has one.
	Username string
	// Groups are the upstream's group names, for mapping to roles.
	Groups []string
	// Claims are the upstream's other text claims or attributes, by name
	// (a string, or each string of a list), for mapping to roles.
	Claims map[string][]string
	// AMR is how the upstream says the user signed in (its amr claim,
	// RFC 8176), when it says.
	AMR []string
	// SessionID is the upstream's session the sign-in belongs to (an ID
	// token's sid claim), when it sends one: its back-channel logout may
	// name the session by it (see Logout).
	SessionID string
	// IDToken is the upstream's raw ID token, for an RP-initiated logout
	// there (its id_token_hint); empty for connectors that have none. It
	// is a credential of the user's: never logged, and stored, if ever,
	// sealed.
	IDToken string
}

// Logout is what an upstream's back-channel logout token names: the
// sessions of Subject (all of them when SID is empty), or the one
// session SID (of Subject, when both are given). At least one is set.
type Logout struct {
	Subject string
	SID     string
}

// Icons are the icon names a connector may show on its sign-in button
// (config's and the console's icon), each a badge the pages draw.
func Icons() []string {
	return []string{"google", "microsoft", "apple", "github", "gitlab", "okta", "wecom", "dingtalk", "feishu", "lark", "wechat", "directory", "saml", "sso"}
}

// Errors every connector fails with, wrapped with what went wrong; the
// sign-in pages tell the user which, naming the connector.
var (
	// ErrRefused: the upstream's answer is not acceptable (a forged,
	// expired or wrong-audience token, a nonce or state that does not
	// match, an assertion replayed, a wrong password, a user the upstream
	// refused).
	ErrRefused = errors.New("upstream: sign-in refused")
	// ErrUnavailable: the upstream could not be reached or answered
	// something other than its protocol (down, misconfigured, timed out).
	ErrUnavailable = errors.New("upstream: provider unavailable")
)

// Limits on what an upstream's values may be: a subject, any other text,
// the number of groups kept.
const (
	MaxSubject = 255
	MaxText    = 1024
	MaxGroups  = 256
)

// Text returns s, a value an upstream sent, when it is clean text
// (CleanText) of at most MaxText bytes, else "": a connector keeps such a
// value only then.
func Text(s string) string {
	if len(s) > MaxText || !CleanText(s) {
		return ""
	}
	return s
}

// Clip shortens s, something an upstream said (an error description,
// part of an answer), for an error message or a log line: at most 200
// bytes, control characters and bytes that are not UTF-8 left out.
func Clip(s string) string {
	const n = 200
	cut := len(s) > n
	if cut {
		s = s[:n]
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	if cut {
		s += "…"
	}
	return s
}

// CleanText reports whether s, a value an upstream sent, is text a record
// may hold: valid UTF-8 with no control character (NUL included). A
// connector refuses a subject that is not, and drops any other such
// value.
func CleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
