package mfa

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Skew is how many steps either side of the current one Verify accepts.
const Skew = 1

// Step returns the RFC 6238 time step of t: Unix seconds divided by
// Period, rounded down.
func Step(t time.Time) int64 {
	s := t.Unix()
	step := s / Period
	if s%Period < 0 {
		step-- // round down, not toward zero, before 1970
	}
	return step
}

// Verify checks code against the base32 secret at now. It accepts the codes
// of the current step and of Skew steps either side, but only of steps after
// lastStep: a code already used, or any code older than it, is refused. On
// success it returns the step the code belongs to, which the caller stores
// as the new lastStep.
//
// Spaces in code are ignored; anything but 6 digits is simply not valid.
// The code is compared in constant time with every candidate.
func Verify(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if !wellFormed(code) {
		return 0, false
	}
	current := Step(now)
	for st := current - Skew; st <= current+Skew; st++ {
		if st < 0 {
			continue
		}
		want, err := codeAt(secret, st)
		if err != nil {
			return 0, false // a malformed secret: no code is valid
		}
		// No early exit: every candidate is compared. Should two steps share
		// the code, the later one wins, so neither can be used again.
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && st > lastStep {
			step, ok = st, true
		}
	}
	return step, ok
}

// Code returns the code of the base32 secret at now: what an
// authenticator app shows. It serves tools (the dev-mode helper that
// prints the demo administrator's code); sign-in checks codes with Verify.
func Code(secret string, now time.Time) (string, error) {
	code, err := codeAt(secret, Step(now))
	if err != nil {
		return "", fmt.Errorf("mfa: code: %w", err)
	}
	return code, nil
}

// codeAt returns the 6-digit code of secret for time step st.
func codeAt(secret string, st int64) (string, error) {
	return totp.GenerateCodeCustom(secret, time.Unix(st*Period, 0), totp.ValidateOpts{
		Period:    Period,
		Digits:    otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1,
	})
}

// wellFormed reports whether code is exactly Digits ASCII digits.
func wellFormed(code string) bool {
	if len(code) != Digits {
		return false
	}
	for i := range len(code) {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}
