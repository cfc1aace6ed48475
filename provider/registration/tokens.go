package registration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// Purpose is the purpose of the key initial access tokens and
// registration access tokens are hashed under (secret.NewHasherFor).
const Purpose = "tokenim-auth registration tokens v1"

// Token prefixes, so that a leaked token is recognised (secret scanners)
// and told apart from client secrets and other tokens.
const (
	// InitialTokenPrefix starts every initial access token.
	InitialTokenPrefix = "tkm_iat_"
	// AccessTokenPrefix starts every registration access token.
	AccessTokenPrefix = "tkm_rat_"
)

// idLength is the length of an initial access token's ID, which follows
// InitialTokenPrefix: 9 random bytes, base64url.
const idLength = 12

// Bounds of an initial access token as an administrator asks for it.
const (
	// MaxTokenLife is the longest an initial access token lives.
	MaxTokenLife = 365 * 24 * time.Hour
	// MaxTokenUses is the most registrations one token is good for.
	MaxTokenUses = 1000
	// maxTokenName bounds a token's name, in characters.
	maxTokenName = 100
)

// Errors of Tokens.
var (
	// ErrBadToken is a presented token that is not a usable initial access
	// token: unknown, wrong, revoked, expired or used up.
	ErrBadToken = errors.New("registration: invalid initial access token")
	// ErrTokenSpec refuses a token's description: its name is up to 100
	// characters without control characters, its life from a minute up to
	// MaxTokenLife, its uses from 1 up to MaxTokenUses.
	ErrTokenSpec = errors.New("registration: an initial access token has a name of up to 100 characters, a life of 1m to 8760h and 1 to 1000 uses")
)

// TokenStore is what Tokens reads and changes.
type TokenStore interface {
	storage.Transactor
	storage.RegistrationTokens
}

// Tokens issues, lists, revokes and uses initial access tokens.
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

// NewTokens returns the initial access token service.
func NewTokens(c TokensConfig) *Tokens {
	return &Tokens{store: c.Store, hasher: c.Hasher, audit: c.Audit, now: defaults.Now(c.Now)}
}

// TokenSpec describes an initial access token to issue.
type TokenSpec struct {
	// Name says what it is for; may be empty.
	Name string
	// Life is how long it works, from a minute to MaxTokenLife.
	Life time.Duration
	// Uses is how many registrations it is good for (1: single use).
	Uses int
}

// check returns s with its name trimmed, or ErrTokenSpec.
func (s TokenSpec) check() (TokenSpec, error) {
	s.Name = strings.TrimSpace(s.Name)
	switch {
	case !utf8.ValidString(s.Name) || utf8.RuneCountInString(s.Name) > maxTokenName || strings.ContainsFunc(s.Name, unicode.IsControl),
		s.Life < time.Minute || s.Life > MaxTokenLife,
		s.Uses < 1 || s.Uses > MaxTokenUses:
		return s, ErrTokenSpec
	}
	return s, nil
}

// Create issues a token by spec and returns it: the only time it is
// shown; only its keyed hash is stored. Recorded as
// registration_token.created. ErrTokenSpec for a spec out of bounds.
func (t *Tokens) Create(ctx context.Context, by audit.Actor, spec TokenSpec) (string, storage.RegistrationToken, error) {
	spec, err := spec.check()
	if err != nil {
		return "", storage.RegistrationToken{}, err
	}
	now := t.now().UTC().Truncate(time.Second)
	id := secret.Random(9)
	plain := InitialTokenPrefix + id + secret.Random(32)
	rec := storage.RegistrationToken{ID: id, Name: spec.Name, Prefix: InitialTokenPrefix + id, Hash: t.hasher.Hash(plain),
		CreatedBy: by.Type + ":" + by.ID, CreatedAt: now, ExpiresAt: now.Add(spec.Life), MaxUses: spec.Uses}
	err = t.audit.InTx(ctx, t.store, func(ctx context.Context) ([]audit.Event, error) {
		if err := t.store.CreateRegistrationToken(ctx, rec); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.RegistrationTokenCreated, Detail: map[string]string{
			"token": id, "name": spec.Name, "max_uses": strconv.Itoa(spec.Uses), "expires": rec.ExpiresAt.Format(time.RFC3339)}})}, nil
	})
	if err != nil {
		return "", storage.RegistrationToken{}, fmt.Errorf("create an initial access token: %w", err)
	}
	return plain, rec, nil
}

// List returns every token, newest first.
func (t *Tokens) List(ctx context.Context) ([]storage.RegistrationToken, error) {
	return t.store.ListRegistrationTokens(ctx)
}

// Revoke revokes token id at once (registration_token.revoked).
// storage.ErrNotFound if there is no such token.
func (t *Tokens) Revoke(ctx context.Context, by audit.Actor, id string) error {
	return t.audit.InTx(ctx, t.store, func(ctx context.Context) ([]audit.Event, error) {
		if err := t.store.RevokeRegistrationToken(ctx, id, t.now().UTC().Truncate(time.Second)); err != nil {
			return nil, err
		}
		return []audit.Event{by.On(audit.Event{Action: audit.RegistrationTokenRevoked, Detail: map[string]string{"token": id}})}, nil
	})
}

// Use counts one registration against the presented token, in the
// transaction ctx carries: the token is found by the ID it starts with,
// compared in constant time with the keyed hash stored, and its use
// counted only while it is usable, however many registrations race for
// it. ErrBadToken (wrapped, with why) for anything but a usable token.
func (t *Tokens) Use(ctx context.Context, token string) (storage.RegistrationToken, error) {
	rest, ok := strings.CutPrefix(token, InitialTokenPrefix)
	if !ok || len(rest) <= idLength {
		return storage.RegistrationToken{}, ErrBadToken
	}
	rec, err := t.store.GetRegistrationToken(ctx, rest[:idLength])
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidInput) {
		return storage.RegistrationToken{}, ErrBadToken
	}
	if err != nil {
		return storage.RegistrationToken{}, err
	}
	if t.hasher.Compare(rec.Hash, token) != nil {
		return storage.RegistrationToken{}, ErrBadToken
	}
	used, err := t.store.UseRegistrationToken(ctx, rec.ID, t.now())
	if errors.Is(err, storage.ErrConflict) {
		return storage.RegistrationToken{}, fmt.Errorf("%w: %s", ErrBadToken, whyUnusable(rec, t.now()))
	}
	return used, err
}

// whyUnusable says why rec cannot be used at now.
func whyUnusable(rec storage.RegistrationToken, now time.Time) string {
	switch {
	case !rec.RevokedAt.IsZero():
		return "revoked"
	case !rec.ExpiresAt.IsZero() && !now.Before(rec.ExpiresAt):
		return "expired"
	}
	return "used up"
}
