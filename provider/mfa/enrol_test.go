package mfa_test

import (
	"bytes"
	"encoding/base32"
	"image"
	_ "image/png" // image.Decode reads PNG
	"net/url"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/mfa"
)

func enrol(t *testing.T, issuer, account string) mfa.Enrolment {
	t.Helper()
	e, err := mfa.NewEnrolment(issuer, account)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestNewEnrolment(t *testing.T) {
	e := enrol(t, "", "ann@example.com")

	t.Run("the URL is an otpauth TOTP URL with our parameters", func(t *testing.T) {
		u, err := url.Parse(e.URL)
		if err != nil {
			t.Fatal(err)
		}
		if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/TokenIM:ann@example.com" {
			t.Fatalf("URL %q: want otpauth://totp/TokenIM:ann@example.com", e.URL)
		}
		q := u.Query()
		for k, want := range map[string]string{
			"secret":    e.Secret,
			"issuer":    "TokenIM",
			"algorithm": "SHA1",
			"digits":    "6",
			"period":    "30",
		} {
			if got := q.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
	})
	t.Run("the secret is 160 bits in 32 base32 characters", func(t *testing.T) {
		if len(e.Secret) != 32 {
			t.Fatalf("secret %q: %d characters, want 32", e.Secret, len(e.Secret))
		}
		b, err := base32.StdEncoding.DecodeString(e.Secret)
		if err != nil || len(b) != 20 {
			t.Fatalf("secret decodes to %d bytes, %v; want 20", len(b), err)
		}
	})
	t.Run("each enrolment has its own secret", func(t *testing.T) {
		if other := enrol(t, "", "ann@example.com"); other.Secret == e.Secret {
			t.Fatal("two enrolments share a secret")
		}
	})
	t.Run("a code computed from the shown secret verifies", func(t *testing.T) {
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		if _, ok := mfa.Verify(e.Secret, libraryCode(t, e.Secret, now), now, 0); !ok {
			t.Fatal("refused")
		}
	})
	t.Run("a configured issuer is used", func(t *testing.T) {
		u, err := url.Parse(enrol(t, "TokenIM Staging", "bob@example.com").URL)
		if err != nil {
			t.Fatal(err)
		}
		if u.Path != "/TokenIM Staging:bob@example.com" || u.Query().Get("issuer") != "TokenIM Staging" {
			t.Fatalf("path %q, issuer %q", u.Path, u.Query().Get("issuer"))
		}
	})
	for _, tc := range []struct{ name, issuer, account string }{
		{"an empty account is refused", "", ""},
		{"a colon in the account is refused", "", "ann:x@example.com"},
		{"a colon in the issuer is refused", "Token:IM", "ann@example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := mfa.NewEnrolment(tc.issuer, tc.account); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestQRCode(t *testing.T) {
	e := enrol(t, "", "ann@example.com")
	for _, tc := range []struct {
		name string
		size int
		want int
	}{
		{"the requested size is kept", 256, 256},
		{"the smallest size is kept", 128, 128},
		{"too small is raised to 128", 64, 128},
		{"zero is raised to 128", 0, 128},
		{"too large is lowered to 512", 4096, 512},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := mfa.QRCode(e, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			img, format, err := image.Decode(bytes.NewReader(b))
			if err != nil || format != "png" {
				t.Fatalf("decode: %q, %v", format, err)
			}
			if r := img.Bounds(); r.Dx() != tc.want || r.Dy() != tc.want {
				t.Fatalf("size %v, want %dx%d", r.Size(), tc.want, tc.want)
			}
		})
	}
}

func TestEnrolmentFor(t *testing.T) {
	e, err := mfa.NewEnrolment("TokenIM", "ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	again, err := mfa.EnrolmentFor("TokenIM", "ann@example.com", e.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if again != e {
		t.Fatalf("rebuilt enrolment %+v, want %+v", again, e)
	}
	if _, err := mfa.EnrolmentFor("TokenIM", "ann@example.com", "not base32!"); err == nil {
		t.Fatal("a malformed secret was accepted")
	}
}
