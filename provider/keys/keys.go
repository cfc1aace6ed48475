package keys

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/tokenim/tokenim-auth/provider/defaults"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// Supported algorithms.
const (
	ES256 = "ES256"
	RS256 = "RS256"
)

// Algorithms are the algorithms the manager keeps a current key of, in the
// order they are advertised: every algorithm a client's ID tokens may be
// signed with (storage.IDTokenAlgs), RS256 first.
func Algorithms() []string { return storage.IDTokenAlgs() }

// Key is a usable signing key.
type Key struct {
	ID        string
	Algorithm string
	Signer    crypto.Signer
}

// Config holds the manager's dependencies.
type Config struct {
	Store storage.Keys
	// SealKey is the 32-byte AES key that seals private keys at rest,
	// derived from the system secret.
	SealKey []byte
	// PreviousSealKeys are the seal keys of previous system secrets, during
	// a rotation of the secret: keys sealed under them still open, and
	// Reseal seals them under SealKey.
	PreviousSealKeys [][]byte
	// Algorithm is the provider's own algorithm, ES256 or RS256: the one
	// of the key Current returns, which signs what has no per-client
	// algorithm (JWT access tokens). Keys of every algorithm are kept
	// either way.
	Algorithm string
	// CacheFor is how long keys read from storage are reused before the
	// next read; a rotation on another node shows within this period.
	CacheFor time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
}

// Manager hands out the current signing key and the published key set.
type Manager struct {
	store    storage.Keys
	sealer   secret.Sealer
	alg      string
	cacheFor time.Duration
	now      func() time.Time
	logger   *slog.Logger

	mu       sync.Mutex
	loadedAt time.Time
	// current is the current key of each algorithm.
	current map[string]Key
	public  jose.JSONWebKeySet
	// document is public encoded as JSON, once per load.
	document []byte
}

// New returns a manager. It does not touch storage: call Ensure at start.
func New(cfg Config) (*Manager, error) {
	if !slices.Contains(Algorithms(), cfg.Algorithm) {
		return nil, fmt.Errorf("keys: unsupported algorithm %q (want one of %s)", cfg.Algorithm, strings.Join(Algorithms(), ", "))
	}
	sealer, err := secret.NewSealer(cfg.SealKey, cfg.PreviousSealKeys...)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	cfg.Now, cfg.Logger = defaults.Now(cfg.Now), defaults.Logger(cfg.Logger)
	if cfg.CacheFor <= 0 {
		cfg.CacheFor = 30 * time.Second
	}
	return &Manager{store: cfg.Store, sealer: sealer, alg: cfg.Algorithm, cacheFor: cfg.CacheFor, now: cfg.Now, logger: cfg.Logger}, nil
}

// Ensure creates the first signing key of each algorithm storage has no
// current key of: at first start, and when a store kept keys of fewer
// algorithms. Of several nodes starting at once, one creates each key and
// the others use it.
func (m *Manager) Ensure(ctx context.Context) error {
	keys, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("keys: list: %w", err)
	}
	for _, alg := range Algorithms() {
		if slices.ContainsFunc(keys, func(k storage.SigningKey) bool { return k.Current() && k.Algorithm == alg }) {
			continue
		}
		k, err := m.generate(alg)
		if err != nil {
			return err
		}
		err = m.store.CreateSigningKey(ctx, k)
		switch {
		case errors.Is(err, storage.ErrAlreadyExists):
			// Another node created it first.
			continue
		case err != nil:
			return fmt.Errorf("keys: create first %s key: %w", alg, err)
		}
		m.Invalidate()
		m.logger.InfoContext(ctx, "signing key created", "kid", k.ID, "alg", k.Algorithm)
	}
	return nil
}

// ErrWrongSecret is returned when a stored signing key opens neither with
// the seal key given nor with a previous one: the system secret is not
// the one the store was set up with (or rotated to).
var ErrWrongSecret = errors.New("a stored signing key does not open with this secrets.system")

// Check opens every stored signing key, current or not, under the seal key
// or a previous one, and returns an error wrapping ErrWrongSecret for the
// first that does not open. The keys are the store's check value of the
// system secret: the first is written at first start, sealed under a key
// derived from the secret, and no key is sealed under another secret while
// one that does not open is stored (Rotate checks first). Client-secret
// hashes are keyed by the same secret but cannot be checked without a
// plaintext.
func (m *Manager) Check(ctx context.Context) error {
	stored, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("keys: list: %w", err)
	}
	for _, sk := range stored {
		if _, err := m.open(sk); err != nil {
			return err
		}
	}
	return nil
}

// Reseal seals every stored signing key that opens only under a previous
// seal key under the current one, and returns how many keys are stored
// and how many it resealed. Run again, it reseals none. A key that opens
// under no seal key stops it with an error wrapping ErrWrongSecret; one
// resealed meanwhile by another run is counted by that run.
func (m *Manager) Reseal(ctx context.Context) (stored, resealed int, err error) {
	return m.reseal(ctx, true)
}

// Stale returns how many keys are stored and how many of them open only
// under a previous seal key: Reseal would reseal those.
func (m *Manager) Stale(ctx context.Context) (stored, stale int, err error) {
	return m.reseal(ctx, false)
}

func (m *Manager) reseal(ctx context.Context, write bool) (stored, n int, err error) {
	keys, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("keys: list: %w", err)
	}
	for _, sk := range keys {
		sealed, changed, err := m.sealer.Reseal(sk.PrivateKey, sk.ID)
		if err != nil {
			return len(keys), n, fmt.Errorf("keys: open private key %s: %w (%w)", sk.ID, ErrWrongSecret, err)
		}
		if !changed {
			continue
		}
		if !write {
			n++
			continue
		}
		err = m.store.ResealSigningKey(ctx, sk.ID, sk.PrivateKey, sealed)
		switch {
		case errors.Is(err, storage.ErrConflict), errors.Is(err, storage.ErrNotFound):
			// Resealed by another run, or pruned: nothing left to do.
		case err != nil:
			return len(keys), n, fmt.Errorf("keys: reseal private key %s: %w", sk.ID, err)
		default:
			n++
		}
	}
	return len(keys), n, nil
}

// Ping reports whether this node can sign: there is a current key of
// every algorithm, and each opens.
func (m *Manager) Ping(ctx context.Context) error {
	for _, alg := range Algorithms() {
		if _, err := m.CurrentOf(ctx, alg); err != nil {
			return err
		}
	}
	return nil
}

// Rotate makes a new key of every algorithm current, one algorithm after
// the other (Algorithms' order), and returns them. Each previous key stays
// published for keep, which must cover the longest life of a token it
// signed. It refuses when a stored key does not open (Check): a key sealed
// under another system secret would leave the store with two. Should the
// rotation of one algorithm fail, those before it stay rotated: the store
// still has one current key of each algorithm.
func (m *Manager) Rotate(ctx context.Context, keep time.Duration) ([]Key, error) {
	if err := m.Check(ctx); err != nil {
		return nil, err
	}
	var rotated []Key
	for _, alg := range Algorithms() {
		k, err := m.generate(alg)
		if err != nil {
			return rotated, err
		}
		err = m.store.RotateSigningKey(ctx, k, m.now().Add(keep))
		m.Invalidate()
		if err != nil {
			return rotated, fmt.Errorf("keys: rotate the %s key: %w", alg, err)
		}
		m.logger.InfoContext(ctx, "signing key rotated", "kid", k.ID, "alg", k.Algorithm)
		rotated = append(rotated, Key{ID: k.ID, Algorithm: k.Algorithm})
	}
	return rotated, nil
}

// Prune deletes keys whose publication period is over and returns their
// IDs.
func (m *Manager) Prune(ctx context.Context) ([]string, error) {
	keys, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("keys: list: %w", err)
	}
	var gone []string
	for _, k := range keys {
		if !k.Current() && !k.RetireAt.After(m.now()) {
			if err := m.store.DeleteSigningKey(ctx, k.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return gone, fmt.Errorf("keys: delete %s: %w", k.ID, err)
			}
			gone = append(gone, k.ID)
		}
	}
	if len(gone) > 0 {
		m.Invalidate()
	}
	return gone, nil
}

// Current returns the current key of the provider's own algorithm
// (Config.Algorithm), which signs what has no per-client algorithm.
func (m *Manager) Current(ctx context.Context) (Key, error) {
	return m.CurrentOf(ctx, m.alg)
}

// CurrentOf returns the current key of algorithm alg, which signs new
// tokens of that algorithm.
func (m *Manager) CurrentOf(ctx context.Context, alg string) (Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.load(ctx); err != nil {
		return Key{}, err
	}
	k, ok := m.current[alg]
	if !ok {
		return Key{}, fmt.Errorf("keys: no current %s signing key", alg)
	}
	return k, nil
}

// JWKS returns the public keys relying parties may verify with: the current
// key of each algorithm and every rotated key still within its publication
// period.
func (m *Manager) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.load(ctx); err != nil {
		return jose.JSONWebKeySet{}, err
	}
	return jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), m.public.Keys...)}, nil
}

// Document returns the JWKS as the JSON document relying parties fetch,
// encoded once each time the keys are read from storage.
func (m *Manager) Document(ctx context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.load(ctx); err != nil {
		return nil, err
	}
	return m.document, nil
}

// Invalidate makes the next use re-read the keys from storage: another
// node rotated them.
func (m *Manager) Invalidate() {
	m.mu.Lock()
	m.loadedAt = time.Time{}
	m.mu.Unlock()
}

// load refreshes the cached keys when they are older than cacheFor. The
// caller holds m.mu.
func (m *Manager) load(ctx context.Context) error {
	now := m.now()
	if !m.loadedAt.IsZero() && now.Sub(m.loadedAt) < m.cacheFor {
		return nil
	}
	stored, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("keys: list: %w", err)
	}
	current := map[string]Key{}
	var public jose.JSONWebKeySet
	for _, sk := range stored {
		if !sk.Current() && !sk.RetireAt.After(now) {
			continue
		}
		var jwk jose.JSONWebKey
		if err := json.Unmarshal(sk.PublicKey, &jwk); err != nil {
			return fmt.Errorf("keys: decode public key %s: %w", sk.ID, err)
		}
		public.Keys = append(public.Keys, jwk)
		if _, seen := current[sk.Algorithm]; sk.Current() && !seen {
			signer, err := m.open(sk)
			if err != nil {
				return err
			}
			current[sk.Algorithm] = Key{ID: sk.ID, Algorithm: sk.Algorithm, Signer: signer}
		}
	}
	document, err := json.Marshal(public)
	if err != nil {
		return fmt.Errorf("keys: encode the key set: %w", err)
	}
	m.current, m.public, m.document, m.loadedAt = current, public, document, now
	return nil
}

// rsaBits is the size of RS256 keys: 2048 bits, the size NIST SP 800-57
// deems adequate through 2030 and every relying party library accepts.
const rsaBits = 2048

// generate makes a new key pair of algorithm alg and seals its private
// half.
func (m *Manager) generate(alg string) (storage.SigningKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, rsaBits)
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		err = errors.New("unsupported algorithm")
	}
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("keys: generate %s key: %w", alg, err)
	}
	pub := jose.JSONWebKey{Key: priv.Public(), Algorithm: alg, Use: "sig"}
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("keys: thumbprint: %w", err)
	}
	// The kid is the key's RFC 7638 thumbprint, prefixed with the creation
	// date to read well in logs.
	pub.KeyID = m.now().UTC().Format("20060102") + "-" + base64url(thumb)[:16]
	pubJSON, err := json.Marshal(pub)
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("keys: encode public key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return storage.SigningKey{}, fmt.Errorf("keys: encode private key: %w", err)
	}
	return storage.SigningKey{
		ID:         pub.KeyID,
		Algorithm:  alg,
		PrivateKey: m.sealer.Seal(der, pub.KeyID),
		PublicKey:  pubJSON,
		CreatedAt:  m.now().UTC().Truncate(time.Second),
	}, nil
}

func (m *Manager) open(sk storage.SigningKey) (crypto.Signer, error) {
	// The kid is the label: a sealed key cannot be moved to another row.
	der, err := m.sealer.Open(sk.PrivateKey, sk.ID)
	if err != nil {
		return nil, fmt.Errorf("keys: unseal private key %s: %w (%w)", sk.ID, ErrWrongSecret, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("keys: parse private key %s: %w", sk.ID, err)
	}
	signer, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("keys: private key %s is a %T, not a signer", sk.ID, parsed)
	}
	return signer, nil
}

func base64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// ErrUnverified is returned by Verify for a token not signed by one of the
// published keys.
var ErrUnverified = errors.New("keys: token is not signed by a published key")

// Verify checks that a compact JWS was signed by one of the published keys
// and returns its payload. It does not look at the claims (expiry, audience):
// that is the caller's business.
func (m *Manager) Verify(ctx context.Context, compact string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnverified, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, ErrUnverified
	}
	set, err := m.JWKS(ctx)
	if err != nil {
		return nil, err
	}
	found := set.Key(jws.Signatures[0].Header.KeyID)
	if len(found) == 0 {
		return nil, fmt.Errorf("%w: unknown kid %q", ErrUnverified, jws.Signatures[0].Header.KeyID)
	}
	payload, err := jws.Verify(found[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnverified, err)
	}
	return payload, nil
}
