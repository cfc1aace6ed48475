package oidc_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tokenim/tokenim-auth/provider/upstream"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc"
	"github.com/tokenim/tokenim-auth/provider/upstream/oidc/oidctest"
)

// FuzzVerifyLogoutToken: whatever an upstream (or anyone) posts to the
// back-channel logout URI, verification never panics, fails only as
// ErrRefused or ErrUnavailable, and accepts only a token that names a
// usable subject or session.
func FuzzVerifyLogoutToken(f *testing.F) {
	op := oidctest.Start(f, options())
	at := time.Now()
	// A fixed clock: the seeds stay fresh however long the fuzzing runs.
	c := connector(f, op.Issuer, &clock{}, func(cfg *oidc.Config) { cfg.Now = func() time.Time { return at } })
	f.Add(op.SignToken(f, op.LogoutClaims("alice-42", "op-session-9", at), "logout+jwt"))
	f.Add(op.SignToken(f, op.LogoutClaims("", "op-session-9", at), ""))
	withNonce := op.LogoutClaims("alice-42", "", at)
	withNonce["nonce"] = "n"
	f.Add(op.SignToken(f, withNonce, "logout+jwt"))
	f.Add(op.SignToken(f, op.LogoutClaims("a\x00b", "", at), "JWT"))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.")
	f.Add("a.b.c.d.e")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := c.VerifyLogoutToken(t.Context(), raw)
		if err != nil {
			if !errors.Is(err, upstream.ErrRefused) && !errors.Is(err, upstream.ErrUnavailable) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if got.Subject == "" && got.SID == "" {
			t.Fatal("accepted a token naming nobody")
		}
		for _, s := range []string{got.Subject, got.SID} {
			if !upstream.CleanText(s) || len(s) > 255 {
				t.Fatalf("accepted identifier %q", s)
			}
		}
	})
}
