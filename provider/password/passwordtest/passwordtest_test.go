package passwordtest_test

import (
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/password"
	"github.com/tokenim/tokenim-auth/provider/password/passwordtest"
)

func TestHashVerifiesAsAnyOther(t *testing.T) {
	t.Parallel()
	h := passwordtest.Hash(t, "correct-horse-battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=8,t=1,p=1$") {
		t.Fatalf("hash %q: want a cheap argon2id PHC string", h)
	}
	if ok, err := password.Verify("correct-horse-battery", h); !ok || err != nil {
		t.Fatalf("Verify(right password) = %v, %v; want true", ok, err)
	}
	if ok, err := password.Verify("wrong-horse-battery", h); ok || err != nil {
		t.Fatalf("Verify(wrong password) = %v, %v; want false", ok, err)
	}
}
