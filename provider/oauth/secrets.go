package oauth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/ory/fosite"

	"github.com/tokenim/tokenim-auth/storage"
)

// matchedKey carries, through a request's context, where the secret
// hasher records which stored hash a presented client secret matched.
type matchedKey struct{}

// matched is the hash a request's client secret matched, if any, and
// rehash, the secret's hash under the current system secret when the
// matched one was made under a previous secret.
type matched struct{ hash, rehash []byte }

// withSecretRecorder returns r with a place for the hasher to record the
// matching secret.
func withSecretRecorder(r *http.Request) (*http.Request, *matched) {
	m := &matched{}
	return r.WithContext(context.WithValue(r.Context(), matchedKey{}, m)), m
}

func recordMatch(ctx context.Context, hash, rehash []byte) {
	if m, ok := ctx.Value(matchedKey{}).(*matched); ok {
		m.hash, m.rehash = hash, rehash
	}
}

// usage records when each client secret was last used, writing to storage
// at most once a minute per secret from this node: the token and
// introspection paths stay free of a write per request.
type usage struct {
	mu   sync.Mutex
	last map[secretKey]time.Time
}

// secretKey names one secret of one client.
type secretKey struct{ client, secret string }

// touch records that client authenticated with the secret whose hash is
// hash.
func (p *Provider) touch(ctx context.Context, c fosite.Client, m *matched) {
	fc, ok := c.(*client)
	if !ok || m.hash == nil {
		return
	}
	for _, s := range fc.Secrets {
		if string(s.Hash) != string(m.hash) {
			continue
		}
		if m.rehash != nil {
			p.rehash(ctx, fc.ID, s.ID, m.hash, m.rehash)
		}
		now := p.cfg.Now().UTC()
		key := secretKey{fc.ID, s.ID}
		p.usage.mu.Lock()
		if now.Sub(p.usage.last[key]) < time.Minute {
			p.usage.mu.Unlock()
			return
		}
		p.usage.last[key] = now
		p.usage.mu.Unlock()
		if err := p.cfg.Store.TouchClientSecret(ctx, fc.ID, s.ID, now.Truncate(time.Second)); err != nil {
			p.logger.WarnContext(ctx, "record secret use", "client_id", fc.ID, "err", err)
		}
		return
	}
}

// errHashed ends an update that finds nothing to do.
var errHashed = errors.New("oauth: the client secret is already hashed under the current system secret, or gone")

// rehash replaces the hash of the client's secret secretID, made under a
// previous system secret, by rehash, made under the current one from the
// secret the client just presented: after a rotation of the system
// secret, a secret in use stops needing the previous one. The hash is
// replaced only while it is still the one matched, so a secret rotated
// away or rehashed by another request meanwhile is left as it is.
func (p *Provider) rehash(ctx context.Context, clientID, secretID string, old, rehash []byte) {
	_, err := p.cfg.Store.UpdateClient(ctx, clientID, func(c storage.Client) (storage.Client, error) {
		for i, s := range c.Secrets {
			if s.ID == secretID && bytes.Equal(s.Hash, old) {
				c.Secrets[i].Hash = rehash
				return c, nil
			}
		}
		return c, errHashed
	})
	switch {
	case err == nil:
		p.logger.InfoContext(ctx, "client secret hashed under the current system secret", "client_id", clientID, "secret_id", secretID)
	case !errors.Is(err, errHashed):
		p.logger.WarnContext(ctx, "hash a client secret under the current system secret", "client_id", clientID, "secret_id", secretID, "err", err)
	}
}

// expiredHint says, when the secret a request presents is one of its
// client's expired secrets, that it expired and when: an API key that
// stopped working should say why, so its owner knows to rotate it.
func (p *Provider) expiredHint(r *http.Request) (string, bool) {
	id, presented := presentedCredentials(r)
	if id == "" || presented == "" {
		return "", false
	}
	c, err := p.cfg.Store.GetClient(r.Context(), id)
	if err != nil {
		return "", false
	}
	now := p.cfg.Now()
	for _, s := range c.Secrets {
		if !s.ExpiresAt.IsZero() && !s.ExpiresAt.After(now) && p.cfg.Hasher.Compare(s.Hash, presented) == nil {
			return fmt.Sprintf("The client secret %s… expired at %s. Create a new secret (rotate it) and use that one.",
				s.Prefix, s.ExpiresAt.UTC().Format(time.RFC3339)), true
		}
	}
	return "", false
}

// expiredSecret gives an invalid_client error the expiredHint, if any.
func (p *Provider) expiredSecret(r *http.Request, err error) error {
	if !errors.Is(err, fosite.ErrInvalidClient) {
		return err
	}
	if hint, ok := p.expiredHint(r); ok {
		return fosite.ErrInvalidClient.WithHint(hint).WithWrap(err)
	}
	return err
}

// presentedCredentials are the client ID and secret a request presents
// (RFC 6749 section 2.3.1): HTTP Basic, form-urlencoded, or else the
// form's client_id and client_secret. They are not authenticated: fosite
// does that.
func presentedCredentials(r *http.Request) (id, secret string) {
	if id, secret, ok := r.BasicAuth(); ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		return id, secret
	}
	return r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
}
