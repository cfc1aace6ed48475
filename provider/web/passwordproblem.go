package web

import (
	"errors"

	"github.com/tokenim/tokenim-auth/provider/password"
)

// PasswordProblem is the message key a page shows for a new password the
// policy refused (password.Policy.Check): registration, a reset and a
// change on the account page say it alike.
func PasswordProblem(err error) string {
	switch {
	case errors.Is(err, password.ErrTooShort):
		return "password.too_short"
	case errors.Is(err, password.ErrTooLong):
		return "password.too_long"
	default:
		return "password.common"
	}
}

// NewPasswordProblem is the message key for a new password typed twice,
// pw and confirm: "password.mismatch" when they differ, else the policy's
// refusal (PasswordProblem); "" for a password that may be chosen.
func NewPasswordProblem(policy password.Policy, pw, confirm string) string {
	if pw != confirm {
		return "password.mismatch"
	}
	if err := policy.Check(pw); err != nil {
		return PasswordProblem(err)
	}
	return ""
}
