package mfa_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/provider/secret"
)

func keyring(t *testing.T) secret.Keyring {
	t.Helper()
	k, err := secret.NewKeyring(strings.Repeat("k", 40))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealSecret(t *testing.T) {
	s, err := secret.NewSealer(keyring(t).Derive(secret.PurposeTOTP))
	if err != nil {
		t.Fatal(err)
	}
	const totpSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	sealed := mfa.SealSecret(s, "user-1", totpSecret)

	t.Run("the sealed secret opens for its user", func(t *testing.T) {
		got, err := mfa.OpenSecret(s, "user-1", sealed)
		if err != nil || got != totpSecret {
			t.Fatalf("open = %q, %v", got, err)
		}
	})
	t.Run("another user ID cannot open it", func(t *testing.T) {
		if got, err := mfa.OpenSecret(s, "user-2", sealed); !errors.Is(err, secret.ErrUnsealable) || got != "" {
			t.Fatalf("open = %q, %v; want ErrUnsealable", got, err)
		}
	})
	t.Run("the sealed bytes do not contain the secret", func(t *testing.T) {
		if bytes.Contains(sealed, []byte(totpSecret)) {
			t.Fatal("secret visible")
		}
	})
	t.Run("sealing twice gives different bytes", func(t *testing.T) {
		if bytes.Equal(sealed, mfa.SealSecret(s, "user-1", totpSecret)) {
			t.Fatal("same bytes: nonce reused")
		}
	})
}
