package oauth

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v3"
	jose4 "github.com/go-jose/go-jose/v4"
	"github.com/ory/fosite"

	"github.com/tokenim/tokenim-auth/storage"
)

// Encrypted introspection answers (RFC 9701 section 6): the signed answer
// of a resource server that registered introspection_encrypted_response_alg
// is encrypted to a public key it publishes at its jwks_uri, as a nested
// JWT (cty JWT). The keys are read through fosite's JWKS fetcher, the one
// private_key_jwt uses, and cached with it.
const (
	// minEncryptionRSABits is the smallest RSA key answers are encrypted
	// to (RFC 7518 section 4.3: 2048 bits or larger).
	minEncryptionRSABits = 2048
	// keysRefreshInterval is the least time between two reads of one
	// jwks_uri made because its cached keys had none to encrypt to: a
	// resource server that rotated its key is found again within it,
	// and a misconfigured one does not make the provider fetch its keys
	// on every introspection.
	keysRefreshInterval = 30 * time.Second
	// maxKeysRefreshes bounds the record of those reads.
	maxKeysRefreshes = 10_000
)

// lazyKeySets is fosite's JWKS fetcher over jwksClient, made on first use
// (its cache runs goroutines of its own): many providers read no client's
// keys at all.
type lazyKeySets struct {
	once  sync.Once
	fetch fosite.JWKSFetcherStrategy
}

var _ fosite.JWKSFetcherStrategy = (*lazyKeySets)(nil)

func (l *lazyKeySets) Resolve(ctx context.Context, location string, ignoreCache bool) (*jose.JSONWebKeySet, error) {
	l.once.Do(func() {
		l.fetch = fosite.NewDefaultJWKSFetcherStrategy(fosite.JWKSFetcherWithHTTPClient(jwksClient()))
	})
	return l.fetch.Resolve(ctx, location, ignoreCache)
}

// clientKeysError is an answer that could not be encrypted because of the
// client's published keys: unreadable, or none fit. Its message is for the
// client.
type clientKeysError struct {
	msg string
	err error
}

func (e *clientKeysError) Error() string { return e.msg }
func (e *clientKeysError) Unwrap() error { return e.err }

// introspectionEncrypter encrypts signed introspection answers to the keys
// their resource servers publish.
type introspectionEncrypter struct {
	keys fosite.JWKSFetcherStrategy
	now  func() time.Time

	mu        sync.Mutex
	refreshed map[string]time.Time // jwks_uri → its last forced read
}

func newIntrospectionEncrypter(keys fosite.JWKSFetcherStrategy, now func() time.Time) *introspectionEncrypter {
	return &introspectionEncrypter{keys: keys, now: now, refreshed: map[string]time.Time{}}
}

// encrypt encrypts the signed answer to c's key with c's algorithms.
func (e *introspectionEncrypter) encrypt(ctx context.Context, c storage.Client, signed string) (string, error) {
	alg := jose4.KeyAlgorithm(c.IntrospectionEncryptedResponseAlg)
	key, err := e.key(ctx, c.JWKSURI, alg)
	if err != nil {
		return "", err
	}
	opts := (&jose4.EncrypterOptions{}).WithContentType("JWT").WithType(introspectionJWTType)
	encrypter, err := jose4.NewEncrypter(jose4.ContentEncryption(c.IntrospectionEnc()), jose4.Recipient{Algorithm: alg, Key: key.Key, KeyID: key.KeyID}, opts)
	if err != nil {
		return "", &clientKeysError{msg: fmt.Sprintf("The key %q at the client's jwks_uri cannot be used with %s.", key.KeyID, alg), err: err}
	}
	obj, err := encrypter.Encrypt([]byte(signed))
	if err != nil {
		return "", fmt.Errorf("oauth: encrypt an introspection answer: %w", err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("oauth: encrypt an introspection answer: %w", err)
	}
	return out, nil
}

// key returns the first key of the set at uri answers can be encrypted to
// with alg, reading the set again (at most every keysRefreshInterval)
// when the cached one has none.
func (e *introspectionEncrypter) key(ctx context.Context, uri string, alg jose4.KeyAlgorithm) (jose.JSONWebKey, error) {
	set, err := e.keys.Resolve(ctx, uri, false)
	if err != nil {
		return jose.JSONWebKey{}, unreadableKeys(err)
	}
	if k, ok := encryptionKey(set, alg); ok {
		return k, nil
	}
	if e.mayRefresh(uri) {
		if set, err = e.keys.Resolve(ctx, uri, true); err != nil {
			return jose.JSONWebKey{}, unreadableKeys(err)
		}
		if k, ok := encryptionKey(set, alg); ok {
			return k, nil
		}
	}
	return jose.JSONWebKey{}, &clientKeysError{msg: fmt.Sprintf("The client registered introspection_encrypted_response_alg %s, and its jwks_uri publishes no public key for it (use \"enc\" or none; an RSA key of %d bits or more, or a P-256, P-384 or P-521 EC key).", alg, minEncryptionRSABits)}
}

// unreadableKeys is the error of a jwks_uri that could not be read.
func unreadableKeys(err error) error {
	return &clientKeysError{msg: "The keys at the client's jwks_uri could not be read, so the answer cannot be encrypted to them.", err: err}
}

// mayRefresh reports whether uri's keys may be read again now, and if so
// records that they are.
func (e *introspectionEncrypter) mayRefresh(uri string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	if last, ok := e.refreshed[uri]; ok && now.Sub(last) < keysRefreshInterval {
		return false
	}
	if len(e.refreshed) >= maxKeysRefreshes {
		for u, at := range e.refreshed {
			if now.Sub(at) >= keysRefreshInterval {
				delete(e.refreshed, u)
			}
		}
		if len(e.refreshed) >= maxKeysRefreshes {
			return false
		}
	}
	e.refreshed[uri] = now
	return true
}

// encryptionKey returns the first public key of set for encryption with
// alg: its use enc or unset, its alg alg or unset, and of alg's kind.
func encryptionKey(set *jose.JSONWebKeySet, alg jose4.KeyAlgorithm) (jose.JSONWebKey, bool) {
	for _, k := range set.Keys {
		if (k.Use != "" && k.Use != "enc") || (k.Algorithm != "" && k.Algorithm != string(alg)) || !k.Valid() {
			continue
		}
		pub := k.Public()
		if !pub.Valid() {
			continue
		}
		if fitsEncryption(pub.Key, alg) {
			return pub, true
		}
	}
	return jose.JSONWebKey{}, false
}

// fitsEncryption reports whether key is a public key alg encrypts to.
func fitsEncryption(key any, alg jose4.KeyAlgorithm) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg == jose4.RSA_OAEP_256 && k.N.BitLen() >= minEncryptionRSABits
	case *ecdsa.PublicKey:
		switch alg {
		case jose4.ECDH_ES, jose4.ECDH_ES_A128KW, jose4.ECDH_ES_A192KW, jose4.ECDH_ES_A256KW:
			return k.Curve != nil
		}
	}
	return false
}
