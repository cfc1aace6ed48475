package secret_test

import (
	"bytes"
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
