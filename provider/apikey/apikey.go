// Package apikey manages client secrets as API keys: each expires, a
// rotation adds a new one while the old one keeps working for a grace
// period, no client has more than two live secrets, and a leaked one can
// be revoked at once. The command line, the developer portal and the admin
// API all go through it.
package apikey

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tokenim/tokenim-auth/provider/audit"
	"github.com/tokenim/tokenim-auth/provider/secret"
	"github.com/tokenim/tokenim-auth/storage"
)

// MaxLive is how many unexpired secrets a client may have at once: the
// current one and, during a rotation, the one it replaces.
const MaxLive = 2

// keepExpired is how long an expired secret is kept, so that a client
// still presenting it is told it expired rather than that it is wrong.
const keepExpired = 30 * 24 * time.Hour

// Errors of rotation and revocation.
var (
	ErrTooManyLive = errors.New("apikey: the client already has two live secrets; revoke one first")
	ErrNoSecrets   = errors.New("apikey: this client authenticates without a secret")
	ErrLastSecret  = errors.New("apikey: this is the client's only live secret; rotate it instead of revoking it, or delete the client")
)

// Policy is how long new secrets live and how long a replaced one keeps
// working.
type Policy struct {
	// Lifetime of a new secret; 0 means it never expires.
	Lifetime time.Duration
	// Grace is how long a replaced secret keeps working after a rotation.
	Grace time.Duration
}

// Live reports whether a secret still authenticates at now.
func Live(s storage.ClientSecret, now time.Time) bool {
	return s.ExpiresAt.IsZero() || s.ExpiresAt.After(now)
}

// Rotate gives the client a new secret and returns it (shown once; only
// its keyed hash is stored). Live secrets are cut to expire within the
// grace period; secrets expired long ago are dropped.
func Rotate(ctx context.Context, store storage.Clients, h secret.Hasher, clientID string, p Policy, now time.Time) (string, storage.ClientSecret, error) {
	now = now.UTC().Truncate(time.Second)
	plain := secret.NewClientSecret()
	rec := storage.ClientSecret{ID: "s" + secret.Random(6), Hash: h.Hash(plain), Prefix: secret.Prefix(plain), CreatedAt: now}
	if p.Lifetime > 0 {
		rec.ExpiresAt = now.Add(p.Lifetime)
	}
	_, err := store.UpdateClient(ctx, clientID, func(c storage.Client) (storage.Client, error) {
		if c.Type == storage.ClientPublic || c.TokenEndpointAuthMethod == "private_key_jwt" || c.TokenEndpointAuthMethod == "none" {
			return c, ErrNoSecrets
		}
		var kept []storage.ClientSecret
		live := 0
		for _, s := range c.Secrets {
			switch {
			case Live(s, now):
				live++
				if end := now.Add(p.Grace); s.ExpiresAt.IsZero() || s.ExpiresAt.After(end) {
					s.ExpiresAt = end
				}
			case now.Sub(s.ExpiresAt) > keepExpired:
				continue
			}
			kept = append(kept, s)
		}
		if live >= MaxLive {
			return c, ErrTooManyLive
		}
		c.Secrets = append(kept, rec)
		c.UpdatedAt = now
		return c, nil
	})
	if err != nil {
		return "", storage.ClientSecret{}, fmt.Errorf("rotate the secret of %s: %w", clientID, err)
	}
	return plain, rec, nil
}

// Revoke removes a secret at once (a leaked key). The client's only live
// secret cannot be revoked: that would lock the app out without saying
// so; rotate it instead.
func Revoke(ctx context.Context, store storage.Clients, clientID, secretID string, now time.Time) error {
	_, err := store.UpdateClient(ctx, clientID, func(c storage.Client) (storage.Client, error) {
		found, live := -1, 0
		for i, s := range c.Secrets {
			if s.ID == secretID {
				found = i
			}
			if Live(s, now) {
				live++
			}
		}
		if found < 0 {
			return c, fmt.Errorf("no secret %q: %w", secretID, storage.ErrNotFound)
		}
		if Live(c.Secrets[found], now) && live == 1 {
			return c, ErrLastSecret
		}
		c.Secrets = append(c.Secrets[:found:found], c.Secrets[found+1:]...)
		c.UpdatedAt = now.UTC().Truncate(time.Second)
		return c, nil
	})
	if err != nil {
		return fmt.Errorf("revoke secret %s of %s: %w", secretID, clientID, err)
	}
	return nil
}

// State describes a secret for people: "live", "expiring" (within the
// warning period), or "expired".
func State(s storage.ClientSecret, now time.Time, warn time.Duration) string {
	switch {
	case !Live(s, now):
		return "expired"
	case !s.ExpiresAt.IsZero() && s.ExpiresAt.Sub(now) <= warn:
		return "expiring"
	default:
		return "live"
	}
}

// Event is the authorization record of action (audit.SecretCreated or
// audit.SecretRotated) on secret s of app clientID: its ID, prefix and
// expiry, never the secret.
func Event(action, clientID string, s storage.ClientSecret) audit.Event {
	d := map[string]string{"secret_id": s.ID, "prefix": s.Prefix}
	if !s.ExpiresAt.IsZero() {
		d["expires_at"] = s.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return audit.Event{Action: action, ClientID: clientID, Detail: d}
}

// ExpiryStore is what RecordExpired reads.
type ExpiryStore interface {
	ListClients(ctx context.Context) ([]storage.Client, error)
	ListAudit(ctx context.Context, f storage.AuditFilter, after storage.AuditCursor, limit int) ([]storage.AuditRecord, error)
}

// RecordExpired records, once each, the secrets that expired in the
// lookback before now: a secret's life ends without anyone acting, so the
// janitor notices it. A secret already recorded as expired is skipped. It
// returns how many records it wrote.
func RecordExpired(ctx context.Context, store ExpiryStore, rec *audit.Recorder, now time.Time, lookback time.Duration) (int, error) {
	clients, err := store.ListClients(ctx)
	if err != nil {
		return 0, fmt.Errorf("apikey: record expired secrets: %w", err)
	}
	n := 0
	for _, c := range clients {
		for _, s := range c.Secrets {
			if s.ExpiresAt.IsZero() || s.ExpiresAt.After(now) || !s.ExpiresAt.After(now.Add(-lookback)) {
				continue
			}
			seen, err := store.ListAudit(ctx, storage.AuditFilter{ClientID: c.ID, Actions: []string{audit.SecretExpired}, From: s.ExpiresAt},
				storage.AuditCursor{}, 1000)
			if err != nil {
				return n, fmt.Errorf("apikey: record expired secrets: %w", err)
			}
			if slices.ContainsFunc(seen, func(r storage.AuditRecord) bool { return r.Detail["secret_id"] == s.ID }) {
				continue
			}
			e := Event(audit.SecretExpired, c.ID, s)
			e.ActorType, e.Reason = audit.ActorSystem, "lifetime_ended"
			if err := rec.Record(ctx, e); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
