package links

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// Store keeps the links.
type Store interface {
	CreateLink(ctx context.Context, l storage.OneTimeLink) error
	DeleteUserLinks(ctx context.Context, userID string, purpose storage.LinkPurpose) (int, error)
}

// Config holds a Maker's dependencies.
type Config struct {
	Store Store
	// Hasher hashes the links' tokens (secret.PurposeOneTimeLinks).
	Hasher secret.Hasher
	// Issuer is the provider's public URL, the base of every link.
	Issuer string
	Now    func() time.Time
}

// Maker makes one-time links.
type Maker struct {
	cfg Config
}

// New returns a Maker.
func New(cfg Config) *Maker {
	cfg.Now = defaults.Now(cfg.Now)
	return &Maker{cfg: cfg}
}

// Hash returns the form a link's token is stored and looked up in: its
// keyed hash, in hex.
func (m *Maker) Hash(token string) string { return hex.EncodeToString(m.cfg.Hasher.Hash(token)) }

// Token stores a new link of purpose for the user, valid for life,
// replacing their older ones of that purpose, and returns the token for
// its URL.
func (m *Maker) Token(ctx context.Context, userID string, purpose storage.LinkPurpose, life time.Duration) (string, error) {
	if _, err := m.cfg.Store.DeleteUserLinks(ctx, userID, purpose); err != nil {
		return "", fmt.Errorf("links: replace the user's %s links: %w", purpose, err)
	}
	token := secret.Random(32)
	now := m.cfg.Now().UTC()
	err := m.cfg.Store.CreateLink(ctx, storage.OneTimeLink{
		Hash: m.Hash(token), Purpose: purpose, UserID: userID, CreatedAt: now, ExpiresAt: now.Add(life),
	})
	if err != nil {
		return "", fmt.Errorf("links: store a %s link: %w", purpose, err)
	}
	return token, nil
}

// Activation makes a link that activates the user's pending account
// (/activate). flowID, when set, is the sign-in the user registered from,
// which the activated account goes back to.
func (m *Maker) Activation(ctx context.Context, userID, flowID string, life time.Duration) (string, error) {
	token, err := m.Token(ctx, userID, storage.LinkActivate, life)
	if err != nil {
		return "", err
	}
	q := url.Values{"token": {token}}
	if flowID != "" {
		q.Set("flow", flowID)
	}
	return m.cfg.Issuer + "/activate?" + q.Encode(), nil
}

// Password makes a link to the page where the user chooses a password
// (/password/reset): to reset a forgotten one, or to set the first one
// of an account an administrator created. Using it also confirms the
// address and activates a pending account.
func (m *Maker) Password(ctx context.Context, userID string, life time.Duration) (string, error) {
	token, err := m.Token(ctx, userID, storage.LinkPasswordReset, life)
	if err != nil {
		return "", err
	}
	return m.cfg.Issuer + "/password/reset?" + url.Values{"token": {token}}.Encode(), nil
}
