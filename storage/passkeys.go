package storage

import (
	"context"
	"slices"
	"time"
)

// Passkey is a WebAuthn public key credential (a passkey, or a security
// key) registered to an account: what the relying party keeps to verify
// the authenticator's later assertions (W3C Web Authentication Level 3,
// §7.1 step 27 and §7.2).
type Passkey struct {
	// ID is the credential ID the authenticator chose: opaque bytes,
	// unique across every account.
	ID     []byte
	UserID string
	// Name is what the user calls it ("Work laptop").
	Name string
	// PublicKey is the credential public key, COSE_Key-encoded.
	PublicKey []byte
	// AttestationType is the format of the attestation statement it was
	// registered with ("none", "packed", ...).
	AttestationType string
	// AAGUID names the authenticator's model (16 bytes, zeros when it does
	// not say).
	AAGUID []byte
	// SignCount is the signature counter last seen: 0 for authenticators
	// that keep none. One that goes back is a sign of a cloned
	// authenticator (§6.1.1).
	SignCount uint32
	// Transports are the ways the client may reach the authenticator
	// ("internal", "hybrid", "usb", "nfc", "ble").
	Transports []string
	// UserVerified, BackupEligible and BackupState are the authenticator
	// data's UV, BE and BS flags as last seen (§6.1).
	UserVerified   bool
	BackupEligible bool
	BackupState    bool
	CreatedAt      time.Time
	// LastUsedAt is when it last signed in; zero until it has.
	LastUsedAt time.Time
}

// Clone returns a deep copy of p.
func (p Passkey) Clone() Passkey {
	p.ID = slices.Clone(p.ID)
	p.PublicKey = slices.Clone(p.PublicKey)
	p.AAGUID = slices.Clone(p.AAGUID)
	p.Transports = slices.Clone(p.Transports)
	return p
}

// Passkeys stores the accounts' WebAuthn credentials.
type Passkeys interface {
	// CreatePasskey stores p. ErrAlreadyExists if a passkey with p.ID is
	// registered, to any account; ErrNotFound if the user does not
	// exist.
	CreatePasskey(ctx context.Context, p Passkey) error
	// GetPasskey returns the passkey with credential ID id, whoever holds
	// it; ErrNotFound if there is none.
	GetPasskey(ctx context.Context, id []byte) (Passkey, error)
	// ListPasskeys returns the user's passkeys, oldest first; none is an
	// empty list.
	ListPasskeys(ctx context.Context, userID string) ([]Passkey, error)
	// UpdatePasskey applies update to the passkey with credential ID id in
	// one atomic step (a sign-in's counter, flags and time; a new name)
	// and returns what was stored. An error of update is returned as it
	// is, and nothing changes; an update that changes the ID or the user
	// is refused. ErrNotFound if there is no such passkey.
	UpdatePasskey(ctx context.Context, id []byte, update func(Passkey) (Passkey, error)) (Passkey, error)
	// DeletePasskey removes the user's passkey id. ErrNotFound if the
	// user holds no such passkey (another account's is not removed).
	DeletePasskey(ctx context.Context, userID string, id []byte) error
}
