package passkey

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/relyingparty"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/provider/session"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store is what the ceremonies need of storage.
type Store interface {
	storage.Passkeys
	GetUser(ctx context.Context, id string) (storage.User, error)
	SaveJTI(ctx context.Context, jti string, exp, now time.Time) error
}

// Config holds the relying party's settings and the ceremonies'
// dependencies.
type Config struct {
	// RPID is the relying-party ID passkeys are bound to: a host name,
	// the issuer's unless configured.
	RPID string
	// Origins are the origins the pages that call WebAuthn are served
	// from: the issuer's unless configured.
	Origins []string
	// RPName is the name authenticators show ("TokenIM").
	RPName string
	Store  Store
	// Sealer seals the ceremonies' state.
	Sealer secret.Sealer
	// Timeout is how long a ceremony may take; 5 minutes when zero.
	Timeout time.Duration
	Now     func() time.Time
}

// Ceremonies registers passkeys and signs in with them.
type Ceremonies struct {
	cfg Config
	wa  *webauthn.WebAuthn
}

// New returns the ceremonies of a relying party.
func New(cfg Config) (*Ceremonies, error) {
	if err := relyingparty.Check(cfg.RPID, cfg.Origins); err != nil {
		return nil, fmt.Errorf("passkey: %w", err)
	}
	cfg.Now = defaults.Now(cfg.Now)
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	if cfg.RPName == "" {
		cfg.RPName = "TokenIM"
	}
	timeout := webauthn.TimeoutConfig{Enforce: true, Timeout: cfg.Timeout, TimeoutUVD: cfg.Timeout}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:                  cfg.RPID,
		RPDisplayName:         cfg.RPName,
		RPOrigins:             cfg.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{Login: timeout, Registration: timeout},
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: %w", err)
	}
	return &Ceremonies{cfg: cfg, wa: wa}, nil
}

// Ref is how a passkey is named in addresses and forms: its credential
// ID, base64url without padding.
func Ref(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

// ShortRef is how a passkey is named in the authorization records and the
// console: a short digest of its credential ID (storage.Ref).
func ShortRef(id []byte) string { return storage.Ref(string(id)) }

// maxCredentialID is the longest credential ID WebAuthn allows (§5.8.3).
const maxCredentialID = 1023

// ParseRef is the credential ID a Ref names; an error for text that is not
// one. Only the spelling Ref gives is accepted: the decoder would skip
// line breaks and ignore unused bits, and two addresses must not name one
// passkey.
func ParseRef(ref string) ([]byte, error) {
	if ref == "" || len(ref) > base64.RawURLEncoding.EncodedLen(maxCredentialID) {
		return nil, errors.New("passkey: not a passkey reference")
	}
	id, err := base64.RawURLEncoding.DecodeString(ref)
	if err != nil || Ref(id) != ref {
		return nil, errors.New("passkey: not a passkey reference")
	}
	return id, nil
}

// AMR is the amr claim's methods of a sign-in with a passkey: a key
// synced across devices (backup eligible) is "swk", one held on one device
// "hwk"; "user" when the authenticator tested for presence, "pin" when it
// verified the user.
func AMR(backupEligible, present, verified bool) []string {
	key := session.AMRHardwareKey
	if backupEligible {
		key = session.AMRSoftwareKey
	}
	m := []string{key}
	if present {
		m = append(m, session.AMRUser)
	}
	if verified {
		m = append(m, session.AMRPIN)
	}
	return m
}

// account is a user as the WebAuthn library sees one. Its user handle is
// the account ID: opaque, stable, and no personal data.
type account struct {
	user  storage.User
	creds []webauthn.Credential
}

func (a account) WebAuthnID() []byte                         { return []byte(a.user.ID) }
func (a account) WebAuthnName() string                       { return a.user.Email }
func (a account) WebAuthnCredentials() []webauthn.Credential { return a.creds }
func (a account) WebAuthnDisplayName() string {
	if a.user.Name != "" {
		return a.user.Name
	}
	return a.user.Email
}

// load returns the user with their passkeys as credentials.
func (c *Ceremonies) load(ctx context.Context, u storage.User) (account, error) {
	list, err := c.cfg.Store.ListPasskeys(ctx, u.ID)
	if err != nil {
		return account{}, fmt.Errorf("passkey: list: %w", err)
	}
	a := account{user: u}
	for _, p := range list {
		a.creds = append(a.creds, credential(p))
	}
	return a, nil
}

// credential is a stored passkey as the library's credential record.
func credential(p storage.Passkey) webauthn.Credential {
	cred := webauthn.Credential{
		ID: p.ID, PublicKey: p.PublicKey, AttestationFormat: p.AttestationType,
		Flags: webauthn.CredentialFlags{
			UserPresent: true, UserVerified: p.UserVerified, BackupEligible: p.BackupEligible, BackupState: p.BackupState,
		},
		Authenticator: webauthn.Authenticator{AAGUID: p.AAGUID, SignCount: p.SignCount},
	}
	for _, t := range p.Transports {
		cred.Transport = append(cred.Transport, protocol.AuthenticatorTransport(t))
	}
	return cred
}
