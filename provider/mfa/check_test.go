package mfa_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/mfa"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	sealer, err := secret.NewSealer(keyring(t).Derive(secret.PurposeTOTP))
	if err != nil {
		t.Fatal(err)
	}
	hasher := recoveryHasher(t)
	const totpSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	now := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	code, err := mfa.Code(totpSecret, now)
	if err != nil {
		t.Fatal(err)
	}
	recovery := []string{"ABCDE-FGHJK", "MNPQR-STUVW"}
	user := storage.User{ID: "u-ann", TOTPEnabled: true, TOTPSecret: mfa.SealSecret(sealer, "u-ann", totpSecret), TOTPLastStep: mfa.Step(now) - 5}
	for _, c := range recovery {
		user.RecoveryCodes = append(user.RecoveryCodes, mfa.HashRecoveryCode(hasher, c))
	}
	check := func(u storage.User, code string, accept mfa.Codes) (storage.User, error) {
		return mfa.Check(sealer, hasher, u, code, now, accept)
	}

	t.Run("a TOTP code advances the last step", func(t *testing.T) {
		t.Parallel()
		u, err := check(user, code, mfa.TOTPCode)
		if err != nil || u.TOTPLastStep != mfa.Step(now) || len(u.RecoveryCodes) != 2 {
			t.Fatalf("last step %d (want %d), %d recovery codes, err %v", u.TOTPLastStep, mfa.Step(now), len(u.RecoveryCodes), err)
		}
		if _, err := check(u, code, mfa.TOTPCode|mfa.RecoveryCode); !errors.Is(err, mfa.ErrWrongCode) {
			t.Fatalf("the same code again: %v, want ErrWrongCode", err)
		}
	})
	t.Run("a recovery code is removed, and only it", func(t *testing.T) {
		t.Parallel()
		u, err := check(user, "abcde fghjk", mfa.RecoveryCode)
		if err != nil || len(u.RecoveryCodes) != 1 || !slices.Equal(u.RecoveryCodes[0], user.RecoveryCodes[1]) || u.TOTPLastStep != user.TOTPLastStep {
			t.Fatalf("%d recovery codes left, last step %d, err %v", len(u.RecoveryCodes), u.TOTPLastStep, err)
		}
		if len(user.RecoveryCodes) != 2 {
			t.Fatal("the user given was changed")
		}
		if _, err := check(u, recovery[0], mfa.RecoveryCode); !errors.Is(err, mfa.ErrWrongCode) {
			t.Fatalf("the same recovery code again: %v, want ErrWrongCode", err)
		}
	})
	t.Run("either kind when both are accepted", func(t *testing.T) {
		t.Parallel()
		if u, err := check(user, code, mfa.TOTPCode|mfa.RecoveryCode); err != nil || u.TOTPLastStep != mfa.Step(now) {
			t.Fatalf("TOTP code: last step %d, err %v", u.TOTPLastStep, err)
		}
		if u, err := check(user, recovery[1], mfa.TOTPCode|mfa.RecoveryCode); err != nil || len(u.RecoveryCodes) != 1 {
			t.Fatalf("recovery code: %d left, err %v", len(u.RecoveryCodes), err)
		}
	})
	t.Run("a kind not accepted is a wrong code", func(t *testing.T) {
		t.Parallel()
		if _, err := check(user, recovery[0], mfa.TOTPCode); !errors.Is(err, mfa.ErrWrongCode) {
			t.Fatalf("a recovery code where only TOTP is accepted: %v", err)
		}
		if _, err := check(user, code, mfa.RecoveryCode); !errors.Is(err, mfa.ErrWrongCode) {
			t.Fatalf("a TOTP code where only recovery codes are accepted: %v", err)
		}
	})
	t.Run("wrong codes", func(t *testing.T) {
		t.Parallel()
		for _, c := range []string{"", "000000", "ZZZZZ-ZZZZZ", "not a code"} {
			if u, err := check(user, c, mfa.TOTPCode|mfa.RecoveryCode); !errors.Is(err, mfa.ErrWrongCode) || u.TOTPLastStep != user.TOTPLastStep || len(u.RecoveryCodes) != 2 {
				t.Fatalf("%q: err %v, last step %d, %d recovery codes", c, err, u.TOTPLastStep, len(u.RecoveryCodes))
			}
		}
	})
	t.Run("a secret sealed for another user does not open", func(t *testing.T) {
		t.Parallel()
		other := user
		other.ID = "u-bob"
		if _, err := check(other, code, mfa.TOTPCode); !errors.Is(err, secret.ErrUnsealable) {
			t.Fatalf("err %v, want ErrUnsealable", err)
		}
	})
}
