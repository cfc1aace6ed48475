package rs

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/tokenim/tokenim-auth/dpop"
)

// Verifier checks access tokens issued by one provider. It is safe for
// concurrent use.
type Verifier struct {
	cfg           Config
	base          string
	introspectURL string
	cache         *lru.Cache[[sha256.Size]byte, entry]
	// mu orders cache writes with invalidations; generation grows with
	// every invalidation, so an introspection answer that was in flight
	// while entries were dropped is not cached.
	mu         sync.Mutex
	generation uint64
	flight     flight
	keys       *keySet
	// metadataURL is where the protected resource metadata of
	// cfg.Resource is served; nil without a Resource.
	metadataURL *url.URL
	// challenge is how every challenge of the Verifier begins.
	challenge challenge
	// proofs checks the DPoP proofs of bound tokens.
	proofs *dpop.Verifier
}

// entry is a cached introspection answer.
type entry struct {
	token  Token
	active bool
	reason string
	until  time.Time
}

// New returns a Verifier for cfg. It makes no request: discovery and the
// JWKS are fetched when a JWT access token first needs them.
func New(cfg Config) (*Verifier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	v := &Verifier{cfg: cfg, base: strings.TrimSuffix(cfg.Issuer, "/")}
	v.introspectURL = v.base + "/oauth2/introspect"
	if cfg.CacheTTL > 0 {
		if v.cache, err = lru.New[[sha256.Size]byte, entry](cfg.CacheSize); err != nil {
			return nil, fmt.Errorf("rs: cache: %w", err)
		}
	}
	v.keys = &keySet{v: v}
	if v.proofs, err = newProofs(cfg); err != nil {
		return nil, fmt.Errorf("rs: config: %w", err)
	}
	v.challenge = challenge{realm: cfg.Realm, algs: strings.Join(v.proofs.Algs(), " "), dpopOnly: cfg.DPoP.Required}
	if cfg.Resource != "" {
		// withDefaults has checked the resource identifier.
		v.metadataURL, _ = metadataLocation(cfg.Resource)
		v.challenge.metadata = v.metadataURL.String()
	}
	return v, nil
}

// Verify checks raw, a bearer access token. A JWT access token (RFC 9068)
// is verified locally against the provider's JWKS; any other token is
// introspected, through the cache. The error wraps ErrInvalidToken (as an
// *InvalidTokenError) or ErrUnavailable.
func (v *Verifier) Verify(ctx context.Context, raw string) (Token, error) {
	if raw == "" {
		return Token{}, invalid("the access token is empty", nil)
	}
	if looksLikeJWT(raw) {
		return v.verifyJWT(ctx, raw)
	}
	key := sha256.Sum256([]byte(raw))
	now := v.cfg.Now()
	if e, ok := v.cached(key, now); ok {
		if !e.active {
			return Token{}, invalid(e.reason, nil)
		}
		return e.token.clone(), nil
	}
	return v.flight.do(ctx, key, func(ctx context.Context) (Token, error) {
		return v.introspectAndCache(ctx, key, raw, now)
	})
}

// introspectAndCache introspects raw and caches the answer under key.
func (v *Verifier) introspectAndCache(ctx context.Context, key [sha256.Size]byte, raw string, now time.Time) (Token, error) {
	v.mu.Lock()
	gen := v.generation
	v.mu.Unlock()
	tok, err := v.introspect(ctx, raw)
	if err != nil {
		if reason, ok := inactiveReason(err); ok {
			v.store(key, gen, entry{reason: reason, until: now.Add(v.cfg.NegativeTTL)})
		}
		return Token{}, err
	}
	until := now.Add(v.cfg.CacheTTL)
	if !tok.Expiry.IsZero() && tok.Expiry.Before(until) {
		until = tok.Expiry
	}
	v.store(key, gen, entry{token: tok, active: true, until: until})
	return tok, nil
}

// cached returns the live cache entry for key.
func (v *Verifier) cached(key [sha256.Size]byte, now time.Time) (entry, bool) {
	if v.cache == nil {
		return entry{}, false
	}
	e, ok := v.cache.Get(key)
	if !ok {
		return entry{}, false
	}
	if !now.Before(e.until) {
		v.cache.Remove(key)
		return entry{}, false
	}
	return e, true
}

// store caches e unless the cache is off, e is already stale, or an
// invalidation happened since generation gen was read.
func (v *Verifier) store(key [sha256.Size]byte, gen uint64, e entry) {
	if v.cache == nil || !v.cfg.Now().Before(e.until) {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.generation != gen {
		return
	}
	v.cache.Add(key, e)
}

// invalidate runs drop on the cache as one step of invalidation.
func (v *Verifier) invalidate(drop func(c *lru.Cache[[sha256.Size]byte, entry])) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.generation++
	if v.cache != nil {
		drop(v.cache)
	}
}

// Invalidate drops what is cached about token, so the next request
// carrying it is introspected again.
func (v *Verifier) Invalidate(token string) {
	key := sha256.Sum256([]byte(token))
	v.flight.forget(key)
	v.invalidate(func(c *lru.Cache[[sha256.Size]byte, entry]) { c.Remove(key) })
}

// InvalidateSubject drops every cached token of the subject sub, e.g.
// when the user is signed out everywhere or disabled.
func (v *Verifier) InvalidateSubject(sub string) {
	v.drop(func(t Token) bool { return t.Subject == sub })
}

// InvalidateAll empties the cache.
func (v *Verifier) InvalidateAll() {
	v.flight.forgetAll()
	v.invalidate(func(c *lru.Cache[[sha256.Size]byte, entry]) { c.Purge() })
}
