package password

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// Length rules, in characters.
const (
	MinLength = 8
	MaxLength = 128
)

// params are OWASP's argon2id parameters: m=19456 KiB, t=2, p=1.
func params() *argon2id.Params {
	return &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

// ErrTooShort and ErrTooLong report a password outside the length rules.
var (
	ErrTooShort = fmt.Errorf("password: shorter than %d characters", MinLength)
	ErrTooLong  = fmt.Errorf("password: longer than %d characters", MaxLength)
)

// Check applies the length rules.
func Check(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		return ErrTooShort
	case n > MaxLength:
		return ErrTooLong
	}
	return nil
}

// Hash checks pw against the rules and returns its argon2id PHC string.
func Hash(pw string) (string, error) {
	if err := Check(pw); err != nil {
		return "", err
	}
	h, err := argon2id.CreateHash(pw, params())
	if err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	return h, nil
}

// Verify reports whether pw matches the PHC string hash. A malformed hash
// is an error, not a mismatch.
func Verify(pw, hash string) (bool, error) {
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	if err != nil {
		return false, fmt.Errorf("password: verify: %w", err)
	}
	return ok, nil
}

// dummyHash is verified against when an account does not exist, so that a
// sign-in takes the same time whether or not the email is known.
func dummyHash() string {
	return "$argon2id$v=19$m=19456,t=2,p=1$wKc17ZdTZIPiH+X0V0OBKg$eeJAXwcrE9zkbZm4wVQl3HjSNxcab4OHjVeO+Qhn850"
}

// VerifyNothing spends the time of one verification and returns false:
// the sign-in path calls it for an unknown account.
func VerifyNothing(pw string) {
	_, _ = argon2id.ComparePasswordAndHash(pw, dummyHash())
}

// IsHash reports whether s is a well-formed argon2id PHC string.
func IsHash(s string) bool {
	_, _, _, err := argon2id.DecodeHash(s)
	return err == nil
}

// ErrCommon reports a password found in the list of the most common
// leaked passwords.
var ErrCommon = errors.New("password: too common")

//go:embed common.txt
var commonList string

// Policy is the rule a new password must pass: the length rules, and not
// one of the most common leaked passwords.
type Policy struct {
	common map[string]bool
}

// NewPolicy loads the list of common passwords.
func NewPolicy() Policy {
	set := map[string]bool{}
	for line := range strings.SplitSeq(commonList, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			set[strings.ToLower(line)] = true
		}
	}
	return Policy{common: set}
}

// Check returns ErrTooShort, ErrTooLong or ErrCommon, or nil for a
// password that may be chosen.
func (p Policy) Check(pw string) error {
	if err := Check(pw); err != nil {
		return err
	}
	if p.common[strings.ToLower(pw)] {
		return ErrCommon
	}
	return nil
}
