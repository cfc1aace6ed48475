package secret_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/secret"
)

func keyring(t *testing.T, system string) secret.Keyring {
	t.Helper()
	k, err := secret.NewKeyring(system)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeyring(t *testing.T) {
	t.Run("short system secret is refused", func(t *testing.T) {
		if _, err := secret.NewKeyring(strings.Repeat("x", 31)); err == nil {
			t.Fatal("31-character system secret accepted")
		}
	})
	t.Run("keys differ by purpose and by system secret, and are stable", func(t *testing.T) {
		a := keyring(t, strings.Repeat("a", 32))
		b := keyring(t, strings.Repeat("b", 32))
		k1 := a.Derive(secret.PurposeClientSecrets)
		if len(k1) != 32 {
			t.Fatalf("key length %d", len(k1))
		}
		if bytes.Equal(k1, a.Derive(secret.PurposeSigningKeys)) {
			t.Error("two purposes share a key")
		}
		if bytes.Equal(k1, b.Derive(secret.PurposeClientSecrets)) {
			t.Error("two system secrets share a key")
		}
		if !bytes.Equal(k1, a.Derive(secret.PurposeClientSecrets)) {
			t.Error("derivation is not stable")
		}
	})
}

func TestHasher(t *testing.T) {
	h := secret.NewHasher(keyring(t, strings.Repeat("s", 40)))
	s := secret.NewClientSecret()
	hash := h.Hash(s)
	t.Run("the secret matches its hash", func(t *testing.T) {
		if err := h.Compare(hash, s); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("another secret does not match", func(t *testing.T) {
		if err := h.Compare(hash, s+"x"); !errors.Is(err, secret.ErrMismatch) {
			t.Fatalf("got %v, want ErrMismatch", err)
		}
	})
	t.Run("the hash is keyed: another system secret gives another hash", func(t *testing.T) {
		other := secret.NewHasher(keyring(t, strings.Repeat("o", 40)))
		if other.Compare(hash, s) == nil {
			t.Fatal("hash verified under another system secret")
		}
	})
	t.Run("hash is not the secret", func(t *testing.T) {
		if bytes.Contains(hash, []byte(s)) {
			t.Fatal("secret stored in clear")
		}
	})
}

func TestNewClientSecret(t *testing.T) {
	a, b := secret.NewClientSecret(), secret.NewClientSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	if !strings.HasPrefix(a, secret.ClientSecretPrefix) || len(a) != len(secret.ClientSecretPrefix)+43 {
		t.Fatalf("secret %q: want prefix %q and 256 bits (43 base64url characters)", a, secret.ClientSecretPrefix)
	}
	if p := secret.Prefix(a); len(p) != secret.PrefixLength || !strings.HasPrefix(a, p) {
		t.Fatalf("prefix %q of %q", p, a)
	}
}

func TestSealer(t *testing.T) {
	ring := keyring(t, strings.Repeat("k", 40))
	s, err := secret.NewSealer(ring.Derive(secret.PurposeSigningKeys))
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal([]byte("totp secret"), "user-1")
	t.Run("what is sealed opens with the same label", func(t *testing.T) {
		plain, err := s.Open(sealed, "user-1")
		if err != nil || string(plain) != "totp secret" {
			t.Fatalf("open = %q, %v", plain, err)
		}
	})
	t.Run("the sealed form does not contain the plaintext", func(t *testing.T) {
		if bytes.Contains(sealed, []byte("totp secret")) {
			t.Fatal("plaintext visible")
		}
	})
	t.Run("another label, another key, or altered data do not open", func(t *testing.T) {
		if _, err := s.Open(sealed, "user-2"); !errors.Is(err, secret.ErrUnsealable) {
			t.Errorf("other label: %v", err)
		}
		other, _ := secret.NewSealer(ring.Derive(secret.PurposeCookies))
		if _, err := other.Open(sealed, "user-1"); !errors.Is(err, secret.ErrUnsealable) {
			t.Errorf("other key: %v", err)
		}
		altered := bytes.Clone(sealed)
		altered[len(altered)-1] ^= 1
		if _, err := s.Open(altered, "user-1"); !errors.Is(err, secret.ErrUnsealable) {
			t.Errorf("altered: %v", err)
		}
		if _, err := s.Open([]byte("short"), "user-1"); !errors.Is(err, secret.ErrUnsealable) {
			t.Errorf("truncated: %v", err)
		}
	})
}

// rotating is a keyring whose current secret is system and which still
// accepts previous.
func rotating(t *testing.T, system string, previous ...string) secret.Keyring {
	t.Helper()
	k, err := keyring(t, system).WithPrevious(previous...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var (
	secretA = strings.Repeat("a", 40)
	secretB = strings.Repeat("b", 40)
	secretC = strings.Repeat("c", 40)
)

func TestKeyringWithPrevious(t *testing.T) {
	t.Parallel()
	for name, previous := range map[string][]string{
		"a short previous secret":            {strings.Repeat("x", 31)},
		"the current secret again":           {secretB},
		"the same previous secret twice":     {secretA, secretA},
		"a good one then a short one":        {secretA, "short"},
		"a good one then the current secret": {secretA, secretB},
	} {
		t.Run(name+" is refused", func(t *testing.T) {
			if _, err := keyring(t, secretB).WithPrevious(previous...); err == nil {
				t.Fatalf("previous %q accepted", previous)
			}
		})
	}
	t.Run("the current key is the current secret's; the previous keys are the previous secrets'", func(t *testing.T) {
		r := rotating(t, secretB, secretA, secretC)
		if r.Previous() != 2 {
			t.Fatalf("Previous() = %d, want 2", r.Previous())
		}
		if !bytes.Equal(r.Derive(secret.PurposeTOTP), keyring(t, secretB).Derive(secret.PurposeTOTP)) {
			t.Error("the current key is not the current secret's")
		}
		prev := r.DerivePrevious(secret.PurposeTOTP)
		if len(prev) != 2 || !bytes.Equal(prev[0], keyring(t, secretA).Derive(secret.PurposeTOTP)) || !bytes.Equal(prev[1], keyring(t, secretC).Derive(secret.PurposeTOTP)) {
			t.Error("the previous keys are not the previous secrets', in order")
		}
		if n := keyring(t, secretB).Previous(); n != 0 {
			t.Errorf("a keyring without previous secrets has %d", n)
		}
	})
}

// During a rotation a hasher hashes under the current secret only and
// compares under the current and the previous ones; each stored hash
// names its key, so it matches under that key alone.
func TestHasherRotation(t *testing.T) {
	t.Parallel()
	s := secret.NewClientSecret()
	underA := secret.NewHasher(keyring(t, secretA)).Hash(s)
	during := secret.NewHasher(rotating(t, secretB, secretA))
	onlyB := secret.NewHasher(keyring(t, secretB))

	t.Run("a hash made under the previous secret still compares", func(t *testing.T) {
		if err := during.Compare(underA, s); err != nil {
			t.Fatal(err)
		}
		if during.UnderCurrent(underA) {
			t.Fatal("a hash made under the previous secret is counted as under the current one")
		}
		if err := during.Compare(underA, s+"x"); !errors.Is(err, secret.ErrMismatch) {
			t.Fatalf("another secret: %v, want ErrMismatch", err)
		}
	})
	t.Run("a new hash is made under the current secret", func(t *testing.T) {
		h := during.Hash(s)
		if !during.UnderCurrent(h) || onlyB.Compare(h, s) != nil {
			t.Fatal("a hash made during the rotation is not under the current secret")
		}
		if secret.NewHasher(keyring(t, secretA)).Compare(h, s) == nil {
			t.Fatal("a hash made during the rotation compares under the previous secret alone")
		}
	})
	t.Run("without the previous secret, its hashes no longer compare", func(t *testing.T) {
		if err := onlyB.Compare(underA, s); !errors.Is(err, secret.ErrMismatch) {
			t.Fatalf("got %v, want ErrMismatch", err)
		}
	})
	t.Run("a hash made under neither secret does not compare", func(t *testing.T) {
		underC := secret.NewHasher(keyring(t, secretC)).Hash(s)
		if err := during.Compare(underC, s); !errors.Is(err, secret.ErrMismatch) {
			t.Fatalf("got %v, want ErrMismatch", err)
		}
	})
	t.Run("a hash compares only under the key its tag names", func(t *testing.T) {
		// The previous key's MAC behind the current key's tag: the tag
		// picks the current key, under which the MAC is wrong.
		forged := append(bytes.Clone(during.Hash(s)[:4]), underA[4:]...)
		if err := during.Compare(forged, s); !errors.Is(err, secret.ErrMismatch) {
			t.Fatalf("got %v, want ErrMismatch", err)
		}
	})
	t.Run("an untagged hash, as stored before tags, compares under any key", func(t *testing.T) {
		m := hmac.New(sha256.New, keyring(t, secretA).Derive(secret.PurposeClientSecrets))
		m.Write([]byte(s))
		legacy := m.Sum(nil)
		if err := during.Compare(legacy, s); err != nil {
			t.Fatalf("under the previous key: %v", err)
		}
		if during.UnderCurrent(legacy) {
			t.Fatal("an untagged hash is counted as under the current secret")
		}
		if err := onlyB.Compare(legacy, s); !errors.Is(err, secret.ErrMismatch) {
			t.Fatalf("under another key: %v, want ErrMismatch", err)
		}
	})
	t.Run("a truncated hash does not compare", func(t *testing.T) {
		if err := during.Compare(underA[:20], s); !errors.Is(err, secret.ErrMismatch) {
			t.Fatalf("got %v, want ErrMismatch", err)
		}
	})
}

// During a rotation a sealer seals under the current secret and opens
// under the current and the previous ones; Reseal moves a value sealed
// under a previous secret to the current one, and leaves one sealed under
// the current secret as it is.
func TestSealerRotation(t *testing.T) {
	t.Parallel()
	sealerOf := func(r secret.Keyring) secret.Sealer {
		s, err := r.Sealer(secret.PurposeTOTP)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	underA := sealerOf(keyring(t, secretA)).Seal([]byte("totp secret"), "user-1")
	during := sealerOf(rotating(t, secretB, secretA))
	onlyB := sealerOf(keyring(t, secretB))

	if plain, err := during.Open(underA, "user-1"); err != nil || string(plain) != "totp secret" {
		t.Fatalf("open under the previous secret = %q, %v", plain, err)
	}
	if _, err := onlyB.Open(underA, "user-1"); !errors.Is(err, secret.ErrUnsealable) {
		t.Fatalf("open without the previous secret: %v, want ErrUnsealable", err)
	}
	resealed, changed, err := during.Reseal(underA, "user-1")
	if err != nil || !changed {
		t.Fatalf("reseal = %v, %v; want changed", changed, err)
	}
	if plain, err := onlyB.Open(resealed, "user-1"); err != nil || string(plain) != "totp secret" {
		t.Fatalf("open the resealed value under the current secret alone = %q, %v", plain, err)
	}
	again, changed, err := during.Reseal(resealed, "user-1")
	if err != nil || changed || !bytes.Equal(again, resealed) {
		t.Fatalf("reseal again = changed %v, %v; want the same value", changed, err)
	}
	if _, err := onlyB.Open(during.Seal([]byte("x"), "user-1"), "user-1"); err != nil {
		t.Fatalf("a value sealed during the rotation does not open under the current secret: %v", err)
	}
	underC := sealerOf(keyring(t, secretC)).Seal([]byte("totp secret"), "user-1")
	if _, _, err := during.Reseal(underC, "user-1"); !errors.Is(err, secret.ErrUnsealable) {
		t.Fatalf("reseal a value sealed under neither secret: %v, want ErrUnsealable", err)
	}
	if _, _, err := during.Reseal(underA, "user-2"); !errors.Is(err, secret.ErrUnsealable) {
		t.Fatalf("reseal under another label: %v, want ErrUnsealable", err)
	}
}
