package password_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/password"
)

func TestHashAndVerify(t *testing.T) {
	h, err := password.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q: want argon2id with OWASP parameters", h)
	}
	if ok, err := password.Verify("correct horse battery", h); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, err := password.Verify("correct horse batterY", h); ok || err != nil {
		t.Fatalf("wrong password: %v %v", ok, err)
	}
	if _, err := password.Verify("x", "not a hash"); err == nil {
		t.Fatal("a malformed hash verified without error")
	}
	if !password.IsHash(h) || password.IsHash("$argon2id$nope") {
		t.Fatal("IsHash")
	}
}

func TestLengthRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		pw   string
		want error
	}{
		{"seven characters are too short", "1234567", password.ErrTooShort},
		{"eight characters are enough", "12345678", nil},
		{"eight Chinese characters are enough", "我的密码很安全吧", nil},
		{"128 characters are allowed", strings.Repeat("a", 128), nil},
		{"129 characters are too long", strings.Repeat("a", 129), password.ErrTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := password.Check(tc.pw); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	p := password.NewPolicy()
	for _, tc := range []struct {
		name string
		pw   string
		want error
	}{
		{"a common password is refused", "password123", password.ErrCommon},
		{"in any letter case", "PassWord123", password.ErrCommon},
		{"a common Chinese-user password is refused", "woaini1314", password.ErrCommon},
		{"the length rules still apply", "short", password.ErrTooShort},
		{"an uncommon password is accepted", "violet-harbour-42", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := p.Check(tc.pw); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// BenchmarkVerify is the cost of one sign-in's password check on one core
// (argon2id, 19 MiB, two passes): what a core can verify a second sizes the
// sign-in and registration pages (docs/operations.md).
func BenchmarkVerify(b *testing.B) {
	hash, err := password.Hash("correct-horse-battery")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, err := password.Verify("correct-horse-battery", hash); err != nil || !ok {
			b.Fatalf("Verify = %v, %v", ok, err)
		}
	}
}
