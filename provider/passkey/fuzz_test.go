package passkey_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tokenim/tokenim-auth/provider/passkey"
)

// FuzzFinishLogin: whatever a page sends back as the state and the
// authenticator's answer, a sign-in either verifies or is refused with one
// of the package's errors; nothing panics and nothing else comes back.
func FuzzFinishLogin(f *testing.F) {
	fx := newFixture(f)
	f.Add("", []byte(`{}`))
	f.Add("AAAA", []byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"","signature":""}}`))
	opts, _ := fx.c.BeginLogin(context.Background(), nil, false)
	f.Add(opts.State, []byte(`{"id":"AA","rawId":"AA","type":"public-key","response":{"clientDataJSON":"e30","authenticatorData":"AAAA","signature":"AA","userHandle":"dS1hbm4"}}`))
	f.Add(opts.State, []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, state string, resp []byte) {
		_, err := fx.c.FinishLogin(t.Context(), nil, state, resp)
		if err == nil {
			t.Fatal("an arbitrary answer signed in")
		}
		for _, known := range []error{passkey.ErrCeremony, passkey.ErrRefused, passkey.ErrWrongOrigin, passkey.ErrUnknown} {
			if errors.Is(err, known) {
				return
			}
		}
		t.Fatalf("unexpected error: %v", err)
	})
}
