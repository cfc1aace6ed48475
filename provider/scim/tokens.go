package scim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// Purpose is the purpose of the key SCIM tokens are hashed under
// (secret.NewHasherFor).
const Purpose = "tokenim-auth scim tokens v1"

// TokenPrefix starts every SCIM token, so that a leaked one is
// recognised (secret scanners) and told apart from client secrets.
const TokenPrefix = "tkm_scim_"

// idLength is the length of a token's ID, which follows TokenPrefix: 9
// random bytes, base64url.
const idLength = 12

// ErrBadToken is a presented token that is not a live SCIM token:
// unknown, wrong, revoked or expired.
var ErrBadToken = errors.New("scim: invalid token")

// ErrTokenName refuses a token's name: it is 1 to 100 characters of
// text, without control characters.
var ErrTokenName = errors.New("scim: a token's name is 1 to 100 characters, without control characters")

// maxTokenName bounds a token's name, in characters.
const maxTokenName = 100

// tokenName returns a token's name trimmed, or ErrTokenName.
func tokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxTokenName || strings.ContainsFunc(name, unicode.IsControl) {
		return "", ErrTokenName
	}
	return name, nil
}

// TokenStore is what Tokens reads and changes.
type TokenStore interface {
	storage.Transactor
	GetWorkspace(ctx context.Context, id string) (storage.Workspace, error)
	CreateSCIMToken(ctx context.Context, t storage.SCIMToken) error
	GetSCIMToken(ctx context.Context, id string) (storage.SCIMToken, error)
	ListSCIMTokens(ctx context.Context, workspaceID string) ([]storage.SCIMToken, error)
	TouchSCIMToken(ctx context.Context, id string, at time.Time) error
	RevokeSCIMToken(ctx context.Context, workspaceID, id string, at time.Time) error
}

// Tokens makes, lists, revokes and checks the workspaces' SCIM tokens.
type Tokens struct {
	store  TokenStore
	hasher secret.Hasher
	audit  *audit.Recorder
	now    func() time.Time
}

// TokensConfig is what Tokens is built from.
type TokensConfig struct {
	Store TokenStore
	// Hasher is the keyed hasher of Purpose.
	Hasher secret.Hasher
	Audit  *audit.Recorder
	Now    func() time.Time
}

// NewTokens returns the token service.
func NewTokens(c TokensConfig) *Tokens {
	return &Tokens{store: c.Store, hasher: c.Hasher, audit: c.Audit, now: defaults.Now(c.Now)}
}

// Create makes a token for the workspace, named name, that expires after
// life (never when 0), and returns it: the only time it is shown.
// storage.ErrNotFound for an unknown workspace; ErrTokenName for a name
// that is empty, too long or not text.
func (t *Tokens) Create(ctx context.Context, by Actor, workspaceID, name string, life time.Duration) (string, storage.SCIMToken, error) {
	name, err := tokenName(name)
	if err != nil {
		return "", storage.SCIMToken{}, err
	}
	now := t.now().UTC().Truncate(time.Second)
	id := secret.Random(9)
	plain := TokenPrefix + id + secret.Random(32)
	rec := storage.SCIMToken{ID: id, WorkspaceID: workspaceID, Name: name, Prefix: TokenPrefix + id,
		Hash: t.hasher.Hash(plain), CreatedBy: by.Type + ":" + by.ID, CreatedAt: now}
	if life > 0 {
		rec.ExpiresAt = now.Add(life)
	}
	err = storage.InTx(ctx, t.store, func(ctx context.Context) error {
		if _, err := t.store.GetWorkspace(ctx, workspaceID); err != nil {
			return err
		}
		if err := t.store.CreateSCIMToken(ctx, rec); err != nil {
			return err
		}
		return t.audit.Record(ctx, event(by, workspaceID, audit.Event{Action: audit.SCIMTokenCreated,
			Detail: map[string]string{"token": id, "name": name}}))
	})
	if err != nil {
		return "", storage.SCIMToken{}, fmt.Errorf("create a scim token for workspace %s: %w", workspaceID, err)
	}
	return plain, rec, nil
}

// List returns the workspace's tokens, newest first.
func (t *Tokens) List(ctx context.Context, workspaceID string) ([]storage.SCIMToken, error) {
	return t.store.ListSCIMTokens(ctx, workspaceID)
}

// Revoke revokes the workspace's token id at once. storage.ErrNotFound
// if the workspace has no such token.
func (t *Tokens) Revoke(ctx context.Context, by Actor, workspaceID, id string) error {
	return storage.InTx(ctx, t.store, func(ctx context.Context) error {
		if err := t.store.RevokeSCIMToken(ctx, workspaceID, id, t.now().UTC().Truncate(time.Second)); err != nil {
			return err
		}
		return t.audit.Record(ctx, event(by, workspaceID, audit.Event{Action: audit.SCIMTokenRevoked, Detail: map[string]string{"token": id}}))
	})
}

// touchEvery is how stale a token's LastUsedAt may get before a request
// writes it again: not one write per request.
const touchEvery = time.Minute

// Authenticate returns the live token presented: it is found by the ID it
// starts with and compared in constant time with the keyed hash stored,
// under the current system secret or a previous one. ErrBadToken for
// anything else, bytes the store cannot hold (not text, a NUL) too.
func (t *Tokens) Authenticate(ctx context.Context, token string) (storage.SCIMToken, error) {
	rest, ok := strings.CutPrefix(token, TokenPrefix)
	if !ok || len(rest) <= idLength {
		return storage.SCIMToken{}, ErrBadToken
	}
	rec, err := t.store.GetSCIMToken(ctx, rest[:idLength])
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) {
		return storage.SCIMToken{}, ErrBadToken
	}
	if err != nil {
		return storage.SCIMToken{}, err
	}
	if t.hasher.Compare(rec.Hash, token) != nil {
		return storage.SCIMToken{}, ErrBadToken
	}
	now := t.now()
	if !rec.RevokedAt.IsZero() {
		return storage.SCIMToken{}, fmt.Errorf("%w: revoked", ErrBadToken)
	}
	if !rec.ExpiresAt.IsZero() && !rec.ExpiresAt.After(now) {
		return storage.SCIMToken{}, fmt.Errorf("%w: expired", ErrBadToken)
	}
	if now.Sub(rec.LastUsedAt) > touchEvery {
		at := now.UTC().Truncate(time.Second)
		if err := t.store.TouchSCIMToken(ctx, rec.ID, at); err != nil {
			return storage.SCIMToken{}, err
		}
		rec.LastUsedAt = at
	}
	return rec, nil
}
