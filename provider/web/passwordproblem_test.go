package web

import (
	"fmt"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/password"
)

// Each refusal of the password policy has its own message, wrapped or
// not.
func TestPasswordProblem(t *testing.T) {
	t.Parallel()
	policy := password.NewPolicy()
	for _, tc := range []struct {
		pw, want string
	}{
		{"short", "password.too_short"},
		{string(make([]rune, password.MaxLength+1)), "password.too_long"},
		{"password", "password.common"},
	} {
		err := policy.Check(tc.pw)
		if got := PasswordProblem(err); got != tc.want {
			t.Errorf("%v: %q, want %q", err, got, tc.want)
		}
		if got := PasswordProblem(fmt.Errorf("account: %w", err)); got != tc.want {
			t.Errorf("%v wrapped: %q, want %q", err, got, tc.want)
		}
	}
}

func TestNewPasswordProblem(t *testing.T) {
	t.Parallel()
	policy := password.NewPolicy()
	for _, tc := range []struct{ pw, confirm, want string }{
		{"copper-lantern-88", "copper-lantern-88", ""},
		{"copper-lantern-88", "copper-lantern-89", "password.mismatch"},
		{"short", "shorter", "password.mismatch"},
		{"short", "short", "password.too_short"},
		{"password123", "password123", "password.common"},
	} {
		if got := NewPasswordProblem(policy, tc.pw, tc.confirm); got != tc.want {
			t.Errorf("%q, %q: %q, want %q", tc.pw, tc.confirm, got, tc.want)
		}
	}
}
