package mfa_test

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/provider/secret"
)

func recoveryHasher(t *testing.T) secret.Hasher {
	t.Helper()
	return secret.NewHasherFor(keyring(t), secret.PurposeRecoveryCodes)
}

func TestNewRecoveryCodes(t *testing.T) {
	codes := mfa.NewRecoveryCodes(mfa.RecoveryCodeCount)
	format := regexp.MustCompile(`^[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}$`)

	t.Run("ten codes", func(t *testing.T) {
		if len(codes) != 10 {
			t.Fatalf("%d codes", len(codes))
		}
	})
	t.Run("the codes are distinct", func(t *testing.T) {
		seen := map[string]bool{}
		for _, c := range codes {
			if seen[c] {
				t.Fatalf("%q twice", c)
			}
			seen[c] = true
		}
	})
	t.Run("each code is xxxxx-xxxxx from the unambiguous alphabet", func(t *testing.T) {
		// Many codes, so that a wrong alphabet would show.
		for _, c := range append(codes, mfa.NewRecoveryCodes(200)...) {
			if !format.MatchString(c) {
				t.Fatalf("code %q", c)
			}
		}
	})
	t.Run("no codes for zero or a negative count", func(t *testing.T) {
		if n := len(mfa.NewRecoveryCodes(0)) + len(mfa.NewRecoveryCodes(-1)); n != 0 {
			t.Fatalf("%d codes", n)
		}
	})
}

func TestHashRecoveryCode(t *testing.T) {
	h := recoveryHasher(t)
	want := mfa.HashRecoveryCode(h, "ABCDE-FGHJK")
	for _, tc := range []struct {
		name string
		code string
		same bool
	}{
		{"lower case and a space instead of the dash hash the same", "abcde fghjk", true},
		{"no separator hashes the same", "ABCDEFGHJK", true},
		{"surrounding spaces hash the same", " abcde-fghjk\n", true},
		{"another code hashes differently", "ABCDE-FGHJM", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mfa.HashRecoveryCode(h, tc.code); bytes.Equal(got, want) != tc.same {
				t.Fatalf("hash of %q equal to hash of ABCDE-FGHJK: %v, want %v", tc.code, !tc.same, tc.same)
			}
		})
	}
	t.Run("the hash is keyed by purpose", func(t *testing.T) {
		other := secret.NewHasherFor(keyring(t), secret.PurposeClientSecrets)
		if bytes.Equal(mfa.HashRecoveryCode(other, "ABCDE-FGHJK"), want) {
			t.Fatal("same hash under another key")
		}
	})
}

func TestMatchRecoveryCode(t *testing.T) {
	h := recoveryHasher(t)
	codes := mfa.NewRecoveryCodes(mfa.RecoveryCodeCount)
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		hashes[i] = mfa.HashRecoveryCode(h, c)
	}

	t.Run("each code finds its own index", func(t *testing.T) {
		for i, c := range codes {
			if got := mfa.MatchRecoveryCode(h, hashes, c); got != i {
				t.Fatalf("code %d matched %d", i, got)
			}
		}
	})
	t.Run("a code typed in lower case with a space matches", func(t *testing.T) {
		c := codes[3]
		typed := string(bytes.ToLower([]byte(c[:5]))) + " " + c[6:]
		if got := mfa.MatchRecoveryCode(h, hashes, typed); got != 3 {
			t.Fatalf("matched %d, want 3", got)
		}
	})
	t.Run("a wrong code gives -1", func(t *testing.T) {
		for _, c := range []string{"ABCDE-FGHJK", "", codes[0][:10]} {
			if got := mfa.MatchRecoveryCode(h, hashes, c); got != -1 {
				t.Fatalf("%q matched %d", c, got)
			}
		}
	})
	t.Run("a used code, removed by the caller, no longer matches", func(t *testing.T) {
		used := mfa.MatchRecoveryCode(h, hashes, codes[4])
		rest := slices.Delete(slices.Clone(hashes), used, used+1)
		if got := mfa.MatchRecoveryCode(h, rest, codes[4]); got != -1 {
			t.Fatalf("used code matched %d", got)
		}
		if got := mfa.MatchRecoveryCode(h, rest, codes[5]); got != 4 {
			t.Fatalf("the next code matched %d, want 4", got)
		}
	})
	t.Run("no stored hashes match nothing", func(t *testing.T) {
		if got := mfa.MatchRecoveryCode(h, nil, codes[0]); got != -1 {
			t.Fatalf("matched %d", got)
		}
	})
}

// A set of codes is hashed in its order, each as HashRecoveryCode hashes
// it, so that each matches its own place.
func TestHashRecoveryCodes(t *testing.T) {
	h := recoveryHasher(t)
	codes := []string{"ABCDE-FGHJK", "BCDEF-GHJKL", "CDEFG-HJKLM"}
	hashes := mfa.HashRecoveryCodes(h, codes)
	if len(hashes) != len(codes) {
		t.Fatalf("%d hashes for %d codes", len(hashes), len(codes))
	}
	for i, c := range codes {
		if got := mfa.MatchRecoveryCode(h, hashes, strings.ToLower(c)); got != i {
			t.Errorf("code %s matches place %d, want %d", c, got, i)
		}
	}
	if got := mfa.HashRecoveryCodes(h, nil); len(got) != 0 {
		t.Errorf("no codes hashed to %d hashes", len(got))
	}
}
