package mfa_test

import (
	"encoding/base32"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/tokenim/tokenim-auth/provider/mfa"
)

// rfcSecret is the SHA-1 seed of RFC 6238 Appendix B, base32-encoded.
var rfcSecret = base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))

// rfcVectors are the SHA-1 rows of RFC 6238 Appendix B (8 digits).
var rfcVectors = []struct {
	unix int64
	step int64
	code string
}{
	{59, 0x1, "94287082"},
	{1111111109, 0x23523EC, "07081804"},
	{1111111111, 0x23523ED, "14050471"},
	{1234567890, 0x273EF07, "89005924"},
	{2000000000, 0x3F940AA, "69279037"},
	{20000000000, 0x27BC86AA, "65353130"},
}

// libraryCode is the code pquerna/otp computes for secret at t with our
// parameters: the authenticator app's side of a test.
func libraryCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRFC6238Vectors(t *testing.T) {
	for _, v := range rfcVectors {
		at := time.Unix(v.unix, 0).UTC()
		t.Run(at.Format(time.RFC3339), func(t *testing.T) {
			got, err := totp.GenerateCodeCustom(rfcSecret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsEight, Algorithm: otp.AlgorithmSHA1})
			if err != nil || got != v.code {
				t.Fatalf("library code = %q, %v; want %q", got, err, v.code)
			}
			if s := mfa.Step(at); s != v.step {
				t.Fatalf("Step = %#x, want %#x", s, v.step)
			}
			// A 6-digit code is the last 6 digits of the 8-digit one
			// (RFC 4226 truncation is modulo 10^digits).
			six := v.code[2:]
			if lib := libraryCode(t, rfcSecret, at); lib != six {
				t.Fatalf("6-digit library code = %q, want %q", lib, six)
			}
			if code, err := mfa.Code(rfcSecret, at); err != nil || code != six {
				t.Fatalf("Code = %q, %v; want %q", code, err, six)
			}
			step, ok := mfa.Verify(rfcSecret, six, at, 0)
			if !ok || step != v.step {
				t.Fatalf("Verify(%q) = %#x, %v; want %#x, true", six, step, ok, v.step)
			}
		})
	}
}

func TestCodeRefusesASecretThatIsNotBase32(t *testing.T) {
	if code, err := mfa.Code("not base32!", time.Unix(59, 0)); err == nil {
		t.Fatalf("Code = %q, want an error", code)
	}
}

func TestStep(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
		want int64
	}{
		{"the epoch is step 0", time.Unix(0, 0), 0},
		{"29.999 s is still step 0", time.Unix(29, 999e6), 0},
		{"30 s starts step 1", time.Unix(30, 0), 1},
		{"the time zone does not matter", time.Unix(1111111111, 0).In(time.FixedZone("UTC+8", 8*3600)), 0x23523ED},
		{"before 1970 rounds down", time.Unix(-1, 0), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mfa.Step(tc.at); got != tc.want {
				t.Fatalf("Step = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	step := mfa.Step(now)
	secret := rfcSecret
	code := func(d time.Duration) string { return libraryCode(t, secret, now.Add(d)) }

	for _, tc := range []struct {
		name     string
		code     string
		lastStep int64
		wantStep int64
		wantOK   bool
	}{
		{"the current code is accepted", code(0), 0, step, true},
		{"the previous step's code is accepted", code(-30 * time.Second), 0, step - 1, true},
		{"the next step's code is accepted", code(30 * time.Second), 0, step + 1, true},
		{"a code two steps old is refused", code(-60 * time.Second), 0, 0, false},
		{"a code two steps ahead is refused", code(60 * time.Second), 0, 0, false},
		{"the same code again is refused", code(0), step, 0, false},
		{"an older code after a newer one is refused", code(0), step + 1, 0, false},
		{"the previous code after the current one is refused", code(-30 * time.Second), step, 0, false},
		{"a later code after an earlier one is accepted", code(30 * time.Second), step, step + 1, true},
		{"a wrong code is refused", wrong(code(0)), 0, 0, false},
		{"spaces are ignored", code(0)[:3] + " " + code(0)[3:], 0, step, true},
		{"surrounding spaces are ignored", "  " + code(0) + " ", 0, step, true},
		{"five digits are refused", code(0)[:5], 0, 0, false},
		{"seven digits are refused", code(0) + "0", 0, 0, false},
		{"letters are refused", "12a456", 0, 0, false},
		{"a sign is refused", "+12345", 0, 0, false},
		{"an empty code is refused", "", 0, 0, false},
		{"non-ASCII digits are refused", "１２３４５６", 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gotStep, ok := mfa.Verify(secret, tc.code, now, tc.lastStep)
			if ok != tc.wantOK || gotStep != tc.wantStep {
				t.Fatalf("Verify(%q, lastStep %d) = %d, %v; want %d, %v", tc.code, tc.lastStep-step, gotStep-step, ok, tc.wantStep-step, tc.wantOK)
			}
		})
	}

	t.Run("a code is good once: the returned step refuses it next time", func(t *testing.T) {
		c := code(0)
		last, ok := mfa.Verify(secret, c, now, 0)
		if !ok {
			t.Fatal("first use refused")
		}
		if _, ok := mfa.Verify(secret, c, now.Add(10*time.Second), last); ok {
			t.Fatal("second use accepted")
		}
	})
	t.Run("a malformed secret accepts no code", func(t *testing.T) {
		if _, ok := mfa.Verify("not base32!", "123456", now, 0); ok {
			t.Fatal("accepted")
		}
	})
	t.Run("another secret's code is refused", func(t *testing.T) {
		other := base32.StdEncoding.EncodeToString([]byte("09876543210987654321"))
		if _, ok := mfa.Verify(other, code(0), now, 0); ok {
			t.Fatal("accepted")
		}
	})
}

// wrong returns a 6-digit code that differs from c in its last digit.
func wrong(c string) string {
	last := (c[5]-'0'+1)%10 + '0'
	return c[:5] + string(rune(last))
}
