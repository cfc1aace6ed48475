package passkey

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/tokenim/tokenim-auth/storage"
)

// BeginLogin starts a sign-in with a passkey. With u nil any passkey the
// browser holds for the provider may answer (a discoverable credential:
// "sign in with a passkey", and autofill); with u, one of u's (a second
// step, a step-up). User verification is preferred: an authenticator that
// verifies its user makes the sign-in two factors by itself; with
// requireVerification an answer without it is refused (a step-up of a
// session no password signed in, which a second touch would not raise).
func (c *Ceremonies) BeginLogin(ctx context.Context, u *storage.User, requireVerification bool) (Options, error) {
	verify := webauthn.WithUserVerification(protocol.VerificationPreferred)
	if requireVerification {
		verify = webauthn.WithUserVerification(protocol.VerificationRequired)
	}
	if u == nil {
		assertion, sd, err := c.wa.BeginDiscoverableLogin(verify)
		if err != nil {
			return Options{}, fmt.Errorf("passkey: begin sign-in: %w", err)
		}
		sealed, err := c.seal(kindLogin, "", sd)
		return Options{PublicKey: assertion.Response, State: sealed}, err
	}
	a, err := c.load(ctx, *u)
	if err != nil {
		return Options{}, err
	}
	if len(a.creds) == 0 {
		return Options{}, ErrUnknown
	}
	assertion, sd, err := c.wa.BeginLogin(a, verify)
	if err != nil {
		return Options{}, fmt.Errorf("passkey: begin sign-in: %w", err)
	}
	sealed, err := c.seal(kindSecond, u.ID, sd)
	return Options{PublicKey: assertion.Response, State: sealed}, err
}

// SignIn is a passkey sign-in that verified.
type SignIn struct {
	User    storage.User
	Passkey storage.Passkey
	// Methods are its amr methods (AMR).
	Methods []string
}

// FinishLogin checks the authenticator's answer (response, the
// PublicKeyCredential as JSON) to the sign-in ceremony of state, begun
// with the same u, and records the passkey's use. ErrCeremony,
// ErrRefused, ErrWrongOrigin, ErrUnknown, or ErrCloned (with the passkey
// and user in the SignIn, for the record) when it does not sign in.
// Whether the account may sign in (active, not disabled) is the caller's
// to check.
func (c *Ceremonies) FinishLogin(ctx context.Context, u *storage.User, sealed string, response []byte) (SignIn, error) {
	kind, userID := kindLogin, ""
	if u != nil {
		kind, userID = kindSecond, u.ID
	}
	st, err := c.open(sealed, kind, userID)
	if err != nil {
		return SignIn{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return SignIn{}, refused(err)
	}
	var user storage.User
	if u == nil {
		var a webauthn.User
		a, _, err = c.wa.ValidatePasskeyLogin(c.discover(ctx), st.Data, parsed)
		if err == nil {
			user = a.(account).user
		}
	} else {
		var a account
		if a, err = c.load(ctx, *u); err == nil {
			_, err = c.wa.ValidateLogin(a, st.Data, parsed)
		}
		user = *u
	}
	if err != nil {
		return SignIn{}, refused(err)
	}
	if err := c.used(ctx, st); err != nil {
		return SignIn{}, err
	}
	flags := parsed.Response.AuthenticatorData.Flags
	count := parsed.Response.AuthenticatorData.Counter
	in := SignIn{User: user}
	p, err := c.cfg.Store.UpdatePasskey(ctx, parsed.RawID, func(p storage.Passkey) (storage.Passkey, error) {
		if (count != 0 || p.SignCount != 0) && count <= p.SignCount {
			in.Passkey = p
			return p, ErrCloned
		}
		p.SignCount, p.BackupState = count, flags.HasBackupState()
		p.UserVerified = p.UserVerified || flags.HasUserVerified()
		p.LastUsedAt = c.cfg.Now().UTC()
		return p, nil
	})
	if errors.Is(err, ErrCloned) {
		return in, ErrCloned
	}
	if errors.Is(err, storage.ErrNotFound) {
		// Removed while the user was signing in.
		return SignIn{}, ErrUnknown
	}
	if err != nil {
		return SignIn{}, fmt.Errorf("passkey: record use: %w", err)
	}
	in.Passkey, in.Methods = p, AMR(p.BackupEligible, flags.HasUserPresent(), flags.HasUserVerified())
	return in, nil
}

// discover finds the account of a discoverable credential: the passkey
// the authenticator names, which must belong to the account its user
// handle names.
func (c *Ceremonies) discover(ctx context.Context) webauthn.DiscoverableUserHandler {
	return func(rawID, userHandle []byte) (webauthn.User, error) {
		p, err := c.cfg.Store.GetPasskey(ctx, rawID)
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) {
			return nil, ErrUnknown
		}
		if err != nil {
			return nil, fmt.Errorf("passkey: load: %w", err)
		}
		if !bytes.Equal([]byte(p.UserID), userHandle) {
			return nil, ErrUnknown
		}
		u, err := c.cfg.Store.GetUser(ctx, p.UserID)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, ErrUnknown
		}
		if err != nil {
			return nil, fmt.Errorf("passkey: load user: %w", err)
		}
		return c.load(ctx, u)
	}
}
