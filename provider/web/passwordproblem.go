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
