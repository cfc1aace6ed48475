// Package passwordtest hashes the passwords tests seed their accounts
// with: argon2id PHC strings that password.Verify (and the sign-in it
// serves) accepts like any other, made with the smallest cost argon2id
// allows, so that a test that creates accounts by the dozen, under the
// race detector, does not spend its time hashing. The provider itself
// always hashes with password.Hash's cost; a hash's cost travels in its
// PHC string, which is why a cheap one still verifies.
package passwordtest

import (
	"testing"

	"github.com/alexedwards/argon2id"
)

// cost is argon2id at its floor: 8 KiB of memory, one pass, one lane.
var cost = argon2id.Params{Memory: 8, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Hash returns a cheap argon2id PHC string of pw.
func Hash(t testing.TB, pw string) string {
	t.Helper()
	p := cost
	h, err := argon2id.CreateHash(pw, &p)
	if err != nil {
		t.Fatalf("passwordtest: hash: %v", err)
	}
	return h
}
