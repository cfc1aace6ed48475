package passkey

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/tokenim/tokenim-auth/storage"
)

// Options is a ceremony's first half as a page receives it: PublicKey is
// what navigator.credentials.create or .get takes (as JSON, WebAuthn
// §5.1.10), State the sealed state the page sends back with the answer.
type Options struct {
	PublicKey any    `json:"publicKey"`
	State     string `json:"state"`
}

// BeginRegistration starts adding a passkey to u's account: a discoverable
// credential (so it can sign in without an email), user verification
// preferred, no attestation asked, and u's passkeys excluded (an
// authenticator holding one says so rather than making another).
func (c *Ceremonies) BeginRegistration(ctx context.Context, u storage.User) (Options, error) {
	a, err := c.load(ctx, u)
	if err != nil {
		return Options{}, err
	}
	creation, sd, err := c.wa.BeginRegistration(a, webauthn.WithExclusions(webauthn.Credentials(a.creds).CredentialDescriptors()))
	if err != nil {
		return Options{}, fmt.Errorf("passkey: begin registration: %w", err)
	}
	sealed, err := c.seal(kindRegister, u.ID, sd)
	if err != nil {
		return Options{}, err
	}
	return Options{PublicKey: creation.Response, State: sealed}, nil
}

// FinishRegistration checks the authenticator's answer (response, the
// PublicKeyCredential as JSON) to the ceremony of state and stores the new
// passkey under name. ErrCeremony, ErrRefused, ErrWrongOrigin or
// ErrExists when it cannot be added.
func (c *Ceremonies) FinishRegistration(ctx context.Context, u storage.User, sealed string, response []byte, name string) (storage.Passkey, error) {
	st, err := c.open(sealed, kindRegister, u.ID)
	if err != nil {
		return storage.Passkey{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return storage.Passkey{}, refused(err)
	}
	a, err := c.load(ctx, u)
	if err != nil {
		return storage.Passkey{}, err
	}
	cred, err := c.wa.CreateCredential(a, st.Data, parsed)
	if err != nil {
		return storage.Passkey{}, refused(err)
	}
	if err := c.used(ctx, st); err != nil {
		return storage.Passkey{}, err
	}
	now := c.cfg.Now().UTC()
	p := storage.Passkey{
		ID: cred.ID, UserID: u.ID, Name: name, PublicKey: cred.PublicKey,
		AttestationType: cred.AttestationFormat, AAGUID: cred.Authenticator.AAGUID, SignCount: cred.Authenticator.SignCount,
		UserVerified: cred.Flags.UserVerified, BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState,
		CreatedAt: now,
	}
	for _, t := range cred.Transport {
		p.Transports = append(p.Transports, string(t))
	}
	if err := c.cfg.Store.CreatePasskey(ctx, p); errors.Is(err, storage.ErrAlreadyExists) {
		return storage.Passkey{}, ErrExists
	} else if err != nil {
		return storage.Passkey{}, fmt.Errorf("passkey: store: %w", err)
	}
	return p, nil
}

// used remembers a ceremony's challenge until its state would expire, so
// that its answer is accepted once: a second use is ErrCeremony.
func (c *Ceremonies) used(ctx context.Context, st state) error {
	err := c.cfg.Store.SaveJTI(ctx, "passkey:"+st.Data.Challenge, st.Until, c.cfg.Now())
	if errors.Is(err, storage.ErrAlreadyExists) {
		return ErrCeremony
	}
	if err != nil {
		return fmt.Errorf("passkey: remember challenge: %w", err)
	}
	return nil
}
