package mfa

import (
	"bytes"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"strings"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// DefaultIssuer names the service in authenticator apps when no issuer is
// configured.
const DefaultIssuer = "TokenIM"

// TOTP parameters (RFC 6238): SHA-1, 6 digits, 30-second steps, 160-bit
// secrets (the RFC 4226 recommendation).
const (
	Digits     = 6
	Period     = 30
	SecretSize = 20
)

// QR code sizes, in pixels: QRCode clamps the size it is asked for.
const (
	MinQRSize = 128
	MaxQRSize = 512
)

// Enrolment is a new TOTP secret for an account, in the two forms an
// authenticator app takes.
type Enrolment struct {
	Secret string // base32, as shown to the user to type in by hand
	URL    string // otpauth:// URL, shown as a QR code
}

// NewEnrolment returns a fresh random secret for account (the email) under
// issuer (DefaultIssuer if empty). Neither may contain a colon, which
// separates them in the otpauth label.
func NewEnrolment(issuer, account string) (Enrolment, error) {
	return enrolment(issuer, account, nil)
}

// EnrolmentFor rebuilds the enrolment of an existing base32 secret, to show
// its QR code again while it waits for its first code.
func EnrolmentFor(issuer, account, base32Secret string) (Enrolment, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(base32Secret))
	if err != nil {
		return Enrolment{}, fmt.Errorf("mfa: enrolment: the secret is not base32: %w", err)
	}
	return enrolment(issuer, account, raw)
}

func enrolment(issuer, account string, raw []byte) (Enrolment, error) {
	if issuer == "" {
		issuer = DefaultIssuer
	}
	if strings.Contains(issuer, ":") || strings.Contains(account, ":") {
		return Enrolment{}, errors.New("mfa: enrolment: issuer and account may not contain a colon")
	}
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      Period,
		SecretSize:  SecretSize,
		Secret:      raw,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return Enrolment{}, fmt.Errorf("mfa: enrolment: %w", err)
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// QRCode returns e's URL as a square PNG QR code of size pixels, clamped
// to MinQRSize..MaxQRSize.
func QRCode(e Enrolment, size int) ([]byte, error) {
	size = min(max(size, MinQRSize), MaxQRSize)
	key, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		return nil, fmt.Errorf("mfa: qr code: %w", err)
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("mfa: qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("mfa: qr code: %w", err)
	}
	return buf.Bytes(), nil
}
